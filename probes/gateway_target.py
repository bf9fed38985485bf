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
from openclaw_audit.textsafe import one_line

SRC_ENV = "env OPENCLAW_GATEWAY_URL"
SRC_REMOTE = "config gateway.remote.url"
SRC_REMOTE_MISSING = "missing gateway.remote.url (fallback local)"
SRC_LOCAL = "local loopback"

_ENV_REF = re.compile(r"^\$\{[A-Z][A-Z0-9_]{0,127}\}$|^\$[A-Z][A-Z0-9_]{0,127}$")
_LEGACY_ENV_REF = ("secretref-env:", "__env__:")


@dataclass(frozen=True, slots=True)
class SshRoute:
    """``gateway.remote.transport: "ssh"``: reach the gateway on the SSH host's loopback."""

    user: str | None
    host: str
    port: int  # SSH port
    remote_port: int  # the gateway's port on the SSH host
    identity: str | None = None

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host


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
    ssh: SshRoute | None = None  # set: every byte goes through this SSH tunnel
    # Every configured edgeAuth value, refused ones included: redacted from all output.
    edge_secrets: frozenset[str] = frozenset()

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

    @property
    def kinds(self) -> tuple[str, ...]:
        """Which credentials are sent ("token", "password"), never their values."""
        return tuple(k for k, v in (("token", self.token), ("password", self.password)) if v)


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


# RFC 9110 token characters; anything else (CR, LF, NUL, ":", spaces) could split a header.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_BAD_VALUE_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # CR, LF, NUL and other controls


def _edge_headers(ctx: AuditContext) -> tuple[dict[str, str], str | None]:
    """The edge headers, or the reason they are refused (then nothing is sent at all)."""
    headers: dict[str, str] = {}
    for name, value in ctx.config.get_dict("gateway.remote.edgeAuth").items():
        text = _nonblank(value)
        if not isinstance(name, str) or not name.strip() or text is None:
            continue
        name = name.strip()
        if not _HEADER_NAME.match(name):
            return {}, (
                f"gateway.remote.edgeAuth header name {one_line(repr(name))} contains characters "
                "not allowed in a header name (CR, LF, NUL, spaces or separators); the probe "
                "was not attempted and nothing was sent."
            )
        if _BAD_VALUE_CHAR.search(text):
            return {}, (
                f"gateway.remote.edgeAuth header {name!r} has a value containing CR, LF, NUL or "
                "another control character; the probe was not attempted and nothing was sent."
            )
        headers[name] = text
    return headers, None


def _port_of(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) <= 65535 else None


def parse_ssh_target(raw: Any, env_user: str | None) -> tuple[str | None, str, int] | None:
    """``user@host[:port]`` as upstream parses it; None when unusable or option-like."""
    text = _nonblank(raw)
    if text is None:
        return None
    text = re.sub(r"^ssh\s+", "", text)
    user, _, host = text.rpartition("@") if "@" in text else ("", "", text)
    user = user.strip() or (env_user or "").strip()
    port = 22
    if host.count(":") == 1:
        host, _, port_text = host.partition(":")
        found = _port_of(port_text.strip())
        if found is None:
            return None
        port = found
    host = host.strip().strip("[]")
    for part in (user, host):
        if part.startswith("-") or re.search(r"[\s\x00-\x1f\x7f@]", part):
            return None
    if not host or host.startswith(":"):
        return None
    return (user or None, host, port)


def _ssh_route(
    ctx: AuditContext, url: str, mode: str, default_port: int
) -> tuple[SshRoute | None, str | None]:
    """(route, refusal) for ``transport: "ssh"``; (None, None) when SSH does not apply."""
    if mode != "remote" or ctx.config.get("gateway.remote.transport") != "ssh":
        return None, None
    try:
        parts = urlsplit(url)
        host, url_port = parts.hostname, parts.port
    except ValueError:
        return None, None  # not a URL; the connection attempt reports it
    configured = ctx.config.get("gateway.remote.sshTarget")
    if _nonblank(configured) is None and is_loopback_host(host):
        return None, None  # already a local endpoint (an operator-run tunnel): nothing leaves
    raw = configured if _nonblank(configured) is not None else host
    parsed = parse_ssh_target(raw, _nonblank(ctx.env.get("USER")))
    if parsed is None:
        return None, (
            'gateway.remote.transport is "ssh" but gateway.remote.sshTarget is not a usable '
            '"user@host[:port]"; no tunnel was opened and nothing was sent.'
        )
    identity = _nonblank(ctx.config.get("gateway.remote.sshIdentity"))
    user, ssh_host, ssh_port = parsed
    route = SshRoute(
        user=user,
        host=ssh_host,
        port=ssh_port,
        remote_port=url_port or default_port,
        identity=identity,
    )
    return route, None


def plaintext_refusal(url: str, ctx: AuditContext, mode: str) -> str | None:
    """§2.6: plaintext ws:// to a non-loopback host is refused (unless private and allowed).

    ``transport: "ssh"`` is no exception here: such a target gets a tunnel instead."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None  # not a URL we can judge; the connection attempt reports it
    if parts.scheme.lower() != "ws" or is_loopback_host(host):
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
    edge, edge_refusal = _edge_headers(ctx) if is_remote_url else ({}, None)
    ssh, ssh_refusal = _ssh_route(ctx, url, mode, port)
    refused = edge_refusal or ssh_refusal
    if refused is None and ssh is None:
        refused = plaintext_refusal(url, ctx, mode)
    return GatewayTarget(
        url=url,
        url_source=source,
        mode=mode,
        port=port,
        is_remote_url=is_remote_url,
        refused=refused,
        tls_fingerprint=(
            _normalise_fingerprint(ctx.config.get("gateway.remote.tlsFingerprint"))
            if is_remote_url
            else None
        ),
        verify_tls=not is_loopback_host(host),
        edge_headers=edge,
        ssh=ssh,
        edge_secrets=frozenset(
            v.strip()
            for v in ctx.config.get_dict("gateway.remote.edgeAuth").values()
            if isinstance(v, str) and v.strip()
        ),
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


def tunnel_url(target: GatewayTarget) -> str:
    """The URL as the gateway sees it at the far end of the SSH tunnel (its own loopback)."""
    assert target.ssh is not None
    scheme = "wss" if target.secure else "ws"
    try:
        path = urlsplit(target.url).path
    except ValueError:
        path = ""
    return f"{scheme}://127.0.0.1:{target.ssh.remote_port}{path}"
