"""SARIF output through the real CLI: schema-valid, GitHub-ingestible, located, stable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import CALM, RISKY, run, target

from openclaw_audit.engine.registry import load_catalog
from openclaw_audit.render.sarif import render
from openclaw_audit.report.model import Finding, Location, Report, Severity
from openclaw_audit.report.targets import TargetResult

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SCHEMA = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())


def validate(doc: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    github_ingestion_rules(doc)


def github_ingestion_rules(doc: dict[str, Any]) -> None:
    """The GitHub code-scanning checks of sarif.md §3.3 (GH1001/1005/1007/2012) and
    output-ux.md §4: at most 25,000 results, a category, both fingerprints, no overviews."""
    for run_ in doc["runs"]:
        assert len(run_["results"]) <= 25_000
        assert run_["automationDetails"]["id"].endswith("/")
        assert run_["tool"]["driver"]["informationUri"].startswith("https://")
        assert run_["invocations"][0]["workingDirectory"]["uri"].startswith("file://")
        rules = run_["tool"]["driver"]["rules"]
        assert len({r["id"] for r in rules}) == len(rules)
        for rule in rules:
            assert rule["shortDescription"]["text"]
            assert rule["fullDescription"]["text"]
            assert rule["help"]["text"]
            assert "security" in rule["properties"]["tags"]
            assert len(rule["properties"]["tags"]) <= 20
            float(rule["properties"]["security-severity"])
            assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
        for result in run_["results"]:
            assert result["ruleId"] not in ("summary.attack_surface",)
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert result["message"]["text"] and "id" not in result["message"]
            prints = result["partialFingerprints"]
            assert prints["openclawFinding/v1"] == prints["primaryLocationLineHash"]
            assert result["locations"]
            for loc in result["locations"]:
                uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                assert uri and not uri.startswith(("/", "file:", "..")), uri
                assert "\\" not in uri
                region = loc["physicalLocation"].get("region")  # none: the whole file
                assert region is None or region["startLine"] >= 1
                for logical in loc.get("logicalLocations", []):
                    assert logical["fullyQualifiedName"] and logical["kind"]


def results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["runs"][0]["results"]


def rule(doc: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"] == check_id)


def test_readme_ci_recipe_works_as_written(tmp_path: Path) -> None:
    # openclaw-audit --format sarif --output audit.sarif --fail-on critical
    shutil.copytree(ROOT / "openclaw_audit" / "demo", tmp_path / "state")
    env = {"OPENCLAW_STATE_DIR": str(tmp_path / "state")}
    proc = run(
        "--format", "sarif", "--output", "audit.sarif", "--fail-on", "critical",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the demo has critical findings
    assert proc.stdout == ""
    doc = json.loads((tmp_path / "audit.sarif").read_text())
    validate(doc)
    assert doc["version"] == "2.1.0"
    assert {r["artifactLocation"]["uri"] for r in _phys(doc)} >= {"state/openclaw.json"}
    # Same recipe on a calm gateway passes the gate.
    cfg = target(tmp_path, "calm", CALM)
    proc = run(
        "--config", str(cfg), "--format", "sarif", "--output", "audit.sarif",
        "--fail-on", "critical", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    validate(json.loads((tmp_path / "audit.sarif").read_text()))


def _phys(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [loc["physicalLocation"] for r in results(doc) for loc in r["locations"]]


def test_rules_levels_and_security_severity(tmp_path: Path) -> None:
    cfg = target(tmp_path, "risky", RISKY)
    proc = run("--config", str(cfg), "--format", "sarif", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    validate(doc)
    by_id = {r["ruleId"]: r for r in results(doc)}
    assert by_id["gateway.control_ui.allowed_origins_required"]["level"] == "error"
    assert by_id["gateway.token_too_short"]["level"] == "warning"
    # The attack-surface overview can never be fixed: run.properties, not an alert.
    assert "summary.attack_surface" not in by_id
    overviews = doc["runs"][0]["properties"]["overviews"]
    assert [o["checkId"] for o in overviews] == ["summary.attack_surface"]
    assert overviews[0]["detail"] and overviews[0]["target"] == str(cfg)
    crit = rule(doc, "gateway.control_ui.allowed_origins_required")
    assert crit["defaultConfiguration"]["level"] == "error"
    assert float(crit["properties"]["security-severity"]) > 9.0
    assert 4.0 <= float(rule(doc, "gateway.token_too_short")["properties"]["security-severity"]) < 9
    short = rule(doc, "gateway.token_too_short")
    meta = load_catalog().meta_for("gateway.token_too_short")
    assert meta is not None and short["shortDescription"]["text"] == meta.title
    assert "## Why" in short["help"]["markdown"]
    assert "short-token" not in proc.stdout  # the token never reaches the report


def test_results_point_at_the_file_and_line_holding_the_value(tmp_path: Path) -> None:
    sd = tmp_path / "s"
    cfg = target(tmp_path, "s", '{\n  gateway: { $include: "./gw.json5" },\n'
                 '  logging: { redactSensitive: "off" },\n}\n')  # fmt: skip
    (sd / "gw.json5").write_text(
        '{\n  mode: "local",\n  bind: "lan",\n  auth: { mode: "token", token: "short-token" },\n}\n'
    )
    (sd / "gw.json5").chmod(0o600)
    proc = run("--config", str(cfg), "--format", "sarif", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    validate(doc)
    by_id = {r["ruleId"]: r["locations"][0] for r in results(doc)}
    token = by_id["gateway.token_too_short"]
    assert token["physicalLocation"]["artifactLocation"]["uri"] == "s/gw.json5"
    assert token["physicalLocation"]["region"]["startLine"] == 4
    assert token["logicalLocations"][0]["fullyQualifiedName"] == "gateway.auth.token"
    redact = by_id["logging.redact_off"]
    assert redact["physicalLocation"]["artifactLocation"]["uri"] == "s/openclaw.json"
    assert redact["physicalLocation"]["region"]["startLine"] == 3
    assert "summary.attack_surface" not in by_id  # an overview: run.properties


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    cfg = target(tmp_path, "r", RISKY)
    first = json.loads(run("--config", str(cfg), "--format", "sarif", cwd=tmp_path).stdout)
    cfg.write_text("// moved down\n\n" + RISKY.replace(", ", ",\n"))
    second = json.loads(run("--config", str(cfg), "--format", "sarif", cwd=tmp_path).stdout)

    def prints(doc: dict[str, Any]) -> dict[str, str]:
        return {r["ruleId"]: r["partialFingerprints"]["openclawFinding/v1"] for r in results(doc)}

    assert prints(first) == prints(second)
    line1 = results(first)[-1]["locations"][0]["physicalLocation"]["region"]["startLine"]
    line2 = results(second)[-1]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert line2 > line1


SUPPRESSED = (
    '{gateway: {mode: "local", bind: "lan", auth: {mode: "token", token: "short-token"}},'
    ' logging: {redactSensitive: "off"},'
    ' security: {audit: {suppressions: [{checkId: "logging.redact_off", reason: "lab box"}]}}}'
)


def test_suppressed_findings_only_with_the_flag(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", SUPPRESSED)
    plain = json.loads(run("--config", str(cfg), "--format", "sarif", cwd=tmp_path).stdout)
    assert "logging.redact_off" not in {r["ruleId"] for r in results(plain)}
    proc = run(
        "--config", str(cfg), "--format", "sarif", "--sarif-include-suppressed", cwd=tmp_path
    )
    doc = json.loads(proc.stdout)
    validate(doc)
    sup = next(r for r in results(doc) if r["ruleId"] == "logging.redact_off")
    assert sup["suppressions"][0]["kind"] == "external"
    assert sup["suppressions"][0]["status"] == "accepted"
    assert sup["suppressions"][0]["justification"] == "lab box"
    # The suppression summary is an overview: run.properties, never a result.
    assert "security.audit.suppressions.active" not in {r["ruleId"] for r in results(doc)}
    overviews = doc["runs"][0]["properties"]["overviews"]
    assert "security.audit.suppressions.active" in {o["checkId"] for o in overviews}


def test_include_suppressed_without_sarif_is_a_usage_error(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", CALM)
    proc = run("--config", str(cfg), "--sarif-include-suppressed")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: --sarif-include-suppressed")


def test_deep_finding_carries_the_probed_url_without_credentials(tmp_path: Path) -> None:
    cfg = tmp_path / "openclaw.json"
    finding = Finding(
        "gateway.probe_failed",
        Severity.WARN,
        "Gateway probe failed",
        "The gateway did not answer.",
        location=Location(uri="ws://user:hunter2@127.0.0.1:18789/ws?token=abc"),
    )
    report = Report(
        ts=1,
        findings=(finding,),
        deep={"gateway": {"attempted": True, "url": None, "ok": False, "error": "timeout"}},
        config_path=str(cfg),
    )
    text = render([TargetResult(str(cfg), report)], base_dir=str(tmp_path))
    doc = json.loads(text)
    validate(doc)
    result = results(doc)[0]
    assert result["webRequest"]["target"] == "ws://127.0.0.1:18789/ws"
    assert "hunter2" not in text and "token=abc" not in text
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "openclaw.json"
    notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["descriptor"]["id"] == "deep.gateway.probe_failed"


@pytest.mark.parametrize(("severity", "level"), [("critical", "error"), ("warn", "warning")])
def test_escalated_result_rates_its_rule_by_the_worst_result(
    tmp_path: Path, severity: str, level: str
) -> None:
    finding = Finding("gateway.token_too_short", Severity(severity), "t", "d")
    report = Report(ts=1, findings=(finding,), config_path=str(tmp_path / "c.json"))
    doc = json.loads(render(report, base_dir=str(tmp_path)))
    validate(doc)
    assert results(doc)[0]["level"] == level
    rated = float(rule(doc, "gateway.token_too_short")["properties"]["security-severity"])
    assert (rated > 9.0) is (severity == "critical")
