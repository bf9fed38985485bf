"""What a CLI invocation does once parsed: audit, render, write, decide the exit code.

Kept apart from cli.py so tests (and other front ends) can drive a whole invocation without
typer, and so the exit policy lives in one place.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from openclaw_audit.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from openclaw_audit.model import Report, Severity
from openclaw_audit.options import AuditOptions
from openclaw_audit.outputs import write_output
from openclaw_audit.scrub import Scrubber
from openclaw_audit.textsafe import one_line


@dataclass(frozen=True, slots=True)
class Invocation:
    options: AuditOptions
    configs: tuple[str, ...] = ()
    fmt: str = "text"  # text | json | sarif
    output: str | None = None
    fix: bool = False
    dry_run: bool = False
    fail_on: str = "none"
    ignore_file: str | None = None
    baseline: str | None = None
    sarif_include_suppressed: bool = False
    color: bool = False
    quiet: bool = False
    verbose: bool = False


def exit_code_for(reports: list[Report], fail_on: str) -> int:
    """``--fail-on``: exit 1 when an unsuppressed finding at or above the threshold remains."""
    if fail_on == "none":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    for report in reports:
        if any(f.severity.rank >= threshold for f in report.findings):
            return EXIT_FINDINGS
    return EXIT_OK


def execute(inv: Invocation, scrubber: Scrubber) -> int:
    if len(inv.configs) > 1:
        raise UsageError("auditing several --config targets at once is not supported yet")
    if inv.fix:
        raise UsageError("--fix is not available in this build yet")
    if inv.fmt == "sarif":
        raise UsageError("--format sarif is not available in this build yet")
    if inv.baseline or inv.ignore_file:
        raise UsageError("--baseline and --ignore-file are not available in this build yet")

    from openclaw_audit.runner import run_audit

    progress = (
        _progress_printer() if inv.options.deep and sys.stderr.isatty() and not inv.quiet else None
    )
    run = run_audit(inv.options, progress=progress)
    scrubber.add(run.scrubber.values)  # merge what the run learned
    if not inv.quiet:
        for warning in run.loaded.warnings:
            sys.stderr.write(one_line(scrubber(warning)) + "\n")
    report = run.report
    if inv.fmt == "json":
        from openclaw_audit.render.json_report import render as render_json

        text = render_json(report)
    else:
        from openclaw_audit.render.text import render as render_text

        text = render_text(report, color=inv.color and inv.output is None)
    write_output(scrubber(text), inv.output)
    return exit_code_for([report], inv.fail_on)


def _progress_printer():  # type: ignore[no-untyped-def]
    def progress(name: str, state: str) -> None:
        sys.stderr.write(f"probe {name}: {state}\n")
        sys.stderr.flush()

    return progress
