"""Command-line conventions (output-ux.md §5): help panels, metavars and epilog; shell
completion; a hint for audit options given after a subcommand; --check patterns that match
nothing; help's rich stays out of a plain run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import CALM, run, target

from openclaw_audit.face.cli_help import EPILOG, PANELS

ROOT = Path(__file__).resolve().parent.parent
WIDE = {"COLUMNS": "140"}


def test_help_groups_options_in_panels_in_the_spec_order() -> None:
    proc = run("--help", env=WIDE)
    assert proc.returncode == 0, proc.stderr
    titles = re.findall(r"╭─ (.+?) ─", proc.stdout)
    ours = [t for t in titles if t in PANELS]
    assert ours == [p for p in PANELS if p in ours]  # Target, Live probes, Fix, ... in order
    assert {"Target", "Live probes", "Fix", "Output", "CI policy"} <= set(ours)
    assert "Suppressions and baselines" in ours
    assert titles[-1] == "Commands"


@pytest.mark.parametrize(
    ("option", "metavar"),
    [
        ("--config", "PATH"),
        ("--state-dir", "DIR"),
        ("--timeout", "SECONDS"),
        ("--check", "ID|PREFIX*"),
        ("--skip-check", "ID|PREFIX*"),
        ("--output", "[FMT=]PATH"),
        ("--sarif-base", "DIR"),
        ("--sarif-category", "NAME"),
        ("--token-file", "PATH"),
    ],
)
def test_metavars_say_what_is_expected(option: str, metavar: str) -> None:
    out = run("--help", env=WIDE).stdout
    row = next(line for line in out.splitlines() if f" {option} " in line)
    assert f" {metavar} " in row, row


def test_epilog_has_four_examples_exit_codes_and_environment() -> None:
    out = run("--help", env=WIDE).stdout
    examples = out.split("Examples:")[1].split("Exit codes:")[0]
    commands = [line.split()[0] for line in examples.splitlines() if line.strip()]
    assert commands.count("openclaw-audit") == 4
    assert "0 the audit ran" in out and "2 usage or input error" in out
    assert "3 internal error" in out and "4 a live probe failed" in out
    for name in ("OPENCLAW_CONFIG_PATH", "OPENCLAW_GATEWAY_TOKEN", "DOCKER_HOST", "NO_COLOR"):
        assert name in out
    for short in ("-o", "-f", "-s", "-q", "-v", "-h"):
        assert re.search(rf"\s{short}\s", out), short


ENV_NAME = re.compile(
    r'"((?:OPENCLAW|CLAWDBOT|DOCKER|GITHUB|XDG)_[A-Z0-9_]+|NO_COLOR|FORCE_COLOR|COLUMNS)"'
)


def test_every_environment_variable_the_code_names_is_in_the_epilog() -> None:
    names: set[str] = set()
    for root in ("openclaw_audit", "probes", "static_checks"):
        for path in (ROOT / root).rglob("*.py"):
            names |= set(ENV_NAME.findall(path.read_text(encoding="utf-8")))
    missing = sorted(n for n in names if n not in EPILOG)
    assert missing == [], f"add to ENVIRONMENT in face/cli_help.py: {missing}"


def test_rich_loads_for_help_only() -> None:
    def imported(*args: str) -> set[str]:
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "openclaw_audit", *args],
            capture_output=True, text=True, cwd=ROOT, check=False, env=WIDE | _base_env(),
        )  # fmt: skip
        return {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}

    plain = imported("--state-dir", str(ROOT / "fixtures" / "demo" / "state"), "--json")
    assert "openclaw_audit.face.cli" in plain
    assert not {m for m in plain if m == "rich" or m.startswith("rich.")}
    assert "rich" in imported("--help")


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}


# --- completion ------------------------------------------------------------------------------


def test_show_completion_prints_a_script_for_the_shell() -> None:
    proc = run("--show-completion", "bash")
    assert proc.returncode == 0, proc.stderr
    assert "_OPENCLAW_AUDIT_COMPLETE=complete_bash" in proc.stdout


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("openclaw-audit --sarif-c", "1", {"--sarif-category"}),
        ("openclaw-audit --format ", "2", {"text", "json", "sarif", "github", "html"}),
        ("openclaw-audit ch", "1", {"checks"}),
    ],
)
def test_completion_completes_options_values_and_subcommands(
    words: str, cword: str, expected: set[str]
) -> None:
    env = {"_OPENCLAW_AUDIT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
    proc = run(env=env)
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) == expected


def test_install_completion_writes_only_under_home(tmp_path: Path) -> None:
    proc = run("--install-completion", "bash", env={"HOME": str(tmp_path), "SHELL": "/bin/bash"})
    assert proc.returncode == 0, proc.stderr
    script = tmp_path / ".bash_completions" / "openclaw-audit.sh"
    assert "_OPENCLAW_AUDIT_COMPLETE" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()


# --- misplaced options and selectors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option", "where"),
    [
        (["checks", "--deep"], "--deep", "openclaw-audit checks"),
        (["explain", "gateway.bind_no_auth", "--fail-on", "critical"], "--fail-on",
         "openclaw-audit explain"),
        (["diff", "a.json", "b.json", "-f", "sarif"], "-f", "openclaw-audit diff"),
        (["advisories", "update", "--config", "x.json"], "--config",
         "openclaw-audit advisories update"),
    ],
)  # fmt: skip
def test_audit_option_after_a_subcommand_gets_a_hint(
    args: list[str], option: str, where: str
) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"error: {option} is not an option of `{where}`",
        f"hint: {option} is an audit option: give it without a subcommand, e.g. "
        f"`openclaw-audit {option} …`",
    ]


def test_an_option_nobody_takes_keeps_the_usual_usage_error() -> None:
    proc = run("checks", "--no-such-thing")
    assert proc.returncode == 2
    assert "No such option: --no-such-thing" in proc.stderr
    assert "hint:" not in proc.stderr


@pytest.mark.parametrize(
    ("flag", "pattern", "suggestion"),
    [("--check", "gatway.bind_no_auth", "gateway.bind_no_auth"), ("--skip-check", "fz.*", "fs.*")],
)
def test_check_patterns_that_match_nothing_exit_2_with_did_you_mean(
    tmp_path: Path, flag: str, pattern: str, suggestion: str
) -> None:
    cfg = target(tmp_path, "s", CALM)
    proc = run("--config", str(cfg), flag, pattern)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        f"error: {flag} {pattern!r}: matches no check; did you mean {suggestion!r}?\n"
    )


def test_epilog_fits_80_columns_unwrapped() -> None:
    assert max(len(line) for line in EPILOG.splitlines()) <= 78
    out = run("--help", env={"COLUMNS": "80"}).stdout
    assert "  openclaw-audit -f sarif -o audit.sarif --fail-on critical" in out
