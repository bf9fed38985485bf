"""Upstream's ``security.audit.suppressions`` (report.md §2.3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.config.view import ConfigView
from openclaw_audit.engine.registry import catalog, define
from openclaw_audit.report import selectors
from openclaw_audit.report.model import Finding, Severity, SuppressedFinding

SUPPRESSIONS_ACTIVE = define(
    "security.audit.suppressions.active",
    Severity.INFO,
    "Audit suppressions are active",
    remediation=(
        "Review suppressedFindings and delete every suppression whose accepted risk no longer "
        "applies."
    ),
    docs="""
## What
Emitted last whenever `security.audit.suppressions` lists at least one entry; says how many
entries exist and how many findings they hid.

## Why
A suppression is an accepted risk. Accepted risks go stale: the finding it hides may have
become worse, or the reason may no longer hold.

## Fix
Read `suppressedFindings` in the JSON report and remove suppressions you no longer need.
""",
    group="security",
)


SUPPRESSION_UNKNOWN_CHECK = define(
    "security.audit.suppressions.unknown_check",
    Severity.WARN,
    "A suppression names no known check",
    remediation=(
        "Correct the checkId of the entry (an exact id or a glob such as 'gateway.*'), or "
        "delete the entry."
    ),
    docs="""
## What
An entry of `security.audit.suppressions` has a `checkId` that matches no check of the
catalog (`openclaw-audit checks`), or is empty. The detail names the entry and the nearest
known id.

## Why
A misspelt suppression hides nothing, so the finding it was meant to accept keeps showing;
or it names a check that no longer exists, and the accepted risk is no longer recorded
anywhere that is read. OpenClaw accepts any string here, so the audit still runs: this
finding is how the mistake becomes visible.

## Fix
Copy the checkId from the finding you mean to accept, or delete the entry.
""",
    group="security",
)


@dataclass(frozen=True, slots=True)
class Rule:
    check_id: str
    title_includes: str | None
    detail_includes: str | None
    reason: str | None
    index: int = -1  # position in security.audit.suppressions

    def matches(self, finding: Finding) -> bool:
        if not selectors.matches(self.check_id, finding.check_id):
            return False
        if self.title_includes and self.title_includes not in finding.title.lower():
            return False
        return not (self.detail_includes and self.detail_includes not in finding.detail.lower())


def _opt_lower(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    return None


def parse_rules(entries: Iterable[Any]) -> list[Rule]:
    rules = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        cid = entry.get("checkId")
        if not isinstance(cid, str):
            continue
        reason = entry.get("reason")
        rules.append(
            Rule(
                check_id=cid.strip(),
                title_includes=_opt_lower(entry.get("titleIncludes")),
                detail_includes=_opt_lower(entry.get("detailIncludes")),
                reason=reason.strip() if isinstance(reason, str) and reason.strip() else None,
                index=index,
            )
        )
    return rules


def apply_config_suppressions(
    findings: list[Finding], config: ConfigView
) -> tuple[list[Finding], list[SuppressedFinding]]:
    configured = config.get_list("security.audit.suppressions")
    if not configured:
        return list(findings), []
    rules = parse_rules(configured)
    unknown = _unknown_rules(rules, config)
    rules = [r for r in rules if r.check_id]
    active: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in findings:
        rule = next((r for r in rules if r.matches(finding)), None)
        if rule is None:
            active.append(finding)
        else:
            suppressed.append(SuppressedFinding(finding, rule.reason))
    active.extend(unknown)
    active.append(
        SUPPRESSIONS_ACTIVE.finding(
            f"{len(configured)} suppression(s) configured in security.audit.suppressions; "
            f"{len(suppressed)} finding(s) moved to suppressedFindings.",
            location=config.location("security.audit.suppressions"),
        )
    )
    return active, suppressed


def _unknown_rules(rules: list[Rule], config: ConfigView) -> list[Finding]:
    """One warning per entry whose checkId selects no catalog check (trust.md §2). Upstream
    accepts any string, so this is a finding, not an input error: the audit still runs."""
    ids = list(catalog().metas)
    out = []
    for rule in rules:
        why = selectors.problem(rule.check_id, ids)
        if why is None:
            continue
        out.append(
            SUPPRESSION_UNKNOWN_CHECK.finding(
                f"security.audit.suppressions entry with checkId {rule.check_id!r}: {why}",
                subject=f"{rule.index}:{rule.check_id}",
                location=config.location(f"security.audit.suppressions.{rule.index}.checkId"),
            )
        )
    return out
