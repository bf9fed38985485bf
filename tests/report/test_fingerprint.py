"""Stable fingerprints (scheduled-scans.md §2): on every finding in JSON, independent of
wording, line numbers and secrets, and what baselines and ``diff`` match by."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from clirun import RISKY, run, target

from openclaw_audit.report.baseline import SavedFinding, from_live, pair
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import Finding, Location, Severity


def prints(doc: dict) -> list[tuple[str, str]]:
    found = [(f["checkId"], f["fingerprint"]) for f in doc["findings"]]
    found += [(f["checkId"], f["fingerprint"]) for f in doc.get("suppressedFindings", [])]
    return sorted(found)


def audit(cfg: Path) -> dict:
    proc = run("--config", str(cfg), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


SUPPRESSING = RISKY[:-1] + (
    ', security: {audit: {suppressions: [{checkId: "logging.redact_off", reason: "lab"}]}}}'
)


def test_every_finding_and_suppressed_finding_has_one(tmp_path: Path) -> None:
    doc = audit(target(tmp_path, "gw", SUPPRESSING))
    assert doc["suppressedFindings"]
    for f in [*doc["findings"], *doc["suppressedFindings"]]:
        assert len(f["fingerprint"]) == 64 and int(f["fingerprint"], 16) >= 0


def test_reformatting_the_config_keeps_every_fingerprint(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", SUPPRESSING)
    first = prints(audit(cfg))
    cfg.write_text("// moved down\n\n\n" + SUPPRESSING.replace(", ", ",\n    "))
    assert prints(audit(cfg)) == first


def test_the_secret_value_never_changes_a_fingerprint(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    first = prints(audit(cfg))
    cfg.write_text(RISKY.replace("short-token", "tiny-tok"))  # other value, other length
    assert prints(audit(cfg)) == first


def test_wording_and_line_numbers_do_not_count() -> None:
    loc = Location(config_path=("gateway", "auth", "token"), file="/a.json", line=3)
    a = Finding(
        "gateway.token_too_short", Severity.WARN, "Short", "11 chars at line 3", None, None, loc
    )
    b = Finding(
        "gateway.token_too_short",
        Severity.CRITICAL,
        "The token is short",
        "It is 9 characters long (line 40)",
        "rotate it",
        None,
        Location(config_path=("gateway", "auth", "token"), file="/b.json", line=40),
    )
    assert fingerprint(a) == fingerprint(b)
    one = Finding("channels.telegram.dm.open", Severity.WARN, "t", "x", subject="acct-1")
    two = Finding("channels.telegram.dm.open", Severity.WARN, "t2", "y", subject="acct-2")
    assert fingerprint(one) != fingerprint(two)
    assert fingerprint(one) == fingerprint(
        Finding(one.check_id, Severity.INFO, "", "", subject="acct-1")
    )
    # a one-off check without subject or location: the checkId alone
    lone = Finding("summary.attack_surface", Severity.INFO, "t", "groups: open=1")
    assert fingerprint(lone) == fingerprint(Finding(lone.check_id, Severity.INFO, "t", "changed"))


def saved(check_id: str, detail: str, fp: str | None) -> SavedFinding:
    return SavedFinding(check_id, "warn", "t", detail, fingerprint=fp)


def test_pairing_uses_fingerprints_when_both_sides_have_them() -> None:
    old = [saved("c.x", "old wording", "aa" * 32), saved("c.y", "same detail", "bb" * 32)]
    new = [saved("c.x", "new wording", "aa" * 32), saved("c.y", "same detail", "cc" * 32)]
    pairs, gone, fresh = pair(old, new)
    assert [(o.detail, n.detail) for o, n in pairs] == [("old wording", "new wording")]
    # equal details, different fingerprints: two different findings
    assert [f.fingerprint for f in gone] == ["bb" * 32]
    assert [f.fingerprint for f in fresh] == ["cc" * 32]


def test_older_reports_without_fingerprints_still_pair() -> None:
    live = Finding("c.y", Severity.WARN, "t", "same detail", subject="acct")
    old = [saved("c.y", "same detail", None), saved("c.z", "gone", None)]
    pairs, gone, fresh = pair(old, [from_live(live)])
    assert len(pairs) == 1 and [f.check_id for f in gone] == ["c.z"] and fresh == []


def test_baseline_matches_by_fingerprint_then_falls_back(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    base = tmp_path / "base.json"
    assert run("--config", str(cfg), "--json", "-o", str(base)).returncode == 0
    doc = json.loads(base.read_text())
    for f in doc["findings"]:
        f["detail"] = "reworded by a newer version"
    base.write_text(json.dumps(doc))
    proc = run("--config", str(cfg), "--json", "--baseline", str(base))
    assert json.loads(proc.stdout)["findings"] == []  # every fingerprint known
    # An older baseline: no fingerprints, the details as they were: the old rules apply.
    doc = audit(cfg)
    for f in doc["findings"]:
        del f["fingerprint"]
    base.write_text(json.dumps(doc))
    proc = run("--config", str(cfg), "--json", "--baseline", str(base))
    assert json.loads(proc.stdout)["findings"] == []


def test_diff_pairs_by_fingerprint(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert run("--config", str(cfg), "--json", "-o", str(old)).returncode == 0
    doc = json.loads(old.read_text())
    for f in doc["findings"]:
        f["detail"] = f["title"] = "wording of another release"
    old.write_text(json.dumps(doc))
    assert run("--config", str(cfg), "--json", "-o", str(new)).returncode == 0
    drift = json.loads(run("diff", str(old), str(new), "--json").stdout)
    assert drift["summary"] == {"new": 0, "resolved": 0, "changedSeverity": 0}


def test_a_lone_surrogate_in_the_subject_hashes() -> None:
    odd = Finding("channels.x.dm.open", Severity.WARN, "t", "d", subject="\ud800x")
    assert fingerprint(odd) != fingerprint(replace(odd, subject="\udc00x"))


def test_a_stored_history_run_keeps_every_fingerprint(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", SUPPRESSING)
    db = tmp_path / "h.db"
    live = audit(cfg)
    assert run("-q", "--config", str(cfg), "--history", str(db)).returncode == 0
    shown = json.loads(run("history", "show", "1", "--json", "--history", str(db)).stdout)
    assert prints(shown) == prints(live)
