"""``openclaw-audit diff``: the drift between two saved reports, as text or JSON."""

from __future__ import annotations

import json

from openclaw_audit.report.baseline import SavedFinding
from openclaw_audit.report.drift import Drift
from openclaw_audit.report.drift_gate import severity_changes
from openclaw_audit.textsafe import one_line

_RANK = {"info": 0, "warn": 1, "critical": 2}


def render_json(drift: Drift) -> str:
    if drift.single:
        doc = drift.targets[0].to_json()
    else:
        targets = [{"target": d.target, **d.to_json()} for d in drift.targets]
        for t, d in zip(targets, drift.targets, strict=True):
            t["severityChanges"] = severity_changes([d])
        doc = {
            "targets": targets,
            "summary": {
                key: sum(t["summary"][key] for t in targets)
                for key in ("new", "resolved", "changedSeverity")
            },
        }
    # Beside "summary" (whose keys scripts compare whole): active findings, NEW minus OLD.
    doc["severityChanges"] = severity_changes(drift.targets)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_text(drift: Drift) -> str:
    """Every string here comes from the two files: each line is shown with its control,
    escape, bidi and zero-width characters escaped (JSON output keeps them, JSON-escaped)."""
    lines: list[str] = []
    totals = [0, 0, 0]
    for d in drift.targets:
        totals[0] += len(d.new)
        totals[1] += len(d.resolved)
        totals[2] += len(d.changed)
        if d.target:
            lines.append(f"== {d.target}")
        if d.note:
            lines.append(f"  ({d.note})")
        lines.extend(_section("NEW", d.new))
        lines.extend(_section("RESOLVED", d.resolved))
        if d.changed:
            lines.append("CHANGED SEVERITY")
            for o, n in d.changed:
                lines.append(f"  {n.check_id} {o.severity} -> {n.severity}  {n.title}")
                lines.extend(f"    {line}" for line in n.detail.split("\n"))
        if not (d.new or d.resolved or d.changed):
            lines.append("  no changes")
    head = f"Drift: {totals[0]} new · {totals[1]} resolved · {totals[2]} changed severity"
    return "\n".join([severity_line(drift), head, *(one_line(line) for line in lines)]) + "\n"


def severity_line(drift: Drift) -> str:
    """``Severity changes: critical +1 · warn -2 · info 0`` (active findings, NEW minus OLD)."""
    changes = severity_changes(drift.targets)
    parts = [f"{sev} {n:+d}" if n else f"{sev} 0" for sev, n in changes.items()]
    return "Severity changes: " + " · ".join(parts)


def _section(name: str, findings: list[SavedFinding]) -> list[str]:
    if not findings:
        return []
    ordered = sorted(findings, key=lambda f: -_RANK.get(f.severity, -1))
    out = [name]
    for f in ordered:
        out.append(f"  [{f.severity}] {f.check_id} {f.title}")
        out.extend(f"    {line}" for line in f.detail.split("\n"))
    return out
