"""output-ux.md §1/§3 through the real CLI: --demo, the JSON ``audit`` object (single and
fleet), --compact, --color, a real pty, hostile strings neutralised, the secret canary."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from clirun import CALM, RISKY, run, run_json, target

from openclaw_audit.config.locate import state_dir_source
from openclaw_audit.redaction import Scrubber
from openclaw_audit.render.json_report import audit_object
from openclaw_audit.render.text import Layout, render
from openclaw_audit.report.model import Finding, Location, Report, Severity
from openclaw_audit.report.redact import redact_report
from openclaw_audit.textsafe import json_text

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_demo_runs_on_a_temporary_copy() -> None:
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "openclaw_audit" / "demo").rglob("*")}
    proc = run("--demo")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        "Target: bundled demo gateway · openclaw.json (+1 include) · audited in a temporary copy"
    )
    assert lines[2] == "Summary: 11 critical · 11 warn · 2 info"
    assert "--deep" not in proc.stdout  # nothing live to probe for the demo
    assert "`openclaw-audit --demo --fix --dry-run`" in proc.stdout
    # --fix on the demo edits only the copy: the packaged files stay as they are.
    proc = run("--demo", "--fix")
    assert proc.returncode == 0, proc.stderr
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert 'redactSensitive: "off"' in (ROOT / "openclaw_audit/demo/openclaw.json").read_text()


def test_demo_conflicts_with_an_explicit_target(tmp_path: Path) -> None:
    proc = run("--demo", "--state-dir", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: --demo audits the bundled demo gateway")
    proc = run("--demo", "--deep")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "error: --demo has no live gateway to probe: drop --deep\n"


def test_json_audit_object() -> None:
    code, doc = run_json("--demo")
    assert code == 0
    audit = doc["audit"]
    assert list(doc)[-1] == "audit"
    assert list(audit) == [
        "tool", "version", "config", "includes", "stateDir", "stateDirSource", "deep",
        "durationMs", "host", "schemaVersion",
    ]  # fmt: skip
    assert audit["tool"] == "openclaw-audit" and audit["schemaVersion"] == 1
    assert audit["config"].endswith("/state/openclaw.json")
    assert [Path(p).name for p in audit["includes"]] == ["agents.json5"]
    assert audit["stateDirSource"] == "demo" and audit["deep"] is False
    assert isinstance(audit["durationMs"], int) and audit["durationMs"] >= 0
    assert isinstance(audit["host"], str) and audit["host"]


def test_json_audit_object_without_a_config(tmp_path: Path) -> None:
    state = tmp_path / "empty"
    state.mkdir(mode=0o700)
    code, doc = run_json("--state-dir", str(state))
    assert code == 0
    assert doc["audit"]["config"] is None and doc["audit"]["includes"] == []
    assert doc["audit"]["stateDir"] == str(state) and doc["audit"]["stateDirSource"] == "flag"
    proc = run("--state-dir", str(state))
    assert proc.stdout.startswith(
        f"Target: no config file ({state / 'openclaw.json'} does not exist): audited the defaults"
    )


def test_state_dir_source_from_env(tmp_path: Path) -> None:
    target(tmp_path, "s", CALM)
    code, doc = run_json(env={"OPENCLAW_STATE_DIR": str(tmp_path / "s")})
    assert code == 0 and doc["audit"]["stateDirSource"] == "env"
    home = tmp_path / "home"
    (home / ".clawdbot").mkdir(parents=True)
    assert state_dir_source({"HOME": str(home)}, None, str(home / ".clawdbot")) == "legacy"
    assert state_dir_source({"HOME": str(home)}, None, str(home / ".openclaw")) == "home"


def test_fleet_json_has_an_audit_object_per_target(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    b = target(tmp_path, "b", RISKY)
    code, doc = run_json("--config", str(a), "--config", str(b))
    assert code == 0
    audits = [t["report"]["audit"] for t in doc["targets"]]
    assert [x["config"] for x in audits] == [str(a), str(b)]
    assert [x["stateDirSource"] for x in audits] == ["config", "config"]
    proc = run("--config", str(a), "--config", str(b))
    assert f"Target: {a} · state {a.parent} (the config's directory)" in proc.stdout


def test_fix_json_carries_the_audit_object(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", RISKY)
    code, doc = run_json("--config", str(cfg), "--fix", "--dry-run")
    assert code == 0
    assert list(doc) == ["fix", "report", "secretDiagnostics", "audit"]
    assert doc["audit"]["config"] == str(cfg)


def test_compact_through_the_cli() -> None:
    proc = run("--demo", "--compact")
    rows = proc.stdout.splitlines()[3:]
    assert len(rows) == 24
    assert all(re.match(r"^(CRIT|WARN|INFO) \S+ \S+ \S", r) for r in rows)


def test_colour_flags_off_a_tty() -> None:
    assert "\x1b[" not in run("--demo").stdout
    assert "\x1b[" in run("--demo", "--color", "always").stdout
    assert "\x1b[" in run("--demo", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in run("--demo", "--color", "never", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in run("--demo", "--no-color", env={"FORCE_COLOR": "1"}).stdout
    assert "--no-color" not in run("--help").stdout  # a hidden alias of --color never


def _run_on_pty(*args: str, env: dict[str, str]) -> str:
    """The CLI with its stdout on a real pseudo-terminal of 100 columns."""
    main, sub = pty.openpty()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "NO_COLOR"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "openclaw_audit", *args],
        stdout=sub,
        stderr=subprocess.DEVNULL,
        env={**base, "COLUMNS": "100", **env},
    )
    os.close(sub)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the pty
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.real
def test_on_a_pty_text_wraps_to_the_width_and_is_coloured() -> None:
    out = _run_on_pty("--demo", env={})
    assert "\x1b[" in out  # auto: colour on a TTY
    plain = ANSI.sub("", out)
    lines = plain.splitlines()
    assert all(len(line) <= 100 or " " not in line.strip() for line in lines)
    assert "    by default" in lines  # a long title wrapped with a hanging indent
    assert any(len(line) > 90 for line in lines)  # the full width is used
    assert "\x1b[" not in _run_on_pty("--demo", env={"NO_COLOR": "1"})


@pytest.mark.real
def test_the_wheel_ships_the_demo(tmp_path: Path) -> None:
    """A regular (non-editable) build carries the demo gateway as package data."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for pkg in ("openclaw_audit", "static_checks", "probes"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-200:]}")
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    demo = ROOT / "openclaw_audit" / "demo"
    expected = {
        f"openclaw_audit/demo/{p.relative_to(demo)}" for p in demo.rglob("*") if p.is_file()
    }
    assert expected and expected <= names


