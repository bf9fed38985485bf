"""``openclaw-audit diff OLD.json NEW.json``: what changed between two saved reports.

Findings are paired as in baseline.py: by fingerprint when both reports carry one, else by
checkId + detail / subject (reports saved by older versions), never by title wording. Only
active findings count: a finding that moved into suppressedFindings is "resolved" from the
report's point of view. Several-target reports are compared target by target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.report.baseline import SINGLE, SavedFinding, SavedTarget, load_saved, pair


@dataclass
class TargetDrift:
    target: str
    new: list[SavedFinding] = field(default_factory=list)
    resolved: list[SavedFinding] = field(default_factory=list)
    changed: list[tuple[SavedFinding, SavedFinding]] = field(default_factory=list)
    note: str | None = None  # e.g. "only in NEW", "could not be audited in OLD"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "new": [f.to_json() for f in self.new],
            "resolved": [f.to_json() for f in self.resolved],
            "changedSeverity": [_changed(o, n) for o, n in self.changed],
            "summary": {
                "new": len(self.new),
                "resolved": len(self.resolved),
                "changedSeverity": len(self.changed),
            },
        }
        if self.note:
            out["note"] = self.note
        return out


def _changed(old: SavedFinding, new: SavedFinding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "checkId": new.check_id,
        "title": new.title,
        "detail": new.detail,
        "from": old.severity,
        "to": new.severity,
    }
    if new.fingerprint:
        out["fingerprint"] = new.fingerprint
    return out


@dataclass
class Drift:
    targets: list[TargetDrift]
    single: bool  # both inputs were single-target reports: flat JSON


def compare(old: list[SavedTarget], new: list[SavedTarget]) -> Drift:
    if len(old) == 1 and len(new) == 1 and SINGLE in (old[0].target, new[0].target):
        # A single report against a one-target fleet file (or another single report).
        one = _compare_one(new[0].target or old[0].target, old[0], new[0])
        return Drift([one], single=old[0].target == new[0].target == SINGLE)
    olds = {t.target: t for t in old}
    news = {t.target: t for t in new}
    names = [*news, *(n for n in olds if n not in news)]
    return Drift([_compare_one(n, olds.get(n), news.get(n)) for n in names], single=False)


def _compare_one(name: str, old: SavedTarget | None, new: SavedTarget | None) -> TargetDrift:
    drift = TargetDrift(target=name)
    if old is None or new is None:
        drift.note = "only in NEW" if old is None else "only in OLD"
    for side, tgt in (("OLD", old), ("NEW", new)):
        if tgt is not None and tgt.error is not None:
            drift.note = f"could not be audited in {side}: {tgt.error}"
    pairs, gone, fresh = pair(
        old.findings if old else (), new.findings if new and new.error is None else ()
    )
    drift.new = fresh
    drift.resolved = gone if new is not None and new.error is None else []
    drift.changed = [(o, n) for o, n in pairs if o.severity != n.severity]
    return drift


def diff_files(old_path: str, new_path: str) -> Drift:
    return compare(load_saved(old_path), load_saved(new_path))
