"""Run every deep probe concurrently under its own deadline (deep-probes.md §7).

One anyio task group; each probe is wrapped so that its exception or timeout is caught at its
own boundary and becomes ``probe.on_failure(...)`` — a sibling is never cancelled. Results are
assembled in the canonical order (gateway, http, docker, mdns) whatever order they finished in.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

import anyio

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.probes.base import Probe, ProbeOptions, ProbeResult, global_deadline_s
from openclaw_audit.probes.selection import module_selected, skip_reason, skipped_section
from openclaw_audit.redaction import safe_text
from openclaw_audit.report.model import Finding

log = logging.getLogger(__name__)

PROBE_MODULES: tuple[str, ...] = ("gateway_probe", "http_probe", "docker_probe", "mdns_probe")
# Slack after a probe's own budget before the runner cuts it off: its own timers fire first
# and report precise errors; the runner's deadline only catches probes that ignore theirs.
MARGIN_S = 0.2

Progress = Callable[[str, str], None]  # (probe name, "running" | "done" | "failed" | "timeout")


def load_probes(modules: Sequence[str] = PROBE_MODULES) -> list[Probe]:
    """Import each collector lazily; a module not written yet (or not importable) is skipped."""
    probes: list[Probe] = []
    for name in modules:
        full = f"{__package__}.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name == full:  # the probe does not exist (yet): skip silently
                continue
            log.debug("probe module %s unavailable: %s", full, exc)
            continue
        except Exception as exc:  # a broken collector must not take the audit down
            log.debug("probe module %s failed to import: %s", full, exc)
            continue
        probe = getattr(module, "PROBE", None)
        if probe is not None:
            probes.append(probe)
    return probes


def probe_budget(probe: Probe, opts: ProbeOptions) -> float:
    """A probe's own time budget: ``budget(opts)`` when it declares one, else the timeout."""
    budget = getattr(probe, "budget", None)
    if callable(budget):
        try:
            value = float(budget(opts))
            if value > 0:
                return value
        except Exception:
            pass
    return opts.timeout


def is_wanted(probe: Probe, opts: ProbeOptions) -> bool:
    if opts.probes is not None and probe.name not in opts.probes:
        return False
    return any(opts.wants(check_id) for check_id in probe.check_ids)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _notify(progress: Progress | None, name: str, state: str) -> None:
    if progress is None:
        return
    with contextlib.suppress(Exception):  # a broken progress display never affects probes
        progress(name, state)


def _failure_result(probe: Probe, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
    try:
        return probe.on_failure(ctx, opts, error)
    except Exception as exc:  # last resort: an empty section that says what happened
        log.debug("%s.on_failure raised: %s", probe.name, exc)
        return ProbeResult(section={"error": error})


def failed_results(
    ctx: AuditContext, opts: ProbeOptions, probes: Sequence[Probe], error: str
) -> tuple[list[Finding], dict[str, Any], set[str]]:
    """What ``run_probes`` returns when every selected probe failed with ``error`` (a fleet
    target whose live phase broke as a whole): each probe's own failure result."""
    findings: list[Finding] = []
    deep: dict[str, Any] = {}
    for probe in (p for p in probes if is_wanted(p, opts)):
        result = _failure_result(probe, ctx, opts, error)
        findings.extend(f for f in result.findings if opts.wants(f.check_id))
        if result.section is not None:
            deep[probe.section_key] = dict(result.section)
    return findings, deep, {s for s in (opts.token, opts.password) if s}


async def run_probes(
    ctx: AuditContext,
    opts: ProbeOptions,
    progress: Progress | None = None,
    *,
    probes: Sequence[Probe] | None = None,
) -> tuple[list[Finding], dict[str, Any], set[str]]:
    """Run the probes; return (findings in canonical order, ``report.deep``, secrets to redact).

    ``probes`` replaces the lazily loaded default set (tests inject fakes this way).
    """
    if probes is None:  # a probe left out by name is not even imported (it costs nothing)
        probes = load_probes([m for m in PROBE_MODULES if module_selected(m, opts.probes)])
    selected = [p for p in probes if is_wanted(p, opts)]
    known_secrets = {s for s in (opts.token, opts.password) if s}
    results: dict[int, ProbeResult] = {}

    async def run_one(index: int, probe: Probe) -> None:
        _notify(progress, probe.name, "running")
        state = "done"
        try:
            with anyio.fail_after(probe_budget(probe, opts) + MARGIN_S):
                result = await probe.run(ctx, opts)
        except TimeoutError:
            state = "timeout"
            result = _failure_result(probe, ctx, opts, "timeout")
        except Exception as exc:
            state = "failed"
            message = safe_text(_describe(exc), known_secrets) or "probe failed"
            result = _failure_result(probe, ctx, opts, message)
        results[index] = result
        _notify(progress, probe.name, state)

    with anyio.move_on_after(global_deadline_s(opts.timeout)):
        async with anyio.create_task_group() as tg:
            for index, probe in enumerate(selected):
                tg.start_soon(run_one, index, probe)

    findings: list[Finding] = []
    deep: dict[str, Any] = {}
    secrets: set[str] = set(known_secrets)
    for index, probe in enumerate(selected):
        result = results.get(index)
        if result is None:  # cut off by the global deadline
            result = _failure_result(probe, ctx, opts, "timeout")
            _notify(progress, probe.name, "timeout")
        findings.extend(f for f in result.findings if opts.wants(f.check_id))
        if result.section is not None:
            deep[probe.section_key] = dict(result.section)
        secrets |= {s for s in result.secrets if s}
    for probe in probes:
        if not any(probe is p for p in selected):
            deep[probe.section_key] = skipped_section(skip_reason(probe.name, opts.probes))
    return findings, deep, secrets


def run_probes_sync(
    ctx: AuditContext,
    opts: ProbeOptions,
    progress: Progress | None = None,
    *,
    probes: Sequence[Probe] | None = None,
) -> tuple[list[Finding], dict[str, Any], set[str]]:
    """Blocking entry point for the CLI (asyncio backend: zeroconf's async API needs it)."""

    async def main() -> tuple[list[Finding], dict[str, Any], set[str]]:
        return await run_probes(ctx, opts, progress, probes=probes)

    return anyio.run(main, backend="asyncio")
