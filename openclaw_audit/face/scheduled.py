"""``--history`` and ``--notify-*`` around one invocation (scheduled-scans.md §3, §4).

The face calls three things, in this order: :func:`prepare` before any auditing work (a bad
database or notify option is an input error, exit 2), :meth:`Scheduled.record` once the reports
exist (it records what the outputs will show, redacted, and hands the renderers each target's
history), and :meth:`Scheduled.notify` after the outputs are written. A history or
notification failure past :func:`prepare` is a warning on stderr and never changes the exit code.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from openclaw_audit import __version__
from openclaw_audit.errors import UsageError
from openclaw_audit.face.outputs import write_stderr
from openclaw_audit.history.record import RunInput, record_run
from openclaw_audit.history.scope import Scope
from openclaw_audit.history.store import close_later, open_for_writing
from openclaw_audit.notify.payload import DEFAULT_TIMEOUT_S, drift_doc, dumps, qualifies
from openclaw_audit.redaction import Scrubber
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import Summary
from openclaw_audit.report.redact import redact_target
from openclaw_audit.report.target_info import TargetInfo
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.report.trend import DriftItem, RunDrift, TargetHistory
from openclaw_audit.textsafe import one_line

if TYPE_CHECKING:
    from openclaw_audit.engine.options import AuditOptions
    from openclaw_audit.notify.send import Notifier

log = logging.getLogger(__name__)


# Plain classes, not dataclasses: dataclasses compile code at import, and every --history run
# imports this module (bench/history_bench.py).
class ScheduledOptions:
    """What the command line asked for (all optional)."""

    __slots__ = (
        "history", "history_keep", "notify_cmd", "notify_insecure", "notify_on",
        "notify_timeout", "notify_webhook",
    )  # fmt: skip

    def __init__(
        self,
        history: str | None = None,
        history_keep: float | None = None,  # days
        notify_cmd: str | None = None,
        notify_webhook: str | None = None,
        notify_insecure: bool = False,
        notify_on: tuple[str, ...] = (),
        notify_timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.history = history
        self.history_keep = history_keep
        self.notify_cmd = notify_cmd
        self.notify_webhook = notify_webhook
        self.notify_insecure = notify_insecure
        self.notify_on = notify_on
        self.notify_timeout = notify_timeout

    @property
    def wanted(self) -> bool:
        return bool(
            self.history
            or self.notify_cmd is not None
            or self.notify_webhook is not None
            or self.notify_on
            or self.history_keep is not None
        )


class Scheduled:
    """One invocation's history and notifications, from :func:`prepare` to :meth:`notify`."""

    def __init__(
        self,
        scope: Scope,
        conn: sqlite3.Connection | None = None,
        keep_days: float | None = None,
        notifier: Notifier | None = None,  # --notify-cmd / --notify-webhook
        events: frozenset[str] = frozenset(),
    ) -> None:
        self.scope = scope
        self.conn = conn
        self.keep_days = keep_days
        self.notifier = notifier
        self.events = events
        self.started = time.time()
        self.drifts: list[tuple[RunDrift, Summary | None]] = []

    def record(
        self, results: Sequence[TargetResult], exit_code: int, scrubber: Scrubber
    ) -> Mapping[str, TargetHistory] | None:
        """Record each target's run (history) or derive its drift (baseline only); return the
        histories for ``RenderOptions.history`` (None without ``--history``)."""
        histories: dict[str, TargetHistory] = {}
        finished = time.time()
        for raw in results:
            r = redact_target(raw, scrubber)  # exactly what the outputs show
            target = _target_key(r)
            if self.conn is None:
                if r.report is not None:
                    new = tuple(
                        DriftItem(f.check_id, f.severity.value, f.title, fingerprint(f))
                        for f in r.report.findings
                    )
                    self.drifts.append((RunDrift(target=target, new=new), r.report.summary))
                continue
            run = RunInput(
                target=target,
                started=self.started,
                finished=finished,
                host=_host(),
                tool_version=__version__,
                exit_code=exit_code,
                scope=self.scope,
                report=r.report,
                error=r.error.message if r.error is not None else None,
            )
            try:
                recorded = record_run(self.conn, run, keep_days=self.keep_days)
            except (sqlite3.Error, OSError) as exc:
                log.debug("history record failed", exc_info=True)
                _warn(scrubber, f"history: run of {target} not recorded: {exc}")
                continue
            except Exception as exc:  # a bug of ours must not fail the audit either
                log.debug("history record failed", exc_info=True)
                _warn(scrubber, f"history: run of {target} not recorded ({type(exc).__name__})")
                continue
            if r.report is not None:
                self.drifts.append((recorded.drift, r.report.summary))
            for key in {target, raw.target, r.report.config_path if r.report else None}:
                if key is not None:
                    histories[key] = recorded.history
        if self.conn is not None:
            close_later(self.conn)
            self.conn = None
        return histories or None

    def notify(self, scrubber: Scrubber) -> None:
        if self.notifier is None:
            return
        from openclaw_audit.notify.send import send

        for drift, summary in self.drifts:
            if not qualifies(drift, self.events):
                continue
            try:
                body = dumps(drift_doc(drift, summary, scrubber))
                warnings = send(self.notifier, body)
            except Exception as exc:  # never a failed audit (scheduled-scans.md §7)
                log.debug("notification failed", exc_info=True)
                warnings = [f"notification failed ({type(exc).__name__})"]
            for warning in warnings:
                _warn(scrubber, warning)


