"""face/scheduled.py: records what the outputs show (redacted), and its failures are warnings."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.face import scheduled
from openclaw_audit.face.scheduled import ScheduledOptions, prepare
from openclaw_audit.redaction import Scrubber
from openclaw_audit.report.model import Finding, Report, Severity
from openclaw_audit.report.targets import TargetResult

SECRET = "CANARY-sched-secret-5d7f9b1a3c5e7d9f1b3a"


def _result(tmp_path: Path, *, ok: bool) -> TargetResult:
    gateway = {"attempted": True, "ok": ok, "error": None if ok else f"token {SECRET} rejected"}
    report = Report(
        ts=1,
        findings=(
            Finding(
                "gateway.demo", Severity.CRITICAL, "Demo", f"the value is {SECRET}", None, "gw"
            ),
        ),
        deep={"gateway": gateway},
        config_path=str(tmp_path / "openclaw.json"),
    )
    return TargetResult(str(tmp_path / "openclaw.json"), report)


def test_no_secret_in_the_database_or_the_drift(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    got = tmp_path / "got.json"
    hook = tmp_path / "hook.py"
    hook.write_text(f"import sys\nopen({str(got)!r}, 'w').write(sys.stdin.read())\n")
    opts = ScheduledOptions(
        history=str(db), notify_cmd=f"{sys.executable} {hook}", notify_on=("always",)
    )
    for ok in (True, False):
        scrubber = Scrubber([SECRET])
        sched = prepare(opts, AuditOptions(deep=True), baseline=False, scrubber=scrubber)
        assert sched is not None
        histories = sched.record([_result(tmp_path, ok=ok)], 0, scrubber)
        assert histories is not None
        sched.notify(scrubber)
    doc = json.loads(got.read_text())
    assert doc["run"] == 2 and [p["probe"] for p in doc["probeFailed"]] == ["gateway"]
    assert doc["probeFailed"][0]["error"] == "token <redacted> rejected"
    conn = sqlite3.connect(db)
    detail = conn.execute("SELECT detail FROM run_findings").fetchone()[0]
    assert detail.startswith("the value is ") and SECRET not in detail
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))
    assert SECRET.encode() not in stored and SECRET not in got.read_text()
    assert b"rejected" in stored


def test_a_history_failure_is_a_warning_not_a_failed_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scrubber = Scrubber([SECRET])
    opts = ScheduledOptions(history=str(tmp_path / "h.db"))
    sched = prepare(opts, AuditOptions(), baseline=False, scrubber=scrubber)
    assert sched is not None

    def locked(*_a: object, **_k: object) -> None:
        raise sqlite3.OperationalError(f"database is locked ({SECRET})")

    monkeypatch.setattr(scheduled, "record_run", locked)
    assert sched.record([_result(tmp_path, ok=True)], 0, scrubber) is None
    err = capsys.readouterr().err
    assert err.startswith("warning: history: run of ") and "database is locked" in err
    assert SECRET not in err

    def bug(*_a: object, **_k: object) -> None:
        raise KeyError(SECRET)

    sched = prepare(opts, AuditOptions(), baseline=False, scrubber=scrubber)
    assert sched is not None
    monkeypatch.setattr(scheduled, "record_run", bug)
    assert sched.record([_result(tmp_path, ok=True)], 0, scrubber) is None
    err = capsys.readouterr().err
    assert "not recorded (KeyError)" in err and SECRET not in err


def test_nothing_is_prepared_when_nothing_was_asked() -> None:
    assert prepare(None, AuditOptions(), baseline=False, scrubber=Scrubber()) is None
    assert prepare(ScheduledOptions(), AuditOptions(), baseline=False, scrubber=Scrubber()) is None
