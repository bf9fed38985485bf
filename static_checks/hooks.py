"""Webhook ingress hardening: the ``hooks.*`` group (spec: checks-hooks.md).

Everything here is gated on ``hooks.enabled === true``. Findings name config paths and token
lengths only; a token value never reaches a title, detail or remediation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.gateway import ResolvedGatewayAuth, remotely_exposed, resolve_gateway_auth
from openclaw_audit.report.model import Finding, Severity

MIN_TOKEN_LENGTH = 24

TOKEN_TOO_SHORT = define(
    "hooks.token_too_short",
    Severity.WARN,
    "Webhook token is short",
    remediation=None,
    docs="""
## What
`hooks.token` (trimmed) is set but shorter than 24 characters.

## Why
Anyone who can reach the webhook endpoint can try tokens; a short token is easier to guess
or brute-force, and a valid one lets the caller start agent runs.

## Fix
Generate a long random token (for example 32+ random bytes, base64 or hex) and store it in
`hooks.token`, preferably through a SecretRef or an environment variable.
""",
)

TOKEN_REUSE = define(
    "hooks.token_reuse_gateway_token",
    Severity.CRITICAL,
    "Webhook token is the same as the gateway credential",
    remediation=(
        "Give webhooks their own dedicated `hooks.token` (a new long random value) and rotate "
        "the gateway credential, e.g. with `openclaw doctor --fix`."
    ),
    docs="""
## What
`hooks.token` equals the resolved gateway token (auth mode `token`, including
`OPENCLAW_GATEWAY_TOKEN`) or the resolved gateway password (modes `password` and
`trusted-proxy`). The comparison is exact and case-sensitive on trimmed values. When
`--auth/--token/--password` overrides are given, they are compared too.

## Why
Webhook tokens are handed to third-party services and scripts. If the same value also
unlocks the gateway, leaking the webhook token hands out full gateway control.

## Fix
Use a separate, dedicated `hooks.token` and rotate the gateway secret.

Decision: older upstream versions rated this `warn` and compared only against the gateway
token; we follow the current rule (critical, token or password).
""",
)

PATH_ROOT = define(
    "hooks.path_root",
    Severity.CRITICAL,
    "Webhook base path is the site root",
    remediation="Set `hooks.path` to a dedicated prefix such as `/hooks`; `/` shadows the "
    "gateway's other HTTP endpoints.",
    docs="""
## What
`hooks.path` (trimmed) is exactly `/`.

## Why
Mounting webhook ingress at the root makes it overlap every other HTTP route the gateway
serves, which breaks routing assumptions and widens what the webhook handler sees.

## Fix
Use a dedicated path such as `/hooks`. (`//` is not treated as the root.)
""",
)

DEFAULT_SESSION_KEY_UNSET = define(
    "hooks.default_session_key_unset",
    Severity.WARN,
    "Webhook runs have no default session key",
    remediation='Set `hooks.defaultSessionKey`, for example `"hook:ingress"`.',
    docs="""
## What
`hooks.defaultSessionKey` is unset or blank.

## Why
Without it each webhook-triggered agent run gets a freshly generated session, so runs
scatter into many sessions that are hard to review and to clean up.

## Fix
Set `hooks.defaultSessionKey` to a fixed key such as `"hook:ingress"`.
""",
)

AGENT_IDS_UNRESTRICTED = define(
    "hooks.allowed_agent_ids_unrestricted",
    Severity.WARN,
    "Webhook callers can route to any agent",
    remediation="Set `hooks.allowedAgentIds` to an explicit list of agent ids (or `[]` to "
    "forbid explicit agent routing).",
    escalates=True,
    docs="""
## What
`hooks.allowedAgentIds` is unset, not a list, or contains `"*"`. Severity is critical
when the gateway is reachable beyond loopback (bind other than `loopback`, or Tailscale
serve/funnel), else warn. An explicit list, including `[]`, is restricted.

## Why
Any authenticated webhook caller can then pick which configured agent runs, including
agents with more powerful tools than the webhook needs.

## Fix
List the agents webhooks may reach in `hooks.allowedAgentIds`, or `[]` to deny routing.
""",
)

REQUEST_SESSION_KEY = define(
    "hooks.request_session_key_enabled",
    Severity.WARN,
    "Webhook callers can choose the session key",
    remediation="Set `hooks.allowRequestSessionKey` to `false` (recommended), or restrict it "
    "with `hooks.allowedSessionKeyPrefixes`.",
    escalates=True,
    docs="""
## What
`hooks.allowRequestSessionKey` is `true`. Critical when the gateway is remotely exposed,
else warn.

