"""What a CLI invocation does once parsed: audit, render, write, decide the exit code.

Kept apart from cli.py so tests (and other front ends) can drive a whole invocation without
typer, and so the exit policy lives in one place.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace

from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, UsageError
from openclaw_audit.face.fleet import expand_targets
from openclaw_audit.face.outputs import write_output
from openclaw_audit.redaction import Scrubber
from openclaw_audit.report.baseline import SavedTarget, load_saved, new_since, saved_for_target
from openclaw_audit.report.ignore_file import IgnoreFile
from openclaw_audit.report.ignore_file import apply as apply_ignore
from openclaw_audit.report.ignore_file import default_path as default_ignore_path
from openclaw_audit.report.ignore_file import load as load_ignore
from openclaw_audit.report.model import Report, Severity
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
    targets, is_fleet = expand_targets(inv.configs)
    if inv.fix and is_fleet:
        raise UsageError("--fix works on one target at a time: pass a single --config")
    if inv.fix:
        from openclaw_audit.face.fix_command import run_fix_command

        return run_fix_command(inv, scrubber)
    if inv.fmt == "sarif":
        pass  # rendered below, for one target or many
    elif inv.sarif_include_suppressed:
        raise UsageError("--sarif-include-suppressed only makes sense with --format sarif")
    # Bad side inputs fail before any auditing work (exit 2, one line).
    post = PostProcess(
        baseline=load_saved(inv.baseline) if inv.baseline else None,
        ignore=load_ignore(inv.ignore_file) if inv.ignore_file else None,
        min_severity=inv.options.min_severity,
        wants=inv.options.wants,
    )
    options = replace(inv.options, min_severity=None)  # applied after the ignore file
    if is_fleet:
        return _execute_fleet(inv, options, targets, post, scrubber)

    from openclaw_audit.engine.audit import run_audit

    progress = (
        _progress_printer() if inv.options.deep and sys.stderr.isatty() and not inv.quiet else None
    )
    run = run_audit(options, progress=progress)
    scrubber.add(run.scrubber.values)  # merge what the run learned
    if not inv.quiet:
        for warning in run.loaded.warnings:
            sys.stderr.write(one_line(scrubber(warning)) + "\n")
    report = post.apply(run.report)
    _note_baseline(inv, report, scrubber)
    if inv.fmt == "json":
        from openclaw_audit.render.json_report import render as render_json

        text = render_json(report)
    elif inv.fmt == "sarif":
        from openclaw_audit.render.sarif import render as render_sarif

        text = render_sarif(report, include_suppressed=inv.sarif_include_suppressed)
    else:
        from openclaw_audit.render.text import render as render_text

        text = render_text(report, color=inv.color and inv.output is None)
    write_output(scrubber(text), inv.output)
    return exit_code_for([report], inv.fail_on)


@dataclass(frozen=True, slots=True)
class PostProcess:
    """What happens to a finished report before rendering, in this order: the ignore file
    (after upstream's config suppressions, which the runner applied), --min-severity, then
    --baseline. --fail-on then judges what is left."""

    baseline: list[SavedTarget] | None = None
    ignore: IgnoreFile | None = None  # explicit --ignore-file; else the default beside the config
    min_severity: Severity | None = None
    wants: Callable[[str], bool] = lambda _: True

    def apply(self, report: Report) -> Report:
        active = list(report.findings)
        suppressed = list(report.suppressed)
        ignore = self.ignore
        if ignore is None and report.config_path:
            found = default_ignore_path(report.config_path)
            ignore = load_ignore(found) if found else None
        if ignore is not None:
            active, moved = apply_ignore(active, ignore, wants=self.wants)
            suppressed.extend(moved)
        if self.min_severity is not None:
            floor = self.min_severity.rank
            active = [f for f in active if f.severity.rank >= floor]
        meta = dict(report.meta)
        if self.baseline is not None:
            known = saved_for_target(self.baseline, report.config_path or "")
            fresh = new_since(active, known)
            meta["baselineKnown"] = len(active) - len(fresh)
            active = fresh
        return replace(report, findings=tuple(active), suppressed=tuple(suppressed), meta=meta)


def _note_baseline(inv: Invocation, report: Report, scrubber: Scrubber) -> None:
    known = report.meta.get("baselineKnown")
    if known is not None and not inv.quiet:
        sys.stderr.write(
            scrubber(f"baseline: {known} finding(s) already in {inv.baseline} not shown\n")
        )


def _execute_fleet(
    inv: Invocation,
    options: AuditOptions,
    targets: list[str],
    post: PostProcess,
    scrubber: Scrubber,
) -> int:
    from openclaw_audit.engine.audit import run_audit
    from openclaw_audit.engine.registry import load_catalog
    from openclaw_audit.face import fleet

    load_catalog()  # import the checks once, before threads race to do it
    learned: list[Scrubber] = []

    def audit_one(target: str) -> tuple[Report, tuple[str, ...]]:
        opts = replace(
            options,
            config_path=target,
            state_dir=options.state_dir or os.path.dirname(os.path.abspath(target)),
        )
        run = run_audit(opts)
        learned.append(run.scrubber)
        return post.apply(run.report), tuple(run.loaded.warnings)

    results = fleet.run_all(targets, audit_one)
    for s in learned:
        scrubber.add(s.values)
    for r in results:
        if r.error is not None:
            sys.stderr.write(one_line(scrubber(f"{r.target}: {r.error.render()}")) + "\n")
        elif not inv.quiet:
            for warning in r.warnings:
                sys.stderr.write(one_line(scrubber(f"{r.target}: {warning}")) + "\n")
            if r.report is not None:
                _note_baseline(inv, r.report, scrubber)
    if inv.fmt == "json":
        text = fleet.render_json(results)
    elif inv.fmt == "sarif":
        from openclaw_audit.render.sarif import SarifTarget
        from openclaw_audit.render.sarif import render as render_sarif

        text = render_sarif(
            [
                SarifTarget(r.target, r.report, r.error.render() if r.error else None)
                for r in results
            ],
            include_suppressed=inv.sarif_include_suppressed,
        )
    else:
        from openclaw_audit.render.text import render as render_text

        color = inv.color and inv.output is None
        text = fleet.render_text(
            results, lambda rep, head: render_text(rep, color=color, heading=head)
        )
    write_output(scrubber(text), inv.output)
    if any(r.report is None for r in results):
        return EXIT_INPUT  # a target that could not be audited must not pass a CI gate
    return exit_code_for([r.report for r in results if r.report is not None], inv.fail_on)


def _progress_printer():  # type: ignore[no-untyped-def]
    def progress(name: str, state: str) -> None:
        sys.stderr.write(f"probe {name}: {state}\n")
        sys.stderr.flush()

    return progress
