"""What a renderer may know of a target's past runs (scheduled-scans.md §3, §6).

Filled by the history store when ``--history`` is given; read by the HTML (trend chart, age
column) and text renderers. Plain data, so renderers never open the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One stored run of a target: when it started (UTC, ISO 8601) and its counts."""

    run_id: int
    started_at: str
    critical: int
    warn: int
    info: int


@dataclass(frozen=True, slots=True)
class TargetHistory:
    """A target's recent runs, oldest first, and when each open finding was first seen
    (fingerprint -> ISO 8601 UTC time of the first run that reported it)."""

    target: str
    points: tuple[TrendPoint, ...] = ()
    first_seen: Mapping[str, str] = field(default_factory=dict)
    drift: RunDrift | None = None  # this run against the previous one of the same target


@dataclass(frozen=True, slots=True)
class DriftItem:
    """A finding as drift and notifications carry it (never its detail: titles and ids only)."""

    check_id: str
    severity: str
    title: str
    fingerprint: str
    previous_severity: str | None = None  # escalated findings: the severity it rose from


@dataclass(frozen=True, slots=True)
class RunDrift:
    """What changed in this run of a target against its last run (history) or its baseline
    (scheduled-scans.md §4). ``probe_failed`` holds (probe name, error) for probes that failed
    now and passed last time."""

    target: str
    run_id: int | None = None
    new: tuple[DriftItem, ...] = ()
    escalated: tuple[DriftItem, ...] = ()
    resolved: tuple[DriftItem, ...] = ()
    probe_failed: tuple[tuple[str, str], ...] = ()
