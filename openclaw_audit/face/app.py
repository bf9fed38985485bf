"""What a CLI invocation does once parsed: audit (and fix), post-process, render, redact, write,
and decide the exit code.

Kept apart from cli.py so tests (and other front ends) can drive a whole invocation without
typer. This is the one place that owns an invocation: it builds the post-processing step once,
picks the formatter from ``render.formats.FORMATS``, passes the free text of what the run
produced through the one safety net (never the rendered text: checkIds, severities and the
output's structure are not free text), and decides the exit code.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from openclaw_audit.config.loader import LoadedConfig
from openclaw_audit.engine.options import DEFAULT_CONCURRENCY, AuditOptions
from openclaw_audit.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, AuditError, UsageError
from openclaw_audit.face.inputs_check import catalog_ids, check_inputs
from openclaw_audit.face.outputs import (
    PUBLIC_FORMATS,
    OutputPlan,
    OutputRequest,
    check_collisions,
    check_directories,
    mode_for,
    plan_outputs,
    previous_success,
    write_output,
    write_stderr,
)
from openclaw_audit.face.run_status import (
    EXIT_PROBE,
    check_baseline_options,
    probe_failures,
    unbaselined,
)
from openclaw_audit.redaction import Scrubber
from openclaw_audit.report.model import FixResult, Report, Severity
from openclaw_audit.report.postprocess import PostProcess
from openclaw_audit.report.redact import redact_error, redact_fix, redact_target
from openclaw_audit.report.target_info import with_target
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.textsafe import one_line

if TYPE_CHECKING:  # the engine itself is imported when an audit runs
    from collections.abc import Mapping

    from openclaw_audit.engine.audit import AuditRun
    from openclaw_audit.face.scheduled import Scheduled, ScheduledOptions
    from openclaw_audit.render.formats import AuditOutput, RenderOptions
    from openclaw_audit.report.baseline import SavedTarget
    from openclaw_audit.report.ignore_file import IgnoreFile
    from openclaw_audit.report.trend import TargetHistory

log = logging.getLogger(__name__)

_CI_FORMATS = ("sarif", "github")  # formats with side effects in face/ci_outputs.py


@dataclass(frozen=True, slots=True)
class Invocation:
    options: AuditOptions
    configs: tuple[str, ...] = ()
    fmt: str = "text"  # a key of render.formats.FORMATS
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
    advisories: str | None = None  # --advisories PATH (else the advisories update cache)
    sarif_category: str | None = None  # --sarif-category NAME
    sarif_base: str | None = None  # --sarif-base DIR (SARIF and GitHub annotation paths)
    # Text layout (output-ux.md §3): wrap width when stdout is a TTY (None: never wrap) and
    # --compact; --demo audits a temporary copy of the bundled demo gateway.
    width: int | None = None
    compact: bool = False
    demo: bool = False
    concurrency: int = DEFAULT_CONCURRENCY  # --concurrency: --deep fleet targets probed at once
    scheduled: ScheduledOptions | None = None  # --history, --notify-* (face/scheduled.py)
    # every --output value: FMT=PATH or a plain PATH (which joins ``output``'s meaning)
    outputs: tuple[str, ...] = ()
    update_baseline: bool = False  # rewrite --baseline with this run's report afterwards
    fail_on_probe_error: bool = False  # exit 4 when a probe that was asked for failed


def exit_code_for(reports: Sequence[Report], fail_on: str) -> int:
    """``--fail-on``: exit 1 when an unsuppressed finding at or above the threshold remains."""
    if fail_on == "none":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    for report in reports:
        if any(f.severity.rank >= threshold for f in report.findings):
            return EXIT_FINDINGS
    return EXIT_OK


def output_plan(inv: Invocation) -> OutputPlan:
    """The run's outputs: ``output`` (a plain path) and every ``--output`` value."""
    from openclaw_audit.render.formats import FORMATS

    values = ([inv.output] if inv.output else []) + list(inv.outputs)
    return plan_outputs(values, FORMATS, inv.fmt, quiet=inv.quiet)


def execute(inv: Invocation, scrubber: Scrubber) -> int:
    if inv.demo:
        return _execute_demo(inv, scrubber)
    return _execute(inv, scrubber)


