"""The human report (report.md §5): heading, summary, hints, then CRITICAL/WARN/INFO sections.

Colour only when asked for (a TTY without NO_COLOR); rich is imported only then.
"""

from __future__ import annotations

from collections.abc import Sequence

from openclaw_audit.render.live_probes import live_probe_lines
from openclaw_audit.report.model import SEVERITY_ORDER, Finding, Report, Severity
from openclaw_audit.textsafe import one_line

HEADING = "OpenClaw security audit"
DEEP_HINT = (
    "Hint: add --deep to also probe the running gateway, its Docker sandbox and mDNS "
    "(like `openclaw security audit --deep`)."
)
_STYLE = {Severity.CRITICAL: "bold red", Severity.WARN: "yellow", Severity.INFO: "cyan"}


def summary_line(report: Report) -> str:
    s = report.summary
    return f"Summary: {s.critical} critical · {s.warn} warn · {s.info} info"


Line = tuple[str, str | None]


def render_lines(
    report: Report, *, heading: str = HEADING, after_header: Sequence[Line] = ()
) -> list[tuple[str, str | None]]:
    """(text, style) pairs; style is a rich style name or None. ``after_header`` goes between
    the hint/secrets lines and the findings (the ``--fix`` block, report.md §5 item 6)."""
    lines: list[tuple[str, str | None]] = [(heading, "bold"), (summary_line(report), None)]
    lines.extend(live_probe_lines(report))  # under --deep: LIVE PROBES (output-ux.md §2)
    if report.suppressed:
        lines.append(
            (f"Suppressed: {len(report.suppressed)} finding(s) (see suppressedFindings)", None)
        )
    lines.append((DEEP_HINT, "dim"))
    lines.extend((f"[secrets] {d}", "dim") for d in report.secret_diagnostics)
    lines.extend(after_header)
    for severity in SEVERITY_ORDER:
        group = [f for f in report.findings if f.severity is severity]
        if not group:
            continue
        lines.append(("", None))
        lines.append((severity.value.upper(), _STYLE[severity]))
        for finding in group:
            lines.extend(_finding_lines(finding))
    return lines


def _finding_lines(finding: Finding) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [(f"{finding.check_id} {finding.title}", "bold")]
    out.extend((f"  {line}", None) for line in finding.detail.split("\n"))
    if finding.remediation:
        out.append((f"  Fix: {finding.remediation}", "green"))
    return out


def render(
    report: Report,
    *,
    color: bool = False,
    heading: str = HEADING,
    after_header: Sequence[Line] = (),
) -> str:
    # Each entry is meant to be one line: control characters (and line breaks) that came in
    # with config values are escaped so they cannot repaint the terminal or forge lines.
    lines = [
        (one_line(text), style)
        for text, style in render_lines(report, heading=heading, after_header=after_header)
    ]
    if not color:
        return "\n".join(text for text, _ in lines) + "\n"
    from rich.console import Console
    from rich.text import Text

    console = Console(force_terminal=True, color_system="standard", width=10_000, highlight=False)
    with console.capture() as cap:
        for text, style in lines:
            console.print(Text(text, style=style or ""), soft_wrap=True)
    return cap.get()
