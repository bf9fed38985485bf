"""Each probe's outcome as read from ``report.deep`` (report/probe_status.py)."""

from __future__ import annotations

from typing import Any

import pytest

from openclaw_audit.report.model import Report
from openclaw_audit.report.probe_status import FAILED, OK, SKIPPED, probe_statuses


def states(deep: dict[str, Any] | None, **meta: Any) -> dict[str, str]:
    report = Report(ts=0, findings=(), deep=deep, meta=meta)
    return {s.name: s.state for s in probe_statuses(report)}


def test_no_deep_no_status() -> None:
    assert states(None) == {}


@pytest.mark.parametrize(
    ("name", "section", "state"),
    [
        ("gateway", {"ok": True}, OK),
        ("gateway", {"ok": False, "error": "timeout"}, FAILED),
        (
            "gateway",
            {"attempted": False, "ok": False, "error": "SECURITY ERROR: plaintext"},
            FAILED,
        ),
        ("http", {"endpoints": {"/a": {"result": "enforced"}, "/b": {"result": "timeout"}}}, OK),
        ("http", {"endpoints": {"/a": {"result": "unreachable"}}}, FAILED),
        ("http", {"endpoints": {}, "error": "TLS fingerprint mismatch"}, FAILED),
        ("docker", {"ok": True, "skipped": None}, OK),
        ("docker", {"ok": False, "skipped": "no socket"}, SKIPPED),
        ("docker", {"ok": False, "skipped": None, "timedOut": True}, FAILED),
        ("mdns", {"error": None, "instances": []}, OK),
        ("mdns", {"error": "no multicast socket"}, FAILED),
    ],
)
def test_outcomes(name: str, section: dict[str, Any], state: str) -> None:
    assert states({name: section}) == {name: state}


def test_docker_skipped_fails_when_sandboxing_is_configured() -> None:
    deep = {"docker": {"ok": False, "skipped": "no socket"}}
    assert states(deep, target={"sandboxConfigured": True}) == {"docker": FAILED}


def test_probes_left_out_have_no_status() -> None:
    left_out = {"attempted": False, "skipped": "left out by --probe/--skip-probe"}
    deep = {"gateway": left_out, "http": left_out, "mdns": {"error": None}}
    assert states(deep) == {"mdns": OK}


def test_sections_that_are_not_probes_are_ignored() -> None:
    deep = {"gateway": {"ok": True}, "notes": {"error": "x"}, "later": {"attempted": True}}
    assert states(deep) == {"gateway": OK, "later": OK}
