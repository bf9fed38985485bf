"""``--settings`` / the state dir's openclaw-audit.toml (scheduled-scans.md §8), through the
real CLI: the file gives defaults, the command line wins, bad files are input errors (exit 2)
that name the key and file:line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from clirun import RISKY, run


def state(tmp_path: Path, config: str = RISKY, settings: str | None = None) -> Path:
    sd = tmp_path / "state"
    sd.mkdir(mode=0o700)
    cfg = sd / "openclaw.json"
    cfg.write_text(config)
    cfg.chmod(0o600)
    if settings is not None:
        (sd / "openclaw-audit.toml").write_text(settings)
    return sd


def ids(stdout: str) -> set[str]:
    return {f["checkId"] for f in json.loads(stdout)["findings"]}


def test_settings_give_defaults_and_the_command_line_wins(tmp_path: Path) -> None:
    sd = state(tmp_path)
    settings = tmp_path / "audit.toml"
    settings.write_text('fail-on = "warn"\nskip-check = ["gateway.*"]\njson = true\n')
    proc = run("--state-dir", str(sd), "--settings", str(settings))
    assert proc.returncode == 1, proc.stderr  # fail-on warn from the file
    found = ids(proc.stdout)  # json = true from the file
    assert found and not any(i.startswith("gateway.") for i in found)
    # Given on the command line, an option replaces the file's value (lists too).
    proc = run(
        "--state-dir", str(sd), "--settings", str(settings),
        "--fail-on", "none", "--skip-check", "logging.*",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    found = ids(proc.stdout)
    assert "gateway.token_too_short" in found and "logging.redact_off" not in found


def test_default_location_is_the_state_dir(tmp_path: Path) -> None:
    sd = state(tmp_path, settings='fail-on = "critical"\n')
    assert run("--state-dir", str(sd)).returncode == 1
    # --settings names another file: the state dir's one is not read
    other = tmp_path / "other.toml"
    other.write_text('fail-on = "none"\n')
    assert run("--state-dir", str(sd), "--settings", str(other)).returncode == 0
    # OPENCLAW_STATE_DIR chooses the state dir, and so the settings file, too
    assert run(env={"OPENCLAW_STATE_DIR": str(sd)}).returncode == 1


def test_unknown_key_is_an_input_error_naming_file_and_line(tmp_path: Path) -> None:
    sd = state(tmp_path, settings='fail-on = "warn"\n\n# typo below\nfial-on = "info"\n')
    proc = run("--state-dir", str(sd))
    assert proc.returncode == 2
    path = sd / "openclaw-audit.toml"
    assert proc.stderr.splitlines() == [
        f"error: {path}:4: unknown key 'fial-on'",
        "hint: did you mean 'fail-on'?",
    ]
    assert proc.stdout == ""
    proc = run("--state-dir", str(sd), "--json")
    assert proc.returncode == 2
    err = json.loads(proc.stdout)["error"]
    assert (err["kind"], err["file"], err["line"]) == ("usage_error", str(path), 4)


def test_wrong_types_and_values_are_input_errors(tmp_path: Path) -> None:
    sd = state(tmp_path)
    cases = {
        'timeout = "soon"\n': "key 'timeout': 'soon' is not a valid float.",
        'fail-on = "bogus"\n': "key 'fail-on': 'bogus' is not one of",
        "fail-on = true\n": "key 'fail-on' must be a string or a number, not bool",
        'deep = "yes"\n': "key 'deep' must be true or false, not str",
        "skip-check = [1, [2]]\n": "key 'skip-check' must be a string or an array of strings",
        "[fail-on]\nx = 1\n": "key 'fail-on' must be a string or a number, not dict",
        "fail-on = \n": "settings file is not valid TOML: Invalid value",
    }
    for n, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"s{n}.toml"
        path.write_text(text)
        proc = run("--state-dir", str(sd), "--settings", str(path))
        assert proc.returncode == 2, (text, proc.stderr)
        assert proc.stderr.startswith(f"error: {path}:1: {message}"), (text, proc.stderr)


def test_secrets_and_fix_cannot_come_from_a_file(tmp_path: Path) -> None:
    sd = state(tmp_path)
    cases = {
        'token = "CANARY-settings-token-0123456789"\n': "use token-file",
        "fix = true\n": "key 'fix': it cannot be set in a settings file",
    }
    for text, message in cases.items():
        path = tmp_path / "s.toml"
        path.write_text(text)
        proc = run("--state-dir", str(sd), "--settings", str(path))
        assert proc.returncode == 2 and message in proc.stderr
        assert "CANARY" not in proc.stderr + proc.stdout


def test_missing_settings_file_and_subcommands(tmp_path: Path) -> None:
    sd = state(tmp_path, settings="bogus-key = 1\n")
    proc = run("--state-dir", str(sd), "--settings", str(tmp_path / "nope.toml"))
    assert proc.returncode == 2 and "settings file not found" in proc.stderr
    # A subcommand reads no settings file: a broken one does not stop `checks`.
    proc = run("--state-dir", str(sd), "checks", env={"OPENCLAW_STATE_DIR": str(sd)})
    assert proc.returncode == 0, proc.stderr


def test_format_on_the_command_line_beats_json_from_the_file(tmp_path: Path) -> None:
    sd = state(tmp_path, settings="json = true\n")
    proc = run("--state-dir", str(sd), "--format", "sarif")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["version"] == "2.1.0"
    (sd / "openclaw-audit.toml").write_text('format = "sarif"\n')
    proc = run("--state-dir", str(sd), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "findings" in json.loads(proc.stdout)
    # both on the command line: still the usage error it always was
    assert run("--state-dir", str(sd), "--json", "--format", "sarif").returncode == 2


def test_history_notify_and_html_from_the_settings_file(tmp_path: Path) -> None:
    """The scheduled-scan keys (history, notify-*, format, output) reach their options: two
    runs record a history, the second page shows its trend, the notify command gets the drift."""
    import html5lib

    sd = state(tmp_path)
    report = tmp_path / "report.html"
    got = tmp_path / "notified.json"
    script = tmp_path / "notify.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write(sys.stdin.read())\n")
    (sd / "openclaw-audit.toml").write_text(
        f'quiet = true\nhistory = "{tmp_path / "history.db"}"\nformat = "html"\n'
        f'output = "{report}"\nnotify-on = "always"\n'
        f'notify-cmd = "{sys.executable} {script} {got}"\n'
    )
    for _ in range(2):
        proc = run("--state-dir", str(sd))
        assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and json.loads(got.read_text())["summary"]
    doc = html5lib.HTMLParser(strict=True).parse(report.read_text(encoding="utf-8"))
    svg = "{http://www.w3.org/2000/svg}"
    trend = [s for s in doc.iter(f"{svg}svg") if s.get("class") == "trend"]
    assert len(trend) == 1
    lines = [p.get("points").split() for p in trend[0].iter(f"{svg}polyline")]
    assert [len(points) for points in lines] == [2, 2]  # warn and critical, one point per run
    ages = [s for s in doc.iter("{http://www.w3.org/1999/xhtml}span") if s.get("class") == "age"]
    assert ages and all("".join(a.itertext()).startswith("first seen ") for a in ages)
