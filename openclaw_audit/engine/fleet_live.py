"""The ``--deep`` fleet: every target's live probes in ONE event loop.

At most ``concurrency`` targets are in their live phase at once (each opens a handful of
connections: one WebSocket, a few HTTP requests). A target is loaded and statically checked
when it gets its turn, so its deadlines start then, exactly as in a single run
(probes/runner.py), and at most ``concurrency`` loaded targets are held at a time. The mDNS
browse and the Docker query are made once for the run (probes/shared.py); the browse, the
longest fixed wait of a healthy fleet, is opened as soon as the first target is loaded, before
the other collectors are even imported. A target whose live phase breaks in an unexpected way
gets each probe's failure result; the others are not affected.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import anyio
from anyio.abc import TaskGroup

from openclaw_audit.engine.audit import LiveResult, Prepared, probe_options
from openclaw_audit.errors import AuditError
from openclaw_audit.probes.base import Probe, ProbeOptions
from openclaw_audit.probes.runner import (
    PROBE_MODULES,
    failed_results,
    is_wanted,
    load_probes,
    run_probes,
)
from openclaw_audit.probes.selection import module_selected
from openclaw_audit.probes.shared import SharedFacts
from openclaw_audit.redaction import safe_text

log = logging.getLogger(__name__)

T = TypeVar("T")

# Collectors whose facts are shared by the run and worth starting before anything else.
EARLY_PROBES = ("mdns_probe",)


def live_fleet(
    count: int,
    prepare: Callable[[int], Prepared],
    finish: Callable[[Prepared, LiveResult], T],
    *,
    concurrency: int,
    probes: Sequence[Probe] | None = None,
) -> list[T | AuditError]:
    """For each index: ``prepare(i)`` (an input error is that target's result), its live
    phase, then ``finish(prepared, live)``; results in index order. ``probes`` replaces the
    default set (tests inject fakes this way)."""
    if count == 0:
        return []

    async def main() -> list[T | AuditError]:
        return await _drive(count, prepare, finish, concurrency=concurrency, probes=probes)

    return anyio.run(main, backend="asyncio")  # zeroconf's async API needs asyncio


def live_all(
    prepared: Sequence[Prepared],
    *,
    concurrency: int,
    probes: Sequence[Probe] | None = None,
) -> list[LiveResult]:
    """The live result of each already prepared target, in the same order."""
    out = live_fleet(
        len(prepared),
        prepared.__getitem__,
        lambda _prep, live: live,
        concurrency=concurrency,
        probes=probes,
    )
    return [r for r in out if not isinstance(r, AuditError)]


async def _drive(
    count: int,
    prepare: Callable[[int], Prepared],
    finish: Callable[[Prepared, LiveResult], T],
    *,
    concurrency: int,
    probes: Sequence[Probe] | None,
) -> list[T | AuditError]:
    _remember_missing("sniffio")
    slots = anyio.Semaphore(max(1, concurrency))
    results: list[Any] = [None] * count
    chosen: list[Probe] | None = None

    async with anyio.create_task_group() as facts_tg:
        shared = SharedFacts(facts_tg)

        async def one(index: int, prep: Prepared, opts: ProbeOptions, probes: list[Probe]) -> None:
            try:
                live = await _live(prep, opts, probes)
                results[index] = finish(prep, live)
            finally:
                slots.release()

        async with anyio.create_task_group() as targets_tg:
            for index in range(count):
                await slots.acquire()  # load the next target only when it can be probed
                try:
                    prep = prepare(index)
                except AuditError as exc:
                    results[index] = exc
                    slots.release()
                    continue
                opts = probe_options(prep.options, shared=shared)
                if chosen is None:
                    _prime(facts_tg, prep, opts, probes)
                    await anyio.sleep(0)  # the browse opens now, before the imports
                    chosen = list(_selected(opts) if probes is None else probes)
                # No yield between loads while slots are free: every target's timers then
                # start together instead of after the others' first steps.
                targets_tg.start_soon(one, index, prep, opts, chosen)
        # Every target is done: a shared computation nobody waits for any more stops here.
        facts_tg.cancel_scope.cancel()
    return results


async def _live(prep: Prepared, opts: ProbeOptions, probes: list[Probe]) -> LiveResult:
    try:
        found, deep, secrets = await run_probes(prep.ctx, opts, probes=probes)
        return list(found), dict(deep), set(secrets)
    except Exception as exc:  # a bug for one target must not sink the others
        log.debug("live phase of %s failed", prep.options.config_path, exc_info=True)
        known = {s for s in (opts.token, opts.password) if s}
        message = safe_text(f"{type(exc).__name__}: {exc}", known) or "probe failed"
        found, deep, secrets = failed_results(prep.ctx, opts, probes, message)
        return list(found), dict(deep), set(secrets)


def _prime(
    tg: TaskGroup, prep: Prepared, opts: ProbeOptions, probes: Sequence[Probe] | None
) -> None:
    """Start the run's shared facts (the mDNS browse) for the first target, if it wants them."""
    early = _selected(opts, EARLY_PROBES) if probes is None else probes
    for probe in early:
        gather = getattr(probe, "shared_facts", None)
        if gather is not None and is_wanted(probe, opts):
            tg.start_soon(_quietly, gather, prep, opts)


async def _quietly(gather: Callable[..., Any], prep: Prepared, opts: ProbeOptions) -> None:
    try:
        await gather(prep.ctx, opts)
    except Exception:  # each target's own probe reports what went wrong
        log.debug("early shared facts failed", exc_info=True)


def _selected(opts: ProbeOptions, modules: Sequence[str] = PROBE_MODULES) -> list[Probe]:
    # As a single run: a probe left out by name is not even imported.
    return load_probes([m for m in modules if module_selected(m, opts.probes)])


def _remember_missing(module: str) -> None:
    """httpcore imports ``sniffio`` on every request; when it is not installed, each attempt
    searches sys.path again (~0.4 ms), a thousand times in a fleet. Record the miss once (an
    import of it then fails at once, as it would anyway)."""
    if module not in sys.modules and importlib.util.find_spec(module) is None:
        sys.modules[module] = None  # type: ignore[assignment]
