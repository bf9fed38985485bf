"""``--history`` and the ``history`` commands through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from clirun import CALM, RISKY, run, target

from openclaw_audit.history.store import SCHEMA_VERSION, open_for_writing


def record(cfg: Path, db: Path, *extra: str) -> None:
    proc = run("-q", "--config", str(cfg), "--history", str(db), *extra)
    assert proc.returncode in (0, 1), proc.stderr


def test_runs_findings_and_a_stored_run_diff_accepts(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    cfg = target(tmp_path, "gw", RISKY)
    record(cfg, db)
    cfg.write_text(CALM)
    record(cfg, db)
    assert (db.stat().st_mode & 0o777) == 0o600

    doc = json.loads(run("history", "--history", str(db), "--json").stdout)
    [entry] = doc["targets"]
    assert entry["target"] == str(cfg)
    first, second = entry["runs"]
    assert first["summary"]["critical"] == 1 and first["new"] > 0
    assert second["summary"]["critical"] == 0 and second["fixed"] > 0
    assert second["scope"] == {"deep": False}

    text = run("history", "--history", str(db)).stdout
    assert "critical trend █▁" in text and str(cfg) in text

    fixed = json.loads(run("history", "findings", "--fixed", "--json", "--history", str(db)).stdout)
    assert fixed["findings"] and all(f["fixedAtRun"] == second["run"] for f in fixed["findings"])
    still = json.loads(run("history", "findings", "--open", "--json", "--history", str(db)).stdout)
    assert still["findings"] and all(f["fixedAt"] is None for f in still["findings"])

    old = tmp_path / "old.json"
    old.write_text(run("history", "show", str(first["run"]), "--json", "--history", str(db)).stdout)
    new = tmp_path / "new.json"
    new.write_text(
        run("history", "show", str(second["run"]), "--json", "--history", str(db)).stdout
    )
    assert json.loads(old.read_text())["summary"]["critical"] == 1
    assert json.loads(old.read_text())["history"]["run"] == first["run"]
    shown = run("history", "show", str(first["run"]), "--history", str(db)).stdout
    assert shown.startswith(f"History run {first['run']} of {cfg}, started ")
    drift = json.loads(run("diff", str(old), str(new), "--json").stdout)
    assert drift["summary"]["resolved"] == second["fixed"]
    # The stored run works as a baseline too: nothing of it is new.
    cfg.write_text(RISKY)
    proc = run("--json", "--config", str(cfg), "--baseline", str(old))
    assert json.loads(proc.stdout)["findings"] == []


def test_history_commands_read_only_and_clear_errors(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    proc = run("history", "--history", str(missing))
    assert proc.returncode == 2 and "no history database" in proc.stderr
    assert not missing.exists()
    proc = run("history", "findings")
    assert proc.returncode == 2 and "OPENCLAW_AUDIT_HISTORY" in proc.stderr
    db = tmp_path / "h.db"
    record(target(tmp_path, "gw", CALM), db)
    proc = run("history", "findings", "--open", "--fixed", "--history", str(db))
    assert proc.returncode == 2 and "exclude each other" in proc.stderr
    proc = run("history", "show", "99", "--history", str(db))
    assert proc.returncode == 2 and "no run 99" in proc.stderr
    proc = run("history", "--history", str(db), "--target", str(tmp_path / "other.json"))
    assert proc.returncode == 0 and "no runs recorded" in proc.stdout
    proc = run("--history", str(db), "history", "findings", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"]
    proc = run("history", "--json", env={"OPENCLAW_AUDIT_HISTORY": str(db)})
    assert proc.returncode == 0 and json.loads(proc.stdout)["targets"]


def test_a_newer_database_is_an_input_error_before_the_audit(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    conn = open_for_writing(str(db))
    conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 5,))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = db.read_bytes()
    cfg = target(tmp_path, "gw", CALM)
    proc = run("--config", str(cfg), "--history", str(db))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "newer than this tool" in proc.stderr and proc.stderr.count("\n") <= 2
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--history", "{tmp}/no/such/dir/h.db"], "folder of the history database"),
        (["--history", "{tmp}"], "regular file"),
        (["--history-keep", "3"], "--history-keep needs --history"),
        (["--history", "{tmp}/h.db", "--history-keep", "0"], "positive number of days"),
        (["--notify-cmd", "true"], "need --history"),
        (["--history", "{tmp}/h.db", "--notify-cmd", "'unclosed"], "cannot be split"),
        (
            ["--history", "{tmp}/h.db", "--notify-cmd", "true", "--notify-on", "bogus"],
            "unknown event",
        ),
        (["--history", "{tmp}/h.db", "--notify-webhook", "http://192.0.2.7/h"], "unencrypted"),
        (["--history", "{tmp}/h.db", "--notify-webhook", "ftp://example.org/h"], "http(s) URL"),
        (["--history", "{tmp}/h.db", "-o", "{tmp}/h.db"], "is the --history database"),
    ],
)
def test_bad_history_and_notify_options_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    cfg = target(tmp_path, "gw", CALM)
    proc = run("--config", str(cfg), *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "h.db").exists()  # every option is checked before the database


def test_history_keep_prunes_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    cfg = target(tmp_path, "gw", CALM)
    record(cfg, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE runs SET started_at = '2020-01-01T00:00:00Z'")
    conn.commit()
    conn.close()
    record(cfg, db, "--history-keep", "30")
    ids = [r[0] for r in sqlite3.connect(db).execute("SELECT id FROM runs")]
    assert ids == [2]


def test_history_fills_the_renderers_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RenderOptions.history reaches the formatter: trend points and this run's drift."""
    from openclaw_audit.engine.options import AuditOptions
    from openclaw_audit.face import app
    from openclaw_audit.face.scheduled import ScheduledOptions
    from openclaw_audit.redaction import Scrubber
    from openclaw_audit.render import formats

    seen = []

    def spy(output, options):  # type: ignore[no-untyped-def]
        seen.append(options.history)
        return ""

    monkeypatch.setitem(formats.FORMATS, "text", spy)
    cfg = target(tmp_path, "gw", RISKY)
    db = tmp_path / "h.db"
    inv = app.Invocation(
        options=AuditOptions(config_path=str(cfg)),
        configs=(str(cfg),),
        scheduled=ScheduledOptions(history=str(db)),
    )
    for _ in range(2):
        assert app.execute(inv, Scrubber()) == 0
    first, second = seen
    hist = second[str(cfg)]
    assert [p.critical for p in hist.points] == [1, 1]
    assert hist.drift is not None and hist.drift.new == () and hist.drift.run_id == 2
    assert first[str(cfg)].drift.new and len(hist.first_seen) == len(first[str(cfg)].drift.new)


