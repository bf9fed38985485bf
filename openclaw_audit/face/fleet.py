"""Several targets in one run: which configs, auditing them concurrently, the fleet outputs.

Targets come from repeated ``--config`` values, a directory (its ``*.json``/``*.json5`` files),
or ``@FILE`` (one config path per line, ``#`` comments, relative to that file). Each target is
audited on its own, with its config's directory as state dir unless ``--state-dir`` is given.
A target that cannot be loaded becomes an error entry; the others are still reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from openclaw_audit.errors import AuditError, UsageError
from openclaw_audit.render.json_report import dumps, report_envelope
from openclaw_audit.report.model import Report, Summary

MAX_CONCURRENCY = 8
CONFIG_SUFFIXES = (".json", ".json5")


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: str
    report: Report | None = None
    error: AuditError | None = None
    warnings: tuple[str, ...] = ()


def expand_targets(configs: Sequence[str]) -> tuple[list[str], bool]:
    """The config paths to audit, and whether this is a several-target run (more than one
    path, or any directory / @list given, so scripts get a stable shape)."""
    paths: list[str] = []
    fleet = len(configs) > 1
    for value in configs:
        if value.startswith("@"):
            paths.extend(_read_list(value[1:]))
            fleet = True
        elif os.path.isdir(value):
            found = sorted(
                os.path.join(value, name)
                for name in os.listdir(value)
                if name.endswith(CONFIG_SUFFIXES) and os.path.isfile(os.path.join(value, name))
            )
            if not found:
                raise UsageError(f"no *.json or *.json5 configs in directory {value}")
            paths.extend(found)
            fleet = True
        else:
            paths.append(value)
    seen: set[str] = set()
    unique = []
    for p in paths:
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique, fleet


def _read_list(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read(1024 * 1024).splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        what = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise AuditError(f"cannot read target list: {what or exc}", file=path) from None
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line if os.path.isabs(line) else os.path.join(base, line))
    if not out:
        raise UsageError(f"target list {path} names no config")
    return out


def run_all(
    targets: Sequence[str],
    audit_one: Callable[[str], tuple[Report, tuple[str, ...]]],
    *,
    max_workers: int = MAX_CONCURRENCY,
) -> list[TargetResult]:
    """Audit every target with at most ``max_workers`` at once; results in target order."""

    def one(target: str) -> TargetResult:
        try:
            report, warnings = audit_one(target)
        except AuditError as exc:
            return TargetResult(target=target, error=exc)
        return TargetResult(target=target, report=report, warnings=warnings)

    workers = max(1, min(max_workers, len(targets)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="audit-target") as pool:
        return list(pool.map(one, targets))


def fleet_summary(results: Sequence[TargetResult]) -> dict[str, int]:
    ok = [r.report for r in results if r.report is not None]
    counts = Summary.of([f for rep in ok for f in rep.findings])
    return {
        "targets": len(results),
        "audited": len(ok),
        "failed": len(results) - len(ok),
        **counts.to_json(),
    }


def render_json(results: Sequence[TargetResult]) -> str:
    items: list[dict[str, Any]] = []
    for r in results:
        if r.report is not None:
            items.append({"target": r.target, "report": report_envelope(r.report)})
        else:
            assert r.error is not None
            items.append({"target": r.target, "error": r.error.to_json()["error"]})
    return dumps({"targets": items, "summary": fleet_summary(results)})


def render_text(
    results: Sequence[TargetResult], render_report: Callable[[Report, str], str]
) -> str:
    parts: list[str] = []
    for r in results:
        if r.report is not None:
            parts.append(render_report(r.report, f"OpenClaw security audit: {r.target}"))
        else:
            assert r.error is not None
            parts.append(f"OpenClaw security audit: {r.target}\n{r.error.render()}\n")
    parts.append(summary_table(results))
    return "\n".join(parts)


def summary_table(results: Sequence[TargetResult]) -> str:
    width = max([len("target"), *(len(r.target) for r in results)])
    rows = [f"{'target'.ljust(width)}  critical  warn  info", "-" * (width + 22)]
    for r in results:
        if r.report is None:
            rows.append(f"{r.target.ljust(width)}  error: could not be audited")
            continue
        s = r.report.summary
        rows.append(f"{r.target.ljust(width)}  {s.critical:>8}  {s.warn:>4}  {s.info:>4}")
    total = fleet_summary(results)
    rows.append(
        f"{'total'.ljust(width)}  {total['critical']:>8}  {total['warn']:>4}  {total['info']:>4}"
    )
    failed = f", {total['failed']} failed" if total["failed"] else ""
    return f"Fleet summary ({total['audited']} audited{failed})\n" + "\n".join(rows) + "\n"
