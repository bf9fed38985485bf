"""The report model: severities, findings, reports.

Imports nothing of ours, so every layer (checks, probes, renderers, fix) can share it.
"""

from __future__ import annotations

from collections.abc import Mapping
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
class Rule:
    """What the catalog says about a checkId: carried by the report so renderers (SARIF rules,
    the catalog listing) never load the check catalog. ``id`` may be a family pattern such as
    ``tools.elevated.allowFrom.<provider>.wildcard``; ``docs`` has What/Why/Fix sections."""

    id: str
    severity: Severity
    title: str
    remediation: str | None
    docs: str
    group: str = ""
    deep: bool = False
    escalates: bool = False
    # How sure a finding of this check is (SARIF ``precision``): "high" for checks that read
    # what the config or the system says; "medium" for heuristics ("looks like").
    precision: str = "high"
    # The config path that controls what a finding without a config location is about (e.g.
    # ``gateway.auth`` for the live HTTP probe): the engine anchors such findings there.
    anchor: str | None = None


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
    # The catalog entry of every checkId in findings and suppressed, keyed by concrete id.
    rules: Mapping[str, Rule] = field(default_factory=dict)

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


# --- --fix results (fix.md §1.1) -------------------------------------------------------------
# Not slotted: a slotted dataclass is built twice at import, and these are made once per --fix.


@dataclass(frozen=True)
class FixAction:
    """One permission action as carried out (or planned, with ``--dry-run``)."""

    kind: str  # "chmod" or "icacls"
    path: str
    ok: bool
    mode: int | None = None  # chmod: the policy target (0o700 / 0o600)
    command: str | None = None  # icacls: the display command
    planned: bool = False
    skipped: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "path": self.path}
        if self.kind == "chmod":
            out["mode"] = self.mode
        else:
            out["command"] = self.command
        out["ok"] = self.ok
        if self.planned:
            out["planned"] = True
        if self.skipped:
            out["skipped"] = self.skipped
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class FileDiff:
    """A dry run's unified diff of one config file."""

    path: str
    diff: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "diff": self.diff}


@dataclass(frozen=True)
class FixResult:
    """What ``--fix`` did: upstream's fix object plus our dry-run diffs."""

    state_dir: str
    config_path: str
    config_written: bool = False
    changes: tuple[str, ...] = ()
    actions: tuple[FixAction, ...] = ()
    errors: tuple[str, ...] = ()
    dry_run: bool = False
    diffs: tuple[FileDiff, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "stateDir": self.state_dir,
            "configPath": self.config_path,
            "configWritten": self.config_written,
            "changes": list(self.changes),
            "actions": [a.to_json() for a in self.actions],
            "errors": list(self.errors),
        }
        if self.dry_run:
            out["dryRun"] = True
            out["diffs"] = [d.to_json() for d in self.diffs]
        return out
