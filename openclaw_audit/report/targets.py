"""The outcome of auditing one target: its report, or the input error that stopped it."""

from __future__ import annotations

from dataclasses import dataclass

from openclaw_audit.errors import AuditError
from openclaw_audit.report.model import Report


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: str
    report: Report | None = None
    error: AuditError | None = None
    warnings: tuple[str, ...] = ()
