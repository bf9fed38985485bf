"""``--format github``: workflow annotations parsed back, GitHub's escaping, the step summary
appended to $GITHUB_STEP_SUMMARY, and no secret in any of it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from clirun import CALM, RISKY, run, target

from openclaw_audit.render.github import annotation, escape_data, escape_property
from openclaw_audit.report.model import Finding, Location, Report, Severity

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from hostile_harness import CANARIES, CANARY_CLI_TOKEN, CANARY_TOKEN

COMMAND = re.compile(r"^::(error|warning|notice)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


def unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(stdout: str) -> list[dict[str, str]]:
    """Each line as GitHub's runner reads it: the command, its properties and the message."""
    out = []
    for line in stdout.splitlines():
        m = COMMAND.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in (m["props"] or "").split(",") if p)
        out.append(
            {"level": m[1], "message": unescape(m["msg"])}
            | {k: unescape(v) for k, v in props.items()}
        )
    return out


def test_annotations_parse_back_most_severe_first(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    proc = run("--config", str(cfg), "--format", "github", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    notes = parse(proc.stdout)
    assert [n["level"] for n in notes][:1] == ["error"]
    assert {n["level"] for n in notes} == {"error", "warning"}  # the overview is left out
    by_title = {n["title"]: n for n in notes}
    token = by_title["Gateway token is short (gateway.token_too_short)"]
    assert token["file"] == "gw/openclaw.json"
    assert token["line"] == "1" and int(token["col"]) > 1
    assert "Fix:" not in token["message"]  # this check has no remediation
    rate = by_title["Gateway auth has no rate limit (gateway.auth_no_rate_limit)"]
    assert rate["message"].endswith("\nFix: Set gateway.auth.rateLimit, e.g. {maxAttempts: 10, "
                                    "windowMs: 60000, lockoutMs: 300000}.")  # fmt: skip
    assert "short-token" not in proc.stdout


def test_escaping_keeps_hostile_text_inside_one_command(tmp_path: Path) -> None:
    # A CR is shown escaped (textsafe), a LF percent-encoded: neither can end the command.
    assert escape_data("50% done\r\nnext") == "50%25 done\\x0d%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    evil = Finding(
        "logging.redact_off", Severity.WARN, "title, with: colon",
        "line one\n::error file=x::forged\r\n%0A", remediation=None,
        location=Location(("logging",), str(tmp_path / "dir,with:odd" / "c.json"), 3, 5),
    )  # fmt: skip
    report = Report(ts=1, findings=(evil,), config_path=str(tmp_path / "c.json"))
    line = annotation(evil, report, str(tmp_path))
    assert "\n" not in line and "\r" not in line
    [parsed] = parse(line)
    assert parsed["file"] == "dir,with:odd/c.json"
    assert parsed["title"] == "title, with: colon (logging.redact_off)"
    assert parsed["message"] == "line one\n::error file=x::forged\\x0d\n%0A"
    assert (parsed["line"], parsed["col"]) == ("3", "5")


def test_a_finding_outside_the_base_is_annotated_on_the_config_or_unlocated(
    tmp_path: Path,
) -> None:
    outside = Finding("fs.state_dir.perms_readable", Severity.WARN, "t", "d",
                      location=Location(file="/elsewhere/state"))  # fmt: skip
    inside = Report(ts=1, findings=(outside,), config_path=str(tmp_path / "c.json"))
    assert parse(annotation(outside, inside, str(tmp_path)))[0]["file"] == "c.json"
    away = Report(ts=1, findings=(outside,), config_path="/elsewhere/c.json")
    assert "file" not in parse(annotation(outside, away, str(tmp_path)))[0]


def test_step_summary_is_appended_when_github_asks(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    proc = run(
        "--config", str(cfg), "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)},
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = summary.read_text()
    assert text.startswith("# earlier step\n## openclaw-audit\n")  # appended, not replaced
    assert f"| {cfg} | 1 | 4 | 1 |" in text
    assert "| critical | `gateway.control_ui.allowed_origins_required` |" in text
    assert "short-token" not in text
    # Other formats leave the summary alone.
    run("--config", str(cfg), "--json", env={"GITHUB_STEP_SUMMARY": str(summary)}, cwd=tmp_path)
    assert summary.read_text() == text


def test_an_unwritable_step_summary_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    proc = run(
        "--config", str(cfg), "--format", "github",
        env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "such" / "dir" / "s.md")}, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0
    assert proc.stderr.startswith("warning: cannot append to $GITHUB_STEP_SUMMARY")
    assert parse(proc.stdout)


def test_canaries_never_reach_annotations_summary_or_sarif(tmp_path: Path) -> None:
    config = {
        "gateway": {"bind": "lan", "auth": {"mode": "token", "token": CANARY_TOKEN}},
        "logging": {"redactSensitive": "off"},
    }
    cfg = target(tmp_path, "gw", json.dumps(config))
    summary = tmp_path / "summary.md"
    for fmt in (["--format", "github"], ["--format", "sarif", "--sarif-category", "c"]):
        proc = run(
            "--config", str(cfg), *fmt, "--token", CANARY_CLI_TOKEN, "-v",
            env={"GITHUB_STEP_SUMMARY": str(summary)}, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        everything = proc.stdout + proc.stderr + summary.read_text()
        for canary in CANARIES:
            assert canary not in everything, (fmt, canary)


def test_an_input_error_is_an_annotation_too(tmp_path: Path) -> None:
    proc = run("--config", str(tmp_path / "missing.json"), "--format", "github", cwd=tmp_path)
    assert proc.returncode == 2
    [note] = parse(proc.stdout)
    assert note["level"] == "error" and note["title"] == "openclaw-audit"
    assert note["message"] == proc.stderr.rstrip("\n")
    assert "missing.json" in note["message"]
