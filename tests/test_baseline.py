"""--baseline and `openclaw-audit diff`, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import CALM, RISKY, ids, run, run_json, target

from openclaw_audit.report.baseline import SavedFinding, pair

# RISKY plus one more warn (mDNS full mode) and a critical turned warn? Built per test.
MORE = RISKY[:-1] + ', discovery: {mdns: {mode: "full"}}}'


def save(tmp_path: Path, cfg: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    proc = run("--json", "--config", str(cfg), "--output", str(out), *extra)
    assert proc.returncode == 0, proc.stderr
    return out


def test_baseline_shows_only_new_findings_and_gates_on_them(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    base = save(tmp_path, cfg, "base.json")
    code, doc = run_json("--config", str(cfg), "--baseline", str(base), "--fail-on", "info")
    assert code == 0  # nothing new: the gate passes even with a critical finding present
    assert doc["findings"] == [] and doc["summary"] == {"critical": 0, "warn": 0, "info": 0}
    cfg.write_text(MORE)
    proc = run("--json", "--config", str(cfg), "--baseline", str(base), "--fail-on", "warn")
    assert proc.returncode == 1
    assert ids(json.loads(proc.stdout)) == ["discovery.mdns_full_mode"]
    assert "already in" in proc.stderr  # how many known findings were hidden


def test_baseline_identity_ignores_wording_of_one_off_checks(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    base = save(tmp_path, cfg, "base.json")
    doc = json.loads(base.read_text())
    for f in doc["findings"]:
        f["title"] = "reworded " + f["title"]
        f["detail"] = "reworded in a later release"
    base.write_text(json.dumps(doc))
    _, now = run_json("--config", str(cfg), "--baseline", str(base))
    assert now["findings"] == []


def test_pairing_uses_detail_then_subject_then_sole_leftover() -> None:
    old = [
        SavedFinding("ch.open", "warn", "t", "channels.telegram.accounts.work is open"),
        SavedFinding("ch.open", "warn", "t", "channels.discord is open"),
        SavedFinding("one.off", "info", "t", "old words"),
    ]
    new = [
        SavedFinding("ch.open", "critical", "t", "Now worded differently", "channels.discord"),
        SavedFinding("ch.open", "warn", "t", "slack too", "channels.slack"),
        SavedFinding("one.off", "info", "t", "new words"),
    ]
    pairs, gone, fresh = pair(old, new)
    assert [(o.detail, n.detail) for o, n in pairs] == [
        ("channels.discord is open", "Now worded differently"),
        ("old words", "new words"),
    ]
    assert [g.detail for g in gone] == ["channels.telegram.accounts.work is open"]
    assert [f.detail for f in fresh] == ["slack too"]


def test_baseline_accepts_fix_envelopes_and_fleet_reports(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    single = json.loads(save(tmp_path, cfg, "base.json").read_text())
    fix_env = tmp_path / "fix.json"
    fix_env.write_text(json.dumps({"fix": {"ok": True}, "report": single, "secretDiagnostics": []}))
    fleet = tmp_path / "fleet.json"
    fleet.write_text(
        json.dumps({"targets": [{"target": str(cfg), "report": single}], "summary": {}})
    )
    for base in (fix_env, fleet):
        code, doc = run_json("--config", str(cfg), "--baseline", str(base))
        assert code == 0 and doc["findings"] == [], base


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a JSON report"),
        ('{"hello": 1}', "no findings list"),
        ('{"findings": [{"severity": "warn"}]}', "no checkId"),
        ('{"ok": false, "error": {"message": "x"}}', "failed run"),
    ],
)
def test_bad_baseline_is_exit_2_one_line(tmp_path: Path, content: str, message: str) -> None:
    cfg = target(tmp_path, "gw", CALM)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    proc = run("--config", str(cfg), "--baseline", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error: {bad}") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # one line plus an optional hint


def test_diff_new_resolved_and_changed_severity(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    old = save(tmp_path, cfg, "old.json")
    # mDNS full mode is new; the log redaction is fixed; the origin check drops to warn?
    cfg.write_text(MORE.replace('logging: {redactSensitive: "off"}, ', ""))
    new = save(tmp_path, cfg, "new.json")
    old_doc = json.loads(old.read_text())
    # Simulate a severity change of a stable finding (e.g. after an escalation rule changed).
    for f in old_doc["findings"]:
        if f["checkId"] == "gateway.token_too_short":
            f["severity"] = "info"
    old.write_text(json.dumps(old_doc))

    proc = run("diff", str(old), str(new), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["checkId"] for f in doc["new"]] == ["discovery.mdns_full_mode"]
    # Dropping logging.redactSensitive (a key 2026.9.6 rejects) also makes the config valid.
    assert [f["checkId"] for f in doc["resolved"]] == [
        "config.schema_invalid",
        "logging.redact_off",
    ]
    assert doc["changedSeverity"] == [
        {
            "checkId": "gateway.token_too_short",
            "title": doc["changedSeverity"][0]["title"],
            "detail": doc["changedSeverity"][0]["detail"],
            "from": "info",
            "to": "warn",
            "fingerprint": old_doc["findings"][
                [f["checkId"] for f in old_doc["findings"]].index("gateway.token_too_short")
            ]["fingerprint"],
        }
    ]
    assert doc["summary"] == {"new": 1, "resolved": 2, "changedSeverity": 1}

    text = run("diff", str(old), str(new)).stdout
    # First the count changes per severity (scheduled-scans.md §4), then the drift counts.
    assert text.splitlines()[1] == "Drift: 1 new · 2 resolved · 1 changed severity"
    assert "NEW" in text and "RESOLVED" in text and "gateway.token_too_short info -> warn" in text


def test_diff_of_identical_reports_is_empty(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    a = save(tmp_path, cfg, "a.json")
    proc = run("diff", str(a), str(a))
    assert proc.returncode == 0
    assert proc.stdout.startswith(
        "Severity changes: critical 0 · warn 0 · info 0\nDrift: 0 new · 0 resolved · 0 changed"
    )


def test_diff_of_fleet_reports_compares_target_by_target(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    b = target(tmp_path, "b", RISKY)
    old = tmp_path / "old.json"
    run("--json", "--config", str(a), "--config", str(b), "--output", str(old))
    b.write_text(MORE)
    new = tmp_path / "new.json"
    run("--json", "--config", str(a), "--config", str(b), "--output", str(new))
    doc = json.loads(run("diff", str(old), str(new), "--json").stdout)
    by_target = {t["target"]: t for t in doc["targets"]}
    assert by_target[str(a)]["summary"] == {"new": 0, "resolved": 0, "changedSeverity": 0}
    assert [f["checkId"] for f in by_target[str(b)]["new"]] == ["discovery.mdns_full_mode"]
    assert doc["summary"]["new"] == 1


def test_diff_bad_file_is_exit_2(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"findings": []}')
    proc = run("diff", str(good), str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: ") and "missing.json" in proc.stderr
    proc = run("diff", str(good), str(tmp_path / "missing.json"), "--json")
    assert proc.returncode == 2 and json.loads(proc.stdout)["ok"] is False
