"""History rules on a real SQLite file: new, escalated, resolved, reopened, scope, pruning,
probe regressions, one transaction per run, schema versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from openclaw_audit.errors import AuditError
from openclaw_audit.history import record as record_mod
from openclaw_audit.history.record import RunInput, record_run
from openclaw_audit.history.scope import Scope
from openclaw_audit.history.store import SCHEMA_VERSION, open_for_reading, open_for_writing
from openclaw_audit.report.model import Finding, Report, Rule, Severity, SuppressedFinding

T0 = 1_790_000_000.0
TARGET = "/srv/gw/openclaw.json"


def f(check_id: str, severity: str = "warn", subject: str | None = None) -> Finding:
    return Finding(check_id, Severity(severity), f"title of {check_id}", "detail", None, subject)


def report(*findings: Finding, deep: dict[str, Any] | None = None, suppressed=()) -> Report:
    rules = {
        x.check_id: Rule(
            x.check_id, x.severity, x.title, None, "", deep=x.check_id.startswith("live.")
        )
        for x in findings
    }
    return Report(
        ts=0,
        findings=tuple(findings),
        suppressed=tuple(SuppressedFinding(s) for s in suppressed),
        deep=deep,
        config_path=TARGET,
        rules=rules,
    )


def run(conn, rep: Report | None, n: int, scope: Scope | None = None, **kw):  # type: ignore[no-untyped-def]
    inp = RunInput(
        target=TARGET,
        started=T0 + n * 3600,
        finished=T0 + n * 3600 + 2,
        host="h",
        tool_version="0",
        exit_code=0,
        scope=scope or Scope(deep=True),
        report=rep,
        **kw,
    )
    return record_run(conn, inp)


def ids(items) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(i.check_id for i in items)


@pytest.fixture
def conn(tmp_path: Path):  # type: ignore[no-untyped-def]
    c = open_for_writing(str(tmp_path / "h.db"))
    yield c
    c.close()


def finding_row(conn: sqlite3.Connection, check_id: str) -> tuple[Any, ...]:
    return conn.execute(
        "SELECT fixed_at_run, reopened, severity, severity_changes, last_seen_run "
        "FROM findings WHERE check_id = ?",
        (check_id,),
    ).fetchone()


def test_new_resolved_reopened_and_escalated(conn: sqlite3.Connection) -> None:
    first = run(conn, report(f("a"), f("b"), f("c", "info")), 1)
    assert ids(first.drift.new) == ["a", "b", "c"] and first.drift.run_id == first.run_id
    same = run(conn, report(f("a"), f("b"), f("c", "info")), 2)
    assert (same.drift.new, same.drift.escalated, same.drift.resolved) == ((), (), ())
    gone = run(conn, report(f("a"), f("c", "critical")), 3)
    assert ids(gone.drift.resolved) == ["b"] and gone.drift.new == ()
    assert [(i.check_id, i.previous_severity, i.severity) for i in gone.drift.escalated] == [
        ("c", "info", "critical")
    ]
    assert finding_row(conn, "b")[0] == gone.run_id
    assert finding_row(conn, "c")[2:4] == ("critical", 1)
    back = run(conn, report(f("a"), f("b"), f("c", "critical")), 4)
    assert ids(back.drift.new) == ["b"]  # not open before: new again
    assert finding_row(conn, "b")[:2] == (None, 1)  # reopened once, open again
    counts = conn.execute("SELECT new_count, fixed_count FROM runs ORDER BY id").fetchall()
    assert counts == [(3, 0), (0, 0), (0, 1), (1, 0)]
    points = back.history.points
    assert [p.run_id for p in points] == [1, 2, 3, 4] and points[-1].critical == 1
    assert set(back.history.first_seen) == {i.fingerprint for i in first.drift.new}


def test_a_static_run_does_not_fix_deep_only_findings(conn: sqlite3.Connection) -> None:
    run(conn, report(f("live.gateway_open"), f("a")), 1, Scope(deep=True))
    static = run(conn, report(f("a")), 2, Scope(deep=False))
    assert static.drift.resolved == ()
    assert finding_row(conn, "live.gateway_open")[0] is None
    # Only some probes: still not the whole live picture.
    partial = run(conn, report(f("a")), 3, Scope(deep=True, probes=("http",)))
    assert partial.drift.resolved == ()
    deep = run(conn, report(f("a")), 4, Scope(deep=True))
    assert ids(deep.drift.resolved) == ["live.gateway_open"]


def test_a_selected_run_fixes_only_inside_its_selection(conn: sqlite3.Connection) -> None:
    run(conn, report(f("gateway.x"), f("channels.y"), f("tools.z", "info")), 1)
    only = run(conn, report(), 2, Scope(deep=True, checks=("gateway.*",)))
    assert ids(only.drift.resolved) == ["gateway.x"]
    skip = run(conn, report(), 3, Scope(deep=True, skip_checks=("channels.*",)))
    assert ids(skip.drift.resolved) == ["tools.z"]
    floor = run(conn, report(), 4, Scope(deep=True, min_severity="critical"))
    assert floor.drift.resolved == ()  # channels.y is a warn: hidden, not gone
    assert finding_row(conn, "channels.y")[0] is None
    stored = conn.execute("SELECT scope FROM runs WHERE id = 2").fetchone()[0]
    assert '"checks": ["gateway.*"]' in stored


def test_a_baseline_run_fixes_nothing(conn: sqlite3.Connection) -> None:
    run(conn, report(f("a"), f("b")), 1)
    base = run(conn, report(), 2, Scope(deep=True, baseline=True))
    assert base.drift.resolved == ()
    assert conn.execute("SELECT count(*) FROM findings WHERE fixed_at_run IS NULL").fetchone() == (
        2,
    )


def test_a_run_that_failed_to_audit_changes_no_finding(conn: sqlite3.Connection) -> None:
    run(conn, report(f("a")), 1)
    failed = run(conn, None, 2, error="config unreadable")
    assert failed.drift.resolved == () and finding_row(conn, "a")[0] is None
    assert conn.execute("SELECT error FROM runs WHERE id = 2").fetchone() == ("config unreadable",)


def test_suppressed_findings_are_tracked_but_never_new(conn: sqlite3.Connection) -> None:
    first = run(conn, report(f("a"), suppressed=[f("quiet")]), 1)
    assert ids(first.drift.new) == ["a"]
    row = conn.execute("SELECT suppressed FROM findings WHERE check_id = 'quiet'").fetchone()
    assert row == (1,)
    gone = run(conn, report(f("a")), 2)
    assert gone.drift.resolved == ()  # a suppressed finding going away is no news
    assert finding_row(conn, "quiet")[0] == gone.run_id


def test_probe_failed_only_when_it_passed_last_time(conn: sqlite3.Connection) -> None:
    ok = {
        "gateway": {"attempted": True, "ok": True, "latencyMs": 12},
        "docker": {"skipped": "no socket"},
    }
    bad = {"gateway": {"attempted": True, "ok": False, "error": "connection refused"}}
    run(conn, report(deep=ok), 1)
    now = run(conn, report(deep=bad), 2)
    assert now.drift.probe_failed == (("gateway", "connection refused"),)
    again = run(conn, report(deep=bad), 3)
    assert again.drift.probe_failed == ()  # it did not pass last time
    rows = conn.execute("SELECT run_id, probe, outcome, duration_ms FROM run_probes ORDER BY 1, 2")
    assert rows.fetchall() == [
        (1, "docker", "skipped", None),
        (1, "gateway", "ok", 12),
        (2, "gateway", "failed", None),
        (3, "gateway", "failed", None),
    ]


def test_prune_drops_old_runs_keeps_open_findings(conn: sqlite3.Connection) -> None:
    run(conn, report(f("a"), f("b")), 1)
    run(conn, report(f("a")), 2)  # b fixed at run 2
    inp = RunInput(
        TARGET,
        T0 + 100 * 86400,
        T0 + 100 * 86400 + 1,
        "h",
        "0",
        0,
        Scope(deep=True),
        report(f("a")),
    )
    record_run(conn, inp, keep_days=30)
    assert [r[0] for r in conn.execute("SELECT id FROM runs")] == [3]
    assert conn.execute("SELECT count(*) FROM run_findings WHERE run_id < 3").fetchone() == (0,)
    assert [r[0] for r in conn.execute("SELECT check_id FROM findings")] == ["a"]
    assert finding_row(conn, "a")[0] is None


def test_one_transaction_per_run(conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    run(conn, report(f("a")), 1)

    def boom(*_a: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(record_mod, "_insert_details", boom)
    with pytest.raises(RuntimeError):
        run(conn, report(f("b")), 2)
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    assert [r[0] for r in conn.execute("SELECT check_id FROM findings")] == ["a"]


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    c = open_for_writing(str(path))
    c.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    before = path.read_bytes()
    for opener in (open_for_writing, open_for_reading):
        with pytest.raises(AuditError, match="newer than this tool") as err:
            opener(str(path))
        assert err.value.exit_code == 2
    assert path.read_bytes() == before


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE notes (x)")
    c.commit()
    c.close()
    with pytest.raises(AuditError, match="not an openclaw-audit history database"):
        open_for_writing(str(path))
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all, just text" * 100)
    with pytest.raises(AuditError, match="cannot use the history database"):
        open_for_writing(str(tmp_path / "junk.db"))
