"""SARIF that GitHub keeps (output-ux.md §4): anchors, overviews, the 25,000 cap, category,
base directory, fingerprints, precision and probe notifications."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import CALM, run, target
from test_sarif import SCHEMA, github_ingestion_rules, results, rule, validate

from openclaw_audit.config.loader import load_config
from openclaw_audit.engine.anchors import anchored
from openclaw_audit.engine.registry import load_catalog
from openclaw_audit.face.ci_outputs import after_write
from openclaw_audit.render.sarif import MAX_RESULTS, render
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import Finding, Location, Report, Severity
from openclaw_audit.report.postprocess import rules_for
from openclaw_audit.report.targets import TargetResult


def _sarif(report: Report, base: Path, **kw: Any) -> dict[str, Any]:
    doc = json.loads(
        render([TargetResult(report.config_path or "", report)], base_dir=str(base), **kw)
    )
    return doc


def _loc(doc: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(r for r in results(doc) if r["ruleId"] == check_id)["locations"][0]


# --- anchors ---------------------------------------------------------------------------------


def test_filesystem_findings_point_at_the_offending_file(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", '{\n  gateway: { $include: "./gw.json5" },\n}\n')
    inc = tmp_path / "s" / "gw.json5"
    inc.write_text('{ mode: "local", bind: "loopback" }\n')
    inc.chmod(0o644)  # world-readable include
    cfg.chmod(0o640)  # group-readable config
    proc = run("--config", str(cfg), "--format", "sarif", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    validate(doc)
    include = _loc(doc, "fs.config_include.perms_world_readable")["physicalLocation"]
    assert include == {"artifactLocation": {"uri": "s/gw.json5"}}  # the whole include file
    config = _loc(doc, "fs.config.perms_group_readable")["physicalLocation"]
    assert config == {"artifactLocation": {"uri": "s/openclaw.json"}}


def test_a_file_outside_the_base_falls_back_to_the_config_with_a_logical_location(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    cfg = repo / "openclaw.json"
    elsewhere = str(tmp_path / "home" / ".openclaw" / "credentials")
    outside = Finding(
        "fs.credentials_dir.perms_readable", Severity.WARN, "t", "d",
        location=Location(file=elsewhere),
    )  # fmt: skip
    unlocated = Finding("security.trust_model.multi_user_heuristic", Severity.WARN, "t", "d")
    unplaced = Finding(
        "gateway.loopback_no_auth", Severity.CRITICAL, "t", "d",
        location=Location(config_path=("gateway", "auth")),
    )  # fmt: skip
    report = Report(ts=1, findings=(outside, unlocated, unplaced), config_path=str(cfg))
    doc = _sarif(report, repo)
    validate(doc)
    locs = [r["locations"][0] for r in results(doc)]
    for loc in locs:  # never a made-up line 1: the config file as a whole
        assert loc["physicalLocation"] == {"artifactLocation": {"uri": "openclaw.json"}}
    assert locs[0]["logicalLocations"][0]["fullyQualifiedName"] == elsewhere
    assert locs[1]["logicalLocations"][0] == {
        "name": "openclaw.json",
        "fullyQualifiedName": str(cfg),
        "kind": "resource",
    }
    assert locs[2]["logicalLocations"][0]["fullyQualifiedName"] == "gateway.auth"


def test_a_config_value_outside_the_base_keeps_its_line(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    cfg = tmp_path / "home" / ".openclaw" / "openclaw.json"
    finding = Finding(
        "gateway.token_too_short", Severity.WARN, "t", "d",
        location=Location(config_path=("gateway", "auth", "token"), file=str(cfg), line=10, column=14),
    )  # fmt: skip
    doc = _sarif(Report(ts=1, findings=(finding,), config_path=str(cfg)), repo)
    # Schema only: no relative URI exists for a file outside the checkout (GitHub cannot show
    # it either way); other consumers keep the exact line.
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    physical = _loc(doc, "gateway.token_too_short")["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": cfg.as_uri()},
        "region": {"startLine": 10, "startColumn": 14},
    }


EXPOSED = """{
  tools: { exec: { security: "full" } },
  channels: {
    telegram: {
      botToken: "123:abc",
      groupPolicy: "allowlist",
      dmPolicy: "open",
      allowFrom: ["*"],
    },
  },
}
"""


def test_exposure_findings_point_at_the_first_open_policy(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", EXPOSED)
    doc = json.loads(run("--config", str(cfg), "--format", "sarif", cwd=tmp_path).stdout)
    validate(doc)
    for cid in (
        "security.exposure.open_groups_with_elevated",
        "security.exposure.open_groups_with_runtime_or_fs",
        "security.exposure.open_groups_with_control_plane_tools",
        "security.exposure.open_channels_with_exec",
    ):
        loc = _loc(doc, cid)
        assert loc["physicalLocation"]["region"]["startLine"] == 7, cid
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == "channels.telegram.dmPolicy"


def test_live_http_findings_are_anchored_at_gateway_auth(tmp_path: Path) -> None:
    cfg = target(
        tmp_path, "s", '{\n  gateway: {\n    bind: "lan",\n    auth: { mode: "none" },\n  },\n}\n'
    )
    loaded = load_config(env={}, config_path=str(cfg), state_dir=str(cfg.parent))
    load_catalog()
    probed = Finding(
        "gateway.http.unauthenticated_reachable", Severity.CRITICAL, "t", "answered",
        location=Location(uri="http://127.0.0.1:18789"),
    )  # fmt: skip
    [found] = anchored([probed], loaded.resolved)
    assert found.location is not None
    assert found.location.dotted == "gateway.auth" and found.location.line == 4
    assert found.location.uri == "http://127.0.0.1:18789"  # the evidence stays
    report = Report(ts=1, findings=(found,), config_path=str(cfg), rules=rules_for([found]))
    doc = _sarif(report, tmp_path)
    validate(doc)
    loc = _loc(doc, "gateway.http.unauthenticated_reachable")
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "s/openclaw.json"
    assert loc["physicalLocation"]["region"]["startLine"] == 4
    assert results(doc)[0]["webRequest"] == {"target": "http://127.0.0.1:18789"}


# --- the 25,000 cap --------------------------------------------------------------------------


def _accounts(tmp_path: Path, n: int) -> Report:
    """A report like a generated n-account config gives: one finding per account, mixed
    severities, each located at its account's dmPolicy line."""
    cfg = tmp_path / "openclaw.json"
    order = (Severity.INFO, Severity.WARN, Severity.CRITICAL, Severity.WARN)
    findings = tuple(
        Finding(
            "channels.telegram.dm.open",
            order[i % 4],
            "Channel DMs are open to anyone",
            f"account acct{i} accepts DMs from anyone",
            subject=f"telegram:acct{i}",
            location=Location(
                ("channels", "telegram", "accounts", f"acct{i}", "dmPolicy"), str(cfg), 3 + i, 7
            ),
        )
        for i in range(n)
    )
    return Report(ts=1, findings=findings, config_path=str(cfg), rules=rules_for(findings[:1]))


