"""--fix end to end through the CLI: one run fixes, the report is the post-fix audit, a second
run is a no-op; --dry-run changes nothing (fix.md §1.2, §5, B3)."""

from __future__ import annotations

import json
import re

from conftest import Tree
from typer.testing import CliRunner

from openclaw_audit.engine.registry import load_catalog
from openclaw_audit.face.cli import app

FIXED_IDS = {
    "logging.redact_off",
    "fs.state_dir.perms_world_writable",
    "fs.config.perms_writable",
    "fs.config_include.perms_writable",
    "fs.credentials_dir.perms_writable",
    "fs.sessions_store.perms_readable",
}


def invoke(tree: Tree, *args: str) -> tuple[int, str]:
    env = {**tree.env(), "NO_COLOR": "1"}
    result = CliRunner().invoke(app, ["--state-dir", str(tree.state), *args], env=env)
    return result.exit_code, result.stdout


def ids(report: dict) -> set[str]:
    return {f["checkId"] for f in report["findings"]}


def test_fix_json_then_second_run_is_a_no_op(tree: Tree) -> None:
    code, out = invoke(tree, "--json")
    assert code == 0
    before = ids(json.loads(out))
    known = {c for c in FIXED_IDS if c in before}
    assert {"fs.state_dir.perms_world_writable", "fs.config.perms_writable"} <= known
    if load_catalog().meta_for("logging.redact_off") is not None:  # written by another slice
        assert "logging.redact_off" in before

    code, out = invoke(tree, "--fix", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert list(doc) == ["fix", "report", "secretDiagnostics", "audit"]
    fix = doc["fix"]
    assert list(fix) == [
        "ok",
        "stateDir",
        "configPath",
        "configWritten",
        "changes",
        "actions",
        "errors",
    ]
    assert fix["ok"] is True and fix["configWritten"] is True
    assert fix["stateDir"] == str(tree.state) and fix["configPath"] == str(tree.config)
    assert 'logging.redactSensitive=off -> "tools"' in fix["changes"]
    assert "channels.telegram.groupPolicy=open -> allowlist" in fix["changes"]
    assert not ids(doc["report"]) & FIXED_IDS
    assert not any(i.startswith("fs.") for i in ids(doc["report"]))

    code, out = invoke(tree, "--fix", "--json")
    assert code == 0
    again = json.loads(out)["fix"]
    assert again["changes"] == [] and again["configWritten"] is False and again["ok"] is True
    assert all(a.get("skipped") in ("already", "missing") for a in again["actions"])

    code, out = invoke(tree, "--fix")
    assert code == 0
    # Hints name this tool and the target of the run (output-ux.md §3).
    assert "Fix: openclaw-audit --state-dir ~/.openclaw --fix\nFixes: no changes applied\n" in out


def test_fix_text_block_comes_before_the_findings(tree: Tree) -> None:
    code, out = invoke(tree, "--fix")
    assert code == 0
    lines = out.splitlines()
    fix_at = lines.index("FIX")
    assert lines[fix_at - 2] == "Fix: openclaw-audit --state-dir ~/.openclaw --fix"
    assert lines[fix_at - 1] == ""
    assert '  logging.redactSensitive=off -> "tools"' in lines
    assert "  chmod 700 ~/.openclaw" in lines
    assert "  chmod 600 ~/.openclaw/openclaw.json" in lines
    assert (
        "  skip chmod 600 ~/.openclaw/agents/main/agent/openclaw-agent.sqlite-shm (missing)"
        in lines
    )
    for heading in ("CRITICAL", "WARN", "INFO"):
        if heading in lines:
            assert lines.index(heading) > fix_at


def test_dry_run_through_the_cli_changes_nothing(tree: Tree) -> None:
    before = tree.snapshot()
    code, out = invoke(tree, "--fix", "--dry-run")
    assert code == 0
    assert tree.snapshot() == before
    assert f"--- {tree.config}" in out and f"+++ {tree.config} (fixed)" in out
    assert "  would chmod 700 ~/.openclaw" in out
    assert "FIX (dry run: nothing was changed)" in out
    # output-ux.md §3: the plan and what it would resolve come first; the report only with -v.
    assert re.search(r"^Would resolve \d+ findings \(\d+ critical\)\.$", out, re.M)
    assert "fs.state_dir.perms_world_writable" not in out
    code, out = invoke(tree, "--fix", "--dry-run", "-v")
    assert "fs.state_dir.perms_world_writable" in out  # the audit sees the unchanged state
    assert out.index("Would resolve") < out.index("fs.state_dir.perms_world_writable")
    code, out = invoke(tree, "--fix", "--dry-run", "--json")
    doc = json.loads(out)
    assert doc["fix"]["dryRun"] is True and doc["fix"]["configWritten"] is False
    assert tree.snapshot() == before


def test_fix_errors_exit_1_and_invalid_config_exits_2(tree: Tree) -> None:
    tree.config.chmod(0o444)
    code, out = invoke(tree, "--fix", "--json")
    assert code == 1
    assert json.loads(out)["fix"]["errors"][0].startswith("replaceConfigFile failed:")
    tree.config.chmod(0o600)
    tree.config.write_text("{ nope")
    code, out = invoke(tree, "--fix", "--json")
    assert code == 2
    assert json.loads(out)["ok"] is False and "fix" not in json.loads(out)


def test_dry_run_without_fix_is_a_usage_error(tree: Tree) -> None:
    code, _ = invoke(tree, "--dry-run")
    assert code == 2


def test_crashing_fixer_gives_fix_null_and_the_audit_still_runs(tree: Tree, monkeypatch) -> None:
    from openclaw_audit.fix import run as fix_run

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(fix_run, "build_plan", boom)
    code, out = invoke(tree, "--fix", "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["fix"] is None and "findings" in doc["report"]
    code, out = invoke(tree, "--fix")
    assert "Fixes: failed to apply (unexpected error)" in out


def test_dry_run_diff_never_shows_a_secret_from_context_lines(tree: Tree) -> None:
    token = "123456:AAFakeTelegramBotTokenValue0123456789"
    tree.include.write_text(
        f'{{\n  telegram: {{\n    botToken: "{token}",\n    groupPolicy: "open",\n  }},\n}}\n'
    )
    for args in (("--fix", "--dry-run"), ("--fix", "--dry-run", "--json")):
        code, out = invoke(tree, *args)
        assert code == 0
        assert "groupPolicy" in out and token not in out
