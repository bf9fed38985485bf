"""Auditing many targets in one run (cli.md "Several targets").

The static part of an audit is pure CPU work under the GIL, so targets are prepared and
finished one after another, with the check plan chosen once and the garbage collector paused
(each target's objects die young; scanning every report kept so far again and again is what
made a large fleet grow faster than linearly). A large static fleet is split into contiguous
chunks audited by forked worker processes, one per CPU (Linux only); results keep target order.

Under ``--deep`` every target's live phase runs in ONE event loop (``fleet_live``): at most
``concurrency`` targets are probed at once, each under its own deadlines exactly as a single
run, and the mDNS browse and the Docker query are made once for the whole run and handed to
every target's judge. A probe that fails or times out becomes that target's finding; a target
never affects another's result.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.audit import (
    CheckPlan,
    LiveResult,
    Prepared,
    finish,
    plan_checks,
    prepare,
)
from openclaw_audit.engine.gcpause import gc_paused
from openclaw_audit.engine.options import DEFAULT_CONCURRENCY, AuditOptions
from openclaw_audit.errors import AuditError
from openclaw_audit.report.model import Report
from openclaw_audit.report.postprocess import PostProcess


@dataclass(frozen=True, slots=True)
class FleetOutcome:
    """One target's result: its report (or the input error that stopped it), the loader's
    warnings and the secret values it saw (for the run's one redactor)."""

    target: str
    report: Report | None = None
    error: AuditError | None = None
    warnings: tuple[str, ...] = ()
    secrets: frozenset[str] = frozenset()


def audit_fleet(
    targets: Sequence[str],
    options_for: Callable[[str], AuditOptions],
    post: PostProcess | None = None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[FleetOutcome]:
    """Audit every target; results in target order. ``options_for(target)`` gives that
    target's options (they differ only in where the target is, so one check plan serves all)."""
    if not targets:
        return []
    plan = plan_checks(options_for(targets[0]))
    if not options_for(targets[0]).deep:
        with gc_paused():
            return _static_all(targets, options_for, post, plan)
    from openclaw_audit.engine.fleet_live import live_fleet  # --deep only: the probe stack

    def prepare_one(index: int) -> Prepared:
        return prepare(options_for(targets[index]), plan)

    def finish_one(prep: Prepared, live: LiveResult) -> FleetOutcome:
        return _finished(prep.options.config_path or "", prep, post, live, plan)

    results = live_fleet(len(targets), prepare_one, finish_one, concurrency=concurrency)
    return [
        FleetOutcome(target, error=r) if isinstance(r, AuditError) else r
        for target, r in zip(targets, results, strict=True)
    ]


# Below this many targets the fork and the transfer of results cost more than they save.
PARALLEL_MIN_TARGETS = 400
CHUNK = 100

_Job = tuple[Sequence[str], Callable[[str], AuditOptions], PostProcess | None, CheckPlan]
_job: _Job | None = None  # what forked workers audit (inherited, never pickled)


def _static_all(
    targets: Sequence[str],
    options_for: Callable[[str], AuditOptions],
    post: PostProcess | None,
    plan: CheckPlan,
) -> list[FleetOutcome]:
    workers = min(_cpus(), -(-len(targets) // CHUNK))
    if workers < 2 or len(targets) < PARALLEL_MIN_TARGETS or not _can_fork():
        return [_static_one(t, options_for(t), post, plan) for t in targets]
    import multiprocessing

    global _job
    _job = (targets, options_for, post, plan)
    try:
        starts = range(0, len(targets), CHUNK)
        with multiprocessing.get_context("fork").Pool(workers, _worker_init) as pool:
            chunks = pool.map(_audit_chunk, starts, chunksize=1)
    finally:
        _job = None
    return [_restored(o) for chunk in chunks for o in chunk]


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    # fork is safe only with no other thread running (a lock held there stays held).
    return sys.platform == "linux" and threading.active_count() == 1


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle (it stops the pool); a worker prints no traceback.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _audit_chunk(start: int) -> list[FleetOutcome]:
    """In a worker: audit ``CHUNK`` targets from ``start``."""
    assert _job is not None
    targets, options_for, post, plan = _job
    out = []
    for target in targets[start : start + CHUNK]:
        outcome = _static_one(target, options_for(target), post, plan)
        if outcome.error is not None:  # errors travel as data: not every one can be pickled
            outcome = FleetOutcome(target, error=_Carried.of(outcome.error))  # type: ignore[arg-type]
        out.append(outcome)
    return out


@dataclass(frozen=True, slots=True)
class _Carried:
    """An input error on its way from a worker: its class, message and attributes."""

    cls: type[AuditError]
    message: str
    state: dict[str, Any]

    @classmethod
    def of(cls, exc: AuditError) -> _Carried:
        return cls(type(exc), exc.message, dict(vars(exc)))

    def rebuild(self) -> AuditError:
        exc = self.cls.__new__(self.cls)
        Exception.__init__(exc, self.message)
        vars(exc).update(self.state)
        return exc


def _restored(outcome: FleetOutcome) -> FleetOutcome:
    if isinstance(outcome.error, _Carried):
        return FleetOutcome(outcome.target, error=outcome.error.rebuild())
    return outcome


def _static_one(
    target: str, options: AuditOptions, post: PostProcess | None, plan: CheckPlan
) -> FleetOutcome:
    try:
        prep = prepare(options, plan)
    except AuditError as exc:
        return FleetOutcome(target, error=exc)
    return _finished(target, prep, post, None, plan)


def _finished(
    target: str,
    prep: Prepared,
    post: PostProcess | None,
    live: LiveResult | None,
    plan: CheckPlan,
) -> FleetOutcome:
    run = finish(prep, post, live, plan)
    # Only the report, warnings and secrets are kept: holding every target's loaded config
    # and context until the end would make memory grow with the fleet for nothing.
    return FleetOutcome(target, run.report, None, tuple(run.loaded.warnings), run.secrets)
