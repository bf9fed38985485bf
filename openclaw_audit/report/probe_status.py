"""Each live probe's outcome, read from ``report.deep`` (scheduled-scans.md §5, §7).

One reading for everyone who asks "did the probe work?": ``--fail-on-probe-error`` (exit 4),
the Prometheus ``probe_up`` gauges, and anything else that reports probe outcomes. A probe that
did not run (no section, or the runner's ``{attempted: false, skipped: why}`` for a probe left
out by ``--probe``/``--skip-probe`` or ``--check``) has no status.

- gateway: ``ok`` is the probe's own verdict; anything else (refused, timed out, rejected) is
  a failure.
- http: a failure when the probe recorded an error or no endpoint answered at all
  (every one unreachable or timed out).
- docker: ``skipped`` (no SDK, no socket, access denied) is a failure only when the config
  turns sandboxing on (``sandboxConfigured`` in the engine's target record); a timeout
  always is.
- mdns: a failure when the browse could not run (no multicast socket, timeout).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.report.model import Report

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"

PROBES = ("gateway", "http", "docker", "mdns")  # canonical order, as the runner reports them
_NO_ANSWER = frozenset({"unreachable", "timeout"})
# Where each probe's section records how long it took, in milliseconds (``durationMs`` first,
# when a probe records it).
_DURATION_KEYS = {
    "gateway": ("durationMs", "latencyMs"),
    "http": ("durationMs",),
    "docker": ("durationMs", "elapsedMs"),
    "mdns": ("durationMs", "browseMs"),
}


@dataclass(frozen=True)
class ProbeStatus:
    name: str
    state: str  # OK, FAILED or SKIPPED
    error: str | None = None  # why it failed or was skipped (already redacted text)
    duration_s: float | None = None

    @property
    def up(self) -> bool:
        return self.state == OK


def probe_statuses(report: Report) -> list[ProbeStatus]:
    """The status of every probe that ran, in canonical order (none without ``--deep``)."""
    deep = report.deep or {}
    record = report.meta.get("target")  # the engine's record of the run (target_info.py)
    sandbox = isinstance(record, dict) and record.get("sandboxConfigured") is True
    out: list[ProbeStatus] = []
    for name in (*PROBES, *sorted(k for k in deep if k not in PROBES)):
        section = deep.get(name)
        if not isinstance(section, Mapping):
            continue
        if name not in PROBES and section.get("attempted") is not True:
            continue  # a section of facts, not a probe of its own
        if _not_run(section):
            continue  # left out by --probe/--skip-probe or --check: not asked for
        state, error = _judge(name, section, sandbox)
        out.append(ProbeStatus(name, state, error, _duration(name, section)))
    return out


def failed_probes(report: Report) -> list[ProbeStatus]:
    return [s for s in probe_statuses(report) if s.state == FAILED]


def _judge(name: str, section: Mapping[str, Any], sandbox: bool) -> tuple[str, str | None]:
    error = _text(section.get("error"))
    if name == "gateway":
        return (OK, None) if section.get("ok") is True else (FAILED, error or "gateway unreachable")
    if name == "http":
        if error:
            return FAILED, error
        endpoints = section.get("endpoints")
        results = (
            [ep.get("result") for ep in (endpoints or {}).values() if isinstance(ep, Mapping)]
            if isinstance(endpoints, Mapping)
            else []
        )
        if results and all(r in _NO_ANSWER for r in results):
            return FAILED, "no endpoint answered"
        return OK, None
    if name == "docker":
        if section.get("timedOut"):
            return FAILED, "Docker did not answer in time"
        skipped = _text(section.get("skipped"))
        if skipped:
            return (FAILED if sandbox else SKIPPED), skipped
        return (OK, None) if section.get("ok", True) else (FAILED, error or "failed")
    # mdns and any probe added later: an error means it could not do its work.
    return (FAILED, error) if error else (OK, None)


def _not_run(section: Mapping[str, Any]) -> bool:
    """The runner's section of a probe it did not start: ``{attempted: false, skipped}``."""
    return (
        section.get("attempted") is False
        and bool(_text(section.get("skipped")))
        and not _text(section.get("error"))
        and section.get("ok") is not False
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _duration(name: str, section: Mapping[str, Any]) -> float | None:
    for key in _DURATION_KEYS.get(name, ("durationMs",)):
        value = section.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return value / 1000.0
    return None
