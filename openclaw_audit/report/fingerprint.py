"""A finding's stable fingerprint (scheduled-scans.md §2).

A hex digest of the checkId and the finding's subject: never a secret, never a line number, so
the same problem keeps its fingerprint when the config is reformatted or the wording changes.
SARIF, JSON, ``diff``, baselines, history and notifications all use this one function.

The subject is the finding's own ``subject`` (account, path, flag, endpoint) when the check set
one; else the dotted config path or the probed URL its location names; else nothing (a check
that fires once per target needs no more than its checkId). Never the detail: details carry
wording, values and sometimes line numbers.
"""

from __future__ import annotations

import hashlib

from openclaw_audit.report.model import Finding


def subject_of(finding: Finding) -> str:
    """What the finding is about, without wording, values or positions."""
    if finding.subject is not None:
        return finding.subject
    loc = finding.location
    if loc is not None:
        if loc.config_path is not None:
            return ".".join(loc.config_path)
        if loc.uri:
            return loc.uri
    return ""


def fingerprint(finding: Finding) -> str:
    """Stable across runs, line moves and rewording: checkId plus the finding's subject."""
    text = f"{finding.check_id}|{subject_of(finding)}"
    # surrogatepass: a config key may hold a lone surrogate (\ud800); it hashes, never crashes
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