def _execute_demo(inv: Invocation, scrubber: Scrubber) -> int:
    """``--demo``: the same run on a temporary copy of the bundled demo gateway."""
    if inv.configs or inv.options.state_dir or inv.options.config_path:
        raise UsageError("--demo audits the bundled demo gateway: drop --config and --state-dir")
    if inv.options.deep:
        # The demo is files only: probing would reach whatever gateway runs on this machine
        # and judge it against the demo's config.
        raise UsageError("--demo has no live gateway to probe: drop --deep")
    from openclaw_audit.face.demo import demo_state_dir

    with demo_state_dir() as state:
        # The demo's own environment: the user's OPENCLAW_* variables and .env files must not
        # redirect it (env=None would read them).
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
        opts = replace(inv.options, state_dir=state, config_path=None, env=env)
        return _execute(replace(inv, options=opts), scrubber)


def _execute(inv: Invocation, scrubber: Scrubber) -> int:
    targets, is_fleet = _expand_targets(inv.configs)
    plan = output_plan(inv)
    fresh_baseline = check_baseline_options(inv.baseline, inv.update_baseline, inv.dry_run)
    baseline = None if fresh_baseline else inv.baseline
    check_inputs(inv.options, targets, baseline=baseline, ignore_file=inv.ignore_file)
    # The report must not replace the very findings it is compared against (trust.md §6).
    inputs = [("config file", t) for t in targets]
    check_collisions(plan, inv.baseline, [*inputs, ("ignore file", inv.ignore_file or "")])
    check_directories([r.path for r in plan.files if r.fmt not in PUBLIC_FORMATS])
    if fresh_baseline and inv.baseline:
        check_directories([inv.baseline], "--baseline")
    formats = {inv.fmt, *(r.fmt for r in plan.files)}
    if inv.fix and is_fleet:
        raise UsageError("--fix works on one target at a time: pass a single --config")
    if inv.fix and "sarif" in formats:
        raise UsageError("--fix prints text or JSON; --format sarif is not supported with it")
    if inv.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if inv.sarif_include_suppressed and "sarif" not in formats:
        raise UsageError("--sarif-include-suppressed only makes sense with --format sarif")
    ci = [f for f in _CI_FORMATS if f in formats]
    if ci or inv.sarif_category is not None or inv.sarif_base is not None:
        from openclaw_audit.face.ci_outputs import check_ci_options

        # A CI format asked for anywhere (stdout or an --output FMT=PATH) counts.
        check_ci_options(
            inv.fmt if inv.fmt in ci else (ci[0] if ci else inv.fmt),
            inv.sarif_category,
            inv.sarif_base,
            inv.fix,
        )
    # Bad side inputs fail before any auditing work (exit 2, one line).
    ignore = _load_ignore(inv.ignore_file) if inv.ignore_file else None
    if fresh_baseline and not inv.quiet:
        write_stderr(
            one_line(f"baseline: {inv.baseline} does not exist yet; this run creates it") + "\n"
        )
    post = PostProcess(
        baseline=_load_baseline(baseline) if baseline else None,
        ignore=ignore,
        min_severity=inv.options.min_severity,
        wants=inv.options.wants,
        fleet=is_fleet,
    )
    sched = _prepare_scheduled(inv, scrubber)
    from openclaw_audit.face.advisory_data import load_advisories

    advisories = load_advisories(inv.advisories, inv.options.wants)
    inv = replace(inv, options=replace(inv.options, advisories=advisories))
    if is_fleet:
        return _execute_fleet(inv, targets, post, scrubber, sched)
    if inv.fix:
        fixing = replace(inv, options=replace(inv.options, fixing=True))
        return _execute_fix(fixing, post, scrubber, sched)

    live = inv.options.deep and sys.stderr.isatty() and not inv.quiet
    run, result = _audit_target(inv, post, scrubber, live_progress=live)
    code = _final_code(inv, [result], exit_code_for([run.report], inv.fail_on), scrubber)
    history = sched.record([result], code, scrubber) if sched else None
    _write(inv, [result], None, scrubber, history=history)
    if sched:
        sched.notify(scrubber)
    return code


def _expand_targets(configs: Sequence[str]) -> tuple[list[str], bool]:
    if not configs:  # the state dir's own config: no listing to do
        return [], False
    from openclaw_audit.face.fleet import expand_targets

    return expand_targets(configs)


