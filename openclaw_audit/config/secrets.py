"""SecretRefs: recognising them and resolving them read-only (config-model.md §5–§6).

Resolution only reads: env values, provider files (size-capped), and — only when the user
passed ``--allow-exec`` — exec providers. Errors and diagnostics name paths and variables,
never a resolved value.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_ENV_ID = re.compile(r"^[A-Z][A-Z0-9_]{0,127}$")
_PROVIDER = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_EXEC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$")
_SHORTHAND = re.compile(r"^\$\{([A-Z][A-Z0-9_]{0,127})\}$|^\$([A-Z][A-Z0-9_]{0,127})$")
_LEGACY_PREFIXES = ("secretref-env:", "__env__:")
SOURCES = ("env", "file", "exec")
MAX_SECRET_FILE_BYTES = 1 << 20

CHANNEL_SECRET_KEYS = (
    "token",
    "botToken",
    "appToken",
    "signingSecret",
    "password",
    "webhookSecret",
)
GATEWAY_TARGETS: tuple[tuple[str, ...], ...] = (
    ("gateway", "auth", "token"),
    ("gateway", "auth", "password"),
    ("gateway", "remote", "token"),
    ("gateway", "remote", "password"),
    ("hooks", "token"),
)


@dataclass(frozen=True, slots=True)
class SecretRef:
    source: str
    provider: str
    id: str


def _default_provider(config: Mapping[str, Any], source: str) -> str:
    defaults = config.get("secrets")
    if isinstance(defaults, Mapping):
        d = defaults.get("defaults")
        if isinstance(d, Mapping) and isinstance(d.get(source), str) and d[source].strip():
            return d[source].strip()
    return "default"


def coerce_secret_ref(value: Any, config: Mapping[str, Any] | None = None) -> SecretRef | None:
    """A SecretRef when ``value`` is one (canonical object or accepted shorthand), else None."""
    cfg = config or {}
    if isinstance(value, str):
        text = value.strip()
        m = _SHORTHAND.match(text)
        if m:
            return SecretRef("env", _default_provider(cfg, "env"), m.group(1) or m.group(2))
        for prefix in _LEGACY_PREFIXES:
            if text.startswith(prefix) and text[len(prefix) :].strip():
                return SecretRef("env", _default_provider(cfg, "env"), text[len(prefix) :].strip())
        return None
    if isinstance(value, Mapping):
        source, ident = value.get("source"), value.get("id")
        if source not in SOURCES or not isinstance(ident, str) or not ident.strip():
            return None
        extra = set(value) - {"source", "provider", "id"}
        if extra:
            return None
        provider = value.get("provider")
        if provider is None:
            provider = _default_provider(cfg, source)
        if not isinstance(provider, str) or not provider.strip():
            return None
        return SecretRef(source, provider.strip(), ident.strip())
    return None


def is_configured_secret_input(value: Any, config: Mapping[str, Any] | None = None) -> bool:
    """A non-blank string or anything coercible to a SecretRef."""
    if isinstance(value, str):
        return bool(value.strip())
    return coerce_secret_ref(value, config) is not None


def target_paths(config: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The audit target paths that exist in ``config`` (config-model.md §6)."""
    out = [p for p in GATEWAY_TARGETS if _get(config, p) is not None]
    channels = config.get("channels")
    if isinstance(channels, Mapping):
        for ch, section in channels.items():
            if not isinstance(section, Mapping):
                continue
            out.extend(
                ("channels", ch, key) for key in CHANNEL_SECRET_KEYS if section.get(key) is not None
            )
            accounts = section.get("accounts")
            if isinstance(accounts, Mapping):
                for acct, acfg in accounts.items():
                    if isinstance(acfg, Mapping):
                        out.extend(
                            ("channels", ch, "accounts", acct, key)
                            for key in CHANNEL_SECRET_KEYS
                            if acfg.get(key) is not None
                        )
    return out


