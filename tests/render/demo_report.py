"""The demo gateway's report at a fixed place, so golden text does not depend on the machine."""

from __future__ import annotations

from dataclasses import replace

from openclaw_audit.engine.audit import run_audit
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.face.demo import demo_state_dir
from openclaw_audit.report.model import Finding, Location, Report
from openclaw_audit.report.target_info import with_target

FIXED_STATE = "/srv/demo/state"  # where the golden files say the demo copy was


def _move(text: str | None, old: str) -> str | None:
    return text.replace(old, FIXED_STATE) if text is not None else None


def _move_finding(f: Finding, old: str) -> Finding:
    loc = f.location
    if loc is not None:
        loc = Location(loc.config_path, _move(loc.file, old), loc.line, loc.column, loc.uri)
    return replace(
        f,
        detail=_move(f.detail, old) or "",
        remediation=_move(f.remediation, old),
        subject=_move(f.subject, old),
        location=loc,
    )


def demo_report(**options: object) -> Report:
    """The demo's report (as ``--demo`` produces it), its temporary path replaced."""
    with demo_state_dir() as state:
        opts = AuditOptions(state_dir=state, env={"HOME": "/nonexistent-home", "PATH": ""})
        report = run_audit(replace(opts, **options)).report  # type: ignore[arg-type]
    report = replace(report, findings=tuple(_move_finding(f, state) for f in report.findings))
    meta = dict(report.meta["target"])
    meta.update(
        config=_move(meta["config"], state),
        configPath=_move(meta["configPath"], state),
        includes=[_move(p, state) for p in meta["includes"]],
        stateDir=FIXED_STATE,
    )
    return with_target(replace(report, meta={**report.meta, "target": meta}), demo=True)
