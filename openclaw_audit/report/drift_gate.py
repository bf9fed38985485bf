"""What a drift means for a CI gate (scheduled-scans.md §4): ``diff --fail-on`` and the count
changes per severity that ``diff`` prints first.

Conditions: ``new`` (a finding NEW has that OLD did not), ``escalated`` (a finding's severity
rose), ``critical`` / ``warn`` (a finding that is new or escalated and is now at least that
severe). Read from the drift alone, so it follows however ``report/drift.py`` pairs findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from openclaw_audit.report.baseline import SavedFinding
from openclaw_audit.report.drift import Drift, TargetDrift
from openclaw_audit.report.model import SEVERITY_ORDER, Severity

FAIL_ON = ("new", "escalated", "critical", "warn")


def rank(severity: str) -> int:
    """A saved severity's rank; an unknown word (a hand-edited file) ranks below info."""
    try:
        return Severity(severity).rank
    except ValueError:
        return -1


def escalated(drift: TargetDrift) -> list[tuple[SavedFinding, SavedFinding]]:
    return [(o, n) for o, n in drift.changed if rank(n.severity) > rank(o.severity)]


def severity_changes(targets: Iterable[TargetDrift]) -> dict[str, int]:
    """Per severity, how many more (or fewer) active findings NEW has than OLD."""
    out = {s.value: 0 for s in SEVERITY_ORDER}
    for d in targets:
        for f in d.new:
            if f.severity in out:
                out[f.severity] += 1
        for f in d.resolved:
            if f.severity in out:
                out[f.severity] -= 1
        for o, n in d.changed:
            if o.severity in out:
                out[o.severity] -= 1
            if n.severity in out:
                out[n.severity] += 1
    return out


def fails(drift: Drift, conditions: Iterable[str]) -> list[str]:
    """The conditions of ``conditions`` that the drift meets (empty: the gate passes)."""
    met = []
    for condition in conditions:
        if condition not in FAIL_ON:
            raise ValueError(f"unknown --fail-on condition {condition!r}")
        if any(_meets(d, condition) for d in drift.targets):
            met.append(condition)
    return met


def _meets(drift: TargetDrift, condition: str) -> bool:
    if condition == "new":
        return bool(drift.new)
    rising = [n for _, n in escalated(drift)]
    if condition == "escalated":
        return bool(rising)
    threshold = Severity(condition).rank
    return any(rank(f.severity) >= threshold for f in [*drift.new, *rising])
