"""``logging.redact_off`` (spec: checks-gateway.md §5; emitted after plugin collectors)."""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.report.model import Finding, Severity

REDACT_OFF = define(
    "logging.redact_off",
    Severity.WARN,
    "Log redaction is turned off",
    remediation='Set logging.redactSensitive to "tools".',
    docs="""
## What
`logging.redactSensitive` is `"off"` (the default is `"tools"`).

## Why
Tool inputs and outputs, which often carry tokens, keys and personal data, are written to
logs unmasked.

## Fix
Set `logging.redactSensitive` to `"tools"` (`--fix` does this). Newer OpenClaw releases drop
the key from their schema; openclaw-audit still honours it.
""",
)


@check(Stage.LOGGING, emits=[REDACT_OFF])
def redact_off(ctx: AuditContext) -> Iterator[Finding]:
    if ctx.config.get("logging.redactSensitive") != "off":
        return
    yield REDACT_OFF.finding(
        'logging.redactSensitive is "off": sensitive tool data reaches the logs unmasked.',
        location=ctx.config.location("logging.redactSensitive"),
    )
