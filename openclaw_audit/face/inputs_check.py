"""Refuse wrong input before any auditing work (trust.md §2): explicit paths that are not what
they claim, and check selectors that select nothing."""

from __future__ import annotations

import os
from collections.abc import Sequence

from openclaw_audit.config.locate import expand_user, home_dir
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.errors import UsageError
from openclaw_audit.face.inputs import require_dir, require_file
from openclaw_audit.report.selectors import problem


def catalog_ids() -> list[str]:
    """Every checkId (and family pattern) the audit can emit, its own included."""
    from openclaw_audit.engine.registry import catalog

    return list(catalog().metas)  # the index: every checkId, no check module imported


def check_selectors(flag: str, patterns: Sequence[str], ids: Sequence[str]) -> None:
    for pattern in patterns:
        why = problem(pattern, ids)
        if why is not None:
            raise UsageError(f"{flag} {pattern!r}: {why}")


def check_inputs(
    options: AuditOptions,
    targets: Sequence[str],
    *,
    baseline: str | None = None,
    ignore_file: str | None = None,
) -> None:
    """Exit 2 (one line) when a named path is missing, unreadable or the wrong kind, or a
    --check/--skip-check pattern selects no check. Only the default locations may be absent."""
    home = home_dir(os.environ)
    if options.state_dir is not None:
        require_dir(expand_user(options.state_dir, home), "state dir")
    for target in targets:
        require_file(expand_user(target, home), "config file")
    if baseline:
        require_file(baseline, "baseline")
    if ignore_file:
        require_file(ignore_file, "ignore file")
    if options.checks or options.skip_checks:
        ids = catalog_ids()
        check_selectors("--check", options.checks, ids)
        check_selectors("--skip-check", options.skip_checks, ids)
