"""The last line of defence against leaking secrets: every byte the tool prints passes
through a :class:`Scrubber` that knows every secret value the audit has seen (config
credentials, resolved SecretRefs, ``--token``/``--password``, gateway env vars) and replaces
them with ``<redacted>``. Checks already avoid printing values; this catches what slips through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "<redacted>"
MIN_SECRET_LEN = 4  # shorter values would mangle ordinary words; no check prints them anyway

_SECRET_KEY = re.compile(
    r"(token|password|passwd|secret|apikey|api_key|privatekey|private_key|credential|"
    r"signingsecret|webhooksecret|accesskey|clientsecret|cookie|bearer|^key$)",
    re.IGNORECASE,
)
_SECRET_ENV = re.compile(r"(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)")
# Keys whose values name things rather than hold secrets (e.g. tokenFile is a path).
_NOT_SECRET_KEY = re.compile(r"(file|path|dir|mode|policy|enabled|length|header|env|ttl)$", re.I)


def collect_secret_values(config: Any, env: Mapping[str, str]) -> set[str]:
    """Plain strings stored under secret-looking keys anywhere in the config, plus env values
    of secret-looking variables."""
    found: set[str] = set()
    stack: list[tuple[str, Any]] = [("", config)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, Mapping):
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((key, v) for v in node)
        elif (
            isinstance(node, str)
            and key
            and _SECRET_KEY.search(key)
            and not _NOT_SECRET_KEY.search(key)
        ):
            value = node.strip()
            if len(value) >= MIN_SECRET_LEN and not value.startswith(("${", "$")):
                found.add(value)
    for name, value in env.items():
        if _SECRET_ENV.search(name) and len(value.strip()) >= MIN_SECRET_LEN:
            found.add(value.strip())
    return found


def _spellings(secret: str) -> set[str]:
    """The secret as it appears in plain text, inside a JSON string (with and without
    ``ensure_ascii``) and inside a Python repr, so an escaped copy is caught as well."""
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }
    return {f for f in forms if len(f) >= MIN_SECRET_LEN}


class Scrubber:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._forms: set[str] = set()
        self._compiled: re.Pattern[str] | None = None
        self._dirty = False
        self.add(secrets)

    def add(self, secrets: Iterable[str | None]) -> None:
        new = {s for s in secrets if s and len(s) >= MIN_SECRET_LEN} - self._secrets
        if new:
            self._secrets |= new
            for s in new:
                self._forms |= _spellings(s)
            # Compiled on first use: a config with thousands of credentials is added to in
            # several steps, and recompiling the alternation each time would be quadratic.
            self._dirty = True

    @property
    def _pattern(self) -> re.Pattern[str] | None:
        if self._dirty:
            ordered = sorted(self._forms, key=len, reverse=True)
            self._compiled = re.compile("|".join(re.escape(s) for s in ordered))
            self._dirty = False
        return self._compiled

    @property
    def values(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(REDACTED, text)

    def scrub_obj(self, value: Any) -> Any:
        """Scrub every string in a JSON-like structure (keys included)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {self(str(k)): self.scrub_obj(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub_obj(v) for v in value]
        return value


def describe_secret(value: str) -> str:
    """A form that tells the user which value is meant without revealing it."""
    return f"{value[:3]}…({len(value)} chars)" if len(value) >= 12 else f"<{len(value)} chars>"
