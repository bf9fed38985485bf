"""Gateway configuration group: exposure, auth, Control UI, proxies, Tailscale, mDNS, flags.

Spec: checks-gateway.md §3 (row order = emission order) and §4 (dangerous flags). Each row is
one small function registered at ``Stage.GATEWAY`` with its row number as ``order``. Details
name config paths and lengths, never a credential value.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.dangerous_flags import collect_flags
from openclaw_audit.facts.gateway import (
    GATEWAY_TOKEN_ENV,
    allowed_origins,
    bind_mode,
    control_ui_enabled,
    explicit_mode,
    has_gateway_auth,
    has_loopback_auth,
    http_tools_reenabled,
    is_loopback_bind,
    is_strict_loopback_proxy,
    mdns_mode,
    resolve_gateway_auth,
    tailscale_mode,
    trusted_proxies,
)
from openclaw_audit.facts.secret_refs import as_secret_ref, env_value, is_secret_ref, plain_secret
from openclaw_audit.report.model import Finding, Severity

_HOST_HEADER_FALLBACK = "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback"
_MIN_CREDENTIAL_LENGTH = 24
_PLACEHOLDERS = frozenset({"", "undefined", "null"})


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
    yield BIND_NO_AUTH.finding(
        f'gateway.bind is "{bind_mode(ctx)}" but {_missing_auth_reason(ctx)}.',
        location=ctx.config.location("gateway.bind"),
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
    yield LOOPBACK_NO_AUTH.finding(
        f"gateway.bind is loopback but {_missing_auth_reason(ctx)}. Through a reverse proxy "
        "or port forward the gateway would be open.",
        location=ctx.config.location("gateway.auth"),
    )


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


# --- row 10: discovery.mdns_full_mode -------------------------------------------------------

MDNS_FULL = define(
    "discovery.mdns_full_mode",
    Severity.WARN,
    "mDNS announces host details in full mode",
    remediation=(
        'Set discovery.mdns.mode to "minimal" (recommended) or "off"; full mode publishes '
        "the CLI path and SSH port in TXT records."
    ),
    escalates=True,
    docs="""
## What
`discovery.mdns.mode` is `"full"`.

## Why
Full mode puts the CLI path and SSH port into local-network TXT records, revealing user
names, directory layout and management ports. Critical when the gateway binds beyond
loopback, warn otherwise.

## Fix
Use `"minimal"` (the default) or `"off"`.
""",
)


@check(Stage.GATEWAY, emits=[MDNS_FULL], order=10)
def mdns_full_mode(ctx: AuditContext) -> Iterator[Finding]:
    if mdns_mode(ctx) != "full":
        return
    yield MDNS_FULL.finding(
        'discovery.mdns.mode is "full": TXT records on the local network carry the CLI path '
        "and SSH port.",
        severity=_sev(not is_loopback_bind(ctx)),
        location=ctx.config.location("discovery.mdns.mode"),
    )


# --- rows 11-12: Tailscale ------------------------------------------------------------------

TAILSCALE_FUNNEL = define(
    "gateway.tailscale_funnel",
    Severity.CRITICAL,
    "Gateway is published to the internet with Tailscale Funnel",
    remediation=(
        'Use gateway.tailscale.mode "serve" (tailnet only) or "off"; funnel makes the gateway '
        "reachable from the public internet."
    ),
    docs="""
## What
`gateway.tailscale.mode` is `"funnel"`.

## Why
Funnel exposes the gateway to the whole internet; only its auth stands between strangers and
your agents.

## Fix
Prefer `"serve"` (tailnet only) or `"off"`.
""",
)

TAILSCALE_SERVE = define(
    "gateway.tailscale_serve",
    Severity.INFO,
    "Gateway is shared on the tailnet with Tailscale Serve",
    remediation=None,
    docs="""
## What
`gateway.tailscale.mode` is `"serve"`: the loopback gateway is reachable from your tailnet.

## Why
Informational: every device and user on the tailnet can reach the gateway.

