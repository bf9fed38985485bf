"""Elevated (host-level) tool senders: wildcards and oversized allowlists (§2, first rows)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.report.model import Finding, Severity

LARGE_THRESHOLD = 25

WILDCARD = define(
    "tools.elevated.allowFrom.<provider>.wildcard",
    Severity.CRITICAL,
    "Anyone on this provider may use elevated tools",
    remediation=None,
    docs="""
## What
One finding per provider key of `tools.elevated.allowFrom` whose list contains `*`, while
elevated mode is not disabled (`tools.elevated.enabled` is anything but `false`).

## Why
Elevated mode runs tools on the host outside the sandbox. A wildcard lets every sender on
that provider switch it on, so one prompt-injected message becomes host access.

## Fix
Replace `*` with the exact sender ids that need elevated mode, or set
`tools.elevated.enabled: false`.
""",
)

LARGE = define(
    "tools.elevated.allowFrom.<provider>.large",
    Severity.WARN,
    "Elevated-tool allowlist is very long",
    remediation=None,
    docs=f"""
## What
One finding per provider key of `tools.elevated.allowFrom` with more than {LARGE_THRESHOLD}
entries (and no `*`), while elevated mode is not disabled.

## Why
Every listed sender can run host-level tools. A long list is hard to review and usually
contains people who never needed that power.

## Fix
Trim the list to the few operators who need elevated mode.
""",
)


def _js_string(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# Row functions, run per provider: findings are ordered by provider, and a list holding "*" is
# reported as a wildcard, never also as large.


def _wildcard(ctx: AuditContext, provider: str, values: list[str]) -> Iterator[Finding]:
    path = ("tools", "elevated", "allowFrom", provider)
    dotted = ".".join(path)
    if "*" in values:
        yield WILDCARD.finding(
            f'{dotted} includes "*": every sender on {provider} can enable elevated '
            "(host-level) tools.",
            check_id=f"tools.elevated.allowFrom.{provider}.wildcard",
            subject=dotted,
            location=ctx.config.location(path),
        )


def _large(ctx: AuditContext, provider: str, values: list[str]) -> Iterator[Finding]:
    path = ("tools", "elevated", "allowFrom", provider)
    dotted = ".".join(path)
    if "*" not in values and len(values) > LARGE_THRESHOLD:
        yield LARGE.finding(
            f"{dotted} lists {len(values)} senders (more than {LARGE_THRESHOLD}); each of "
            "them can enable elevated (host-level) tools.",
            check_id=f"tools.elevated.allowFrom.{provider}.large",
            subject=dotted,
            location=ctx.config.location(path),
        )


_PROVIDER_ROWS = (_wildcard, _large)


@check(Stage.ELEVATED, emits=[WILDCARD, LARGE])
def elevated_allow_from(ctx: AuditContext) -> Iterator[Finding]:
    if ctx.config.is_false("tools.elevated.enabled"):
        return
    allow_from = ctx.config.get_dict("tools.elevated.allowFrom")
    for provider, entries in allow_from.items():
        if not isinstance(entries, list):
            continue
        values = [s for s in (_js_string(e).strip() for e in entries) if s]
        for row in _PROVIDER_ROWS:
            yield from row(ctx, str(provider), values)