def _load_ignore(path: str) -> IgnoreFile:
    from openclaw_audit.report.ignore_file import check_entries, load

    ignore = load(path)
    check_entries(ignore, catalog_ids())
    return ignore


def _load_baseline(path: str) -> list[SavedTarget]:
    from openclaw_audit.report.baseline import load_saved

    return load_saved(path)


def _final_code(
    inv: Invocation, results: Sequence[TargetResult], code: int, scrubber: Scrubber
) -> int:
    """``--fail-on-probe-error``: exit 4 when a probe that ran failed, unless the run already
    failed on its input (2). 4 wins over 1: with a probe down, the findings are incomplete."""
    if not inv.fail_on_probe_error or code == EXIT_INPUT:
        return code
    failed = probe_failures(results)
    for line in failed:
        write_stderr(one_line(scrubber(line)) + "\n")
    return EXIT_PROBE if failed else code


def _prepare_scheduled(inv: Invocation, scrubber: Scrubber) -> Scheduled | None:
    """--history / --notify-*: checked and opened before any auditing work (exit 2)."""
    if inv.scheduled is None or not inv.scheduled.wanted:
        return None
    from openclaw_audit.face.scheduled import prepare

    return prepare(
        inv.scheduled,
        inv.options,
        baseline=inv.baseline is not None,
        scrubber=scrubber,
        outputs=tuple(r.path for r in output_plan(inv).files)
        + ((inv.baseline,) if inv.update_baseline and inv.baseline else ()),
    )


def _audit_target(
    inv: Invocation,
    post: PostProcess,
    scrubber: Scrubber,
    *,
    live_progress: bool = False,
) -> tuple[AuditRun, TargetResult]:
    """Audit the one target of a single or --fix run; its secrets join the redactor and its
    warnings go to stderr (after the live probe rows are gone)."""
    from openclaw_audit.engine.audit import run_audit

    try:
        if live_progress:
            from openclaw_audit.face.progress import probe_progress

            with probe_progress(True, sys.stderr) as progress:
                run = run_audit(inv.options, post, progress=progress)
        else:
            run = run_audit(inv.options, post)
    except AuditError as exc:
        # The metrics file still records the run, so "last success" falls behind "last run".
        _write_failed_metrics(inv, TargetResult(inv.options.config_path or "", error=exc))
        raise
    if inv.demo:
        run = replace(run, report=with_target(run.report, demo=True))
    scrubber.add(run.secrets)
    result = TargetResult(inv.options.config_path or "", run.report, None, _warnings(run.loaded))
    _warn(inv, [result], scrubber)
    return run, result


def _warnings(loaded: LoadedConfig) -> tuple[str, ...]:
    """The loader's warnings, plus a note when only the default location was audited and it
    holds no config (trust.md §2: the output says so)."""
    if loaded.exists:
        return loaded.warnings
    note = (
        f"note: no config file at {loaded.paths.config_path}; audited OpenClaw's built-in defaults"
    )
    return (*loaded.warnings, note)


def _execute_fix(
    inv: Invocation, post: PostProcess, scrubber: Scrubber, sched: Scheduled | None = None
) -> int:
    """``--fix [--dry-run]``: fix first, then audit the result (fix.md §1.2). A config that
    cannot be loaded is an input error before anything is touched; a crash inside the fixer
    becomes ``fix: null`` and the audit still runs."""
    from openclaw_audit.fix.run import run_fix

    fix: FixResult | None
    try:
        fix = run_fix(inv.options, dry_run=inv.dry_run)
    except AuditError:
        raise  # the config cannot be loaded: input error, nothing was fixed
    except Exception:
        log.debug("fixer crashed", exc_info=True)
        fix = None
    run, result = _audit_target(inv, post, scrubber)
    code = EXIT_OK if fix is not None and fix.ok else EXIT_FINDINGS
    code = _final_code(inv, [result], max(code, exit_code_for([run.report], inv.fail_on)), scrubber)
    history = sched.record([result], code, scrubber) if sched else None
    _write(
        inv,
        [result],
        fix,
        scrubber,
        home=run.loaded.paths.home,
        fix_command=f"{rerun_command(inv)} --fix",
        history=history,
    )
    if sched:
        sched.notify(scrubber)
    return code