## Why
A caller that picks the session key can write into, or read context from, sessions it
was not meant to touch (for example an operator's main session).

## Fix
Turn request session keys off, or constrain them with `hooks.allowedSessionKeyPrefixes`.
""",
)

PREFIXES_MISSING = define(
    "hooks.request_session_key_prefixes_missing",
    Severity.WARN,
    "Webhook session-key overrides are not limited by prefix",
    remediation='Set `hooks.allowedSessionKeyPrefixes`, for example `["hook:"]`, or turn '
    "request session keys off.",
    escalates=True,
    docs="""
## What
`hooks.allowRequestSessionKey` is `true` and `hooks.allowedSessionKeyPrefixes` has no
non-blank entry. Critical when the gateway is remotely exposed, else warn.

## Why
With no prefix restriction a caller-chosen session key can name any session at all.

## Fix
Restrict overrides to a dedicated namespace such as `["hook:"]`, or disable them.
""",
)


@dataclass(frozen=True, slots=True)
class _GatewaySecret:
    kind: str  # "token" or "password"
    value: str


def _plain(value: object) -> str:
    """A non-blank plain string, trimmed; "" for anything else (SecretRefs included)."""
    return value.strip() if isinstance(value, str) else ""


def _gateway_secret(auth: ResolvedGatewayAuth) -> _GatewaySecret | None:
    """The gateway credential a reused hooks token would unlock (checks-hooks.md §1)."""
    if auth.mode == "token":
        return _GatewaySecret("token", auth.token) if auth.token else None
    if auth.mode in ("password", "trusted-proxy"):
        return _GatewaySecret("password", auth.password) if auth.password else None
    return None


def _reused_secret(ctx: AuditContext, token: str) -> _GatewaySecret | None:
    """Compare with the configured auth first, then (if given) with the --auth override."""
    candidates = [resolve_gateway_auth(ctx, with_override=False)]
    if ctx.auth_override is not None:
        candidates.append(resolve_gateway_auth(ctx))
    for auth in candidates:
        secret = _gateway_secret(auth)
        if secret is not None and secret.value == token:
            return secret
    return None


def _agent_ids_unrestricted(ctx: AuditContext) -> bool:
    ids = ctx.config.get("hooks.allowedAgentIds")
    if not isinstance(ids, list):
        return True
    return any(isinstance(v, str) and v.strip() == "*" for v in ids)


def _exposure(ctx: AuditContext) -> tuple[Severity, str]:
    """Rows that escalate: critical and a louder note when the gateway is remotely exposed."""
    if remotely_exposed(ctx):
        return Severity.CRITICAL, " The gateway is reachable beyond loopback, so this matters more."
    return Severity.WARN, " The gateway listens on loopback only."


# Every row is gated on hooks.enabled === true (checks-hooks.md §1); rows run in table order.


@check(Stage.HOOKS, emits=[TOKEN_TOO_SHORT], order=0)
def token_too_short(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not cfg.is_true("hooks.enabled"):
        return
    token = _plain(cfg.get("hooks.token"))
    if token and len(token) < MIN_TOKEN_LENGTH:
        yield TOKEN_TOO_SHORT.finding(
            f"hooks.token is only {len(token)} characters long; use a long random token "
            f"(at least {MIN_TOKEN_LENGTH} characters, ideally 32+ random bytes).",
            location=cfg.location("hooks.token"),
        )


@check(Stage.HOOKS, emits=[TOKEN_REUSE], order=1)
def token_reuse_gateway_token(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not cfg.is_true("hooks.enabled"):
        return
    token = _plain(cfg.get("hooks.token"))
    if token:
        reused = _reused_secret(ctx, token)
        if reused is not None:
            yield TOKEN_REUSE.finding(
                f"hooks.token has the same value as the gateway {reused.kind}, so anyone "
                f"holding the webhook token can also authenticate to the gateway itself.",
                title=f"Webhook token is the same as the gateway {reused.kind}",
                remediation=ctx.cmd(TOKEN_REUSE.remediation or ""),
                subject=reused.kind,
                location=cfg.location("hooks.token"),
            )


@check(Stage.HOOKS, emits=[PATH_ROOT], order=2)
def path_root(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not cfg.is_true("hooks.enabled"):
        return
    path = cfg.get_str("hooks.path")
    if path is not None and path.strip() == "/":
        yield PATH_ROOT.finding(
            'hooks.path is "/", so webhook ingress overlaps every other HTTP endpoint of '
            "the gateway.",
            location=cfg.location("hooks.path"),
        )


@check(Stage.HOOKS, emits=[DEFAULT_SESSION_KEY_UNSET], order=3)
def default_session_key_unset(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not cfg.is_true("hooks.enabled"):
        return
    if cfg.get_trimmed("hooks.defaultSessionKey") is None:
        yield DEFAULT_SESSION_KEY_UNSET.finding(
            "hooks.defaultSessionKey is not set, so each webhook-triggered agent run starts "
            "in its own generated session.",
            location=cfg.location("hooks.defaultSessionKey"),
        )


@check(Stage.HOOKS, emits=[AGENT_IDS_UNRESTRICTED], order=4)
def allowed_agent_ids_unrestricted(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not cfg.is_true("hooks.enabled"):
        return
    if _agent_ids_unrestricted(ctx):
        escalated, exposure_note = _exposure(ctx)
        yield AGENT_IDS_UNRESTRICTED.finding(
            'hooks.allowedAgentIds is unset or contains "*", so an authenticated webhook '
            "caller can route its request to any configured agent." + exposure_note,
            severity=escalated,
            location=cfg.location("hooks.allowedAgentIds"),
        )


@check(Stage.HOOKS, emits=[REQUEST_SESSION_KEY], order=5)
def request_session_key_enabled(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not cfg.is_true("hooks.enabled"):
        return
    if cfg.is_true("hooks.allowRequestSessionKey"):
        escalated, exposure_note = _exposure(ctx)
        yield REQUEST_SESSION_KEY.finding(
            "hooks.allowRequestSessionKey=true lets webhook callers pick the session their "
            "run is written to." + exposure_note,
            severity=escalated,
            location=cfg.location("hooks.allowRequestSessionKey"),
        )


@check(Stage.HOOKS, emits=[PREFIXES_MISSING], order=6)
def request_session_key_prefixes_missing(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    if not cfg.is_true("hooks.enabled"):
        return
    if cfg.is_true("hooks.allowRequestSessionKey") and not cfg.get_str_list(
        "hooks.allowedSessionKeyPrefixes"
    ):
        escalated, exposure_note = _exposure(ctx)
        yield PREFIXES_MISSING.finding(
            "hooks.allowRequestSessionKey=true but hooks.allowedSessionKeyPrefixes has no "
            "entries, so a caller-chosen session key can name any session." + exposure_note,
            severity=escalated,
            location=cfg.location("hooks.allowedSessionKeyPrefixes"),
        )
