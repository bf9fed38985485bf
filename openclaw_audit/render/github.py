"""``--format github``: GitHub Actions workflow annotations, and the step-summary table.

One ``::error``/``::warning``/``::notice`` line per finding, most severe first (GitHub shows
only the first few annotations of each kind per step). A file and line are given when the
finding is located under the base directory, so the annotation lands on the diff. Values are
escaped by GitHub's rules (``%``, CR and LF everywhere; ``:`` and ``,`` in properties as well),
so text from a config can never end the command early or start a new one.

The step summary (markdown) is built here; the face appends it to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from openclaw_audit.render.sarif import OVERVIEW_CHECKS, relative_path
from openclaw_audit.report.model import Finding, Report, Severity
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.textsafe import printable

COMMAND = {Severity.CRITICAL: "error", Severity.WARN: "warning", Severity.INFO: "notice"}
SUMMARY_ROWS = 200  # the step summary stays small (GitHub caps it at 1 MiB per step)


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded (GitHub's escapeData)."""
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property value: also ``:`` and ``,`` (GitHub's escapeProperty)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _findings(results: Sequence[TargetResult]) -> list[tuple[Finding, Report]]:
    found = [
        (f, r.report)
        for r in results
        if r.report is not None
        for f in r.report.findings
        if f.check_id not in OVERVIEW_CHECKS
    ]
    # Stable sort: most severe first, report order within a severity.
    return sorted(found, key=lambda item: -item[0].severity.rank)


def annotation(finding: Finding, report: Report, base: str) -> str:
    """One workflow command. Located at the value's file and line when it lies under
    ``base``, else at the config file as a whole (when that does), else unlocated."""
    props: list[str] = []
    loc = finding.location
    rel = relative_path(loc.file, base) if loc is not None and loc.file else None
    if rel is not None and loc is not None:
        props.append(f"file={escape_property(rel)}")
        if loc.line:
            props.append(f"line={loc.line}")
            if loc.column:
                props.append(f"col={loc.column}")
    elif report.config_path and (config := relative_path(report.config_path, base)):
        props.append(f"file={escape_property(config)}")
    props.append(f"title={escape_property(f'{finding.title} ({finding.check_id})')}")
    message = finding.detail or finding.title
    if finding.remediation:
        message = f"{message}\nFix: {finding.remediation}"
    return f"::{COMMAND[finding.severity]} {','.join(props)}::{escape_data(message)}"


def render(results: Sequence[TargetResult], *, base_dir: str | None = None) -> str:
    base = os.path.abspath(base_dir or os.getcwd())
    lines = [annotation(f, report, base) for f, report in _findings(results)]
    for r in results:
        if r.report is None and r.error is not None:
            lines.append(error_annotation(r.error.render()).rstrip("\n"))
    return "".join(f"{line}\n" for line in lines)


def error_annotation(message: str) -> str:
    """An error that stopped the audit (exit 2), as an annotation on the workflow run."""
    return f"::error title=openclaw-audit::{escape_data(message)}\n"


def _cell(text: str) -> str:
    """A markdown table cell: one line, no pipes, no HTML."""
    flat = " ".join(printable(text).split())
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def step_summary(results: Sequence[TargetResult]) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: counts per target, then the findings."""
    out = [
        "## openclaw-audit",
        "",
        "| target | critical | warn | info |",
        "|---|---:|---:|---:|",
    ]
    for r in results:
        if r.report is None:
            out.append(f"| {_cell(r.target)} | failed | | |")
            continue
        s = r.report.summary
        name = r.target or r.report.config_path or "(default)"
        out.append(f"| {_cell(name)} | {s.critical} | {s.warn} | {s.info} |")
    findings = _findings(results)
    if findings:
        out += ["", "| severity | check | title |", "|---|---|---|"]
        for f, _ in findings[:SUMMARY_ROWS]:
            out.append(f"| {f.severity.value} | `{_cell(f.check_id)}` | {_cell(f.title)} |")
        if len(findings) > SUMMARY_ROWS:
            out.append(f"\n… and {len(findings) - SUMMARY_ROWS} more findings.")
    return "\n".join(out) + "\n\n"
