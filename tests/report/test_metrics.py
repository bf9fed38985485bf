"""The Prometheus textfile (scheduled-scans.md §5), read back with the real exposition-format
parser of prometheus-client."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from openclaw_audit.errors import AuditError
from openclaw_audit.render.metrics import MAX_SERIES, escape, render
from openclaw_audit.report.model import Finding, Location, Report, Severity
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.report.trend import DriftItem, RunDrift, TargetHistory

HOSTILE = 'we"ird\\path\nwith "quotes" \\n, a newline, \r and \u2028'
SPEC_FAMILIES = {
    "openclaw_audit_findings": {"target", "severity"},
    "openclaw_audit_finding": {"target", "check_id", "severity"},
    "openclaw_audit_finding_truncated": {"target"},
    "openclaw_audit_new_findings": {"target"},
    "openclaw_audit_suppressions_expired": {"target"},
    "openclaw_audit_probe_up": {"target", "probe"},
    "openclaw_audit_probe_duration_seconds": {"target", "probe"},
    "openclaw_audit_gateway_http_unauthenticated": {"target", "endpoint"},
    "openclaw_audit_run_duration_seconds": {"target"},
    "openclaw_audit_last_run_timestamp_seconds": set(),
    "openclaw_audit_last_success_timestamp_seconds": set(),
}

DEEP: dict[str, Any] = {
    "gateway": {"attempted": True, "ok": True, "error": None, "latencyMs": 12},
    "http": {
        "baseUrl": "http://127.0.0.1:18789",
        "endpoints": {
            "/tools/invoke": {"status": 400, "result": "open"},
            "/v1/chat/completions": {"status": 401, "result": "enforced"},
            "/v1/responses": {"status": None, "result": "timeout"},
        },
    },
    "docker": {"attempted": True, "ok": False, "skipped": "socket missing", "elapsedMs": 3},
    "mdns": {"attempted": True, "browseMs": 2000, "error": "no multicast", "instances": []},
}


def finding(check_id: str, sev: Severity = Severity.WARN, subject: str | None = None) -> Finding:
    return Finding(check_id, sev, "title", "detail", subject=subject)


def report(*findings: Finding, deep: dict[str, Any] | None = None, **meta: Any) -> Report:
    return Report(
        ts=1_700_000_000_000,
        findings=tuple(findings),
        deep=deep,
        config_path="/etc/openclaw/openclaw.json",
        meta={"target": {"durationMs": 1500}, **meta},
    )


def families(text: str) -> dict[str, Any]:
    parsed = {f.name: f for f in text_string_to_metric_families(text)}
    for fam in parsed.values():
        assert fam.type == "gauge" and fam.documentation
    return parsed


def samples(fams: dict[str, Any], name: str) -> list[tuple[dict[str, str], float]]:
    return [(s.labels, s.value) for s in fams[name].samples]


def test_every_line_parses_and_families_are_as_specified() -> None:
    rep = report(
        finding("gateway.bind_no_auth", Severity.CRITICAL),
        finding("channels.telegram.dm.open", subject="a"),
        finding("channels.telegram.dm.open", subject="b"),
        finding("audit.ignore_file.expired"),
        deep=DEEP,
        target={"durationMs": 1500, "sandboxConfigured": True},
        baselineKnown=0,
    )
    text = render([TargetResult("cfg", rep)])
    assert text.endswith("\n")
    fams = families(text)
    assert set(fams) == set(SPEC_FAMILIES)
    for name, labels in SPEC_FAMILIES.items():
        for sample_labels, _ in samples(fams, name):
            assert set(sample_labels) == labels, name
    target = "/etc/openclaw/openclaw.json"
    findings = {lab["severity"]: v for lab, v in samples(fams, "openclaw_audit_findings")}
    assert findings == {"critical": 1, "warn": 3, "info": 0}
    per_check = {lab["check_id"]: v for lab, v in samples(fams, "openclaw_audit_finding")}
    # Two accounts of one check are one series (the collector rejects duplicates), counted.
    assert per_check["channels.telegram.dm.open"] == 2
    assert samples(fams, "openclaw_audit_finding")[0][0]["severity"] == "critical"
    probes = {lab["probe"]: v for lab, v in samples(fams, "openclaw_audit_probe_up")}
    # docker skipped while sandboxing is configured: failed; mdns could not browse: failed.
    assert probes == {"gateway": 1, "http": 1, "docker": 0, "mdns": 0}
    durations = {
        lab["probe"]: v for lab, v in samples(fams, "openclaw_audit_probe_duration_seconds")
    }
    assert durations == {"gateway": 0.012, "docker": 0.003, "mdns": 2.0}
    http = {
        lab["endpoint"]: v
        for lab, v in samples(fams, "openclaw_audit_gateway_http_unauthenticated")
    }
    assert http == {"/tools/invoke": 1, "/v1/chat/completions": 0}  # timeout: not proven
    assert samples(fams, "openclaw_audit_suppressions_expired") == [({"target": target}, 1)]
    assert samples(fams, "openclaw_audit_run_duration_seconds") == [({"target": target}, 1.5)]
    assert samples(fams, "openclaw_audit_new_findings") == [({"target": target}, 4)]
    assert samples(fams, "openclaw_audit_last_run_timestamp_seconds") == [({}, 1_700_000_000)]
    assert samples(fams, "openclaw_audit_last_success_timestamp_seconds") == [({}, 1_700_000_000)]


def test_hostile_label_values_round_trip() -> None:
    rep = Report(
        ts=1,
        findings=(finding(f"tools.elevated.allowFrom.{HOSTILE}.wildcard"),),
        config_path=HOSTILE,
        deep={"http": {"endpoints": {HOSTILE: {"status": 200, "result": "open"}}}},
    )
    text = render([TargetResult(HOSTILE, rep)])
    fams = families(text)
    [(labels, _)] = samples(fams, "openclaw_audit_finding")
    assert labels["target"] == HOSTILE
    assert labels["check_id"] == f"tools.elevated.allowFrom.{HOSTILE}.wildcard"
    [(labels, value)] = samples(fams, "openclaw_audit_gateway_http_unauthenticated")
    assert labels["endpoint"] == HOSTILE and value == 1
    # No raw newline escapes a label: every line is a comment or one sample (the format is
    # split on "\n" only; a raw carriage return inside a quoted label value is allowed).
    for line in text.split("\n")[:-1]:
        assert line.startswith(("# HELP ", "# TYPE ", "openclaw_audit_"))
    assert escape('a"b\\c\nd') == 'a\\"b\\\\c\\nd'


def test_series_are_bounded_per_target() -> None:
    many = [finding(f"check.{n:04d}") for n in range(MAX_SERIES + 37)]
    crit = finding("zzz.last.but.critical", Severity.CRITICAL)
    fams = families(render([TargetResult("t", report(*many, crit))]))
    series = samples(fams, "openclaw_audit_finding")
    assert len(series) == MAX_SERIES
    assert series[0][0]["check_id"] == "zzz.last.but.critical"  # most severe kept first
    assert samples(fams, "openclaw_audit_finding_truncated")[0][1] == 38
    totals = {lab["severity"]: v for lab, v in samples(fams, "openclaw_audit_findings")}
    assert totals["warn"] == MAX_SERIES + 37  # the totals are never truncated


def test_new_findings_from_history_else_baseline_else_absent() -> None:
    rep = report(finding("a.b"), finding("c.d"))
    fams = families(render([TargetResult("t", rep)]))
    assert "openclaw_audit_new_findings" not in fams
    drift = RunDrift(target="t", new=(DriftItem("a.b", "warn", "title", "f" * 64),))
    history = {"t": TargetHistory(target="t", drift=drift)}
    fams = families(render([TargetResult("t", rep)], history=history))
    assert samples(fams, "openclaw_audit_new_findings")[0][1] == 1
    fams = families(render([TargetResult("t", report(finding("a.b"), baselineKnown=5))]))
    assert samples(fams, "openclaw_audit_new_findings")[0][1] == 1


def test_no_probe_families_without_deep_and_docker_skipped_without_sandbox() -> None:
    fams = families(render([TargetResult("t", report(finding("a.b")))]))
    assert "openclaw_audit_probe_up" not in fams
    assert "openclaw_audit_gateway_http_unauthenticated" not in fams
    deep = {"docker": {"ok": False, "skipped": "no socket", "elapsedMs": 1}}
    fams = families(render([TargetResult("t", report(deep=deep))]))
    assert "openclaw_audit_probe_up" not in fams  # skipped on a host without sandboxing


def test_fleet_with_a_failed_target_keeps_the_last_success() -> None:
    ok = TargetResult("a", report(finding("a.b")))
    bad = TargetResult("b", error=AuditError("cannot read"))
    fams = families(render([ok, bad], previous_success=1_600_000_000.5))
    assert samples(fams, "openclaw_audit_last_success_timestamp_seconds")[0][1] == 1_600_000_000.5
    fams = families(render([ok, bad]))
    assert "openclaw_audit_last_success_timestamp_seconds" not in fams
    assert "openclaw_audit_last_run_timestamp_seconds" in fams


@pytest.mark.parametrize("location", [Location(config_path=("gateway", "auth")), None])
def test_fingerprint_label_free_of_location_lines(location: Location | None) -> None:
    # The metrics never carry a line number or detail: only ids, severities and targets.
    f = Finding("x.y", Severity.WARN, "t", "detail at line 12", location=location)
    text = render([TargetResult("t", report(f))])
    assert "line 12" not in text and "detail" not in text
