"""``diff OLD NEW --fail-on new|escalated|critical|warn`` and the first line of count changes
per severity (scheduled-scans.md §4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run

from openclaw_audit.report.baseline import SavedFinding
from openclaw_audit.report.drift import Drift, TargetDrift
from openclaw_audit.report.drift_gate import fails, severity_changes


def f(check_id: str, severity: str, detail: str = "d") -> dict[str, str]:
    return {"checkId": check_id, "severity": severity, "title": check_id, "detail": detail}


def report(path: Path, *findings: dict[str, str]) -> Path:
    summary = {
        s: sum(1 for x in findings if x["severity"] == s) for s in ("critical", "warn", "info")
    }
    path.write_text(json.dumps({"ts": 0, "summary": summary, "findings": list(findings)}))
    return path


OLD = [
    f("a.kept", "warn"),
    f("b.rises", "info"),
    f("c.fixed", "critical"),
    f("d.falls", "critical"),
]


def sf(check_id: str, severity: str) -> SavedFinding:
    return SavedFinding(check_id, severity, check_id, "d")


def test_gate_conditions_from_a_drift() -> None:
    d = TargetDrift(
        target="",
        new=[sf("n.info", "info")],
        resolved=[sf("r.crit", "critical")],
        changed=[
            (sf("e.x", "info"), sf("e.x", "warn")),
            (sf("f.x", "critical"), sf("f.x", "warn")),
        ],
    )
    drift = Drift([d], single=True)
    assert severity_changes(drift.targets) == {"critical": -2, "warn": 2, "info": 0}
    assert fails(drift, ["new", "escalated", "critical", "warn"]) == ["new", "escalated", "warn"]
    # a severity that fell is no escalation; a new info finding meets neither threshold
    only_fall = Drift([TargetDrift("", changed=[(sf("f.x", "critical"), sf("f.x", "warn"))])], True)
    assert fails(only_fall, ["escalated", "warn", "new"]) == []
    assert fails(Drift([TargetDrift("", new=[sf("n", "critical")])], True), ["critical"]) == [
        "critical"
    ]
    with pytest.raises(ValueError):
        fails(drift, ["bogus"])


@pytest.mark.parametrize(
    ("new_findings", "fail_on", "code"),
    [
        ([*OLD], ["new"], 0),
        ([*OLD, f("e.new", "info")], ["new"], 1),
        ([*OLD, f("e.new", "info")], ["warn"], 0),
        ([*OLD, f("e.new", "warn")], ["warn"], 1),
        ([*OLD, f("e.new", "warn")], ["critical"], 0),
        ([f("a.kept", "warn"), f("b.rises", "warn"), f("d.falls", "critical")], ["escalated"], 1),
        ([f("a.kept", "warn"), f("b.rises", "warn"), f("d.falls", "critical")], ["critical"], 0),
        ([f("a.kept", "warn"), f("b.rises", "critical")], ["critical"], 1),
        ([f("a.kept", "warn"), f("d.falls", "warn")], ["escalated", "new", "warn"], 0),
        ([f("a.kept", "warn"), f("d.falls", "warn")], [], 0),
    ],
)
def test_diff_fail_on_exit_codes(
    tmp_path: Path, new_findings: list[dict[str, str]], fail_on: list[str], code: int
) -> None:
    old = report(tmp_path / "old.json", *OLD)
    new = report(tmp_path / "new.json", *new_findings)
    args = [a for c in fail_on for a in ("--fail-on", c)]
    proc = run("diff", str(old), str(new), *args)
    assert proc.returncode == code, proc.stdout + proc.stderr
    proc = run("diff", str(old), str(new), "--json", *args)
    assert proc.returncode == code and json.loads(proc.stdout)["severityChanges"]


def test_diff_first_line_counts_changes_per_severity(tmp_path: Path) -> None:
    old = report(tmp_path / "old.json", *OLD)
    new = report(
        tmp_path / "new.json", f("a.kept", "warn"), f("b.rises", "critical"), f("e.new", "info")
    )
    proc = run("diff", str(old), str(new))
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    # critical: -c.fixed -d.falls +b.rises; info: -b.rises +e.new
    assert lines[0] == "Severity changes: critical -1 · warn 0 · info 0"
    assert lines[1] == "Drift: 1 new · 2 resolved · 1 changed severity"
    doc = json.loads(run("diff", str(old), str(new), "--json").stdout)
    assert doc["severityChanges"] == {"critical": -1, "warn": 0, "info": 0}


def test_diff_fail_on_rejects_unknown_condition(tmp_path: Path) -> None:
    old = report(tmp_path / "old.json", *OLD)
    proc = run("diff", str(old), str(old), "--fail-on", "info")
    assert proc.returncode == 2 and "--fail-on" in proc.stderr
