"""``openclaw-audit history``: what the ``--history`` database holds (scheduled-scans.md §3).

Read-only: these commands never create, migrate or change the database. Heavy imports wait
until a command runs, so ``openclaw-audit`` itself starts as fast as before.
"""

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from openclaw_audit.errors import AuditError, UsageError
from openclaw_audit.face.outputs import write_stdout
from openclaw_audit.textsafe import one_line

ENV = "OPENCLAW_AUDIT_HISTORY"

history_app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    invoke_without_command=True,
    help="Past runs recorded with --history: runs per target, findings, one stored run.",
)

HistoryPath = Annotated[
    Path | None,
    typer.Option(
        "--history",
        metavar="PATH",
        envvar=ENV,
        help="The history database (default: $OPENCLAW_AUDIT_HISTORY).",
    ),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON.")]
TargetOpt = Annotated[
    str | None, typer.Option("--target", help="Only this target (its config path).")
]


def _fail(exc: AuditError) -> None:
    sys.stderr.write(exc.render() + "\n")
    raise typer.Exit(exc.exit_code)


def _open(path: Path | None, ctx: typer.Context):  # type: ignore[no-untyped-def]
    from openclaw_audit.history.store import open_for_reading

    if path is None:  # `openclaw-audit --history DB history ...`
        obj = ctx.find_root().obj
        path = obj.get("history") if isinstance(obj, dict) else None
    if path is None:
        raise UsageError(f"no history database: pass --history PATH or set {ENV}")
    return open_for_reading(str(path))


def _target(value: str | None) -> str | None:
    return os.path.abspath(value) if value else None


def _dump(doc: Any) -> None:
    write_stdout(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


@history_app.callback()
def history_command(
    ctx: typer.Context,
    history: HistoryPath = None,
    target: TargetOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="Runs per target.", min=1)] = 20,
    json_out: JsonOut = False,
) -> None:
    """The last runs per target: counts, new and fixed, probe outcomes, critical trend."""
    if ctx.invoked_subcommand is not None:
        return
    from openclaw_audit.history import query, text

    try:
        conn = _open(history, ctx)
        try:
            names = [_target(target)] if target else query.targets(conn)
            by_target = [(t, query.last_runs(conn, t, limit)) for t in names if t is not None]
        finally:
            conn.close()
    except AuditError as exc:
        _fail(exc)
        return
    if json_out:
        _dump(
            {
                "targets": [
                    {"target": t, "runs": [r.to_json() for r in runs]} for t, runs in by_target
                ]
            }
        )
    else:
        write_stdout(text.render_runs(by_target))


@history_app.command("findings")
def findings_command(
    ctx: typer.Context,
    history: HistoryPath = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only findings still open.")] = False,
    fixed_only: Annotated[bool, typer.Option("--fixed", help="Only fixed findings.")] = False,
    target: TargetOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Findings across runs: first seen, age, fixed at, reopened, severity changes."""
    from openclaw_audit.history import query, text

    try:
        if open_only and fixed_only:
            raise UsageError("--open and --fixed exclude each other")
        conn = _open(history, ctx)
        try:
            state = "open" if open_only else "fixed" if fixed_only else "all"
            rows = query.findings(conn, state=state, target=_target(target))
        finally:
            conn.close()
    except AuditError as exc:
        _fail(exc)
        return
    if json_out:
        _dump({"findings": [r.to_json() for r in rows]})
    else:
        write_stdout(text.render_findings(rows))


@history_app.command("show")
def show_command(
    ctx: typer.Context,
    run: Annotated[int, typer.Argument(help="The run id (see `openclaw-audit history`).")],
    history: HistoryPath = None,
    json_out: JsonOut = False,
) -> None:
    """A stored run as a report (its --json form is what `diff` and --baseline read)."""
    from openclaw_audit.history import query
    from openclaw_audit.render.formats import FORMATS, AuditOutput, RenderOptions
    from openclaw_audit.report.targets import TargetResult

    try:
        conn = _open(history, ctx)
        try:
            row = query.get_run(conn, run)
            report = query.stored_report(conn, row)
        finally:
            conn.close()
    except AuditError as exc:
        _fail(exc)
        return
    output = AuditOutput([TargetResult(row.target, report)])
    if json_out:
        # The report as the run printed it, plus what the history knows of the run (probe
        # outcomes, scope, exit code) under a key of its own that `diff` ignores.
        doc = json.loads(FORMATS["json"](output, RenderOptions()))
        doc["history"] = row.to_json()
        _dump(doc)
        return
    head = (
        f"History run {row.id} of {row.target or '(default config)'}, started {row.started_at}"
        f", {'deep' if row.deep else 'static'}, exit {row.exit_code}"
    )
    write_stdout(one_line(head) + "\n" + FORMATS["text"](output, RenderOptions()))
