"""Plaintext secrets written into the config file (spec: checks-gateway.md §5, §6).

Read from the *source* view: a value substituted from ``${VAR}`` at load time is a plain string
there and is flagged; a path whose variable was missing is absent; literal ``${NAME}`` /
``$NAME`` text and SecretRefs are not plaintext.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.secret_refs import is_secret_ref, looks_like_env_reference
from openclaw_audit.report.model import Finding, Severity

PASSWORD_IN_CONFIG = define(
    "config.secrets.gateway_password_in_config",
    Severity.WARN,
    "Gateway password is stored in the config file",
    remediation=(
        "Provide the password through OPENCLAW_GATEWAY_PASSWORD (or a SecretRef) and remove it "
        "from the config file."
    ),
    docs="""
## What
`gateway.auth.password` holds a plain string in the config (not an env reference or
SecretRef).

## Why
Config files get copied, backed up, synced and shared; the password travels with them.

## Fix
Move it to `OPENCLAW_GATEWAY_PASSWORD` or a SecretRef and delete it from the file.
""",
)

HOOKS_TOKEN_IN_CONFIG = define(
    "config.secrets.hooks_token_in_config",
    Severity.INFO,
    "Webhook token is stored in the config file",
    remediation=None,
    docs="""
## What
Webhooks are enabled and `hooks.token` is a plain string in the config.

## Why
Informational: whoever can read the config can call the webhook endpoint.

## Fix
Consider an env reference or a SecretRef for `hooks.token`, and keep the config private.
""",
)


def _plaintext_in_source(ctx: AuditContext, path: tuple[str, ...]) -> bool:
    if path in ctx.unresolved_paths:
        return False
    value = ctx.source.get(path)
    if not isinstance(value, str) or not value.strip():
        return False
    return not looks_like_env_reference(value) and not is_secret_ref(value)


@check(Stage.CONFIG_SECRETS, emits=[PASSWORD_IN_CONFIG], order=0)
def gateway_password_in_config(ctx: AuditContext) -> Iterator[Finding]:
    password = ("gateway", "auth", "password")
    if _plaintext_in_source(ctx, password):
        yield PASSWORD_IN_CONFIG.finding(
            "gateway.auth.password is written in the config as plain text.",
            location=ctx.source.location(password),
        )


@check(Stage.CONFIG_SECRETS, emits=[HOOKS_TOKEN_IN_CONFIG], order=1)
def hooks_token_in_config(ctx: AuditContext) -> Iterator[Finding]:
    token = ("hooks", "token")
    if ctx.source.is_true("hooks.enabled") and _plaintext_in_source(ctx, token):
        yield HOOKS_TOKEN_IN_CONFIG.finding(
            "hooks.enabled is true and hooks.token is written in the config as plain text.",
            location=ctx.source.location(token),
        )
