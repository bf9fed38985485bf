"""Probe outcomes read from report.deep, and the history commands' text pieces."""

from __future__ import annotations

from typing import Any

import pytest

from openclaw_audit.history.probes import probe_outcomes
from openclaw_audit.history.query import FindingRow
from openclaw_audit.history.text import render_findings, sparkline


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"attempted": True, "ok": True, "error": None, "latencyMs": 41}, ("ok", 41, None)),
        ({"attempted": True, "ok": False, "error": "connection refused"}, ("failed", None, "connection refused")),
        ({"attempted": False, "ok": False, "error": None}, ("skipped", None, None)),
        ({"attempted": True, "ok": False, "skipped": "no Docker socket", "elapsedMs": 3}, ("skipped", 3, "no Docker socket")),
        ({"attempted": True, "ok": False, "skipped": None, "timedOut": True, "elapsedMs": 900}, ("failed", 900, "timed out")),
        ({"baseUrl": "http://127.0.0.1:1", "endpoints": {}, "credentialAccepted": None}, ("ok", None, None)),
        ({"baseUrl": "http://127.0.0.1:9", "endpoints": {"/a": {"status": None, "result": "unreachable"}, "/b": {"status": None, "result": "timeout"}}}, ("failed", None, "no endpoint answered")),
        ({"baseUrl": "http://127.0.0.1:9", "endpoints": {"/a": {"status": None, "result": "unreachable"}, "/b": {"status": 401, "result": "enforced"}}}, ("ok", None, None)),
        ({"error": "timeout"}, ("failed", None, "timeout")),  # the runner's last-resort section
        ({"attempted": True, "browseMs": 1500, "error": None, "instances": []}, ("ok", 1500, None)),
    ],
)  # fmt: skip
def test_probe_outcomes(section: dict[str, Any], expected: tuple[Any, ...]) -> None:
    [outcome] = probe_outcomes({"p": section})
    assert (outcome.outcome, outcome.duration_ms, outcome.error) == expected


def test_no_deep_no_outcomes() -> None:
    assert probe_outcomes(None) == [] and probe_outcomes({}) == []


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([0, 1, 2, 4, 8]) == "▁▁▂▄█"


def test_render_findings_shows_age_and_state() -> None:
    row = FindingRow(
        "/t", "f" * 64, "a.b", "warn", "Title", 1, "2026-01-01T00:00:00Z", 3,
        "2026-01-03T00:00:00Z", 4, "2026-01-04T00:00:00Z", 2, 1, False,
    )  # fmt: skip
    now = 1767225600 + 10 * 86400  # 2026-01-11
    text = render_findings([row], now=now)
    assert "age 10d" in text and "fixed at run 4" in text
    assert "reopened 2x" in text and "severity changed 1x" in text
    assert row.to_json(now)["ageDays"] == 10.0
