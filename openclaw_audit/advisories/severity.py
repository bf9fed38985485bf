"""An advisory's severity, from what OSV records carry.

Rule, first that applies:
1. ``database_specific.severity`` (GitHub's CRITICAL / HIGH / MODERATE / LOW; MEDIUM reads as
   MODERATE), at the top level or on an OpenClaw ``affected`` entry;
2. the highest CVSS v3 base score in ``severity[]`` (computed from the vector with the CVSS 3.1
   formula): >= 9.0 critical, >= 7.0 high, >= 4.0 moderate, > 0 low;
3. otherwise unknown (a CVSS v4 or v2 vector alone, or nothing): reported as moderate, and the
   finding says the severity was not stated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

CRITICAL, HIGH, MODERATE, LOW, UNKNOWN = "critical", "high", "moderate", "low", "unknown"
RANK = {LOW: 1, UNKNOWN: 2, MODERATE: 2, HIGH: 3, CRITICAL: 4}
_WORDS = {"CRITICAL": CRITICAL, "HIGH": HIGH, "MODERATE": MODERATE, "MEDIUM": MODERATE, "LOW": LOW}


def advisory_severity(record: Mapping[str, Any], affected: Iterable[Mapping[str, Any]]) -> str:
    for holder in (record, *affected):
        word = _dict(holder.get("database_specific")).get("severity")
        if isinstance(word, str) and word.strip().upper() in _WORDS:
            return _WORDS[word.strip().upper()]
    scores = [
        s
        for holder in (record, *affected)
        for entry in _list(holder.get("severity"))
        if (s := _cvss3_entry(entry)) is not None
    ]
    if scores:
        return _from_score(max(scores))
    return UNKNOWN


def _from_score(score: float) -> str:
    if score >= 9.0:
        return CRITICAL
    if score >= 7.0:
        return HIGH
    if score >= 4.0:
        return MODERATE
    return LOW if score > 0 else UNKNOWN


def _cvss3_entry(entry: object) -> float | None:
    if not isinstance(entry, dict) or entry.get("type") != "CVSS_V3":
        return None
    score = entry.get("score")
    return cvss3_base_score(score) if isinstance(score, str) else None


_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}
_PR_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}


def cvss3_base_score(vector: str) -> float | None:
    """CVSS 3.0/3.1 base score of ``CVSS:3.x/AV:../..``; None when the vector is not one."""
    parts = vector.strip().split("/")
    if not parts or parts[0] not in ("CVSS:3.0", "CVSS:3.1"):
        return None
    metrics: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition(":")
        if not sep:
            return None
        metrics[key] = value
    try:
        changed = {"U": False, "C": True}[metrics["S"]]
        pr = (_PR_CHANGED if changed else _PR_UNCHANGED)[metrics["PR"]]
        exploitability = 8.22 * _AV[metrics["AV"]] * _AC[metrics["AC"]] * pr * _UI[metrics["UI"]]
        iss = 1 - (1 - _CIA[metrics["C"]]) * (1 - _CIA[metrics["I"]]) * (1 - _CIA[metrics["A"]])
    except KeyError:
        return None
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    total = impact + exploitability
    return _roundup(min(1.08 * total, 10.0) if changed else min(total, 10.0))


def _roundup(value: float) -> float:
    """CVSS 3.1 Roundup: the smallest one-decimal number >= value, free of float noise."""
    as_int = round(value * 100000)
    if as_int % 10000 == 0:
        return as_int / 100000.0
    return (math.floor(as_int / 10000) + 1) / 10.0


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
