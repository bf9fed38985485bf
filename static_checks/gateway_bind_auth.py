"""Gateway rows 1-5: HTTP tool re-enables, bind and auth, env token, proxies, loopback auth.

Each row is one small function registered at ``Stage.GATEWAY`` with its row number as
``order`` (checks-gateway.md §3: row order = emission order). Details name config paths and
lengths, never a credential value.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.gateway import (
    GATEWAY_TOKEN_ENV,
    bind_mode,
    control_ui_enabled,
    explain_absent,
    explicit_mode,
    has_gateway_auth,
    has_loopback_auth,
    http_tools_reenabled,
    is_loopback_bind,
    tailscale_mode,
    trusted_proxies,
)
from openclaw_audit.facts.secret_refs import as_secret_ref, env_value, plain_secret
from openclaw_audit.report.model import Finding, Severity


def _sev(critical: bool) -> Severity:
    return Severity.CRITICAL if critical else Severity.WARN


def _missing_auth_reason(ctx: AuditContext) -> str:
    """Why no shared secret counts, in words (never a value)."""
    if explicit_mode(ctx) == "none":
        return 'gateway auth mode is "none"'
    return "no gateway.auth token or password is configured"


# --- row 1: gateway.tools_invoke_http.dangerous_allow ---------------------------------------

TOOLS_INVOKE_DANGEROUS = define(
    "gateway.tools_invoke_http.dangerous_allow",
    Severity.WARN,
    "HTTP /tools/invoke is allowed to run tools that are denied by default",
    remediation=(
        "Remove these names from gateway.tools.allow. If they must stay, keep the gateway on "
        "loopback or the tailnet only and treat the gateway token/password as a full-admin "
        "credential."
    ),
    escalates=True,
    docs="""
## What
`gateway.tools.allow` lists tools that the gateway's HTTP `/tools/invoke` endpoint denies by
default (exec, shell, file writes, session spawning, gateway and plugin control, ...).

## Why
Those tools turn one HTTP credential into remote code execution or control-plane access.
Critical when the gateway binds beyond loopback or uses Tailscale Funnel; warn otherwise.

## Fix
Drop the entries from `gateway.tools.allow`, or keep the gateway private and guard its
credential like an admin password.
""",
)


@check(Stage.GATEWAY, emits=[TOOLS_INVOKE_DANGEROUS], order=1)
def tools_invoke_dangerous_allow(ctx: AuditContext) -> Iterator[Finding]:
    names = http_tools_reenabled(ctx)
    if not names:
        return
    extra_risk = not is_loopback_bind(ctx) or tailscale_mode(ctx) == "funnel"
    yield TOOLS_INVOKE_DANGEROUS.finding(
        f"gateway.tools.allow re-enables these tools over HTTP: {', '.join(names)}. Anyone "
        "holding the gateway credential can call them through /tools/invoke.",
        severity=_sev(extra_risk),
        location=ctx.config.location("gateway.tools.allow"),
    )


# --- row 2: gateway.bind_no_auth ------------------------------------------------------------

BIND_NO_AUTH = define(
    "gateway.bind_no_auth",
    Severity.CRITICAL,
    "Gateway listens beyond loopback without authentication",
    remediation="Configure gateway.auth (a token is recommended) or bind the gateway to loopback.",
    docs="""
## What
`gateway.bind` is not `loopback` and no shared secret (token or password) is configured, and
the gateway is not in `trusted-proxy` mode. Tailscale identity does not count here.

## Why
Anyone who can reach the port can drive the gateway and its agents.

## Fix
Set `gateway.auth` (token recommended), or set `gateway.bind` to `loopback`.
""",
)


@check(Stage.GATEWAY, emits=[BIND_NO_AUTH], order=2)
def bind_no_auth(ctx: AuditContext) -> Iterator[Finding]:
    if is_loopback_bind(ctx) or has_gateway_auth(ctx):
        return
    detail, subject = explain_absent(
        ctx, f'gateway.bind is "{bind_mode(ctx)}" but {_missing_auth_reason(ctx)}.'
    )
    yield BIND_NO_AUTH.finding(
        detail, subject=subject, location=ctx.config.location("gateway.bind")
    )


# --- row 3: gateway.env_token_overrides_config ----------------------------------------------

ENV_TOKEN_OVERRIDES = define(
    "gateway.env_token_overrides_config",
    Severity.WARN,
    f"{GATEWAY_TOKEN_ENV} conflicts with gateway.auth.token",
    remediation=(
        f"Unset {GATEWAY_TOKEN_ENV} if gateway.auth.token is the intended credential, or set "
        f"gateway.auth.token to ${{{GATEWAY_TOKEN_ENV}}} if the environment variable should be "
        "the single source."
    ),
    docs="""
