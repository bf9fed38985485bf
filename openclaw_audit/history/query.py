"""Reading the history for the ``history`` commands: runs, findings, one stored run."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from openclaw_audit.errors import AuditError
from openclaw_audit.report.model import Finding, Report, Severity, SuppressedFinding


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    target: str
    started_at: str
    finished_at: str
    host: str
    tool_version: str
    deep: bool
    duration_ms: int
    exit_code: int
    critical: int
    warn: int
    info: int
    suppressed: int
    new: int
    fixed: int
    scope: dict[str, Any]
    error: str | None
    probes: tuple[tuple[str, str, int | None, str | None], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "run": self.id,
            "target": self.target,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "host": self.host,
            "toolVersion": self.tool_version,
            "deep": self.deep,
            "durationMs": self.duration_ms,
            "exitCode": self.exit_code,
            "summary": {"critical": self.critical, "warn": self.warn, "info": self.info},
            "suppressed": self.suppressed,
            "new": self.new,
            "fixed": self.fixed,
            "scope": self.scope,
            "probes": [
                {"probe": p, "outcome": o, "durationMs": d, **({"error": e} if e else {})}
                for p, o, d, e in self.probes
            ],
        }
        if self.error:
            out["error"] = self.error
        return out


_RUN_COLUMNS = (
    "id, target, started_at, finished_at, host, tool_version, deep, duration_ms, exit_code, "
    "critical, warn, info, suppressed, new_count, fixed_count, scope, error"
)


def _run(conn: sqlite3.Connection, row: tuple[Any, ...]) -> RunRow:
    probes = tuple(
        conn.execute(
            "SELECT probe, outcome, duration_ms, error FROM run_probes WHERE run_id = ? "
            "ORDER BY probe",
            (row[0],),
        ).fetchall()
    )
    try:
        scope = json.loads(row[15])
    except (TypeError, ValueError):
        scope = {}
    return RunRow(
        row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8],
        row[9], row[10], row[11], row[12], row[13], row[14], scope, row[16], probes,
    )  # fmt: skip


def targets(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT target FROM runs ORDER BY target")]


def last_runs(conn: sqlite3.Connection, target: str, limit: int) -> list[RunRow]:
    """The target's last ``limit`` runs, oldest first."""
    rows = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM runs WHERE target = ? ORDER BY id DESC LIMIT ?",
        (target, limit),
    ).fetchall()
    return [_run(conn, r) for r in reversed(rows)]


def get_run(conn: sqlite3.Connection, run_id: int) -> RunRow:
    row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise AuditError(f"no run {run_id} in the history (pruned, or never recorded)")
    return _run(conn, row)


@dataclass(frozen=True, slots=True)
class FindingRow:
    target: str
    fingerprint: str
    check_id: str
    severity: str
    title: str
    first_seen_run: int
    first_seen_at: str
    last_seen_run: int
    last_seen_at: str
    fixed_at_run: int | None
    fixed_at: str | None
    reopened: int
    severity_changes: int
    suppressed: bool

    def to_json(self, now: float | None = None) -> dict[str, Any]:
        return {
            "target": self.target,
            "fingerprint": self.fingerprint,
            "ageDays": _age_days(self.first_seen_at, now),
            "checkId": self.check_id,
            "severity": self.severity,
            "title": self.title,
            "firstSeenRun": self.first_seen_run,
            "firstSeenAt": self.first_seen_at,
            "lastSeenRun": self.last_seen_run,
            "lastSeenAt": self.last_seen_at,
            "fixedAtRun": self.fixed_at_run,
            "fixedAt": self.fixed_at,
            "reopened": self.reopened,
            "severityChanges": self.severity_changes,
            "suppressed": self.suppressed,
        }


def _age_days(since: str, now: float | None) -> float | None:
    """Days since ``since`` (ISO 8601 UTC), one decimal."""
    import calendar
    import time

    try:
        then = calendar.timegm(time.strptime(since, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return None
    return round(max(0.0, (time.time() if now is None else now) - then) / 86400, 1)


def findings(
    conn: sqlite3.Connection, *, state: str = "all", target: str | None = None
) -> list[FindingRow]:
    """``state``: ``open``, ``fixed`` or ``all``; most severe first, then oldest."""
    where = []
    args: list[Any] = []
    if state == "open":
        where.append("fixed_at_run IS NULL")
    elif state == "fixed":
        where.append("fixed_at_run IS NOT NULL")
    if target is not None:
        where.append("target = ?")
        args.append(target)
    sql = (
        "SELECT target, fingerprint, check_id, severity, title, first_seen_run, first_seen_at, "
        "last_seen_run, last_seen_at, fixed_at_run, fixed_at, reopened, severity_changes, "
        "suppressed FROM findings"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = [
        FindingRow(*r[:13], bool(r[13]))
        for r in conn.execute(sql + " ORDER BY target, first_seen_run, check_id", args)
    ]
    order = {"critical": 0, "warn": 1, "info": 2}
    return sorted(rows, key=lambda f: (f.target, order.get(f.severity, 3)))


def stored_report(conn: sqlite3.Connection, run: RunRow) -> Report:
    """A stored run as a report (what ``diff`` and ``--baseline`` read back)."""
    active: list[Finding] = []
    hidden: list[SuppressedFinding] = []
    for check_id, severity, title, detail, remediation, subject, suppressed in conn.execute(
        "SELECT check_id, severity, title, detail, remediation, subject, suppressed "
        "FROM run_findings "
        "WHERE run_id = ? ORDER BY rowid",
        (run.id,),
    ):
        try:
            sev = Severity(severity)
        except ValueError:
            sev = Severity.INFO
        f = Finding(check_id, sev, title, detail, remediation, subject)
        if suppressed:
            hidden.append(SuppressedFinding(f, reason=None, source="history"))
        else:
            active.append(f)
    rank = {Severity.CRITICAL: 0, Severity.WARN: 1, Severity.INFO: 2}
    active.sort(key=lambda f: rank[f.severity])
    ts_row = conn.execute("SELECT ts FROM runs WHERE id = ?", (run.id,)).fetchone()
    return Report(
        ts=int(ts_row[0]) if ts_row else 0,
        findings=tuple(active),
        suppressed=tuple(hidden),
        config_path=run.target,
        meta={"historyRun": run.id},
    )
