"""Upstream's JSON envelope (report.md §2.2)."""

from __future__ import annotations

import json
from typing import Any

from openclaw_audit import __version__
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import Report
from openclaw_audit.report.target_info import TargetInfo
from openclaw_audit.textsafe import json_text

TOOL = "openclaw-audit"
# Version of the ``audit`` object's own shape; bumped when a key changes meaning or goes away.
AUDIT_SCHEMA_VERSION = 1


def audit_object(report: Report) -> dict[str, Any]:
    """The ``audit`` object beside upstream's keys (output-ux.md §1): what was audited, by
    which tool, how. Upstream consumers ignore the unknown key."""
    info = TargetInfo.of(report)
    out: dict[str, Any] = {"tool": TOOL, "version": __version__}
    if info is not None:
        out.update(
            config=info.config,
            includes=list(info.includes),
            stateDir=info.state_dir,
            stateDirSource="demo" if info.demo else info.state_dir_source,
            deep=info.deep,
            durationMs=info.duration_ms,
            host=info.host,
        )
        if info.version:
            out["openclawVersion"] = {"version": info.version, "source": info.version_source}
    else:
        out.update(
            config=report.config_path,
            includes=[],
            stateDir=report.state_dir,
            stateDirSource=None,
            deep=report.deep is not None,
            durationMs=None,
            host=None,
        )
    out["schemaVersion"] = AUDIT_SCHEMA_VERSION
    return out


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
    """``{...report, "secretDiagnostics": [...], "audit": {...}}``: what `openclaw security
    audit --json` prints, plus our ``audit`` object."""
    out = report_json(report)
    out["secretDiagnostics"] = list(report.secret_diagnostics)
    out["audit"] = audit_object(report)
    return out


def fix_envelope(fix: dict[str, Any] | None, report: Report) -> dict[str, Any]:
    """``--fix --json``: ``fix`` is null when the fixer crashed (the audit still ran)."""
    return {
        "fix": fix,
        "report": report_json(report),
        "secretDiagnostics": list(report.secret_diagnostics),
        "audit": audit_object(report),
    }


def dumps(doc: Any) -> str:
    # Readable UTF-8, except characters that could steer a terminal showing the document.
    return json_text(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def render(report: Report) -> str:
    return dumps(report_envelope(report))
