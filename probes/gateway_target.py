"""Where the deep probes connect and with which credentials (deep-probes.md §2-§3).

Pure: reads only the audit context and the probe options, so every rule is unit-testable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.gateway import gateway_port
from openclaw_audit.facts.hosts import is_loopback_host, is_private_ip_host
from openclaw_audit.probes.base import ProbeOptions
from openclaw_audit.redaction import redact_url_or_text

SRC_ENV = "env OPENCLAW_GATEWAY_URL"
SRC_REMOTE = "config gateway.remote.url"
SRC_REMOTE_MISSING = "missing gateway.remote.url (fallback local)"
SRC_LOCAL = "local loopback"

_ENV_REF = re.compile(r"^\$\{[A-Z][A-Z0-9_]{0,127}\}$|^\$[A-Z][A-Z0-9_]{0,127}$")
_LEGACY_ENV_REF = ("secretref-env:", "__env__:")


@dataclass(frozen=True, slots=True)
class GatewayTarget:
    url: str
    url_source: str
    mode: str  # "local" | "remote"
    port: int
    is_remote_url: bool  # URL equals gateway.remote.url (pin and edge headers apply)
    refused: str | None = None  # plaintext-guard error; the probe is then not attempted
    tls_fingerprint: str | None = None  # normalised hex, lower case, no colons
    verify_tls: bool = True  # False for loopback wss:// (self-signed local gateways)
    edge_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str | None:
        try:
            return urlsplit(self.url).hostname
        except ValueError:
            return None

    @property
    def secure(self) -> bool:
        return self.url.lower().startswith(("wss:", "https:"))


@dataclass(frozen=True, slots=True)
class ProbeCredentials:
    token: str | None = None
    password: str | None = None
    warning: str | None = None  # unresolved SecretRef warning (§3)

    @property
    def any(self) -> bool:
        return bool(self.token or self.password)

    @property
    def values(self) -> set[str]:
        return {v for v in (self.token, self.password) if v}


def _nonblank(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def target_mode(ctx: AuditContext) -> str:
    remote_url = _nonblank(ctx.config.get("gateway.remote.url"))
    if ctx.config.get("gateway.mode") == "remote" and remote_url:
        return "remote"
    return "local"


def _normalise_fingerprint(value: Any) -> str | None:
    fp = _nonblank(value)
    if fp is None:
        return None
    fp = fp.lower().replace(":", "")
    if fp.startswith("sha256/"):
        fp = fp[len("sha256/") :]
    return fp


def _edge_headers(ctx: AuditContext) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in ctx.config.get_dict("gateway.remote.edgeAuth").items():
        text = _nonblank(value)
        if isinstance(name, str) and name.strip() and text is not None:
            headers[name.strip()] = text
    return headers


def plaintext_refusal(url: str, ctx: AuditContext, mode: str) -> str | None:
    """§2.6: plaintext ws:// to a non-loopback host is refused, with two exceptions."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None  # not a URL we can judge; the connection attempt reports it
    if parts.scheme.lower() != "ws" or is_loopback_host(host):
        return None
    if mode == "remote" and ctx.config.get("gateway.remote.transport") == "ssh":
        return None
    if is_private_ip_host(host) and ctx.env.get("OPENCLAW_ALLOW_INSECURE_PRIVATE_WS") == "1":
        return None
    return (
        f'SECURITY ERROR: Gateway URL "{redact_url_or_text(url)}" uses plaintext ws:// to a '
        "non-loopback address. Use wss:// or reach the gateway through an SSH tunnel."
    )


def resolve_target(ctx: AuditContext) -> GatewayTarget:
    port = gateway_port(ctx)
    scheme = "wss" if ctx.config.is_true("gateway.tls.enabled") else "ws"
    local_url = f"{scheme}://127.0.0.1:{port}"
    mode = target_mode(ctx)
    remote_url = _nonblank(ctx.config.get("gateway.remote.url"))
    env_url = _nonblank(ctx.env.get("OPENCLAW_GATEWAY_URL"))
    if env_url:
        url, source = env_url, SRC_ENV
    elif mode == "remote" and remote_url:
        url, source = remote_url, SRC_REMOTE
    elif ctx.config.get("gateway.mode") == "remote":
        url, source = local_url, SRC_REMOTE_MISSING
    else:
        url, source = local_url, SRC_LOCAL
    is_remote_url = remote_url is not None and url == remote_url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return GatewayTarget(
        url=url,
        url_source=source,
        mode=mode,
        port=port,
        is_remote_url=is_remote_url,
        refused=plaintext_refusal(url, ctx, mode),
        tls_fingerprint=(
            _normalise_fingerprint(ctx.config.get("gateway.remote.tlsFingerprint"))
            if is_remote_url
            else None
        ),
        verify_tls=not is_loopback_host(host),
        edge_headers=_edge_headers(ctx) if is_remote_url else {},
    )


def looks_like_secret_ref(value: Any) -> bool:
    """A source value that is a SecretRef (object or string shorthand), config-model.md §5."""
    if isinstance(value, Mapping):
        return isinstance(value.get("source"), str) and isinstance(value.get("id"), str)
    if isinstance(value, str):
        v = value.strip()
        return bool(_ENV_REF.match(v)) or v.startswith(_LEGACY_ENV_REF)
    return False


def _unresolved(ctx: AuditContext, path: str) -> bool:
    return looks_like_secret_ref(ctx.source.get(path)) and _nonblank(ctx.config.get(path)) is None


def unresolved_warning(path: str) -> str:
    return (
        f"{path} SecretRef is unresolved in this command path; "
        "probing without configured auth credentials."
    )


def resolve_credentials(ctx: AuditContext, opts: ProbeOptions) -> ProbeCredentials:
    override = ctx.auth_override
    explicit_token = _nonblank(opts.token) or _nonblank(override.token if override else None)
    explicit_password = _nonblank(opts.password) or _nonblank(
        override.password if override else None
    )
    if explicit_token or explicit_password:
        return ProbeCredentials(token=explicit_token, password=explicit_password)

    if target_mode(ctx) == "remote":
        token_path, password_path = "gateway.remote.token", "gateway.remote.password"
        token = _nonblank(ctx.config.get(token_path))
        password = _nonblank(ctx.config.get(password_path))
    else:
        token_path, password_path = "gateway.auth.token", "gateway.auth.password"
        token = _nonblank(ctx.env.get("OPENCLAW_GATEWAY_TOKEN")) or _nonblank(
            ctx.config.get(token_path)
        )
        password = _nonblank(ctx.env.get("OPENCLAW_GATEWAY_PASSWORD")) or _nonblank(
            ctx.config.get(password_path)
        )

    auth_mode = ctx.config.get("gateway.auth.mode")
    no_secret_modes = ("none", "trusted-proxy")
    token_can_win = auth_mode == "token" or (
        auth_mode not in ("password", *no_secret_modes) and password is None
    )
    password_can_win = auth_mode == "password" or (
        auth_mode not in ("token", *no_secret_modes) and token is None
    )
    if token is None and token_can_win and _unresolved(ctx, token_path):
        return ProbeCredentials(warning=unresolved_warning(token_path))
    if password is None and password_can_win and _unresolved(ctx, password_path):
        return ProbeCredentials(warning=unresolved_warning(password_path))
    return ProbeCredentials(token=token, password=password)
