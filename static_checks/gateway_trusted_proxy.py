"""Gateway rows 17-23: trusted-proxy auth mode.

Each row is one small function registered at ``Stage.GATEWAY`` with its row number as
``order`` (checks-gateway.md §3: row order = emission order). Details name config paths and
lengths, never a credential value.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.gateway import resolve_gateway_auth, trusted_proxies
from openclaw_audit.report.model import Finding, Severity

# --- rows 17-23: trusted-proxy mode ---------------------------------------------------------

TRUSTED_PROXY_AUTH = define(
    "gateway.trusted_proxy_auth",
    Severity.CRITICAL,
    "Gateway delegates authentication to a reverse proxy",
    remediation=(
        "Verify that the proxy terminates TLS and authenticates every user, restrict "
        "gateway.trustedProxies to the proxy's addresses, and firewall the gateway port so "
        "only the proxy can reach it."
    ),
    docs="""
## What
`gateway.auth.mode` is `"trusted-proxy"` (always reported, as a standing warning).

## Why
The gateway then believes identity headers from any address in `gateway.trustedProxies`.
A misconfigured proxy, or direct access to the gateway port, means full access.

## Fix
Make sure the proxy terminates TLS and authenticates users, keep `gateway.trustedProxies`
minimal, and block direct access to the gateway port.
""",
)

TRUSTED_PROXY_NO_PROXIES = define(
    "gateway.trusted_proxy_no_proxies",
    Severity.CRITICAL,
    "Trusted-proxy mode without any trusted proxy",
    remediation="Set gateway.trustedProxies to the addresses of your reverse proxy.",
    docs="""
## What
`trusted-proxy` auth mode with an empty `gateway.trustedProxies`.

## Why
No request can authenticate, and the configuration is evidently incomplete.

## Fix
List the proxy addresses in `gateway.trustedProxies`.
""",
)

TRUSTED_PROXY_NO_USER_HEADER = define(
    "gateway.trusted_proxy_no_user_header",
    Severity.CRITICAL,
    "Trusted-proxy mode without a user header",
    remediation=(
        "Set gateway.auth.trustedProxy.userHeader to the header your proxy fills with the "
        'authenticated user (e.g. "x-forwarded-user").'
    ),
    docs="""
## What
`trusted-proxy` auth mode but `gateway.auth.trustedProxy.userHeader` is empty or unset.

## Why
The gateway cannot tell which user the proxy authenticated.

## Fix
Set `gateway.auth.trustedProxy.userHeader`.
""",
)

TRUSTED_PROXY_ALLOW_LOOPBACK = define(
    "gateway.trusted_proxy_allow_loopback",
    Severity.WARN,
    "Trusted-proxy mode accepts loopback sources",
    remediation=(
        "Keep gateway.auth.trustedProxy.allowLoopback only when the proxy runs on the same "
        "host, and make sure it strips or overwrites identity headers."
    ),
    docs="""
## What
`trusted-proxy` auth mode with `gateway.auth.trustedProxy.allowLoopback: true`.

## Why
Requests from loopback may then satisfy proxy auth; any local process could forge identity
headers.

## Fix
Only keep it for a same-host proxy.
""",
)

TRUSTED_PROXY_AUTO_APPROVE = define(
    "gateway.trusted_proxy_device_auto_approve",
    Severity.WARN,
    "Trusted-proxy mode auto-approves new devices",
    remediation=(
        "Enable device auto-approval only when the proxy is the sole ingress, authenticates "
        "strongly, overwrites identity headers, and gateway.auth.trustedProxy.allowUsers is "
        "set."
    ),
    docs="""
## What
`trusted-proxy` auth mode with `gateway.auth.trustedProxy.deviceAutoApprove.enabled: true`.

## Why
Every identity the proxy vouches for gets a paired device without operator review.

## Fix
Use it only behind a strict, sole-ingress proxy with `allowUsers` set.
""",
)

TRUSTED_PROXY_AUTO_APPROVE_ADMIN = define(
    "gateway.trusted_proxy_device_auto_approve_admin",
    Severity.CRITICAL,
    "Auto-approved devices receive admin scope",
    remediation=(
        "Remove operator.admin from gateway.auth.trustedProxy.deviceAutoApprove.scopes and "
        "grant admin to specific identities instead."
    ),
    docs="""
## What
Device auto-approval in `trusted-proxy` mode includes the `operator.admin` scope.

## Why
Every proxy-authenticated user automatically gets full admin control of the gateway.

## Fix
Drop `operator.admin` from the auto-approve scopes; grant it per identity.
""",
)

TRUSTED_PROXY_NO_ALLOWLIST = define(
    "gateway.trusted_proxy_no_allowlist",
    Severity.WARN,
    "Trusted-proxy mode admits every proxy-authenticated user",
    remediation="Set gateway.auth.trustedProxy.allowUsers to the identities allowed in.",
    docs="""
