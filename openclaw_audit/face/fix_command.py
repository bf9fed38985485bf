"""``openclaw-audit --fix [--dry-run]``: fix first, then audit the result (fix.md §1.2).

A config that cannot be loaded is an input error before anything is touched (fix.md §2.1). The
fix itself runs under a lock on the state dir; a crash inside the fixer becomes ``fix: null``
and the audit still runs.
"""

from __future__ import annotations

import logging
import sys

from openclaw_audit.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from openclaw_audit.face.app import Invocation, exit_code_for
from openclaw_audit.face.outputs import write_output
from openclaw_audit.fix.apply import FixResult
from openclaw_audit.fix.run import run_fix
from openclaw_audit.redaction import Scrubber

log = logging.getLogger(__name__)


def run_fix_command(inv: Invocation, scrubber: Scrubber) -> int:
    if len(inv.configs) > 1:
        raise UsageError("--fix works on one config at a time")
    if inv.fmt == "sarif":
        raise UsageError("--fix prints text or JSON; --format sarif is not supported with it")
    if inv.baseline or inv.ignore_file:
        raise UsageError("--baseline and --ignore-file are not available in this build yet")

    from openclaw_audit.engine.audit import run_audit

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