## What
`OPENCLAW_GATEWAY_TOKEN` is set in the environment while `gateway.auth.token` holds a
different credential (a different plain value, or a SecretRef other than that variable).

## Why
Configured local clients and the managed service prefer the config token, while env-URL and
node-host targets keep using the environment value. Two sources of truth lead to clients
that fail to authenticate, or to a stale credential staying in use.

## Fix
Keep one source: remove the env var, or point `gateway.auth.token` at
`${OPENCLAW_GATEWAY_TOKEN}`.
""",
)


def _env_token_conflict(ctx: AuditContext) -> bool:
    env_token = env_value(ctx, GATEWAY_TOKEN_ENV)
    if env_token is None:
        return False
    if (ctx.env.get("OPENCLAW_SERVICE_KIND") or "").strip() == "gateway":
        return False
    src = ctx.source
    if src.get("gateway.mode") == "remote":
        return False
    if src.get("gateway.auth.mode") in ("password", "none", "trusted-proxy"):
        return False
    token_input = src.get("gateway.auth.token")
    ref = as_secret_ref(token_input)
    if ref is not None:
        return not (ref.source == "env" and ref.id == GATEWAY_TOKEN_ENV)
    config_token = plain_secret(token_input)
    return config_token is not None and config_token != env_token


@check(Stage.GATEWAY, emits=[ENV_TOKEN_OVERRIDES], order=3)
def env_token_overrides_config(ctx: AuditContext) -> Iterator[Finding]:
    if not _env_token_conflict(ctx):
        return
    yield ENV_TOKEN_OVERRIDES.finding(
        f"{GATEWAY_TOKEN_ENV} is set and gateway.auth.token uses a different credential. "
        "Configured local clients and the managed gateway service use the config token, while "
        "env-URL and node-host targets keep using the environment value, so clients can end "
        "up presenting different tokens.",
        location=ctx.source.location("gateway.auth.token"),
    )


# --- row 4: gateway.trusted_proxies_missing -------------------------------------------------

TRUSTED_PROXIES_MISSING = define(
    "gateway.trusted_proxies_missing",
    Severity.WARN,
    "No trusted reverse proxies configured",
    remediation=(
        "If the Control UI is served through a reverse proxy, list its addresses in "
        "gateway.trustedProxies; otherwise keep the Control UI reachable locally only."
    ),
    docs="""
## What
The gateway binds to loopback, the Control UI is on, and `gateway.trustedProxies` is empty.

## Why
Behind a reverse proxy every request arrives from loopback. Without trusted proxies the
gateway cannot tell proxied clients from truly local ones, so local-client checks can be
fooled.

## Fix
Set `gateway.trustedProxies` to the proxy addresses, or do not put the UI behind a proxy.
""",
)


@check(Stage.GATEWAY, emits=[TRUSTED_PROXIES_MISSING], order=4)
def trusted_proxies_missing(ctx: AuditContext) -> Iterator[Finding]:
    if not is_loopback_bind(ctx) or not control_ui_enabled(ctx) or trusted_proxies(ctx):
        return
    yield TRUSTED_PROXIES_MISSING.finding(
        "gateway.bind is loopback, the Control UI is enabled and gateway.trustedProxies is "
        "empty. A reverse proxy in front of the UI would make remote visitors look local.",
        location=ctx.config.location("gateway.trustedProxies"),
    )


# --- row 5: gateway.loopback_no_auth --------------------------------------------------------

LOOPBACK_NO_AUTH = define(
    "gateway.loopback_no_auth",
    Severity.CRITICAL,
    "Gateway has no authentication on loopback",
    remediation="Configure gateway.auth (token or password), even when binding to loopback.",
    docs="""
## What
The gateway binds to loopback with the Control UI on, but no shared secret, no
`trusted-proxy` mode and no Tailscale Serve identity protects it.

## Why
Any local process, and anyone reaching it through a reverse proxy or port forward, gets
full control of the gateway.

## Fix
Configure `gateway.auth` with a token or password (`openclaw doctor --fix` can generate a
token).
""",
)


@check(Stage.GATEWAY, emits=[LOOPBACK_NO_AUTH], order=5)
def loopback_no_auth(ctx: AuditContext) -> Iterator[Finding]:
    if not is_loopback_bind(ctx) or not control_ui_enabled(ctx) or has_loopback_auth(ctx):
        return
    detail, subject = explain_absent(
        ctx,
        f"gateway.bind is loopback but {_missing_auth_reason(ctx)}. Through a reverse proxy "
        "or port forward the gateway would be open.",
    )
    yield LOOPBACK_NO_AUTH.finding(
        detail, subject=subject, location=ctx.config.location("gateway.auth")
    )
