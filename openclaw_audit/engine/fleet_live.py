"""The live phase of a ``--deep`` fleet: every target's probes in ONE event loop.

At most ``concurrency`` targets are probed at once (each target opens a handful of
connections: one WebSocket, a few HTTP requests); a target's deadlines start when it gets its
turn, exactly as in a single run (probes/runner.py). The mDNS browse and the Docker query are
made once for the run (probes/shared.py). A target whose live phase breaks in an unexpected way
gets each probe's failure result; the others are not affected.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Sequence

import anyio

from openclaw_audit.engine.audit import LiveResult, Prepared, probe_options
from openclaw_audit.probes.base import Probe
from openclaw_audit.probes.runner import failed_results, load_probes, run_probes
from openclaw_audit.probes.shared import SharedFacts
from openclaw_audit.redaction import safe_text

log = logging.getLogger(__name__)


def live_all(
    prepared: Sequence[Prepared],
    *,
    concurrency: int,
    probes: Sequence[Probe] | None = None,
) -> list[LiveResult]:
    """Each prepared target's live result, in the same order. ``probes`` replaces the default
    set (tests inject fakes this way)."""
    if not prepared:
        return []

    async def main() -> list[LiveResult]:
        return await live_all_async(prepared, concurrency=concurrency, probes=probes)

    return anyio.run(main, backend="asyncio")  # zeroconf's async API needs asyncio


async def live_all_async(
    prepared: Sequence[Prepared],
    *,
    concurrency: int,
    probes: Sequence[Probe] | None = None,
) -> list[LiveResult]:
    _remember_missing("sniffio")
    chosen = list(load_probes() if probes is None else probes)
    limiter = anyio.CapacityLimiter(max(1, concurrency))
    results: list[LiveResult | None] = [None] * len(prepared)

    async with anyio.create_task_group() as facts_tg:
        shared = SharedFacts(facts_tg)

        async def one(index: int, prep: Prepared) -> None:
            opts = probe_options(prep.options, shared=shared)
            async with limiter:
                try:
                    found, deep, secrets = await run_probes(prep.ctx, opts, probes=chosen)
                    results[index] = (list(found), dict(deep), set(secrets))
                except Exception as exc:  # a bug for one target must not sink the others
                    log.debug("live phase of %s failed", prep.options.config_path, exc_info=True)
                    known = {s for s in (opts.token, opts.password) if s}
                    message = safe_text(f"{type(exc).__name__}: {exc}", known) or "probe failed"
                    results[index] = failed_results(prep.ctx, opts, chosen, message)

        async with anyio.create_task_group() as targets_tg:
            for index, prep in enumerate(prepared):
                targets_tg.start_soon(one, index, prep)
        # Every target is done: a shared computation nobody waits for any more stops here.
        facts_tg.cancel_scope.cancel()
    return [r if r is not None else ([], {}, set()) for r in results]


def _remember_missing(module: str) -> None:
    """httpcore imports ``sniffio`` on every request; when it is not installed, each attempt
    searches sys.path again (~0.4 ms), a thousand times in a fleet. Record the miss once (an
    import of it then fails at once, as it would anyway)."""
    if module not in sys.modules and importlib.util.find_spec(module) is None:
        sys.modules[module] = None  # type: ignore[assignment]