def _execute_fleet(
    inv: Invocation,
    targets: list[str],
    post: PostProcess,
    scrubber: Scrubber,
    sched: Scheduled | None = None,
) -> int:
    from openclaw_audit.engine.fleet_audit import audit_fleet
    from openclaw_audit.engine.gcpause import gc_paused

    def options_for(target: str) -> AuditOptions:
        state_dir = inv.options.state_dir or os.path.dirname(os.path.abspath(target))
        return replace(inv.options, config_path=target, state_dir=state_dir)

    outcomes = audit_fleet(targets, options_for, post, concurrency=inv.concurrency)
    results = []
    for o in outcomes:
        scrubber.add(o.secrets)
        report = o.report
        if report is not None and not inv.options.state_dir:
            report = with_target(report, stateDirSource="config")  # its config's directory
        results.append(TargetResult(o.target, report, o.error, o.warnings))
    with gc_paused():  # every report stays alive until written: nothing to collect
        _warn(inv, results, scrubber, prefix_targets=True)
        if any(r.report is None for r in results):
            code = EXIT_INPUT  # a target that could not be audited must not pass a CI gate
        else:
            reports = [r.report for r in results if r.report is not None]
            code = _final_code(inv, results, exit_code_for(reports, inv.fail_on), scrubber)
        history = sched.record(results, code, scrubber) if sched else None
        _write(inv, results, None, scrubber, fleet=True, history=history)
    if sched:
        sched.notify(scrubber)
    return code


def _warn(
    inv: Invocation,
    results: Sequence[TargetResult],
    scrubber: Scrubber,
    *,
    prefix_targets: bool = False,
) -> None:
    """Per-target errors, loader warnings and the baseline note: one line each on stderr."""
    for r in results:
        prefix = f"{r.target}: " if prefix_targets else ""
        if r.error is not None:
            error = redact_error(r.error, scrubber)
            write_stderr(one_line(f"{prefix}{error.render()}") + "\n")
            continue
        if inv.quiet:
            continue
        for warning in r.warnings:
            write_stderr(one_line(f"{prefix}{scrubber(warning)}") + "\n")
        known = r.report.meta.get("baselineKnown") if r.report is not None else None
        if known is not None:
            note = f"baseline: {known} finding(s) already in {inv.baseline} not shown"
            write_stderr(one_line(note) + "\n")


def _write(
    inv: Invocation,
    results: Sequence[TargetResult],
    fix: FixResult | None,
    scrubber: Scrubber,
    *,
    fleet: bool = False,
    home: str = "",
    fix_command: str | None = None,
    history: Mapping[str, TargetHistory] | None = None,
) -> None:
    """Render every output the run asked for (stdout, each --output, --update-baseline) from
    the one report, then write them. Everything is rendered before anything is written, so a
    renderer that fails leaves every file as it was; the metrics file never fails the run."""
    from openclaw_audit.render.formats import FORMATS, AuditOutput, RenderOptions

    plan = output_plan(inv)
    options = RenderOptions(
        fleet=fleet,
        fix_run=inv.fix,
        include_suppressed=inv.sarif_include_suppressed,
        home=home,
        fix_command=fix_command,
        sarif_base=inv.sarif_base,
        sarif_category=inv.sarif_category,
        compact=inv.compact,
        verbose=inv.verbose,
        rerun=rerun_command(inv),
        history=history,
    )
    # The net runs over each target's free text with every target's secrets: one target's
    # long secret is masked wherever it shows up, and a weak one changes nobody's text.
    safe_results = [redact_target(r, scrubber) for r in results]
    safe_fix = redact_fix(fix, scrubber) if fix is not None else None
    output = AuditOutput(safe_results, safe_fix)
    rendered: list[tuple[OutputRequest | None, str]] = []
    if plan.stdout:
        # Only the terminal gets colour and wrapping: files stay byte-stable.
        terminal = replace(options, color=inv.color, width=inv.width)
        rendered.append((None, FORMATS[inv.fmt](output, terminal)))
    for req in plan.files:
        if req.fmt in PUBLIC_FORMATS:
            text = _render_metrics(req, output, options, scrubber)
            if text is not None:
                rendered.append((req, text))
            continue
        rendered.append((req, FORMATS[req.fmt](output, options)))
    baseline_text = _baseline_text(inv, results, scrubber, fleet) if inv.update_baseline else None
    failed: list[AuditError] = []
    for req, text in rendered:
        if req is None:
            write_output(text, None)
            continue
        try:
            write_output(text, req.path, mode_for(req.fmt))
        except AuditError as exc:
            if req.fmt in PUBLIC_FORMATS:
                _metrics_warning(req, exc.render(), scrubber)
            else:
                failed.append(exc)  # the other outputs are still written
    if baseline_text is not None and inv.baseline and not failed:
        write_output(baseline_text, inv.baseline)
    if failed:
        raise failed[0]
    written = {inv.fmt} if plan.stdout else set()
    written |= {req.fmt for req, _ in rendered if req is not None}
    for fmt in (f for f in _CI_FORMATS if f in written):
        # result limits on stderr, the GitHub step summary: once per format, however many files
        from openclaw_audit.face.ci_outputs import after_write

        after_write(
            fmt, safe_results, include_suppressed=inv.sarif_include_suppressed, quiet=inv.quiet
        )


