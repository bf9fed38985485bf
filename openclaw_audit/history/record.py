"""Recording one run of one target, in one transaction, and what changed since the last run.

Everything recorded comes from the already-redacted report: details, probe errors and titles
are stored exactly as the outputs show them, so the database never holds more than the report.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

from openclaw_audit.history.probes import FAILED, OK, ProbeOutcome, probe_outcomes
from openclaw_audit.history.scope import Scope
from openclaw_audit.history.store import retrying, transaction
from openclaw_audit.report.fingerprint import fingerprint, subject_of
from openclaw_audit.report.model import Finding, Report, Severity
from openclaw_audit.report.trend import DriftItem, RunDrift, TargetHistory, TrendPoint

TREND_POINTS = 30  # runs per target a renderer gets for its trend


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


# A plain class, not a dataclass: dataclasses compile code at import, and every --history
# run imports this module (bench/history_bench.py).
class RunInput:
    """One target's run, as the outputs show it (redacted). ``started``/``finished``: epoch
    seconds; ``error``: why the target could not be audited (then ``report`` is None)."""

    __slots__ = (
        "error", "exit_code", "finished", "host", "report", "scope", "started", "target",
        "tool_version",
    )  # fmt: skip

    def __init__(
        self,
        target: str,
        started: float,
        finished: float,
        host: str,
        tool_version: str,
        exit_code: int,
        scope: Scope,
        report: Report | None,
        error: str | None = None,
    ) -> None:
        self.target = target
        self.started = started
        self.finished = finished
        self.host = host
        self.tool_version = tool_version
        self.exit_code = exit_code
        self.scope = scope
        self.report = report
        self.error = error


class Recorded:
    """The stored run's id, its drift, and the target's history for the renderers."""

    __slots__ = ("drift", "history", "probes", "run_id")

    def __init__(
        self,
        run_id: int,
        drift: RunDrift,
        history: TargetHistory,
        probes: tuple[ProbeOutcome, ...] = (),
    ) -> None:
        self.run_id = run_id
        self.drift = drift
        self.history = history
        self.probes = probes


class _Seen:
    __slots__ = ("deep_only", "finding", "fingerprint", "suppressed")

    def __init__(self, finding: Finding, fingerprint: str, suppressed: bool, deep_only: bool):
        self.finding = finding
        self.fingerprint = fingerprint
        self.suppressed = suppressed
        self.deep_only = deep_only


def record_run(
    conn: sqlite3.Connection, run: RunInput, *, keep_days: float | None = None
) -> Recorded:
    """Store the run; retried as a whole while another process holds the write lock."""
    return retrying(lambda: _record(conn, run, keep_days))


def _seen(run: RunInput) -> list[_Seen]:
    report = run.report
    if report is None:
        return []
    out: dict[str, _Seen] = {}

    def deep_only(f: Finding) -> bool:
        rule = report.rules.get(f.check_id)
        # A finding the catalog does not describe: only a run as deep as this one may fix it.
        return rule.deep if rule is not None else run.scope.deep

    for f in report.findings:
        fp = fingerprint(f)
        out.setdefault(fp, _Seen(f, fp, False, deep_only(f)))
    for s in report.suppressed:
        fp = fingerprint(s.finding)
        out.setdefault(fp, _Seen(s.finding, fp, True, deep_only(s.finding)))
    return list(out.values())


def _rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return -1


def _item(f: Finding, fp: str, previous: str | None = None) -> DriftItem:
    return DriftItem(f.check_id, f.severity.value, f.title, fp, previous)


def _record(conn: sqlite3.Connection, run: RunInput, keep_days: float | None) -> Recorded:
    seen = _seen(run)
    probes = tuple(probe_outcomes(run.report.deep if run.report is not None else None))
    with transaction(conn):
        previous_probe = {p.probe: _last_probe_outcome(conn, run.target, p.probe) for p in probes}
        known = {
            row[0]: row
            for row in conn.execute(
                "SELECT fingerprint, severity, check_id, title, deep_only, fixed_at_run, "
                "suppressed FROM findings WHERE target = ?",
                (run.target,),
            )
        }
        run_id = _insert_run(conn, run)
        at = iso(run.finished)
        new: list[DriftItem] = []
        escalated: list[DriftItem] = []
        for s in seen:
            row = known.get(s.fingerprint)
            was_open = row is not None and row[5] is None
            sev = s.finding.severity.value
            if not s.suppressed and not was_open:
                new.append(_item(s.finding, s.fingerprint))
            elif not s.suppressed and row is not None and _rank(sev) > _rank(row[1]):
                escalated.append(_item(s.finding, s.fingerprint, row[1]))
            _upsert(conn, run, run_id, at, s, row)
        resolved: list[DriftItem] = []
        current = {s.fingerprint for s in seen}
        if run.report is not None:
            for fp, row in known.items():
                if row[5] is not None or fp in current:
                    continue
                if not run.scope.covers(row[2], row[1], bool(row[4])):
                    continue  # this run could not have seen it: it stays open
                conn.execute(
                    "UPDATE findings SET fixed_at_run = ?, fixed_at = ? "
                    "WHERE target = ? AND fingerprint = ?",
                    (run_id, at, run.target, fp),
                )
                if not row[6]:
                    resolved.append(DriftItem(row[2], row[1], row[3], fp))
        _insert_details(conn, run_id, seen, probes)
        conn.execute(
            "UPDATE runs SET new_count = ?, fixed_count = ? WHERE id = ?",
            (len(new), len(resolved), run_id),
        )
        if keep_days is not None:
            prune(conn, keep_days, now=run.finished, keep_run=run_id)
        history = _target_history(conn, run.target)
    failed = tuple(
        (p.probe, p.error or "failed")
        for p in probes
        if p.outcome == FAILED and previous_probe.get(p.probe) == OK
    )
    drift = RunDrift(
        target=run.target,
        run_id=run_id,
        new=tuple(new),
        escalated=tuple(escalated),
        resolved=tuple(resolved),
        probe_failed=failed,
    )
    history = TargetHistory(
        target=history.target, points=history.points, first_seen=history.first_seen, drift=drift
    )
    return Recorded(run_id, drift, history, probes)


def _last_probe_outcome(conn: sqlite3.Connection, target: str, probe: str) -> str | None:
    row = conn.execute(
        "SELECT p.outcome FROM run_probes p JOIN runs r ON r.id = p.run_id "
        "WHERE p.probe = ? AND r.target = ? ORDER BY p.run_id DESC LIMIT 1",
        (probe, target),
    ).fetchone()
    return row[0] if row else None


def _insert_run(conn: sqlite3.Connection, run: RunInput) -> int:
    summary = run.report.summary if run.report is not None else None
    cur = conn.execute(
        "INSERT INTO runs (target, started_at, finished_at, ts, host, tool_version, deep, "
        "duration_ms, exit_code, critical, warn, info, suppressed, scope, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run.target,
            iso(run.started),
            iso(run.finished),
            run.report.ts if run.report is not None else int(run.started * 1000),
            run.host,
            run.tool_version,
            int(run.scope.deep),
            max(0, round((run.finished - run.started) * 1000)),
            run.exit_code,
            summary.critical if summary else 0,
            summary.warn if summary else 0,
            summary.info if summary else 0,
            len(run.report.suppressed) if run.report is not None else 0,
            run.scope.to_json(),
            run.error,
        ),
    )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def _upsert(
    conn: sqlite3.Connection,
    run: RunInput,
    run_id: int,
    at: str,
    s: _Seen,
    row: tuple[object, ...] | None,
) -> None:
    f = s.finding
    if row is None:
        conn.execute(
            "INSERT INTO findings (target, fingerprint, check_id, severity, title, deep_only, "
            "first_seen_run, first_seen_at, last_seen_run, last_seen_at, suppressed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.target,
                s.fingerprint,
                f.check_id,
                f.severity.value,
                f.title,
                int(s.deep_only),
                run_id,
                at,
                run_id,
                at,
                int(s.suppressed),
            ),
        )
        return
    reopened = 1 if row[5] is not None else 0
    changed = 1 if row[1] != f.severity.value else 0
    conn.execute(
        "UPDATE findings SET check_id = ?, severity = ?, title = ?, deep_only = ?, "
        "last_seen_run = ?, last_seen_at = ?, fixed_at_run = NULL, fixed_at = NULL, "
        "reopened = reopened + ?, severity_changes = severity_changes + ?, suppressed = ? "
        "WHERE target = ? AND fingerprint = ?",
        (
            f.check_id,
            f.severity.value,
            f.title,
            int(s.deep_only),
            run_id,
            at,
            reopened,
            changed,
            int(s.suppressed),
            run.target,
            s.fingerprint,
        ),
    )


def _insert_details(
    conn: sqlite3.Connection, run_id: int, seen: Iterable[_Seen], probes: Iterable[ProbeOutcome]
) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO run_findings (run_id, fingerprint, check_id, severity, title, "
        "detail, remediation, subject, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                s.fingerprint,
                s.finding.check_id,
                s.finding.severity.value,
                s.finding.title,
                s.finding.detail,
                s.finding.remediation,
                # what the fingerprint hashes (subject, else the location's config path or
                # URL): a stored run read back as a report keeps every fingerprint
                subject_of(s.finding),
                int(s.suppressed),
            )
            for s in seen
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO run_probes (run_id, probe, outcome, duration_ms, error) "
        "VALUES (?, ?, ?, ?, ?)",
        [(run_id, p.probe, p.outcome, p.duration_ms, p.error) for p in probes],
    )


def prune(conn: sqlite3.Connection, keep_days: float, *, now: float, keep_run: int) -> int:
    """``--history-keep DAYS``: drop runs that started before the cut-off (never this one), and
    fixed findings fixed before it. Open findings stay, whatever their age."""
    cutoff = iso(now - keep_days * 86400)
    old = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM runs WHERE started_at < ? AND id != ?", (cutoff, keep_run)
        )
    ]
    for chunk in range(0, len(old), 500):
        ids = old[chunk : chunk + 500]
        marks = ",".join("?" * len(ids))
        conn.execute(f"DELETE FROM run_findings WHERE run_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM run_probes WHERE run_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM runs WHERE id IN ({marks})", ids)
    conn.execute("DELETE FROM findings WHERE fixed_at_run IS NOT NULL AND fixed_at < ?", (cutoff,))
    return len(old)


def _target_history(conn: sqlite3.Connection, target: str) -> TargetHistory:
    rows = conn.execute(
        "SELECT id, started_at, critical, warn, info FROM runs WHERE target = ? "
        "ORDER BY id DESC LIMIT ?",
        (target, TREND_POINTS),
    ).fetchall()
    points = tuple(TrendPoint(r[0], r[1], r[2], r[3], r[4]) for r in reversed(rows))
    first_seen = dict(
        conn.execute(
            "SELECT fingerprint, first_seen_at FROM findings "
            "WHERE target = ? AND fixed_at_run IS NULL",
            (target,),
        ).fetchall()
    )
    return TargetHistory(target=target, points=points, first_seen=first_seen)
