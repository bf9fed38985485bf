"""What a run looked at, so it marks fixed only what it could have seen (scheduled-scans.md §3).

A static run cannot see deep-only findings, a run with ``--check``/``--skip-check`` cannot see
checks outside its selection, a run with ``--probe``/``--skip-probe`` cannot see every live
finding, ``--min-severity`` hides the lower severities, and ``--baseline`` hides every finding
the baseline already holds: findings outside the scope stay open, unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from openclaw_audit.report.model import Severity
from openclaw_audit.report.selectors import any_matches


# A plain class, not a dataclass: dataclasses compile code at import, and every --history
# run imports this module (bench/history_bench.py).
class Scope:
    __slots__ = ("baseline", "checks", "deep", "min_severity", "probes", "skip_checks")

    def __init__(
        self,
        deep: bool = False,
        checks: tuple[str, ...] = (),
        skip_checks: tuple[str, ...] = (),
        probes: tuple[str, ...] | None = None,  # None: every probe (when deep)
        min_severity: str | None = None,
        baseline: bool = False,
    ) -> None:
        self.deep = deep
        self.checks = checks
        self.skip_checks = skip_checks
        self.probes = probes
        self.min_severity = min_severity
        self.baseline = baseline

    def covers(self, check_id: str, severity: str, deep_only: bool) -> bool:
        """Whether this run would have reported the finding, were it still there."""
        if self.baseline:
            return False
        if deep_only and not (self.deep and self.probes is None):
            return False
        if self.checks and not any_matches(self.checks, check_id):
            return False
        if any_matches(self.skip_checks, check_id):
            return False
        if self.min_severity is not None:
            try:
                return Severity(severity).rank >= Severity(self.min_severity).rank
            except ValueError:
                return False
        return True

    def to_json(self) -> str:
        doc: dict[str, Any] = {"deep": self.deep}
        if self.checks:
            doc["checks"] = list(self.checks)
        if self.skip_checks:
            doc["skipChecks"] = list(self.skip_checks)
        if self.probes is not None:
            doc["probes"] = list(self.probes)
        if self.min_severity:
            doc["minSeverity"] = self.min_severity
        if self.baseline:
            doc["baseline"] = True
        return json.dumps(doc, sort_keys=True)
