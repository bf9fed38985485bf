"""The CI-facing contract: --fail-on, selection, --min-severity, --output, explain."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import CALM, RISKY, ids, run, run_json, target

# RISKY has: critical gateway.control_ui.allowed_origins_required; warn gateway.token_too_short,
# gateway.auth_no_rate_limit, logging.redact_off; info summary.attack_surface.
# CALM has: warn gateway.trusted_proxies_missing; info summary.attack_surface.


@pytest.mark.parametrize(
    ("config", "fail_on", "code"),
    [
        (RISKY, "none", 0),
        (RISKY, "critical", 1),
        (RISKY, "warn", 1),
        (CALM, "critical", 0),
        (CALM, "warn", 1),
        (CALM, "info", 1),
    ],
)
def test_fail_on_thresholds(tmp_path: Path, config: str, fail_on: str, code: int) -> None:
    cfg = target(tmp_path, "gw", config)
    assert run("--config", str(cfg), "--fail-on", fail_on).returncode == code


def test_default_is_upstream_exit_0_even_with_critical(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    assert run("--config", str(cfg)).returncode == 0


def test_suppressed_findings_do_not_count(tmp_path: Path) -> None:
    cfg = target(
        tmp_path,
        "gw",
        RISKY[:-1]
        + ', security: {audit: {suppressions: [{checkId: "gateway.control_ui.allowed_origins_required", reason: "vpn only"}]}}}',
    )
    code, doc = run_json("--config", str(cfg), "--fail-on", "critical")
    assert code == 0
    assert doc["summary"]["critical"] == 0
    assert ids(doc, "suppressedFindings") == ["gateway.control_ui.allowed_origins_required"]
    assert run("--config", str(cfg), "--fail-on", "warn").returncode == 1


def test_fail_on_judges_what_min_severity_leaves(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    code, doc = run_json("--config", str(cfg), "--min-severity", "critical", "--fail-on", "warn")
    assert code == 0 and doc["findings"] == []
    code, doc = run_json("--config", str(cfg), "--min-severity", "warn", "--fail-on", "warn")
    assert code == 1 and ids(doc) == ["gateway.trusted_proxies_missing"]
    assert doc["summary"] == {"critical": 0, "warn": 1, "info": 0}


def test_check_and_skip_check_patterns(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    _, doc = run_json("--config", str(cfg), "--check", "gateway.*")
    assert ids(doc) == [
        "gateway.control_ui.allowed_origins_required",
        "gateway.token_too_short",
        "gateway.auth_no_rate_limit",
    ]
    _, doc = run_json(
        "--config", str(cfg), "--check", "gateway.*", "--skip-check", "gateway.token*"
    )
    assert "gateway.token_too_short" not in ids(doc)
    _, doc = run_json("--config", str(cfg), "--check", "logging.redact_off")
    assert ids(doc) == ["logging.redact_off"]
    code, _ = run_json(
        "--config", str(cfg), "--skip-check", "gateway.control_ui.*", "--fail-on", "critical"
    )
    assert code == 0


def test_output_file_and_json_to_stdout_only(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    out = tmp_path / "report.json"
    proc = run("--json", "--config", str(cfg), "--output", str(out), "--fail-on", "critical")
    assert proc.returncode == 1 and proc.stdout == ""
    assert out.read_text().startswith("{") and (out.stat().st_mode & 0o077) == 0


def test_explain_shows_docs_and_related_flags() -> None:
    proc = run("explain", "gateway.token_too_short")
    assert proc.returncode == 0
    for part in ("## What", "## Why", "## Fix", "## Related flags", "--skip-check", "[[ignore]]"):
        assert part in proc.stdout
    proc = run("explain", "audit.ignore_file.expired")
    assert proc.returncode == 0 and "[[ignore]]" not in proc.stdout
    assert run("explain", "no.such.check").returncode == 2
