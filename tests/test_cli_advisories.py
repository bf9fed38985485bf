"""openclaw.version.* through the real CLI: --advisories, the cache, -v, bad data, SARIF."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clirun import run, run_json, target
from osv_records import TOKEN_EXFIL, record, write_dir

from openclaw_audit.advisories.cache import cache_document, cache_path, write_cache

VULN_CONFIG = (
    '{meta: {lastTouchedVersion: "2026.1.24-3"}, gateway: {mode: "local", bind: "loopback", '
    'auth: {mode: "token", token: "0123456789abcdef0123456789abcdef0123"}}}'
)
EXFIL = record(**TOKEN_EXFIL)


def test_advisories_dir_gives_a_vulnerable_finding_last(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", VULN_CONFIG)
    adv = write_dir(tmp_path / "adv", EXFIL)
    code, doc = run_json("--config", str(cfg), "--advisories", str(adv))
    assert code == 0
    assert doc["findings"][-1]["checkId"] == "openclaw.version.vulnerable"
    finding = doc["findings"][-1]
    assert finding["severity"] == "critical"
    assert "CVE-2026-25253" in finding["detail"] and "2026.1.29" in finding["remediation"]
    assert doc["summary"]["critical"] >= 1


def test_without_data_nothing_and_v_says_why(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", VULN_CONFIG)
    env = {"XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    proc = run("--json", "-v", "--config", str(cfg), env=env)
    assert proc.returncode == 0
    assert not [
        f for f in json.loads(proc.stdout)["findings"] if f["checkId"].startswith("openclaw.")
    ]
    assert "no advisory data" in proc.stderr and "advisories update" in proc.stderr


def test_the_cache_is_used_and_stale_data_is_reported(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", VULN_CONFIG)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    old = datetime.now(UTC) - timedelta(days=45)
    write_cache(cache_path(env), cache_document([EXFIL], old, "https://osv.test"))
    code, doc = run_json("--config", str(cfg), env=env)
    assert code == 0
    found = [f["checkId"] for f in doc["findings"] if f["checkId"].startswith("openclaw.")]
    assert found == ["openclaw.version.vulnerable", "openclaw.version.advisories_stale"]
    # --check narrows as for every check; then the cache is not even read.
    cache_path(env).write_text("{broken")
    code, doc = run_json("--config", str(cfg), "--check", "gateway.*", env=env)
    assert code == 0


def test_bad_advisory_data_is_exit_2_and_one_line(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", VULN_CONFIG)
    adv = tmp_path / "all.zip"
    adv.write_bytes(b"PK\x03\x04 this is not a zip")
    proc = run("--config", str(cfg), "--advisories", str(adv))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == f"error: {adv}: not a readable zip archive (corrupt or truncated)"
    proc = run("--json", "--config", str(cfg), "--advisories", str(adv))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["kind"] == "advisories_error"


def test_corrupt_cache_is_exit_2_with_a_hint(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", VULN_CONFIG)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    cache_path(env).parent.mkdir(parents=True)
    cache_path(env).write_text("{broken")
    proc = run("--config", str(cfg), env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: {cache_path(env)}: the advisory cache is not valid JSON",
        "hint: run `openclaw-audit advisories update` again, or delete the file",
    ]


def test_sarif_carries_the_rule_and_result(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", VULN_CONFIG)
    adv = write_dir(tmp_path / "adv", EXFIL)
    proc = run("--format", "sarif", "--config", str(cfg), "--advisories", str(adv), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    sarif = json.loads(proc.stdout)["runs"][0]
    rules = {r["id"]: r for r in sarif["tool"]["driver"]["rules"]}
    assert rules["openclaw.version.vulnerable"]["defaultConfiguration"]["level"] == "error"
    [result] = [r for r in sarif["results"] if r["ruleId"] == "openclaw.version.vulnerable"]
    loc = result["locations"][0]
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "meta.lastTouchedVersion"
    assert loc["physicalLocation"]["region"]["startLine"] == 1


def test_explain_both_ids() -> None:
    for check_id in ("openclaw.version.vulnerable", "openclaw.version.advisories_stale"):
        proc = run("explain", check_id)
        assert proc.returncode == 0 and "## Why" in proc.stdout and check_id in proc.stdout
