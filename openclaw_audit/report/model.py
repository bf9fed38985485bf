"""The report model: severities, findings, reports.

Imports nothing of ours, so every layer (checks, probes, renderers, fix) can share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    WARN = "warn"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {value!r} (use critical, warn or info)") from None


_RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.CRITICAL: 2}

# Display order of report sections: most severe first.
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.CRITICAL, Severity.WARN, Severity.INFO)


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a config value (file/line/column + dotted path) or a probed URL."""

    config_path: tuple[str, ...] | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    uri: str | None = None

    @property
    def dotted(self) -> str | None:
        if self.config_path is None:
            return None
        return ".".join(self.config_path)


@dataclass(frozen=True, slots=True)
class Finding:
    """One audit result. Only the first five fields are part of the upstream JSON shape.

    ``subject`` is a stable identity for baselines and diffs (account, path, flag) that does
    not depend on wording; ``location`` feeds SARIF. Neither is rendered in upstream JSON.
    """

    check_id: str
    severity: Severity
    title: str
    detail: str
    remediation: str | None = None
    subject: str | None = None
    location: Location | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "checkId": self.check_id,
            "severity": self.severity.value,
            "title": self.title,
            "detail": self.detail,
        }
        if self.remediation:
            out["remediation"] = self.remediation
        return out

    @property
    def identity(self) -> tuple[str, str]:
        """What makes two findings 'the same' across runs: id plus subject (not wording)."""
        return (self.check_id, self.subject if self.subject is not None else self.detail)


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    finding: Finding
    reason: str | None = None
    source: str = "config"  # "config" (security.audit.suppressions) or "ignore-file"
    expires: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.finding.to_json()
        out["suppression"] = {"reason": self.reason} if self.reason else {}
        return out


@dataclass(frozen=True, slots=True)
class Summary:
    critical: int = 0
    warn: int = 0
    info: int = 0

    @classmethod
    def of(cls, findings: tuple[Finding, ...] | list[Finding]) -> Summary:
        counts = {s: 0 for s in Severity}
        for f in findings:
            counts[f.severity] += 1
        return cls(
            critical=counts[Severity.CRITICAL],
            warn=counts[Severity.WARN],
            info=counts[Severity.INFO],
        )

    def to_json(self) -> dict[str, int]:
        return {"critical": self.critical, "warn": self.warn, "info": self.info}


@dataclass(frozen=True, slots=True)
class Report:
    ts: int
    findings: tuple[Finding, ...]
    suppressed: tuple[SuppressedFinding, ...] = ()
    deep: dict[str, Any] | None = None
    secret_diagnostics: tuple[str, ...] = ()
    # Paths the audit looked at, for renderers and SARIF (not part of upstream JSON).
    config_path: str | None = None
    state_dir: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.findings)

    def to_json(self) -> dict[str, Any]:
        """The report object (upstream shape); secretDiagnostics is added by the CLI envelope."""
        out: dict[str, Any] = {
            "ts": self.ts,
            "summary": self.summary.to_json(),
            "findings": [f.to_json() for f in self.findings],
        }
        if self.suppressed:
            out["suppressedFindings"] = [s.to_json() for s in self.suppressed]
        if self.deep is not None:
            out["deep"] = self.deep
        return out
