"""One post-processing step for every run: config suppressions, ignore file, --min-severity,
baseline, then the rules the report carries. Single, fleet and --fix runs all get it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import RISKY, ids, run, run_json, target

from openclaw_audit.engine.audit import run_audit
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.report import selectors
from openclaw_audit.report.baseline import load_saved
from openclaw_audit.report.model import Severity
from openclaw_audit.report.postprocess import PostProcess

SUPPRESSED_RISKY = RISKY[:-1] + (
    ', security: {audit: {suppressions: [{checkId: "gateway.token_too_short", reason: "lab"}]}}}'
)
IGNORE_REDACT = '[[ignore]]\ncheckId = "logging.*"\nreason = "debugging"\n'


def test_steps_apply_in_order_and_every_left_finding_carries_its_rule(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", SUPPRESSED_RISKY)
    (cfg.parent / ".openclaw-audit-ignore.toml").write_text(IGNORE_REDACT)
    opts = AuditOptions(config_path=str(cfg), state_dir=str(cfg.parent), env={"HOME": "/none"})
    report = run_audit(opts, PostProcess(min_severity=Severity.WARN)).report
    left = [f.check_id for f in report.findings]
    # config suppression, then the default ignore file beside the config, then the floor
    assert "gateway.token_too_short" not in left and "logging.redact_off" not in left
    assert [s.finding.check_id for s in report.suppressed] == [
        "gateway.token_too_short",
        "logging.redact_off",
    ]
    assert left and all(f.severity.rank >= Severity.WARN.rank for f in report.findings)
    # the suppressions.active marker is info and falls under the floor like any finding
    assert "security.audit.suppressions.active" not in left
    assert set(report.rules) == {*left, "gateway.token_too_short", "logging.redact_off"}
    rule = report.rules["logging.redact_off"]
    assert rule.id == "logging.redact_off" and "## Why" in rule.docs


def test_baseline_step_keeps_only_new_findings(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    saved = tmp_path / "base.json"
    assert run("--json", "--config", str(cfg), "--output", str(saved)).returncode == 0
    post = PostProcess(baseline=load_saved(str(saved)))
    opts = AuditOptions(config_path=str(cfg), state_dir=str(cfg.parent), env={"HOME": "/none"})
    report = run_audit(opts, post).report
    assert report.findings == () and report.meta["baselineKnown"] > 0


def test_fix_runs_get_the_same_post_processing(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    ignore = tmp_path / "ignore.toml"
    ignore.write_text(IGNORE_REDACT)
    code, doc = run_json("--config", str(cfg), "--fix", "--dry-run", "--ignore-file", str(ignore))
    assert code == 0
    report = doc["report"]
    assert "logging.redact_off" not in ids(report)
    assert ids(report, "suppressedFindings") == ["logging.redact_off"]

    saved = tmp_path / "base.json"
    assert run("--json", "--config", str(cfg), "--output", str(saved)).returncode == 0
    code, doc = run_json("--config", str(cfg), "--fix", "--dry-run", "--baseline", str(saved))
    assert code == 0 and doc["report"]["findings"] == []


def test_fleet_sarif_describes_rules_from_the_reports(tmp_path: Path) -> None:
    a = target(tmp_path, "a", RISKY)
    b = target(tmp_path, "b", SUPPRESSED_RISKY)
    proc = run("--format", "sarif", "--config", str(a), "--config", str(b))
    doc = json.loads(proc.stdout)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    # described from the catalog (docs), not the bare-id fallback
    assert rules["gateway.token_too_short"]["shortDescription"]["text"] != "gateway.token_too_short"
    assert "## What" in rules["gateway.token_too_short"]["help"]["markdown"]


@pytest.mark.parametrize(
    ("selector", "check_id", "hit"),
    [
        ("gateway.bind_no_auth", "gateway.bind_no_auth", True),
        ("gateway.bind_no_auth", "gateway.bind_no_auth_x", False),
        ("gateway.*", "gateway.http.no_auth", True),
        ("fs.*", "gateway.x", False),
        ("*token*", "hooks.token_too_short", True),
        ("gateway.?ind_no_auth", "gateway.bind_no_auth", True),
        (" gateway.bind_no_auth ", "gateway.bind_no_auth", True),
    ],
)
def test_one_selector_syntax(selector: str, check_id: str, hit: bool) -> None:
    assert selectors.matches(selector, check_id) is hit


def test_check_option_and_config_suppressions_share_the_selector(tmp_path: Path) -> None:
    glob_suppressed = RISKY[:-1] + (
        ', security: {audit: {suppressions: [{checkId: "gateway.token*", reason: "lab"}]}}}'
    )
    cfg = target(tmp_path, "gw", glob_suppressed)
    _, doc = run_json("--config", str(cfg), "--check", "gateway.*")
    assert "gateway.token_too_short" in ids(doc, "suppressedFindings")
    shown = [i for i in ids(doc) if i != "security.audit.suppressions.active"]
    assert shown and all(i.startswith("gateway.") for i in shown)