## Fix
Nothing required. Keep tailnet ACLs tight.
""",
)


@check(Stage.GATEWAY, emits=[TAILSCALE_FUNNEL, TAILSCALE_SERVE], order=11)
def tailscale_exposure(ctx: AuditContext) -> Iterator[Finding]:
    mode = tailscale_mode(ctx)
    location = ctx.config.location("gateway.tailscale.mode")
    if mode == "funnel":
        yield TAILSCALE_FUNNEL.finding(
            'gateway.tailscale.mode is "funnel": the gateway is reachable from the public '
            "internet; treat it as internet-facing and keep its auth strict.",
            location=location,
        )
    elif mode == "serve":
        yield TAILSCALE_SERVE.finding(
            'gateway.tailscale.mode is "serve": the loopback gateway is reachable from your '
            "tailnet through Tailscale.",
            location=location,
        )


# --- row 13: mcp.apps.enabled ---------------------------------------------------------------

MCP_APPS = define(
    "mcp.apps.enabled",
    Severity.WARN,
    "MCP Apps interactive views are enabled",
    remediation="Turn mcp.apps.enabled off unless every configured MCP server is trusted.",
    docs="""
## What
`mcp.apps.enabled` is `true`.

## Why
Configured MCP servers may then render interactive HTML views that can call the tools of
their own server while the session runs. Views are sandboxed, but a hostile server gains a
richer surface.

## Fix
Keep it on only when you trust every configured MCP server.
""",
)


@check(Stage.GATEWAY, emits=[MCP_APPS], order=13)
def mcp_apps_enabled(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.config.is_true("mcp.apps.enabled"):
        return
    yield MCP_APPS.finding(
        "mcp.apps.enabled=true lets configured MCP servers show interactive HTML views that "
        "can call tools of their own server while the session is active.",
        location=ctx.config.location("mcp.apps.enabled"),
    )


# --- row 14: config.insecure_or_dangerous_flags ---------------------------------------------

DANGEROUS_FLAGS = define(
    "config.insecure_or_dangerous_flags",
    Severity.WARN,
    "Insecure or dangerous config flag is enabled",
    remediation=(
        "Turn the flag off when you are not actively debugging, or keep the deployment on "
        "trusted, local-only networks."
    ),
    docs="""
## What
One finding per enabled break-glass flag: Host-header origin fallback, unsafe external
content for Gmail hooks and hook mappings, apply_patch and fs tools outside the workspace,
configured audit suppressions, per-request hook session keys, browser access to private
networks, sandbox Docker break-glass switches, and flags that installed plugins declare as
dangerous in their manifest (`configContracts.dangerousFlags`).

## Why
Each flag disables a protection that exists for a reason; left on, it quietly widens what an
attacker or a confused agent can do.

## Fix
Disable the flag, or confine the deployment to trusted local networks.

Plugin flags are read from `<stateDir>/extensions/<pluginId>/openclaw.plugin.json`; a plugin
without a readable manifest there (bundled plugins included) contributes no flags.
""",
)


@check(Stage.GATEWAY, emits=[DANGEROUS_FLAGS], order=14)
def insecure_or_dangerous_flags(ctx: AuditContext) -> Iterator[Finding]:
    for flag in collect_flags(ctx):
        yield DANGEROUS_FLAGS.finding(
            f"Detected enabled flag: {flag.text}.",
            subject=flag.text,
            location=ctx.config.location(flag.path),
        )


# --- rows 15-16: placeholder / too-short credentials ----------------------------------------

PLACEHOLDER = define(
    "gateway.<credential>_placeholder_value",
    Severity.CRITICAL,
    "Gateway credential is a placeholder",
    remediation=("Generate a real credential, update its source and restart the gateway."),
    docs="""
## What
`gateway.token_placeholder_value` / `gateway.password_placeholder_value`: the gateway is in
token (password) mode and the selected credential is blank, `"undefined"` or `"null"`.

