"""Upstream's JSON envelope (report.md §2.2)."""

from __future__ import annotations

import json
from typing import Any

from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import Report


def report_json(report: Report) -> dict[str, Any]:
    """The report object with a ``fingerprint`` on each finding and suppressed finding
    (scheduled-scans.md §2: an extra key, which upstream consumers ignore)."""
    out = report.to_json()
    for item, finding in zip(out["findings"], report.findings, strict=True):
        item["fingerprint"] = fingerprint(finding)
    for item, sup in zip(out.get("suppressedFindings", ()), report.suppressed, strict=True):
        item["fingerprint"] = fingerprint(sup.finding)
    return out


def report_envelope(report: Report) -> dict[str, Any]:
    """``{...report, "secretDiagnostics": [...]}``, as `openclaw security audit --json` prints."""
    out = report_json(report)
    out["secretDiagnostics"] = list(report.secret_diagnostics)
    return out


def fix_envelope(fix: dict[str, Any] | None, report: Report) -> dict[str, Any]:
    """``--fix --json``: ``fix`` is null when the fixer crashed (the audit still ran)."""
    return {
        "fix": fix,
        "report": report_json(report),
        "secretDiagnostics": list(report.secret_diagnostics),
    }


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(report: Report) -> str:
    return dumps(report_envelope(report))