def _warn(scrubber: Scrubber, text: str) -> None:
    write_stderr(one_line("warning: " + scrubber(text)) + "\n")


def _host() -> str:
    # Not socket.gethostname(): importing socket costs every --history run a millisecond.
    uname = getattr(os, "uname", None)
    return uname().nodename if uname is not None else os.environ.get("COMPUTERNAME", "")


DEMO_TARGET = "bundled demo gateway"


def _target_key(r: TargetResult) -> str:
    """The target a run is filed under: its config's absolute path; ``--demo`` audits a new
    temporary copy each time, so its runs share one name instead."""
    info = TargetInfo.of(r.report) if r.report is not None else None
    if info is not None and info.demo:
        return DEMO_TARGET
    path = (r.report.config_path if r.report is not None else None) or r.target
    return os.path.abspath(path) if path else ""


def prepare(
    opts: ScheduledOptions | None,
    audit: AuditOptions,
    *,
    baseline: bool,
    scrubber: Scrubber,
    outputs: Sequence[str] = (),
) -> Scheduled | None:
    """Check every history and notify option and open the database, before any audit work.
    None when the run asked for neither."""
    if opts is None or not opts.wanted:
        return None
    notifier = None
    events: frozenset[str] = frozenset()
    if opts.notify_cmd is not None or opts.notify_webhook is not None:
        from openclaw_audit.notify.payload import parse_events
        from openclaw_audit.notify.send import Notifier, check_webhook, parse_command

        if not opts.history and not baseline:
            raise UsageError(
                "--notify-cmd/--notify-webhook need --history (or --baseline) to know what changed"
            )
        if not math.isfinite(opts.notify_timeout) or opts.notify_timeout <= 0:
            raise UsageError("--notify-timeout must be a positive number of seconds")
        events = parse_events(opts.notify_on)
        if opts.notify_webhook is not None:
            check_webhook(opts.notify_webhook, insecure=opts.notify_insecure)
            # A webhook URL often is the credential (its path or query): never echo it.
            scrubber.add([opts.notify_webhook])
        notifier = Notifier(
            command=parse_command(opts.notify_cmd) if opts.notify_cmd is not None else (),
            webhook=opts.notify_webhook,
            timeout=opts.notify_timeout,
        )
    elif opts.notify_on:
        raise UsageError("--notify-on needs --notify-cmd or --notify-webhook")
    if opts.history_keep is not None:
        if not opts.history:
            raise UsageError("--history-keep needs --history")
        if not math.isfinite(opts.history_keep) or opts.history_keep <= 0:
            raise UsageError("--history-keep must be a positive number of days")
    scope = Scope(
        deep=audit.deep,
        checks=audit.checks,
        skip_checks=audit.skip_checks,
        probes=tuple(sorted(audit.probes)) if audit.probes is not None else None,
        min_severity=audit.min_severity.value if audit.min_severity is not None else None,
        baseline=baseline,
    )
    if opts.history:
        from openclaw_audit.face.outputs import same_file

        for out in outputs:
            if same_file(out, opts.history):
                raise UsageError(f"--output {out} is the --history database: write it elsewhere")
    conn = open_for_writing(opts.history) if opts.history else None
    return Scheduled(
        scope=scope, conn=conn, keep_days=opts.history_keep, notifier=notifier, events=events
    )