## Why
Placeholders are guessable; they usually come from a broken template or an unset variable
rendered as text.

## Fix
Token: generate one (`openclaw doctor --fix --generate-gateway-token`) or rotate its external
source. Password: generate a strong secret and update `OPENCLAW_GATEWAY_PASSWORD` or
`gateway.auth.password`. Restart the gateway afterwards.
""",
)

TOO_SHORT = define(
    "gateway.<credential>_too_short",
    Severity.WARN,
    "Gateway credential is short",
    remediation=None,
    docs="""
## What
`gateway.token_too_short` / `gateway.password_too_short`: the credential of the active auth
mode has fewer than 24 characters (after trimming).

## Why
Short secrets are easier to brute-force, especially on a network-reachable gateway.

## Fix
Use a long random value (`openclaw doctor --fix --generate-gateway-token` for tokens).
""",
)


def selected_credential(ctx: AuditContext, kind: str) -> str | None:
    """The credential of ``kind`` the gateway would use, as text; None when absent.

    Resolved value, else the runtime override, else the raw config value. A SecretRef that is
    unresolved or resolved to nothing counts as absent.
    """
    auth = resolve_gateway_auth(ctx)
    resolved = auth.token if kind == "token" else auth.password
    if resolved is not None:
        return resolved
    override = getattr(ctx.auth_override, kind, None) if ctx.auth_override else None
    if isinstance(override, str):
        return override
    raw = ctx.config.get(("gateway", "auth", kind))
    if not isinstance(raw, str) or is_secret_ref(raw):
        return None
    if is_secret_ref(ctx.source.get(("gateway", "auth", kind))):
        return None
    return raw


@check(Stage.GATEWAY, emits=[PLACEHOLDER, TOO_SHORT], order=15)
def credential_strength(ctx: AuditContext) -> Iterator[Finding]:
    kind = resolve_gateway_auth(ctx).mode
    if kind not in ("token", "password"):
        return
    value = selected_credential(ctx, kind)
    if value is None:
        return
    trimmed = value.strip()
    location = ctx.config.location(("gateway", "auth", kind))
    if trimmed in _PLACEHOLDERS:
        if kind == "token":
            fix = ctx.cmd(
                "Generate a real token (e.g. openclaw doctor --fix --generate-gateway-token) "
                "or rotate its external source, then restart the gateway."
            )
        else:
            fix = (
                "Generate a strong random secret, put it in OPENCLAW_GATEWAY_PASSWORD or "
                "gateway.auth.password, then restart the gateway."
            )
        shown = f'"{trimmed}"' if trimmed else "blank"
        yield PLACEHOLDER.finding(
            f"The gateway is in {kind} mode and its {kind} is a placeholder ({shown}), so it "
            "offers no real protection.",
            check_id=f"gateway.{kind}_placeholder_value",
            title=f"Gateway {kind} is a placeholder value",
            remediation=fix,
            location=location,
        )
    elif len(trimmed) < _MIN_CREDENTIAL_LENGTH:
        yield TOO_SHORT.finding(
            f"The gateway {kind} is {len(trimmed)} characters long; use a random value of at "
            f"least {_MIN_CREDENTIAL_LENGTH} characters.",
            check_id=f"gateway.{kind}_too_short",
            title=f"Gateway {kind} is short",
            location=location,
        )


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


@check(
    Stage.GATEWAY,
    emits=[
        TRUSTED_PROXY_AUTH,
        TRUSTED_PROXY_NO_PROXIES,
        TRUSTED_PROXY_NO_USER_HEADER,
        TRUSTED_PROXY_ALLOW_LOOPBACK,
        TRUSTED_PROXY_AUTO_APPROVE,
        TRUSTED_PROXY_AUTO_APPROVE_ADMIN,
        TRUSTED_PROXY_NO_ALLOWLIST,
    ],
    order=17,
)
def trusted_proxy_mode(ctx: AuditContext) -> Iterator[Finding]:
    if resolve_gateway_auth(ctx).mode != "trusted-proxy":
        return
    cfg = ctx.config
    yield TRUSTED_PROXY_AUTH.finding(
        'gateway.auth.mode is "trusted-proxy": the gateway trusts identity headers from the '
        "addresses in gateway.trustedProxies. The proxy must authenticate users and be the "
        "only way to reach the gateway.",
        location=cfg.location("gateway.auth.mode"),
    )
    if not trusted_proxies(ctx):
        yield TRUSTED_PROXY_NO_PROXIES.finding(
            'gateway.auth.mode is "trusted-proxy" but gateway.trustedProxies is empty; every '
            "request will be rejected.",
            location=cfg.location("gateway.trustedProxies"),
        )
    if cfg.get_trimmed(f"{_TP}.userHeader") is None:
        yield TRUSTED_PROXY_NO_USER_HEADER.finding(
            f'gateway.auth.mode is "trusted-proxy" but {_TP}.userHeader is not set.',
            location=cfg.location(f"{_TP}.userHeader"),
        )
    if cfg.is_true(f"{_TP}.allowLoopback"):
        yield TRUSTED_PROXY_ALLOW_LOOPBACK.finding(
            f"{_TP}.allowLoopback=true lets loopback-source requests from trusted proxy entries "
            "satisfy proxy authentication.",
            location=cfg.location(f"{_TP}.allowLoopback"),
        )
    if cfg.is_true(f"{_TP}.deviceAutoApprove.enabled"):
        yield TRUSTED_PROXY_AUTO_APPROVE.finding(
            f"{_TP}.deviceAutoApprove.enabled=true pairs new devices of proxy-authenticated "
            "users without operator review.",
            location=cfg.location(f"{_TP}.deviceAutoApprove.enabled"),
        )
        if "operator.admin" in cfg.get_str_list(f"{_TP}.deviceAutoApprove.scopes"):
            yield TRUSTED_PROXY_AUTO_APPROVE_ADMIN.finding(
                f"{_TP}.deviceAutoApprove.scopes includes operator.admin, so every auto-approved "
                "device gets full admin control.",
                location=cfg.location(f"{_TP}.deviceAutoApprove.scopes"),
            )
    if not cfg.get_list(f"{_TP}.allowUsers"):
        yield TRUSTED_PROXY_NO_ALLOWLIST.finding(
            f"{_TP}.allowUsers is empty, so any user your proxy authenticates can use the gateway.",
            location=cfg.location(f"{_TP}.allowUsers"),
        )


# --- row 24: gateway.auth_no_rate_limit -----------------------------------------------------

NO_RATE_LIMIT = define(
    "gateway.auth_no_rate_limit",
    Severity.WARN,
    "Gateway auth has no rate limit",
    remediation=(
        "Set gateway.auth.rateLimit, e.g. {maxAttempts: 10, windowMs: 60000, lockoutMs: 300000}."
    ),
    docs="""
## What
The gateway binds beyond loopback, is not in `trusted-proxy` mode, and
`gateway.auth.rateLimit` is not set.

## Why
Nothing slows down guessing of the token or password.

## Fix
Configure `gateway.auth.rateLimit` (for example 10 attempts per minute, 5 minute lockout).
""",
)


def _js_truthy(value: object) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == value and value != 0  # NaN and 0 are falsy
    if isinstance(value, str):
        return value != ""
    return True


@check(Stage.GATEWAY, emits=[NO_RATE_LIMIT], order=24)
def auth_no_rate_limit(ctx: AuditContext) -> Iterator[Finding]:
    if is_loopback_bind(ctx) or resolve_gateway_auth(ctx).mode == "trusted-proxy":
        return
    if _js_truthy(ctx.config.get("gateway.auth.rateLimit")):
        return
    yield NO_RATE_LIMIT.finding(
        f'gateway.bind is "{bind_mode(ctx)}" and gateway.auth.rateLimit is not set, so failed '
        "authentication attempts are not throttled.",
        location=ctx.config.location("gateway.auth"),
    )