def test_a_fleet_run_records_each_target(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    calm, risky = target(tmp_path, "calm", CALM), target(tmp_path, "risky", RISKY)
    broken = target(tmp_path, "broken", "{gateway: ")
    proc = run("-q", "--config", str(calm), "--config", str(risky), "--config", str(broken),
               "--history", str(db))  # fmt: skip
    assert proc.returncode == 2  # the broken target fails the gate, as without --history
    rows = sqlite3.connect(db).execute("SELECT target, critical, exit_code, error FROM runs")
    by_target = {r[0]: r[1:] for r in rows}
    assert by_target[str(calm)][:2] == (0, 2) and by_target[str(calm)][2] is None
    assert by_target[str(risky)][0] == 1
    assert by_target[str(broken)][2]  # why it could not be audited


def test_a_static_run_leaves_live_findings_open(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    cfg = target(tmp_path, "gw", CALM)
    env = {"OPENCLAW_GATEWAY_PORT": "9"}  # nothing listens: gateway.probe_failed
    proc = run(
        "-q", "--config", str(cfg), "--history", str(db), "--deep", "--timeout", "0.25", env=env
    )
    assert proc.returncode == 0
    proc = run("-q", "--config", str(cfg), "--history", str(db), env=env)
    assert proc.returncode == 0
    doc = json.loads(run("history", "findings", "--json", "--history", str(db)).stdout)
    live = [f for f in doc["findings"] if f["checkId"] == "gateway.probe_failed"]
    assert live and all(f["fixedAt"] is None for f in live)
    runs = json.loads(run("history", "--json", "--history", str(db)).stdout)["targets"][0]["runs"]
    assert [r["deep"] for r in runs] == [True, False]
    assert runs[-1]["fixed"] == 0


def test_demo_runs_share_one_target_although_each_audits_a_new_copy(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    for _ in range(2):
        proc = run("--demo", "--history", str(db), "-q", "-o", f"json={tmp_path / 'r.json'}")
        assert proc.returncode == 0, proc.stderr
    listed = json.loads(run("history", "--history", str(db), "--json").stdout)
    assert [t["target"] for t in listed["targets"]] == ["bundled demo gateway"]
    assert [r["run"] for r in listed["targets"][0]["runs"]] == [1, 2]