## What
`trusted-proxy` auth mode and `gateway.auth.trustedProxy.allowUsers` is missing or empty.

## Why
Anyone your proxy authenticates (possibly a whole organisation or identity provider) can
use the gateway.

## Fix
List the permitted identities in `allowUsers`.
""",
)

_TP = "gateway.auth.trustedProxy"


def _trusted_proxy_mode(ctx: AuditContext) -> bool:
    return resolve_gateway_auth(ctx).mode == "trusted-proxy"


@check(Stage.GATEWAY, emits=[TRUSTED_PROXY_AUTH], order=17)
def trusted_proxy_auth(ctx: AuditContext) -> Iterator[Finding]:
    if _trusted_proxy_mode(ctx):
        yield TRUSTED_PROXY_AUTH.finding(
            'gateway.auth.mode is "trusted-proxy": the gateway trusts identity headers from the '
            "addresses in gateway.trustedProxies. The proxy must authenticate users and be the "
            "only way to reach the gateway.",
            location=ctx.config.location("gateway.auth.mode"),
        )


@check(Stage.GATEWAY, emits=[TRUSTED_PROXY_NO_PROXIES], order=18)
def trusted_proxy_no_proxies(ctx: AuditContext) -> Iterator[Finding]:
    if _trusted_proxy_mode(ctx) and not trusted_proxies(ctx):
        yield TRUSTED_PROXY_NO_PROXIES.finding(
            'gateway.auth.mode is "trusted-proxy" but gateway.trustedProxies is empty; every '
            "request will be rejected.",
            location=ctx.config.location("gateway.trustedProxies"),
        )


@check(Stage.GATEWAY, emits=[TRUSTED_PROXY_NO_USER_HEADER], order=19)
def trusted_proxy_no_user_header(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if _trusted_proxy_mode(ctx) and cfg.get_trimmed(f"{_TP}.userHeader") is None:
        yield TRUSTED_PROXY_NO_USER_HEADER.finding(
            f'gateway.auth.mode is "trusted-proxy" but {_TP}.userHeader is not set.',
            location=cfg.location(f"{_TP}.userHeader"),
        )


@check(Stage.GATEWAY, emits=[TRUSTED_PROXY_ALLOW_LOOPBACK], order=20)
def trusted_proxy_allow_loopback(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if _trusted_proxy_mode(ctx) and cfg.is_true(f"{_TP}.allowLoopback"):
        yield TRUSTED_PROXY_ALLOW_LOOPBACK.finding(
            f"{_TP}.allowLoopback=true lets loopback-source requests from trusted proxy entries "
            "satisfy proxy authentication.",
            location=cfg.location(f"{_TP}.allowLoopback"),
        )


@check(Stage.GATEWAY, emits=[TRUSTED_PROXY_AUTO_APPROVE], order=21)
def trusted_proxy_device_auto_approve(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if _trusted_proxy_mode(ctx) and cfg.is_true(f"{_TP}.deviceAutoApprove.enabled"):
        yield TRUSTED_PROXY_AUTO_APPROVE.finding(
            f"{_TP}.deviceAutoApprove.enabled=true pairs new devices of proxy-authenticated "
            "users without operator review.",
            location=cfg.location(f"{_TP}.deviceAutoApprove.enabled"),
        )


@check(Stage.GATEWAY, emits=[TRUSTED_PROXY_AUTO_APPROVE_ADMIN], order=22)
def trusted_proxy_device_auto_approve_admin(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not (_trusted_proxy_mode(ctx) and cfg.is_true(f"{_TP}.deviceAutoApprove.enabled")):
        return
    if "operator.admin" in cfg.get_str_list(f"{_TP}.deviceAutoApprove.scopes"):
        yield TRUSTED_PROXY_AUTO_APPROVE_ADMIN.finding(
            f"{_TP}.deviceAutoApprove.scopes includes operator.admin, so every auto-approved "
            "device gets full admin control.",
            location=cfg.location(f"{_TP}.deviceAutoApprove.scopes"),
        )


@check(Stage.GATEWAY, emits=[TRUSTED_PROXY_NO_ALLOWLIST], order=23)
def trusted_proxy_no_allowlist(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if _trusted_proxy_mode(ctx) and not cfg.get_list(f"{_TP}.allowUsers"):
        yield TRUSTED_PROXY_NO_ALLOWLIST.finding(
            f"{_TP}.allowUsers is empty, so any user your proxy authenticates can use the gateway.",
            location=cfg.location(f"{_TP}.allowUsers"),
        )
