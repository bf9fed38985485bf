"""The history database shared by real processes: concurrent runs both land, and a run killed
with SIGKILL in the middle of its transaction leaves the database as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from clirun import CALM, RISKY, run, target

pytestmark = pytest.mark.real

REPO = Path(__file__).resolve().parents[2]

# A child that records N runs of its own target into DB as fast as it can.
WRITER = textwrap.dedent(
    """
    import sys, time
    from openclaw_audit.history.record import RunInput, record_run
    from openclaw_audit.history.scope import Scope
    from openclaw_audit.history.store import open_for_writing
    from openclaw_audit.report.model import Finding, Report, Severity

    db, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = open_for_writing(db)
    for n in range(count):
        found = Finding("demo.check", Severity.WARN, "t", f"{name} {n % 3}")
        rep = Report(ts=0, findings=(found,), config_path=name)
        now = time.time()
        record_run(conn, RunInput(name, now, now, "h", "0", 0, Scope(), rep))
    """
)

# A child that stops inside its transaction (after the run row and findings are written,
# before COMMIT), says so, and waits to be killed.
STALLER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from openclaw_audit.history import record
    from openclaw_audit.history.record import RunInput, record_run
    from openclaw_audit.history.scope import Scope
    from openclaw_audit.history.store import open_for_writing
    from openclaw_audit.report.model import Finding, Report, Severity

    db, marker = sys.argv[1], Path(sys.argv[2])
    real = record._insert_details

    def stall(*args):
        real(*args)
        marker.write_text("inside")
        time.sleep(120)

    record._insert_details = stall
    conn = open_for_writing(db)
    found = Finding("demo.killed", Severity.CRITICAL, "t", "written, never committed")
    rep = Report(ts=0, findings=(found,), config_path="/killed")
    record_run(conn, RunInput("/killed", 0.0, 1.0, "h", "0", 0, Scope(), rep))
    """
)


def _child(code: str, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, stderr=subprocess.PIPE)


def test_two_processes_writing_at_once_both_land(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    procs = [_child(WRITER, db, name, "40") for name in ("/a", "/b")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    conn = sqlite3.connect(db)
    by_target = dict(conn.execute("SELECT target, count(*) FROM runs GROUP BY target"))
    assert by_target == {"/a": 40, "/b": 40}
    assert conn.execute("SELECT count(*) FROM run_findings").fetchone() == (80,)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_two_cli_runs_on_one_database_both_land(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    calm, risky = target(tmp_path, "calm", CALM), target(tmp_path, "risky", RISKY)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openclaw_audit",
                "-q",
                "--config",
                str(cfg),
                "--history",
                str(db),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for cfg in (calm, risky)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    conn = sqlite3.connect(db)
    assert sorted(r[0] for r in conn.execute("SELECT target FROM runs")) == sorted(
        [str(calm), str(risky)]
    )


def test_a_run_killed_mid_transaction_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    cfg = target(tmp_path, "gw", RISKY)
    assert run("-q", "--config", str(cfg), "--history", str(db)).returncode == 0
    marker = tmp_path / "inside"
    child = _child(STALLER, str(db), str(marker))
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        assert time.monotonic() < deadline, "the child never reached its transaction"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM findings WHERE target = '/killed'").fetchone() == (0,)
    conn.close()
    # The next run takes the write lock the dead one held and lands.
    assert run("-q", "--config", str(cfg), "--history", str(db)).returncode == 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)
