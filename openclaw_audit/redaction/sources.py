"""What counts as a secret (trust.md §1): values at secret-bearing config paths, credentials
inside URLs, DSNs and auth headers, ``env.vars`` entries with secret-looking names, and
OpenClaw's own variables. Not every value of the process environment: a CI runner's
``DEBUG=true`` is not a secret, and treating it as one corrupted every report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from openclaw_audit.redaction.urls import userinfo_secrets

SECRET_KEY = re.compile(
    r"(token|password|passwd|secret|apikey|api_key|api-key|privatekey|private_key|credential|"
    r"signingsecret|webhooksecret|accesskey|clientsecret|cookie|bearer|authorization|^key$)",
    re.IGNORECASE,
)
SECRET_ENV = re.compile(r"(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)")
# Keys whose values name things rather than hold secrets (e.g. tokenFile is a path).
_NOT_SECRET_KEY = re.compile(r"(file|path|dir|mode|policy|enabled|length|header|env|ttl)$", re.I)
# `Authorization: Bearer <token>`: the scheme word is not the secret, the rest is.
_AUTH_SCHEME = re.compile(r"^(?:bearer|basic|token|digest)\s+(\S.*)$", re.IGNORECASE)
# OpenClaw's own credential variables (gateway token/password and their kin).
_OPENCLAW_VAR = re.compile(r"^(OPENCLAW|CLAWDBOT)_\w*(TOKEN|PASSWORD|SECRET|KEY)\w*$")


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(key)) and not _NOT_SECRET_KEY.search(key)


def is_secret_env_name(name: str) -> bool:
    return bool(SECRET_ENV.search(name.upper()))


def _value_secrets(value: str) -> list[str]:
    value = value.strip()
    if not value or value.startswith("$"):
        return []  # an unresolved ${VAR} or a SecretRef-like placeholder
    out = [value]
    scheme = _AUTH_SCHEME.match(value)
    if scheme:
        out.append(scheme.group(1).strip())
    return out


def collect_secret_values(
    config: Any, env: Mapping[str, str], referenced: Iterable[str] = ()
) -> set[str]:
    """Secrets of one loaded config: plain strings under secret-looking keys (header names
    included), URL/DSN credentials in any string, and the values of OpenClaw's credential
    variables and of secret-looking variables the config references (``referenced``)."""
    found: set[str] = set()
    stack: list[tuple[str, Any]] = [("", config)]
    # The same few keys repeat across thousands of entries: judge each name once.
    secret_key: dict[str, bool] = {"": False}
    while stack:
        key, node = stack.pop()
        # Plain dicts and strings (most nodes) without the Mapping ABC check.
        if type(node) is dict or (type(node) is not str and isinstance(node, Mapping)):
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((key, v) for v in node)
        else:
            is_secret = secret_key.get(key)
            if is_secret is None:
                is_secret = secret_key[key] = is_secret_key(key)
            if isinstance(node, str):
                if is_secret:
                    found.update(_value_secrets(node))
                if "@" in node or "=" in node:
                    found.update(s for s in userinfo_secrets(node) if not s.startswith("$"))
            elif isinstance(node, int | float) and not isinstance(node, bool) and is_secret:
                found.add(str(node))  # a numeric token is still that token
    names = {n for n in env if _OPENCLAW_VAR.match(n)}
    names |= {n for n in referenced if is_secret_env_name(n)}
    for name in names:
        found.update(_value_secrets(env.get(name) or ""))
    return found