def _get(config: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = config
    for part in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


class ResolveError(Exception):
    pass


class SecretResolution:
    """What resolving the config's SecretRefs produced (a plain class: no dataclass build on
    the import path for a record nobody compares or copies)."""

    __slots__ = ("diagnostics", "resolved", "unavailable", "values")

    def __init__(self) -> None:
        self.resolved: dict[tuple[str, ...], str] = {}
        self.unavailable: set[tuple[str, ...]] = set()
        self.diagnostics: list[str] = []
        self.values: set[str] = set()  # every secret value seen, for redaction

    def diag(self, line: str) -> None:
        line = line.strip()
        if line and line not in self.diagnostics:
            self.diagnostics.append(line)


def resolve_secret_refs(
    source: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    allow_exec: bool = False,
    plain_paths: frozenset[tuple[str, ...]] = frozenset(),
) -> SecretResolution:
    """Resolve SecretRefs on the audit target paths of the source config, read-only.

    ``plain_paths`` hold text that only looks like a reference (an unset ``${VAR}`` kept
    literally in a plain-string field); they are never read as a SecretRef shorthand."""
    res = SecretResolution()
    refs: dict[tuple[str, ...], SecretRef] = {}
    for path in target_paths(source):
        value = _get(source, path)
        ref = (
            coerce_secret_ref(value, source)
            if not isinstance(value, str) or (_looks_ref(value) and path not in plain_paths)
            else None
        )
        if ref is None:
            if isinstance(value, str) and value.strip():
                res.values.add(value.strip())
            continue
        refs[path] = ref
    if not refs:
        return res
    exec_resolved: list[str] = []
    for path, ref in refs.items():
        dotted = ".".join(path)
        if _inactive(path, source):
            res.diag(
                f"{dotted}: secret ref is configured on an inactive surface; "
                "it is ignored for this command."
            )
            res.unavailable.add(path)
            continue
        if ref.source == "exec" and not allow_exec:
            res.diag(
                f"security audit: skipped local exec SecretRef resolution for {dotted}; "
                "rerun with --allow-exec to execute configured exec providers."
            )
            res.unavailable.add(path)
            continue
        try:
            value = _resolve_one(ref, source, env)
        except ResolveError as exc:
            res.diag(f"security audit: failed to resolve {dotted} locally ({exc}).")
            res.diag(
                f"security audit: {dotted} is unavailable in this command path; "
                "continuing with degraded read-only config."
            )
            res.unavailable.add(path)
            continue
        res.resolved[path] = value
        if value.strip():
            res.values.add(value.strip())
        if ref.source == "exec":
            exec_resolved.append(dotted)
    if exec_resolved:
        res.diag(f"security audit: resolved exec SecretRefs locally at {', '.join(exec_resolved)}.")
    return res


def _looks_ref(value: str) -> bool:
    text = value.strip()
    return bool(_SHORTHAND.match(text)) or text.startswith(_LEGACY_PREFIXES)


def _inactive(path: tuple[str, ...], source: Mapping[str, Any]) -> bool:
    # gateway.auth.token stays active when OPENCLAW_GATEWAY_TOKEN is set: 2026.9.6's local token
    # surface does not depend on the env token (gateway.env_token_overrides_config reports it).
    if path[:2] == ("gateway", "remote"):
        gw = source.get("gateway") if isinstance(source.get("gateway"), Mapping) else {}
        remote = gw.get("remote") if isinstance(gw.get("remote"), Mapping) else {}
        ts = gw.get("tailscale") if isinstance(gw.get("tailscale"), Mapping) else {}
        url = remote.get("url")
        active = (
            gw.get("mode") == "remote"
            or (isinstance(url, str) and url.strip())
            or ts.get("mode") in ("serve", "funnel")
        )
        return not active
    return False


def _provider_config(ref: SecretRef, config: Mapping[str, Any]) -> Mapping[str, Any]:
    secrets = config.get("secrets")
    providers = secrets.get("providers") if isinstance(secrets, Mapping) else None
    cfg = providers.get(ref.provider) if isinstance(providers, Mapping) else None
    if isinstance(cfg, Mapping):
        if cfg.get("source") != ref.source:
            raise ResolveError(
                f'secret provider "{ref.provider}" has source "{cfg.get("source")}", '
                f'not "{ref.source}"'
            )
        return cfg
    if ref.provider == "default" and ref.source == "env":
        return {"source": "env"}
    raise ResolveError(f'secret provider "{ref.provider}" is not configured')


def _resolve_one(ref: SecretRef, config: Mapping[str, Any], env: Mapping[str, str]) -> str:
    if not _PROVIDER.match(ref.provider):
        raise ResolveError(f'invalid secret provider name "{ref.provider[:64]}"')
    provider = _provider_config(ref, config)
    if ref.source == "env":
        if not _ENV_ID.match(ref.id):
            raise ResolveError("invalid env SecretRef id")
        allow = provider.get("allowlist")
        if isinstance(allow, list) and ref.id not in allow:
            raise ResolveError(f'Environment variable "{ref.id}" is not in the provider allowlist')
        value = env.get(ref.id, "")
        if not value.strip():
            raise ResolveError(f'Environment variable "{ref.id}" is missing or empty.')
        return value
    if ref.source == "file":
        return _resolve_file(ref, provider)
    return _resolve_exec(ref, provider)


def _resolve_file(ref: SecretRef, provider: Mapping[str, Any]) -> str:
    path = provider.get("path")
    if not isinstance(path, str) or not path.strip():
        raise ResolveError(f'secret provider "{ref.provider}" has no file path')
    max_bytes = provider.get("maxBytes")
    limit = (
        max_bytes
        if isinstance(max_bytes, int) and 0 < max_bytes <= MAX_SECRET_FILE_BYTES
        else MAX_SECRET_FILE_BYTES
    )
    path = os.path.expanduser(path.strip())
    try:
        if not os.path.isfile(path):
            raise ResolveError(
                f'secret file for provider "{ref.provider}" is missing or not a file'
            )
        if os.path.getsize(path) > limit:
            raise ResolveError(f'secret file for provider "{ref.provider}" exceeds {limit} bytes')
        with open(path, encoding="utf-8") as fh:
            text = fh.read(limit + 1)
    except (OSError, UnicodeDecodeError):
        raise ResolveError(f'secret file for provider "{ref.provider}" is unreadable') from None
    mode = provider.get("mode", "json")
    if mode == "singleValue":
        if ref.id != "value":
            raise ResolveError('singleValue file providers take the id "value"')
        value = text.rstrip("\r\n")
    else:
        try:
            doc = json.loads(text)
        except ValueError:
            raise ResolveError(
                f'secret file for provider "{ref.provider}" is not valid JSON'
            ) from None
        value = _json_pointer(doc, ref.id)
    if not isinstance(value, str) or not value.strip():
        raise ResolveError(f'secret "{ref.id[:128]}" not found or not a non-empty string')
    return value


def _json_pointer(doc: Any, pointer: str) -> Any:
    if not pointer.startswith("/"):
        raise ResolveError("file SecretRef id must be an absolute JSON pointer")
    node = doc
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _resolve_exec(ref: SecretRef, provider: Mapping[str, Any]) -> str:
    if not _EXEC_ID.match(ref.id) or any(seg in (".", "..") for seg in ref.id.split("/")):
        raise ResolveError("invalid exec SecretRef id")
    command = provider.get("command")
    if not isinstance(command, str) or not os.path.isabs(command):
        raise ResolveError(f'exec provider "{ref.provider}" needs an absolute command path')
    args = (
        [a for a in provider.get("args", []) if isinstance(a, str)]
        if isinstance(provider.get("args"), list)
        else []
    )
    timeout_ms = provider.get("timeoutMs", 5000)
    timeout = (
        timeout_ms if isinstance(timeout_ms, int | float) and timeout_ms > 0 else 5000
    ) / 1000
    request = json.dumps({"protocolVersion": 1, "provider": ref.provider, "ids": [ref.id]})
    try:
        proc = subprocess.run(
            [command, *args],
            input=request.encode(),
            capture_output=True,
            timeout=min(timeout, 30.0),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ResolveError(f'exec provider "{ref.provider}" timed out') from None
    except OSError as exc:
        raise ResolveError(
            f'exec provider "{ref.provider}" could not run ({exc.strerror})'
        ) from None
    if proc.returncode != 0:
        raise ResolveError(f'exec provider "{ref.provider}" exited with status {proc.returncode}')
    out = proc.stdout[: MAX_SECRET_FILE_BYTES + 1]
    if len(out) > MAX_SECRET_FILE_BYTES:
        raise ResolveError(f'exec provider "{ref.provider}" output is too large')
    try:
        doc = json.loads(out.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ResolveError(f'exec provider "{ref.provider}" returned invalid JSON') from None
    values = doc.get("values") if isinstance(doc, Mapping) else None
    value = values.get(ref.id) if isinstance(values, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        raise ResolveError(f'exec provider "{ref.provider}" returned no value for the id')
    return value
