"""The probe contract: every live probe gathers facts concurrently, then a pure judge turns
facts into findings and a section of ``report.deep``.

Collectors (``*_probe.py``) may import httpx/websockets/docker/zeroconf, but only inside their
functions or at module level of the collector itself: the runner imports collectors lazily, so
the static path never loads them. Judges (``*_judge.py``) are pure and register checkIds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.options import (  # noqa: F401
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT_S,
    MIN_TIMEOUT_S,
)
from openclaw_audit.report.model import Finding

if TYPE_CHECKING:
    from openclaw_audit.probes.shared import SharedFacts


def global_deadline_s(timeout_s: float) -> float:
    """Deadline of the whole live phase (deep-probes.md §1)."""
    return max(30.0, 6 * timeout_s)


@dataclass(frozen=True, slots=True)
class ProbeOptions:
    timeout: float = DEFAULT_TIMEOUT_S  # per-probe / per-request deadline, seconds (>= 0.25)
    token: str | None = None  # probe credential overrides (--token/--token-file/env)
    password: str | None = None
    # checkId filter from --check/--skip-check: a probe whose every checkId is excluded
    # is not run at all (e.g. Docker is not contacted when sandbox.browser_container.* is skipped).
    wants: Callable[[str], bool] = field(default=lambda _check_id: True)
    # --probe/--skip-probe: probe names to run; None runs all of them.
    probes: frozenset[str] | None = None
    # A fleet run's facts gathered once for every target (the mDNS browse, the Docker query);
    # None: this run gathers its own.
    shared: SharedFacts | None = field(default=None, compare=False)


@dataclass(slots=True)
class ProbeResult:
    """What a probe contributes: findings (in the probe's own order) and its deep section."""

    findings: list[Finding] = field(default_factory=list)
    section: Mapping[str, Any] | None = None  # becomes report.deep[<section_key>]
    secrets: set[str] = field(default_factory=set)  # values to redact from all output


class Probe(Protocol):
    """A live probe. Optional extra member, read by the runner with ``getattr``:
    ``budget(opts) -> float`` — the probe's own worst-case duration in seconds when it is more
    than ``opts.timeout`` (e.g. the gateway probe re-arms its timer for the RPC phase, §4.2);
    the runner's ``fail_after`` is that budget plus a small margin."""

    name: str  # "gateway", "http", "docker", "mdns"
    section_key: str  # key in report.deep
    check_ids: tuple[str, ...]  # checkIds (or families) it can emit

    def run(self, ctx: AuditContext, opts: ProbeOptions) -> Awaitable[ProbeResult]:
        """Collect facts and judge them. Must honour opts.timeout itself where it can; the runner
        also wraps it in ``fail_after`` and calls :meth:`on_failure` on timeout or exception."""
        ...

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        """Result when ``run`` timed out (error == "timeout") or raised (a redacted message)."""
        ...
