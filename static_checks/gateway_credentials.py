"""Gateway rows 15-16 and 24: placeholder or short credentials, auth rate limit.

Each row is one small function registered at ``Stage.GATEWAY`` with its row number as
``order`` (checks-gateway.md §3: row order = emission order). Details name config paths and
lengths, never a credential value.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.gateway import bind_mode, is_loopback_bind, resolve_gateway_auth
from openclaw_audit.facts.secret_refs import is_secret_ref
from openclaw_audit.report.model import Finding, Severity

_MIN_CREDENTIAL_LENGTH = 24
_PLACEHOLDERS = frozenset({"", "undefined", "null"})

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


def _credential(ctx: AuditContext) -> tuple[str, str] | None:
    """(kind, trimmed value) of the token or password the gateway would check, if any."""
    kind = resolve_gateway_auth(ctx).mode
    if kind not in ("token", "password"):
        return None
    value = selected_credential(ctx, kind)
    if value is None:
        return None
    return kind, value.strip()


@check(Stage.GATEWAY, emits=[PLACEHOLDER], order=15)
def credential_placeholder_value(ctx: AuditContext) -> Iterator[Finding]:
    selected = _credential(ctx)
    if selected is None:
        return
    kind, trimmed = selected
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
            location=ctx.config.location(("gateway", "auth", kind)),
        )


@check(Stage.GATEWAY, emits=[TOO_SHORT], order=16)
def credential_too_short(ctx: AuditContext) -> Iterator[Finding]:
    selected = _credential(ctx)
    if selected is None:
        return
    kind, trimmed = selected
    # A placeholder is reported by the row above, never also as short.
    if trimmed not in _PLACEHOLDERS and len(trimmed) < _MIN_CREDENTIAL_LENGTH:
        yield TOO_SHORT.finding(
            f"The gateway {kind} is {len(trimmed)} characters long; use a random value of at "
            f"least {_MIN_CREDENTIAL_LENGTH} characters.",
            check_id=f"gateway.{kind}_too_short",
            title=f"Gateway {kind} is short",
            location=ctx.config.location(("gateway", "auth", kind)),
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
