"""What happens to a finished audit before anything renders it, in one step and one order for
every run (single target, fleet, ``--fix``):

1. upstream's ``security.audit.suppressions`` from the config (report.md §2.3);
2. the ignore file (``--ignore-file``, else the default one beside the config);
3. ``--min-severity``;
4. ``--baseline`` (only findings not in the saved report stay);
5. the catalog entry of every checkId left, so renderers never load the catalog.

``--fail-on`` then judges what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from openclaw_audit.config.view import ConfigView
from openclaw_audit.engine.registry import catalog as registry_catalog
from openclaw_audit.report.ignore_path import default_path as default_ignore_path
from openclaw_audit.report.model import Finding, Report, Rule, Severity
from openclaw_audit.report.suppressions import apply_config_suppressions

if TYPE_CHECKING:  # the baseline and ignore-file code loads only when one is used
    from openclaw_audit.report.baseline import SavedTarget
    from openclaw_audit.report.ignore_file import IgnoreFile


@dataclass(frozen=True, slots=True)
class PostProcess:
    baseline: list[SavedTarget] | None = None
    ignore: IgnoreFile | None = None  # explicit --ignore-file; else the default beside the config
    min_severity: Severity | None = None
    wants: Callable[[str], bool] = lambda _: True
    fleet: bool = False  # several targets: baselines match per target only

    def apply(self, report: Report, config: ConfigView) -> Report:
        active, suppressed = apply_config_suppressions(list(report.findings), config)
        ignore = self.ignore
        if ignore is None and report.config_path:
            found = default_ignore_path(report.config_path)
            if found:
                from openclaw_audit.report.ignore_file import check_entries, load

                ignore = load(found)
                check_entries(ignore, registry_catalog().metas)
        if ignore is not None:
            from openclaw_audit.report.ignore_file import apply as apply_ignore

            active, moved = apply_ignore(active, ignore, wants=self.wants)
            suppressed.extend(moved)
        if self.min_severity is not None:
            floor = self.min_severity.rank
            active = [f for f in active if f.severity.rank >= floor]
        meta = dict(report.meta)
        if self.baseline is not None:
            from openclaw_audit.report.baseline import new_since, saved_for_target

            known = saved_for_target(self.baseline, report.config_path or "", fleet=self.fleet)
            fresh = new_since(active, known)
            meta["baselineKnown"] = len(active) - len(fresh)
            meta["beforeBaseline"] = tuple(active)  # what --update-baseline saves
            active = fresh
        return replace(
            report,
            findings=tuple(active),
            suppressed=(*report.suppressed, *suppressed),
            meta=meta,
            rules=rules_for([*active, *(s.finding for s in suppressed)]),
        )


def rules_for(findings: Iterable[Finding]) -> dict[str, Rule]:
    """The catalog entry behind each checkId (a family entry for a concrete family id)."""
    catalog = registry_catalog()  # the index: no check module is imported for this
    rules: dict[str, Rule] = {}
    for finding in findings:
        cid = finding.check_id
        if cid in rules:
            continue
        meta = catalog.meta_for(cid)
        if meta is not None:
            rules[cid] = meta.rule()
    return rules
