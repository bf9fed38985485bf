"""The ``history`` commands' text: runs per target with a critical-count sparkline, findings."""

from __future__ import annotations

import calendar
import time
from collections.abc import Sequence

from openclaw_audit.history.query import FindingRow, RunRow
from openclaw_audit.textsafe import one_line

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    """One block character per value, scaled to the largest (all zero: the lowest bar)."""
    top = max(values, default=0)
    if top <= 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[min(len(_BARS) - 1, v * (len(_BARS) - 1) // top)] for v in values)


def _probes(run: RunRow) -> str:
    return ", ".join(f"{p} {o}" for p, o, _d, _e in run.probes) or "-"


def render_runs(by_target: Sequence[tuple[str, Sequence[RunRow]]]) -> str:
    if not by_target:
        return "No runs recorded.\n"
    lines: list[str] = []
    for target, runs in by_target:
        crit = [r.critical for r in runs]
        lines.append(one_line(f"{target or '(default config)'}"))
        if not runs:
            lines.extend(["  no runs recorded", ""])
            continue
        lines.append(f"  critical trend {sparkline(crit)}  (last {len(runs)} runs)")
        lines.append(
            "  RUN    STARTED               DEEP  CRIT  WARN  INFO   NEW  FIXED  EXIT  PROBES"
        )
        for r in runs:
            probes = "error: " + r.error if r.error else _probes(r)
            lines.append(
                one_line(
                    f"  {r.id:<6} {r.started_at:<21} {'yes' if r.deep else 'no':<4} "
                    f"{r.critical:>5} {r.warn:>5} {r.info:>5} {r.new:>5} {r.fixed:>6} "
                    f"{r.exit_code:>5}  {probes}"
                )
            )
        lines.append("")
    return "\n".join(lines)


def _age(since: str, now: float) -> str:
    try:
        then = calendar.timegm(time.strptime(since, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return "?"
    days = max(0.0, now - then) / 86400
    return f"{days:.0f}d" if days >= 1 else f"{days * 24:.0f}h"


def render_findings(rows: Sequence[FindingRow], now: float | None = None) -> str:
    if not rows:
        return "No findings recorded.\n"
    now = time.time() if now is None else now
    lines: list[str] = []
    target = None
    for f in rows:
        if f.target != target:
            target = f.target
            lines.append(one_line(target or "(default config)"))
        state = f"fixed at run {f.fixed_at_run} ({f.fixed_at})" if f.fixed_at_run else "open"
        extra = []
        if f.reopened:
            extra.append(f"reopened {f.reopened}x")
        if f.severity_changes:
            extra.append(f"severity changed {f.severity_changes}x")
        if f.suppressed:
            extra.append("suppressed")
        lines.append(one_line(f"  {f.severity.upper():<8} {f.check_id}  {f.title}"))
        lines.append(
            one_line(
                f"           first seen run {f.first_seen_run} ({f.first_seen_at}, age "
                f"{_age(f.first_seen_at, now)}), last seen run {f.last_seen_run}, {state}"
                + (f"; {', '.join(extra)}" if extra else "")
            )
        )
    return "\n".join(lines) + "\n"