def test_26000_results_keep_the_25000_most_severe_and_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _accounts(tmp_path, 26_000)
    doc = _sarif(report, tmp_path)
    github_ingestion_rules(doc)  # the schema walk of 25,000 results is slow; small logs do it
    kept = results(doc)
    assert len(kept) == MAX_RESULTS
    levels = [r["level"] for r in kept]
    assert levels.count("error") == 6_500 and levels.count("warning") == 13_000
    assert levels.count("note") == 5_500  # 1,000 of the 6,500 infos were dropped
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in kept]
    assert lines == sorted(lines)  # report order is kept
    notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    capped = [n for n in notes if n["descriptor"]["id"] == "sarif.results_capped"]
    assert "1000 of 26000 results were left out" in capped[0]["message"]["text"]
    # The face says it on stderr too, even under -q.
    after_write("sarif", [TargetResult("t", report)], include_suppressed=False, quiet=True)
    err = capsys.readouterr().err
    assert err.startswith("warning: SARIF: 26000 results") and "1000 least severe" in err


def test_past_5000_results_a_warning_says_github_shows_only_5000(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _accounts(tmp_path, 5_001)
    after_write("sarif", [TargetResult("t", report)], include_suppressed=False, quiet=False)
    assert "displays only the 5,000 most severe" in capsys.readouterr().err
    after_write("sarif", [TargetResult("t", _accounts(tmp_path, 5_000))], include_suppressed=False,
                quiet=False)  # fmt: skip
    assert capsys.readouterr().err == ""


# --- category, base, invocation, fingerprints, precision -------------------------------------


def test_category_base_and_invocation(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    cfg = target(repo, "deploy", CALM)
    proc = run(
        "--config", str(cfg), "--format", "sarif", "--sarif-category", "gateway-prod",
        "--sarif-base", str(repo), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    validate(doc)
    run_ = doc["runs"][0]
    assert run_["automationDetails"]["id"] == "gateway-prod/"
    assert run_["invocations"][0]["executionSuccessful"] is True
    assert run_["invocations"][0]["workingDirectory"]["uri"] == tmp_path.as_uri()
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(doc)}
    assert uris == {"deploy/openclaw.json"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sarif-category", "x"], "--sarif-category only makes sense with --format sarif"),
        (["--format", "sarif", "--sarif-category", "a b"], "give a name without spaces"),
        (["--sarif-base", "."], "--sarif-base only makes sense with --format sarif or github"),
        (["--format", "sarif", "--sarif-base", "nope"], "no such directory"),
        (["--format", "github", "--fix"], "--fix prints text or JSON"),
    ],
)
def test_ci_option_misuse_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    cfg = target(tmp_path, "s", CALM)
    proc = run("--config", str(cfg), *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr.splitlines()[0]


def test_fingerprints_carry_the_stable_one_under_both_keys(tmp_path: Path) -> None:
    finding = Finding("logging.redact_off", Severity.WARN, "t", "d", subject="logging")
    doc = _sarif(Report(ts=1, findings=(finding,), config_path=str(tmp_path / "c.json")), tmp_path)
    assert results(doc)[0]["partialFingerprints"] == {
        "openclawFinding/v1": fingerprint(finding),
        "primaryLocationLineHash": fingerprint(finding),
    }


HEURISTICS = (
    "security.trust_model.multi_user_heuristic",
    "models.small_params",
    "models.weak_tier",
    "models.legacy",
    "channels.slack.allowFrom.name_based_entries",
    "channels.zalouser.groups.mutable_entries",
    "plugins.code_safety",
    "skills.code_safety",
    "skills.markdown_sensitive_network",
    "discovery.mdns.possible_spoof",
)


def test_heuristic_checks_have_medium_precision_as_catalog_data(tmp_path: Path) -> None:
    catalog = load_catalog()
    for cid in HEURISTICS:
        meta = catalog.meta_for(cid)
        assert meta is not None and meta.precision == "medium", cid
    found = [Finding(cid, Severity.WARN, "t", "d") for cid in (*HEURISTICS, "logging.redact_off")]
    report = Report(ts=1, findings=tuple(found), config_path=str(tmp_path / "c.json"),
                    rules=rules_for(found))  # fmt: skip
    doc = _sarif(report, tmp_path)
    validate(doc)
    for cid in HEURISTICS:
        assert rule(doc, cid)["properties"]["precision"] == "medium"
    assert rule(doc, "logging.redact_off")["properties"]["precision"] == "high"


# --- probe notifications ---------------------------------------------------------------------


def test_probe_notifications_say_what_happened(tmp_path: Path) -> None:
    deep = {
        "mdns": {"attempted": True, "browseMs": 1500, "error": None, "instances": []},
        "docker": {
            "attempted": True, "ok": False, "skipped": "Docker is not running",
            "timedOut": False, "timeoutMs": 5000, "containers": [],
        },
        "gateway": {"attempted": True, "ok": False, "error": "connection refused", "url": None},
        "http": {"baseUrl": "http://127.0.0.1:18789", "endpoints": {}, "credentialAccepted": None},
    }  # fmt: skip
    report = Report(ts=1, findings=(), deep=deep, config_path=str(tmp_path / "c.json"))
    doc = _sarif(report, tmp_path)
    validate(doc)
    notes = {
        n["descriptor"]["id"]: n
        for n in doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    }
    mdns = notes["deep.mdns.probe_ok"]  # nothing found is a successful browse
    assert (
        mdns["level"] == "note"
        and "0 instance(s) seen in a 1500 ms browse" in mdns["message"]["text"]
    )
    assert "deep.mdns.probe_failed" not in notes
    docker = notes["deep.docker.skipped"]
    assert docker["level"] == "note"
    assert docker["message"]["text"] == "docker probe skipped: Docker is not running"
    assert notes["deep.gateway.probe_failed"]["level"] == "warning"
    assert "connection refused" in notes["deep.gateway.probe_failed"]["message"]["text"]
    assert notes["deep.http.probe_ok"]["level"] == "note"
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True
