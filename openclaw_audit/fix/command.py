"""``openclaw-audit --fix [--dry-run]``: fix first, then audit the result (fix.md §1.2).

A config that cannot be loaded is an input error before anything is touched (fix.md §2.1). The
fix itself runs under a lock on the state dir; a crash inside the fixer becomes ``fix: null``
and the audit still runs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from openclaw_audit.app import Invocation, exit_code_for
from openclaw_audit.config.loader import LoadedConfig, load_config
from openclaw_audit.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from openclaw_audit.fix.apply import FixResult, IcaclsExec, apply_plan
from openclaw_audit.fix.lock import FixLocked, fix_lock, lock_dir
from openclaw_audit.fix.plan import IcaclsInspector, build_plan
from openclaw_audit.options import AuditOptions
from openclaw_audit.outputs import write_output
from openclaw_audit.scrub import Scrubber

log = logging.getLogger(__name__)


def _load(options: AuditOptions) -> LoadedConfig:
    return load_config(
        env=options.env,
        config_path=options.config_path,
        state_dir=options.state_dir,
        allow_exec=options.allow_exec,
    )


def _agent_ids(loaded: LoadedConfig, options: AuditOptions) -> Sequence[str]:
    from openclaw_audit.runner import build_context
    from openclaw_audit.static_checks._common import audit_agent_ids

    return audit_agent_ids(build_context(loaded, options))


def run_fix(
    options: AuditOptions,
    *,
    dry_run: bool = False,
    platform: str = sys.platform,
    icacls_inspector: IcaclsInspector | None = None,
    icacls_exec: IcaclsExec | None = None,
) -> FixResult:
    """Load (raising ConfigError when the config is invalid), plan and apply under the lock."""
    first = _load(options)
    directory = lock_dir(first.paths.state_dir, first.paths.config_path)
    try:
        with fix_lock(directory):
            # Re-read under the lock: another --fix may have finished in between.
            loaded = _load(options)
            plan = build_plan(
                loaded, _agent_ids(loaded, options), platform=platform, inspector=icacls_inspector
            )
            return apply_plan(plan, loaded, dry_run=dry_run, icacls_exec=icacls_exec)
    except FixLocked:
        return FixResult(
            state_dir=first.paths.state_dir,
            config_path=first.paths.config_path,
            errors=[f"another openclaw-audit --fix is running on {directory}; nothing was changed"],
            dry_run=dry_run,
        )


def run_fix_command(inv: Invocation, scrubber: Scrubber) -> int:
    if len(inv.configs) > 1:
        raise UsageError("--fix works on one config at a time")
    if inv.fmt == "sarif":
        raise UsageError("--fix prints text or JSON; --format sarif is not supported with it")
    if inv.baseline or inv.ignore_file:
        raise UsageError("--baseline and --ignore-file are not available in this build yet")

    from openclaw_audit.runner import run_audit

    fix: FixResult | None
    try:
        fix = run_fix(inv.options, dry_run=inv.dry_run)
    except Exception as exc:
        from openclaw_audit.errors import AuditError

        if isinstance(exc, AuditError):
            raise  # the config cannot be loaded: input error, nothing was fixed
        log.debug("fixer crashed", exc_info=True)
        fix = None
    run = run_audit(inv.options)
    scrubber.add(run.scrubber.values)
    if not inv.quiet:
        for warning in run.loaded.warnings:
            sys.stderr.write(scrubber(warning) + "\n")
    report = run.report
    if inv.fmt == "json":
        from openclaw_audit.render.json_report import dumps, fix_envelope

        doc = fix_envelope(fix.to_json() if fix is not None else None, report)  # type: ignore[arg-type]
        text = dumps(scrubber.scrub_obj(doc))
    else:
        from openclaw_audit.render.fix_text import render_with_fix

        text = render_with_fix(
            report,
            fix,
            home=run.loaded.paths.home,
            color=inv.color and inv.output is None,
            fix_command=run.ctx.cmd("openclaw security audit --fix"),
        )
    write_output(scrubber(text), inv.output)
    code = EXIT_OK if fix is not None and fix.ok else EXIT_FINDINGS
    return max(code, exit_code_for([report], inv.fail_on))