def _render_metrics(
    req: OutputRequest, output: AuditOutput, options: RenderOptions, scrubber: Scrubber
) -> str | None:
    """The metrics text, or None (and a warning) when it cannot be made: a scrape target
    must never change the audit's exit code."""
    from openclaw_audit.render.formats import FORMATS

    try:
        if any(r.report is None for r in output.results):
            options = replace(options, previous_success=previous_success(req.path))
        return FORMATS[req.fmt](output, options)
    except Exception as exc:
        log.debug("metrics rendering failed", exc_info=True)
        _metrics_warning(req, f"{type(exc).__name__}", scrubber)
        return None


def _write_failed_metrics(inv: Invocation, failed: TargetResult) -> None:
    """The metrics files of a run whose one target could not be audited: the run's time and
    the last success carried over, no per-target series."""
    from openclaw_audit.render.formats import AuditOutput, RenderOptions

    scrubber = Scrubber()
    for req in output_plan(inv).files:
        if req.fmt not in PUBLIC_FORMATS:
            continue
        text = _render_metrics(req, AuditOutput([failed]), RenderOptions(), scrubber)
        if text is None:
            continue
        try:
            write_output(text, req.path, mode_for(req.fmt))
        except AuditError as exc:
            _metrics_warning(req, exc.render(), scrubber)


def _metrics_warning(req: OutputRequest, why: str, scrubber: Scrubber) -> None:
    write_stderr(one_line(scrubber(f"warning: metrics file {req.path} not written: {why}")) + "\n")


def _baseline_text(
    inv: Invocation, results: Sequence[TargetResult], scrubber: Scrubber, fleet: bool
) -> str | None:
    """``--update-baseline``: this run's full report (the findings the old baseline hid
    included) as JSON; None, with a warning, when a target could not be audited (its old
    findings would be lost from the baseline)."""
    from openclaw_audit.render.formats import FORMATS, AuditOutput, RenderOptions

    if any(r.report is None for r in results):
        note = f"warning: baseline {inv.baseline} not updated: a target could not be audited"
        write_stderr(one_line(note) + "\n")
        return None
    full = [replace(r, report=unbaselined(r.report)) for r in results if r.report is not None]
    safe = [redact_target(r, scrubber) for r in full]
    return FORMATS["json"](AuditOutput(safe), RenderOptions(fleet=fleet))


def rerun_command(inv: Invocation) -> str:
    """The command that audits this same target again, for the hints (output-ux.md §3)."""
    parts = ["openclaw-audit"]
    if inv.demo:
        parts.append("--demo")
    else:
        env = inv.options.env if inv.options.env is not None else os.environ
        home = env.get("HOME", "")
        for config in inv.configs:
            parts += ["--config", _shell_path(config, home)]
        if inv.options.state_dir:
            parts += ["--state-dir", _shell_path(inv.options.state_dir, home)]
    return " ".join(parts)


def _shell_path(path: str, home: str) -> str:
    """``path`` quoted for a POSIX shell; under the home directory as ``~/...`` when the rest
    needs no quoting (the shell expands an unquoted ``~``)."""
    import shlex

    home = home.rstrip("/")
    absolute = os.path.abspath(path)
    if home and absolute.startswith(home + "/"):
        rest = absolute[len(home) + 1 :]
        if shlex.quote(rest) == rest:
            return "~/" + rest
    return shlex.quote(path)
