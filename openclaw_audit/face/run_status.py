"""What a finished run knows about itself, for the outputs and the exit code of scheduled scans
(scheduled-scans.md §1, §5, §7): which probes failed, the full report behind a
baseline-filtered one, and the ``--update-baseline`` rules.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from openclaw_audit.errors import UsageError
from openclaw_audit.report.model import Report
from openclaw_audit.report.targets import TargetResult

EXIT_PROBE = 4  # --fail-on-probe-error: a probe that was asked for failed


def probe_failures(results: Sequence[TargetResult]) -> list[str]:
    """One line per failed probe (``--fail-on-probe-error``), the target named in a fleet."""
    from openclaw_audit.report.probe_status import failed_probes  # only when asked

    lines = []
    named = len(results) > 1
    for r in results:
        if r.report is None:
            continue
        prefix = f"{r.target}: " if named else ""
        for status in failed_probes(r.report):
            lines.append(f"{prefix}probe {status.name} failed: {status.error or 'failed'}")
    return lines


def unbaselined(report: Report) -> Report:
    """The report as it was before ``--baseline`` hid the findings the baseline knew."""
    before = report.meta.get("beforeBaseline")
    return replace(report, findings=tuple(before)) if before is not None else report


def check_baseline_options(baseline: str | None, update: bool, dry_run: bool) -> bool:
    """Exit 2 for an ``--update-baseline`` that cannot work; True when the baseline file does
    not exist yet and this run creates it (every finding is then new)."""
    if not update:
        return False
    if not baseline:
        raise UsageError("--update-baseline needs --baseline PATH: the file it rewrites")
    if dry_run:
        raise UsageError("--update-baseline writes a file; a --dry-run changes nothing")
    return not os.path.lexists(baseline)
