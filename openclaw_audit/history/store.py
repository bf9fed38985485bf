"""Opening the history database: schema, version check, WAL, busy timeout.

A database written by a newer version of the tool is refused before anything touches it (no
pragma that writes, no migration); a file that is not ours is refused the same way. Commands
that only read open the file read-only.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from openclaw_audit.errors import AuditError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
# Two runs that hit the same database retry this long in total before giving up (on top of
# SQLite's own busy wait for each attempt).
RETRY_FOR_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    ts INTEGER NOT NULL,
    host TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    deep INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    exit_code INTEGER NOT NULL,
    critical INTEGER NOT NULL DEFAULT 0,
    warn INTEGER NOT NULL DEFAULT 0,
    info INTEGER NOT NULL DEFAULT 0,
    suppressed INTEGER NOT NULL DEFAULT 0,
    new_count INTEGER NOT NULL DEFAULT 0,
    fixed_count INTEGER NOT NULL DEFAULT 0,
    scope TEXT NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_target ON runs (target, id);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    deep_only INTEGER NOT NULL DEFAULT 0,
    first_seen_run INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_run INTEGER NOT NULL,
    last_seen_at TEXT NOT NULL,
    fixed_at_run INTEGER,
    fixed_at TEXT,
    reopened INTEGER NOT NULL DEFAULT 0,
    severity_changes INTEGER NOT NULL DEFAULT 0,
    suppressed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (target, fingerprint)
);
CREATE TABLE IF NOT EXISTS run_findings (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    remediation TEXT,
    subject TEXT,
    suppressed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, fingerprint)
);
CREATE TABLE IF NOT EXISTS run_probes (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    probe TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration_ms INTEGER,
    error TEXT,
    PRIMARY KEY (run_id, probe)
);
CREATE INDEX IF NOT EXISTS run_probes_by_probe ON run_probes (probe, run_id);
CREATE INDEX IF NOT EXISTS findings_open ON findings (target, fixed_at_run);
"""

T = TypeVar("T")


class HistoryError(AuditError):
    """The history database cannot be used (input error, exit 2, before the audit runs)."""

    def __init__(self, message: str, path: str, *, hint: str | None = None) -> None:
        super().__init__(message, file=path, hint=hint, kind="history_error")


def open_for_writing(path: str) -> sqlite3.Connection:
    """Open (or create, mode 0600) the database a run records into; refuse a newer or foreign
    one untouched. The schema is created in one transaction, so two first runs may race."""
    _check_path(path)
    if not os.path.exists(path):
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass  # another run created it just now
        except OSError as exc:
            raise HistoryError(
                f"cannot create the history database: {exc.strerror or exc}", path
            ) from None
    conn = _connect(path, readonly=False)
    try:
        version = _check_version(conn, path)
        # Switching to WAL needs a moment's exclusive lock: another first run may hold it.
        retrying(lambda: conn.execute("PRAGMA journal_mode=WAL"))
        # NORMAL: a commit is durable once checkpointed; a killed process never corrupts.
        conn.execute("PRAGMA synchronous=NORMAL")
        no_checkpoint = getattr(sqlite3, "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE", None)
        if no_checkpoint is not None:  # Python 3.12+: closing skips a checkpoint (an fsync)
            conn.setconfig(no_checkpoint, True)
        conn.execute("PRAGMA foreign_keys=ON")
        if version != SCHEMA_VERSION:
            retrying(lambda: _create(conn))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HistoryError(f"cannot use the history database: {exc}", path) from None
    except BaseException:
        conn.close()
        raise
    return conn


def close_later(conn: sqlite3.Connection) -> None:
    """Close the connection in the background. Closing the last connection checkpoints the WAL
    into the database and syncs it (milliseconds on a busy disk); the run renders and writes
    its outputs meanwhile, and the interpreter waits for the thread before it exits."""
    import threading

    threading.Thread(target=conn.close, name="history-close", daemon=False).start()


def open_for_reading(path: str) -> sqlite3.Connection:
    """Read-only: the ``history`` commands never create or change the database."""
    if not os.path.isfile(path):
        raise HistoryError(
            "no history database here", path, hint="record runs with `openclaw-audit --history`"
        )
    conn = _connect(path, readonly=True)
    try:
        version = _check_version(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HistoryError(f"cannot read the history database: {exc}", path) from None
    if version is None:
        conn.close()
        raise HistoryError("the history database is empty", path)
    return conn


def _check_path(path: str) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise HistoryError("the folder of the history database does not exist", path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"cannot use the history database: {exc.strerror}", path) from None
    if not stat.S_ISREG(st.st_mode):
        raise HistoryError("the history database must be a regular file", path)


def _connect(path: str, *, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            uri = "file:" + _uri_path(path) + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)
        else:
            # check_same_thread=False: the face closes it in a thread of its own (close_later).
            conn = sqlite3.connect(
                path,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
    except sqlite3.Error as exc:
        raise HistoryError(f"cannot open the history database: {exc}", path) from None
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(os.path.abspath(path))


def _check_version(conn: sqlite3.Connection, path: str) -> int | None:
    """The schema version, None for an empty database; refuse newer or foreign databases."""
    tables = {
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    }
    if not tables:
        return None
    if "schema_version" not in tables:
        raise HistoryError(
            "not an openclaw-audit history database (no schema_version table)",
            path,
            hint="pass a new file name; the tool never alters a database it does not know",
        )
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    version = row[0] if row else None
    if version is None:
        return None
    if int(version) > SCHEMA_VERSION:
        raise HistoryError(
            f"the history database has schema version {version}, newer than this tool's "
            f"({SCHEMA_VERSION}); it was left untouched",
            path,
            hint="upgrade openclaw-audit, or record into another file",
        )
    return int(version)


def _create(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        if conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 0:
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: the writer lock up front, so a run never fails half-way
    on a lock upgrade; anything raised rolls back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retrying(work: Callable[[], T], budget_s: float = RETRY_FOR_S) -> T:
    """Run ``work`` (one transaction), again while another process holds the database."""
    deadline = time.monotonic() + budget_s
    pause = 0.05
    while True:
        try:
            return work()
        except sqlite3.OperationalError as exc:
            if not _locked(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