HOSTILE = "evil\x1b]8;;http://x.test\x07link\x1b]8;;\x07\x1b[2J\u202egnp.exe\r\n[forged]\x9b31m"


def test_hostile_strings_are_shown_escaped_never_interpreted(tmp_path: Path) -> None:
    # A hostile key in the config, and a state dir whose name carries escapes.
    state = tmp_path / "st\x1b[31mate\u202e"
    state.mkdir(mode=0o700)
    cfg = state / "openclaw.json"
    cfg.write_text(json.dumps({"gateway": {"bind": "lan"}, "channels": {HOSTILE: {"x": 1}}}))
    cfg.chmod(0o600)
    for args in ((), ("--compact",), ("--color", "always")):
        proc = run("--state-dir", str(state), *args)
        assert proc.returncode == 0, proc.stderr
        text = ANSI.sub("", proc.stdout) if args else proc.stdout
        for raw in ("\x1b", "\x07", "\u202e", "\r", "\x9b"):
            assert raw not in text, (args, raw)
        assert "st\\x1b[31mate\\u202e" in text  # the target line shows the name escaped
        assert "[forged]" not in [line.strip() for line in text.splitlines()]


def test_json_spells_terminal_steering_characters_as_escapes(tmp_path: Path) -> None:
    bad = "x\x9b2J\u202eevil\U000e0041\u2028"
    state = tmp_path / "s"
    state.mkdir(mode=0o700)
    cfg = state / "openclaw.json"
    cfg.write_text(json.dumps({"gateway": {bad: 1}}))  # config.schema_invalid names the key
    cfg.chmod(0o600)
    proc = run("--json", "--state-dir", str(state))
    assert proc.returncode == 0, proc.stderr
    for raw in ("\x9b", "\u202e", "\U000e0041", "\u2028"):
        assert raw not in proc.stdout
    doc = json.loads(proc.stdout)  # still valid JSON, the same value
    assert any(bad in f["detail"] for f in doc["findings"])
    assert json_text(json.dumps({"k": bad}, ensure_ascii=False)) == json.dumps({"k": bad})


def test_hostile_locations_and_versions_in_the_renderer() -> None:
    meta = {
        "target": {
            "config": f"/h/{HOSTILE}.json",
            "configPath": f"/h/{HOSTILE}.json",
            "includes": [],
            "stateDir": "/h",
            "stateDirSource": "flag",
            "home": "",
            "deep": True,
            "openclawVersion": {"version": f"2026.1\x1b[2J{HOSTILE}", "source": "live"},
        }
    }
    findings = (
        Finding("a.b", Severity.WARN, "t", "d", location=Location(("a",), f"/h/{HOSTILE}", 1, 2)),
        Finding("c.d", Severity.INFO, "t", "d", location=Location(uri=f"ws://{HOSTILE}/")),
    )
    report = Report(ts=0, findings=findings, meta=meta)
    for width in (None, 40):
        out = render(report, layout=Layout(width=width, compact=width is None))
        for raw in ("\x1b", "\x07", "\u202e", "\r", "\x9b"):
            assert raw not in out
        assert "\\x1b]8;;http://x.test\\x07link" in out


def test_a_live_version_that_holds_a_secret_is_redacted() -> None:
    canary = "CANARY-live-version-0a1b2c3d4e5f6a7b"
    meta = {"target": {"stateDir": "/s", "openclawVersion": {"version": canary, "source": "live"}}}
    report = redact_report(Report(ts=0, findings=(), meta=meta), Scrubber([canary]))
    assert canary not in json.dumps(audit_object(report))
    assert canary not in render(report)
    assert canary not in json.dumps(report.meta)


def test_demo_copy_has_the_loose_modes_and_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    from openclaw_audit.errors import UsageError
    from openclaw_audit.face import demo

    old = os.umask(0o077)  # the demo's modes do not depend on the umask
    try:
        with demo.demo_state_dir() as state:
            assert os.stat(state).st_mode & 0o777 == 0o755
            assert os.stat(Path(state) / "openclaw.json").st_mode & 0o777 == 0o644
            assert (Path(state) / "agents/main/sessions/sessions.json").is_file()
    finally:
        os.umask(old)
    assert not Path(state).exists()
    monkeypatch.setattr(demo, "DEMO_DIR", "no-such-dir")
    with pytest.raises(UsageError, match="demo gateway is missing"), demo.demo_state_dir():
        pass
