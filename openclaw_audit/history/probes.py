"""Each deep probe's outcome, read from the report's ``deep`` sections (already redacted)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"

# The keys probes use for how long they took, most specific first.
_DURATION_KEYS = ("durationMs", "elapsedMs", "latencyMs", "browseMs")


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    probe: str
    outcome: str  # ok / failed / skipped (a probe that did not run has no outcome)
    duration_ms: int | None = None
    error: str | None = None


def probe_outcomes(deep: Mapping[str, Any] | None) -> list[ProbeOutcome]:
    if not deep:
        return []
    out = []
    for name, section in deep.items():
        if isinstance(section, Mapping):
            out.append(_outcome(str(name), section))
    return out


def _outcome(name: str, section: Mapping[str, Any]) -> ProbeOutcome:
    duration = next(
        (
            int(v)
            for k in _DURATION_KEYS
            if isinstance(v := section.get(k), int | float) and not isinstance(v, bool)
        ),
        None,
    )
    error = section.get("error")
    error = error if isinstance(error, str) and error else None
    skipped = section.get("skipped")
    if skipped or section.get("attempted") is False:
        reason = skipped if isinstance(skipped, str) else error
        return ProbeOutcome(name, SKIPPED, duration, reason)
    if section.get("ok") is False or section.get("timedOut") or error:
        return ProbeOutcome(name, FAILED, duration, error or "failed")
    return ProbeOutcome(name, OK, duration, None)
