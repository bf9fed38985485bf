"""Several targets in one output: the JSON envelope and the text summary table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from openclaw_audit.render.json_report import dumps, report_envelope
from openclaw_audit.report.model import Report, Summary
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.textsafe import one_line


def fleet_summary(results: Sequence[TargetResult]) -> dict[str, int]:
    ok = [r.report for r in results if r.report is not None]
    counts = Summary.of([f for rep in ok for f in rep.findings])
    return {
        "targets": len(results),
        "audited": len(ok),
        "failed": len(results) - len(ok),
        **counts.to_json(),
    }


def render_json(results: Sequence[TargetResult]) -> str:
    items: list[dict[str, Any]] = []
    for r in results:
        if r.report is not None:
            items.append({"target": r.target, "report": report_envelope(r.report)})
        else:
            assert r.error is not None
            items.append({"target": r.target, "error": r.error.to_json()["error"]})
    return dumps({"targets": items, "summary": fleet_summary(results)})


def render_text(
    results: Sequence[TargetResult], render_report: Callable[[Report, str], str]
) -> str:
    parts: list[str] = []
    for r in results:
        if r.report is not None:
            parts.append(render_report(r.report, f"OpenClaw security audit: {r.target}"))
        else:
            assert r.error is not None
            head = one_line(f"OpenClaw security audit: {r.target}")
            parts.append(f"{head}\n{one_line(r.error.render())}\n")
    parts.append(summary_table(results))
    return "\n".join(parts)


def summary_table(results: Sequence[TargetResult]) -> str:
    # Target names come from the command line, a directory listing or an @list file: a file
    # name may hold escapes, so the table shows them escaped.
    names = [one_line(r.target) for r in results]
    width = max([len("target"), *(len(n) for n in names)])
    rows = [f"{'target'.ljust(width)}  critical  warn  info", "-" * (width + 22)]
    for name, r in zip(names, results, strict=True):
        if r.report is None:
            rows.append(f"{name.ljust(width)}  error: could not be audited")
            continue
        s = r.report.summary
        rows.append(f"{name.ljust(width)}  {s.critical:>8}  {s.warn:>4}  {s.info:>4}")
    total = fleet_summary(results)
    rows.append(
        f"{'total'.ljust(width)}  {total['critical']:>8}  {total['warn']:>4}  {total['info']:>4}"
    )
    failed = f", {total['failed']} failed" if total["failed"] else ""
    return f"Fleet summary ({total['audited']} audited{failed})\n" + "\n".join(rows) + "\n"
