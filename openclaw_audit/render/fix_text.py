"""The ``--fix`` block of the text report (fix.md §1.2, B3; output-ux.md §3).

A real ``--fix`` prints the block before the findings of the audit that ran after it. A dry run
leads with the plan and what it would resolve; the full report follows only with ``-v``.
"""

from __future__ import annotations

from openclaw_audit.render.text import (
    RAW,
    TOOL,
    Layout,
    Line,
    paint,
    render,
    render_lines,
    shorten_home,
    summary_line,
    target_line,
)
from openclaw_audit.report.model import Finding, FixAction, FixResult, Report, Severity
from openclaw_audit.report.target_info import TargetInfo

FIX_HINT_COMMAND = f"{TOOL} --fix"

__all__ = ["FIX_HINT_COMMAND", "fix_block_lines", "render_with_fix", "shorten_home"]


def _action_line(action: FixAction, home: str, dry_run: bool) -> str | None:
    path = shorten_home(action.path, home)
    if action.kind == "chmod":
        what = f"chmod {action.mode or 0:03o} {path}"
    else:
        what = shorten_home(action.command or "", home)
    if action.ok:
        return f"  {what}"
    if action.planned:
        return f"  would {what}" if dry_run else None
    if action.skipped:
        return f"  skip {what} ({action.skipped})"
    if action.error:
        return f"  {what} failed: {shorten_home(action.error, home)}"
    return None


def fix_block_lines(fix: FixResult | None, *, home: str, fix_command: str) -> list[Line]:
    lines: list[Line] = [(f"Fix: {fix_command}", "dim")]
    if fix is None:
        lines.append(("Fixes: failed to apply (unexpected error)", "dim"))
        return lines
    planned = any(a.planned for a in fix.actions)
    applied = any(a.ok for a in fix.actions)
    if not fix.errors and not fix.changes and not applied and not planned:
        nothing = (
            "Fixes: nothing to change (dry run)" if fix.dry_run else "Fixes: no changes applied"
        )
        lines.append((nothing, "dim"))
        return lines
    lines.append(("", None))
    lines.append(("FIX (dry run: nothing was changed)" if fix.dry_run else "FIX", "bold"))
    lines.extend((f"  {shorten_home(c, home)}", "dim") for c in fix.changes)
    for diff in fix.diffs:
        # Diff lines are printed as they are (never wrapped) so the hunk stays a valid patch.
        lines.extend((line, RAW) for line in diff.diff.splitlines())
    for action in fix.actions:
        text = _action_line(action, home, fix.dry_run)
        if text is not None:
            lines.append((text, "dim"))
    lines.extend((f"  error: {shorten_home(e, home)}", "red") for e in fix.errors)
    return lines


# --- what a dry run would resolve ----------------------------------------------------------------


def _changed_paths(fix: FixResult) -> set[tuple[str, ...]]:
    """The config paths the planned edits set (``logging.redactSensitive=off -> "tools"``)."""
    out: set[tuple[str, ...]] = set()
    for change in fix.changes:
        dotted, sep, _ = change.partition("=")
        if sep:
            out.add(tuple(dotted.strip().split(".")))
    return out


def _would_resolve(finding: Finding, config_paths: set[tuple[str, ...]], files: set[str]) -> bool:
    """Whether the plan removes this finding's cause: a permission finding whose file would be
    chmodded, or a finding that points at exactly the value an edit sets. Findings that merely
    list a changed value among others (exposure, trust model) are not counted: they may stay."""
    if finding.check_id.startswith("fs.") and ".perms" in finding.check_id:
        return finding.subject in files
    if finding.check_id == "config.schema_invalid":
        return False  # an edit changes a value; it does not make an unknown key known
    loc = finding.location
    return loc is not None and loc.config_path is not None and loc.config_path in config_paths


def resolve_counts(report: Report, fix: FixResult) -> tuple[int, int]:
    """(findings, critical findings) the dry-run plan would resolve, counted conservatively."""
    paths = _changed_paths(fix)
    files = {a.path for a in fix.actions if a.planned}
    hits = [f for f in report.findings if _would_resolve(f, paths, files)]
    return len(hits), sum(1 for f in hits if f.severity is Severity.CRITICAL)


def _dry_run_text(
    report: Report, fix: FixResult, *, home: str, fix_command: str, layout: Layout, full: bool
) -> str:
    """Plan first, then "would resolve N findings (M critical)"; the report only with ``-v``."""
    info = TargetInfo.of(report)
    lines: list[Line] = [(target_line(info), None)] if info is not None else []
    # The block's first line is the "Fix: <command>" hint; here it closes the plan instead.
    lines.extend(fix_block_lines(fix, home=home, fix_command=fix_command)[1:])
    n, crit = resolve_counts(report, fix)
    lines.append(("", None))
    lines.append((f"Would resolve {_count(n)} ({crit} critical).", "bold"))
    lines.append((f"To apply: {fix_command}", "dim"))
    if not full:
        lines.append((f"Current state: {summary_line(report)[len('Summary: ') :]}", None))
        lines.append(("Add -v to see the full report.", "dim"))
        return paint(lines, layout)
    lines.append(("", None))
    body = render_lines(report, layout=layout, fix_run=True)
    if info is not None:
        body = body[1:]  # the target line is already at the top
    return paint([*lines, *body], layout)


def _count(n: int) -> str:
    return f"{n} finding" if n == 1 else f"{n} findings"


def render_with_fix(
    report: Report,
    fix: FixResult | None,
    *,
    home: str,
    color: bool = False,
    fix_command: str = FIX_HINT_COMMAND,
    layout: Layout | None = None,
    verbose: bool = False,
) -> str:
    layout = layout or Layout(color=color)
    if fix is not None and fix.dry_run:
        return _dry_run_text(
            report, fix, home=home, fix_command=fix_command, layout=layout, full=verbose
        )
    block = fix_block_lines(fix, home=home, fix_command=fix_command)
    return render(report, after_header=block, layout=layout, fix_run=True)
