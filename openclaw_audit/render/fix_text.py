"""The ``--fix`` block of the text report (fix.md §1.2, B3), placed before the findings."""

from __future__ import annotations

import re

from openclaw_audit.render.text import Line, render
from openclaw_audit.report.model import FixAction, FixResult, Report

FIX_HINT_COMMAND = "openclaw security audit --fix"


def shorten_home(text: str, home: str) -> str:
    """Replace the home directory with ``~`` wherever it starts a path."""
    home = home.rstrip("/")
    if not home:
        return text
    return re.sub(re.escape(home) + r"(?=/|\\|$|\s|[\"'),:;])", "~", text)


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
        # Diff lines are printed as they are so the hunk stays a valid patch.
        lines.extend((line, None) for line in diff.diff.splitlines())
    for action in fix.actions:
        text = _action_line(action, home, fix.dry_run)
        if text is not None:
            lines.append((text, "dim"))
    lines.extend((f"  error: {shorten_home(e, home)}", "red") for e in fix.errors)
    return lines


def render_with_fix(
    report: Report,
    fix: FixResult | None,
    *,
    home: str,
    color: bool = False,
    fix_command: str = FIX_HINT_COMMAND,
) -> str:
    block = fix_block_lines(fix, home=home, fix_command=fix_command)
    return render(report, color=color, after_header=block)
