"""A finding's stable fingerprint (scheduled-scans.md §2).

A hex digest of the checkId and the finding's subject: never a secret, never a line number, so
the same problem keeps its fingerprint when the config is reformatted or the wording changes.
SARIF, JSON, ``diff``, baselines, history and notifications all use this one function.
"""

from __future__ import annotations

import hashlib

from openclaw_audit.report.model import Finding


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: checkId plus the finding's subject (or detail)."""
    _, subject = finding.identity
    return hashlib.sha256(f"{finding.check_id}|{subject}".encode()).hexdigest()
