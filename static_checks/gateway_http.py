"""Gateway HTTP API checks: unauthenticated endpoints and session-key override.

Spec: checks-gateway.md §5. ``gateway.http.no_auth`` runs at ``Stage.HTTP_NO_AUTH`` and
``gateway.http.session_key_override_enabled`` at ``Stage.HTTP_SESSION_KEY`` (report.md §4,
after the hooks group).
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.gateway import (
    explain_absent,
    provides_http_auth,
    remotely_exposed,
    resolve_gateway_auth,
)
from openclaw_audit.report.model import Finding, Severity

_CHAT = "gateway.http.endpoints.chatCompletions.enabled"
_RESPONSES = "gateway.http.endpoints.responses.enabled"

HTTP_NO_AUTH = define(
    "gateway.http.no_auth",
    Severity.WARN,
    "Gateway HTTP APIs accept requests without a credential",
    remediation=(
        "Set gateway.auth.mode to token or password with a real credential. If mode none is "
        "intentional, keep gateway.bind on loopback and turn off the optional HTTP endpoints."
    ),
    escalates=True,
    docs="""
## What
The effective gateway auth (after `--auth`, env and SecretRef resolution) gives the HTTP APIs
no credential to check: mode `none`, or token/password mode without a usable value (nothing
configured, a missing `${VAR}`, an unresolvable SecretRef). `trusted-proxy` mode counts as
authenticated.

## Why
`/tools/invoke` (and, when enabled, the OpenAI-compatible and admin RPC endpoints) can then be
called by anyone who reaches the port. Critical when the gateway is remotely exposed (bind
beyond loopback or Tailscale serve/funnel), warn otherwise.

## Fix
Configure a token or password. Keep `none` only for a loopback-only gateway with the optional
endpoints disabled.
""",
)

SESSION_KEY_OVERRIDE = define(
    "gateway.http.session_key_override_enabled",
    Severity.INFO,
    "HTTP API callers can choose the session",
    remediation=None,
    docs="""
## What
The OpenAI-compatible chat-completions or responses endpoint is enabled.

## Why
These endpoints accept a per-request session-key header, so any holder of the API
credential can route requests into any session. Treat credential holders as trusted
principals.

## Fix
Nothing required; hand the gateway credential only to trusted callers.
""",
)


def _optional_endpoints(ctx: AuditContext) -> list[str]:
    out = []
    if ctx.config.is_true(_CHAT):
        out.append("/v1/chat/completions")
    if ctx.config.is_true(_RESPONSES):
        out.append("/v1/responses")
    return out


@check(Stage.HTTP_NO_AUTH, emits=[HTTP_NO_AUTH])
def http_no_auth(ctx: AuditContext) -> Iterator[Finding]:
    auth = resolve_gateway_auth(ctx)
    if provides_http_auth(auth):
        return
    endpoints = ["/tools/invoke", *_optional_endpoints(ctx)]
    if ctx.config.is_true(("plugins", "entries", "admin-http-rpc", "enabled")):
        endpoints.append("/api/v1/admin/rpc")
    if auth.mode == "none":
        why = 'gateway auth mode is "none"'
    else:
        why = f'gateway auth mode is "{auth.mode}" but no usable {auth.mode} is available'
    detail, subject = explain_absent(
        ctx,
        f"The {why}, so these HTTP endpoints answer without a credential: {', '.join(endpoints)}.",
    )
    yield HTTP_NO_AUTH.finding(
        detail,
        subject=subject,
        severity=Severity.CRITICAL if remotely_exposed(ctx) else Severity.WARN,
        location=ctx.config.location("gateway.auth"),
    )


@check(Stage.HTTP_SESSION_KEY, emits=[SESSION_KEY_OVERRIDE])
def http_session_key_override(ctx: AuditContext) -> Iterator[Finding]:
    endpoints = _optional_endpoints(ctx)
    if not endpoints:
        return
    path = _CHAT if ctx.config.is_true(_CHAT) else _RESPONSES
    yield SESSION_KEY_OVERRIDE.finding(
        f"Enabled: {', '.join(endpoints)}. These endpoints accept a per-request session-key "
        "header, so anyone holding the API credential can target any session; treat them as "
        "trusted principals.",
        location=ctx.config.location(path),
    )
