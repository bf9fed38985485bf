"""The drift JSON every notification carries, and which drift qualifies for sending.

Findings carry checkId, severity, title and fingerprint, never their detail: the detail is the
part that may quote a config, so it stays in the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from openclaw_audit.errors import UsageError
from openclaw_audit.report.model import Summary
from openclaw_audit.report.trend import DriftItem, RunDrift

EVENTS = ("new", "escalated", "probe-failed", "resolved", "always")
DEFAULT_EVENTS = frozenset({"new", "escalated", "probe-failed"})
DEFAULT_TIMEOUT_S = 10.0  # each notification


def parse_events(values: Iterable[str]) -> frozenset[str]:
    """``--notify-on new,escalated`` (repeatable, comma-separated)."""
    chosen = {v.strip().lower() for value in values for v in value.split(",") if v.strip()}
    unknown = sorted(chosen - set(EVENTS))
    if unknown:
        raise UsageError(f"--notify-on: unknown event {unknown[0]!r} (use {', '.join(EVENTS)})")
    return frozenset(chosen) or DEFAULT_EVENTS


def qualifies(drift: RunDrift, events: frozenset[str]) -> bool:
    """Whether this drift is worth a message: nothing is sent when nothing qualifies."""
    if "always" in events:
        return True
    return bool(
        ("new" in events and drift.new)
        or ("escalated" in events and drift.escalated)
        or ("resolved" in events and drift.resolved)
        or ("probe-failed" in events and drift.probe_failed)
    )


def _finding(item: DriftItem) -> dict[str, str]:
    return {
        "checkId": item.check_id,
        "severity": item.severity,
        "title": item.title,
        "fingerprint": item.fingerprint,
    }


def drift_doc(
    drift: RunDrift, summary: Summary | None, net: Callable[[str], str]
) -> dict[str, Any]:
    """The notification body. ``net`` is the run's redactor: probe errors are free text."""
    counts: dict[str, int] = {
        "new": len(drift.new),
        "escalated": len(drift.escalated),
        "resolved": len(drift.resolved),
        "probeFailed": len(drift.probe_failed),
    }
    if summary is not None:
        counts.update(summary.to_json())
    return {
        "target": drift.target,
        "run": drift.run_id,
        "new": [_finding(i) for i in drift.new],
        "escalated": [
            {"finding": _finding(i), "from": i.previous_severity} for i in drift.escalated
        ],
        "resolved": [_finding(i) for i in drift.resolved],
        "probeFailed": [{"probe": p, "error": net(e)} for p, e in drift.probe_failed],
        "summary": counts,
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
