"""Several targets in one run: which configs, and auditing them concurrently.

Targets come from repeated ``--config`` values, a directory (its ``*.json``/``*.json5`` files),
or ``@FILE`` (one config path per line, ``#`` comments, relative to that file). Each target is
audited on its own, with its config's directory as state dir unless ``--state-dir`` is given.
A target that cannot be loaded becomes an error entry; the others are still reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from openclaw_audit.errors import AuditError, UsageError
from openclaw_audit.report.model import Report
from openclaw_audit.report.targets import TargetResult

MAX_CONCURRENCY = 8
CONFIG_SUFFIXES = (".json", ".json5")


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
