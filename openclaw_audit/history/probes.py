"""Each deep probe's outcome, read from the report's ``deep`` sections (already redacted)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"

# The keys probes use for how long they took, most specific first.
_DURATION_KEYS = ("durationMs", "elapsedMs", "latencyMs", "browseMs")
_NO_ANSWER = frozenset({"unreachable", "timeout"})  # HTTP endpoint results without an answer


# A plain class, not a dataclass: dataclasses compile code at import, and every --history
# run imports this module (bench/history_bench.py).
class ProbeOutcome:
    """``outcome``: ok / failed / skipped (a probe that did not run has no outcome)."""

    __slots__ = ("duration_ms", "error", "outcome", "probe")

    def __init__(
        self, probe: str, outcome: str, duration_ms: int | None = None, error: str | None = None
    ) -> None:
        self.probe = probe
        self.outcome = outcome
        self.duration_ms = duration_ms
        self.error = error

    def __repr__(self) -> str:
        return (
            f"ProbeOutcome({self.probe!r}, {self.outcome!r}, {self.duration_ms!r}, {self.error!r})"
        )


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
    endpoints = section.get("endpoints")
    if isinstance(endpoints, Mapping) and endpoints:
        results = {e.get("result") for e in endpoints.values() if isinstance(e, Mapping)}
        if results and results <= _NO_ANSWER:  # the HTTP probe reached no endpoint at all
            return ProbeOutcome(name, FAILED, duration, error or "no endpoint answered")
    if section.get("ok") is False or section.get("timedOut") or error:
        reason = error or ("timed out" if section.get("timedOut") else "failed")
        return ProbeOutcome(name, FAILED, duration, reason)
    return ProbeOutcome(name, OK, duration, None)
