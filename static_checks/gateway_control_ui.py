"""Gateway rows 6-9: Control UI origins, Host-header fallback, real-IP fallback.

Each row is one small function registered at ``Stage.GATEWAY`` with its row number as
``order`` (checks-gateway.md §3: row order = emission order). Details name config paths and
lengths, never a credential value.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.gateway import (
    allowed_origins,
    bind_mode,
    control_ui_enabled,
    is_loopback_bind,
    is_strict_loopback_proxy,
    resolve_gateway_auth,
    trusted_proxies,
)
from openclaw_audit.report.model import Finding, Severity

_HOST_HEADER_FALLBACK = "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback"


def _sev(critical: bool) -> Severity:
    return Severity.CRITICAL if critical else Severity.WARN


# --- rows 6-8: Control UI origins -----------------------------------------------------------

ORIGINS_REQUIRED = define(
    "gateway.control_ui.allowed_origins_required",
    Severity.CRITICAL,
    "Control UI exposed beyond loopback without an origin allowlist",
    remediation=(
        "Set gateway.controlUi.allowedOrigins to the exact origins the UI is served from "
        "(e.g. https://control.example.com)."
    ),
    docs="""
## What
The Control UI is enabled, the gateway binds beyond loopback, and
`gateway.controlUi.allowedOrigins` is empty (and Host-header fallback is not enabled).

## Why
Without explicit origins the browser-origin check of the Control UI/WebChat socket has
nothing to compare against on a network-reachable gateway.

## Fix
List the exact origins (scheme, host, port) in `gateway.controlUi.allowedOrigins`.
""",
)

ORIGINS_WILDCARD = define(
    "gateway.control_ui.allowed_origins_wildcard",
    Severity.WARN,
    "Control UI accepts any browser origin",
    remediation='Replace "*" in gateway.controlUi.allowedOrigins with explicit origins.',
    escalates=True,
    docs="""
## What
`gateway.controlUi.allowedOrigins` contains `*`.

## Why
Any web page the operator visits may open Control UI/WebChat connections. Critical when the
gateway binds beyond loopback, warn otherwise.

## Fix
Replace `*` with the exact origins you use.
""",
)

HOST_HEADER_FALLBACK = define(
    "gateway.control_ui.host_header_origin_fallback",
    Severity.WARN,
    "Control UI trusts the Host header as origin",
    remediation=(
        "Turn off gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback and set "
        "gateway.controlUi.allowedOrigins instead."
    ),
    escalates=True,
    docs="""
## What
`gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback` is `true`.

## Why
Origin checks then fall back to the request's own Host header, which weakens protection
against DNS rebinding. Critical when the gateway binds beyond loopback, warn otherwise.

## Fix
Disable the flag and configure `gateway.controlUi.allowedOrigins`.
""",
)


@check(Stage.GATEWAY, emits=[ORIGINS_REQUIRED], order=6)
def allowed_origins_required(ctx: AuditContext) -> Iterator[Finding]:
    if (
        is_loopback_bind(ctx)
        or not control_ui_enabled(ctx)
        or allowed_origins(ctx)
        or ctx.config.is_true(_HOST_HEADER_FALLBACK)
    ):
        return
    yield ORIGINS_REQUIRED.finding(
        f'The Control UI is enabled, gateway.bind is "{bind_mode(ctx)}" and '
        "gateway.controlUi.allowedOrigins is empty, so browser origins are not pinned.",
        location=ctx.config.location("gateway.controlUi.allowedOrigins"),
    )


@check(Stage.GATEWAY, emits=[ORIGINS_WILDCARD], order=7)
def allowed_origins_wildcard(ctx: AuditContext) -> Iterator[Finding]:
    if "*" not in allowed_origins(ctx):
        return
    yield ORIGINS_WILDCARD.finding(
        'gateway.controlUi.allowedOrigins contains "*": every browser origin may open '
        "Control UI/WebChat connections, which disables origin allowlisting.",
        severity=_sev(not is_loopback_bind(ctx)),
        location=ctx.config.location("gateway.controlUi.allowedOrigins"),
    )


@check(Stage.GATEWAY, emits=[HOST_HEADER_FALLBACK], order=8)
def host_header_origin_fallback(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.config.is_true(_HOST_HEADER_FALLBACK):
        return
    yield HOST_HEADER_FALLBACK.finding(
        f"{_HOST_HEADER_FALLBACK}=true lets Control UI/WebChat socket origin checks fall back "
        "to the Host header, weakening DNS-rebinding protection.",
        severity=_sev(not is_loopback_bind(ctx)),
        location=ctx.config.location(_HOST_HEADER_FALLBACK),
    )


# --- row 9: gateway.real_ip_fallback_enabled ------------------------------------------------

REAL_IP_FALLBACK = define(
    "gateway.real_ip_fallback_enabled",
    Severity.WARN,
    "Gateway falls back to X-Real-IP for client addresses",
    remediation=(
        "Keep gateway.allowRealIpFallback false unless a trusted proxy always overwrites the "
        "X-Real-IP header."
    ),
    escalates=True,
    docs="""
## What
`gateway.allowRealIpFallback` is `true`: when a trusted proxy sends no X-Forwarded-For, the
gateway takes the client address from X-Real-IP.

## Why
A proxy that passes a client-supplied X-Real-IP through lets clients spoof their address and
pass local-client checks. Critical when the gateway binds beyond loopback, or runs in
`trusted-proxy` mode with a proxy that is not strictly loopback; warn otherwise.

## Fix
Leave it `false` (the default) unless your proxy always rewrites X-Real-IP.
""",
)


@check(Stage.GATEWAY, emits=[REAL_IP_FALLBACK], order=9)
def real_ip_fallback_enabled(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.config.is_true("gateway.allowRealIpFallback"):
        return
    remote_proxy = any(not is_strict_loopback_proxy(p) for p in trusted_proxies(ctx))
    exposed = not is_loopback_bind(ctx) or (
        resolve_gateway_auth(ctx).mode == "trusted-proxy" and remote_proxy
    )
    yield REAL_IP_FALLBACK.finding(
        "gateway.allowRealIpFallback=true trusts X-Real-IP when a trusted proxy omits "
        "X-Forwarded-For; a proxy that forwards a client-supplied X-Real-IP allows spoofed "
        "client addresses.",
        severity=_sev(exposed),
        location=ctx.config.location("gateway.allowRealIpFallback"),
    )
