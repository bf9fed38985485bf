"""The human report (report.md §5, output-ux.md §1 and §3).

Layout: the target line, heading, summary, hints and secret diagnostics, then the CRITICAL /
WARN / INFO sections; each finding shows where it comes from. On a TTY (``width`` given) lines
wrap with a hanging indent; off a TTY nothing wraps, so the bytes are stable for logs and diffs.
Every line passes through ``one_line``: what came in with the config, the state dir or a live
peer cannot repaint the terminal or forge lines. Colour only when asked for; rich is imported
only then.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openclaw_audit.redaction.urls import redact_url_or_text
from openclaw_audit.render.live_probes import live_probe_lines
from openclaw_audit.render.terminal import wrap
from openclaw_audit.report.model import SEVERITY_ORDER, Finding, Location, Report, Severity
from openclaw_audit.report.target_info import TargetInfo
from openclaw_audit.textsafe import one_line

HEADING = "OpenClaw security audit"
TOOL = "openclaw-audit"
_STYLE = {Severity.CRITICAL: "bold red", Severity.WARN: "yellow", Severity.INFO: "cyan"}
TAG = {Severity.CRITICAL: "CRIT", Severity.WARN: "WARN", Severity.INFO: "INFO"}
RAW = "raw"  # style of a line printed as it is: never wrapped (diff hunks stay valid patches)

Line = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Layout:
    """How to lay the report out. ``width`` None: never wrap (not a TTY). ``rerun`` is the
    command that audits this same target again; hints build on it so they fit the run."""

    color: bool = False
    width: int | None = None
    compact: bool = False
    rerun: str = TOOL


def shorten_home(text: str, home: str) -> str:
    """Replace the home directory with ``~`` wherever it starts a path."""
    home = home.rstrip("/")
    if not home:
        return text
    return re.sub(re.escape(home) + r"(?=/|\\|$|\s|[\"'),:;])", "~", text)


def summary_line(report: Report) -> str:
    s = report.summary
    return f"Summary: {s.critical} critical · {s.warn} warn · {s.info} info"


# --- the target line (output-ux.md §1) ---------------------------------------------------------

_STATE_FROM = {
    "flag": "from --state-dir",
    "env": "from $OPENCLAW_STATE_DIR",
    "home": "from $HOME",
    "legacy": "legacy location",
    "config": "the config's directory",
}
_VERSION_FROM = {
    "live": "from the live gateway",
    "installed": "installed",
    "config": "per the config's meta.lastTouchedVersion",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def target_line(info: TargetInfo) -> str:
    """``Target: ~/.openclaw/openclaw.json (+2 includes) · state ~/.openclaw (from $HOME) ·
    OpenClaw 2026.9.6 (from the live gateway)``: whatever of that is known."""
    includes = f" (+{_plural(len(info.includes), 'include')})" if info.includes else ""
    parts: list[str] = []
    if info.demo:
        # The copy lives in a fresh temporary directory: its path says nothing useful.
        config = "openclaw.json" if info.config else "no config file"
        parts += ["bundled demo gateway", f"{config}{includes}", "audited in a temporary copy"]
    else:
        if info.config is not None:
            parts.append(shorten_home(info.config, info.home) + includes)
        else:
            missing = shorten_home(info.config_path, info.home)
            parts.append(f"no config file ({missing} does not exist): audited the defaults")
        state = shorten_home(info.state_dir, info.home)
        parts.append(f"state {state} ({_STATE_FROM.get(info.state_dir_source, 'default')})")
    if info.version:
        source = _VERSION_FROM.get(info.version_source or "", "")
        parts.append(f"OpenClaw {info.version}" + (f" ({source})" if source else ""))
    return "Target: " + " · ".join(parts)


# --- locations (output-ux.md §3) ----------------------------------------------------------------


def _looks_like_path(text: str) -> bool:
    return text.startswith(("/", "~/", "\\\\")) or re.match(r"^[A-Za-z]:[\\/]", text) is not None


@functools.lru_cache(maxsize=8)
def _base_prefix(config_path: str) -> str:
    base = os.path.dirname(config_path).rstrip("/\\")
    return base + os.sep if base else ""


def _short_path(path: str, info: TargetInfo | None) -> str:
    """A file under the config's directory by its relative name (``agents.json5``), anything
    else with the home directory shortened to ``~``."""
    if info is not None:
        prefix = _base_prefix(info.config_path or "")
        if prefix and path.startswith(prefix):
            return path[len(prefix) :]
        return shorten_home(path, info.home)
    return path


def _live_place(finding: Finding, deep: Mapping[str, Any] | None) -> str | None:
    """Where a live finding without a location was seen: the probed URL, the mDNS instance,
    the Docker endpoint whose containers it lists."""
    cid, subject = finding.check_id, finding.subject
    if cid.startswith("discovery.mdns.") and subject:
        return f"mDNS {subject}"
    if cid.startswith("gateway.") and subject and "://" in subject:
        return redact_url_or_text(subject)
    if cid.startswith("sandbox.browser_container."):
        docker = (deep or {}).get("docker")
        host = docker.get("host") if isinstance(docker, dict) else None
        return f"docker {redact_url_or_text(host)}" if isinstance(host, str) and host else "docker"
    return None


def location_text(
    finding: Finding, info: TargetInfo | None, deep: Mapping[str, Any] | None = None
) -> str | None:
    """``openclaw.json:13:21`` for a config value, the file path for a filesystem finding, the
    URL / container / instance for a live one; None when the finding has no place."""
    loc: Location | None = finding.location
    if loc is not None and loc.file:
        where = _short_path(loc.file, info)
        if loc.line:
            where += f":{loc.line}"
            if loc.column:
                where += f":{loc.column}"
        return where
    if loc is not None and loc.uri:
        return redact_url_or_text(loc.uri)
    live = _live_place(finding, deep)
    if live is not None:
        return live
    if finding.check_id.startswith("fs.") and finding.subject and _looks_like_path(finding.subject):
        return _short_path(finding.subject, info)
    if loc is not None and loc.dotted:
        return loc.dotted
    return None


# --- shared lists ------------------------------------------------------------------------------


def _list_blocks(detail: str) -> list[tuple[int, int]]:
    """(start, end) line ranges of ``label:`` lines followed by two or more ``- item`` lines."""
    if ":\n- " not in detail:
        return []
    lines = detail.split("\n")
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip().endswith(":") and not lines[i].startswith("- "):
            j = i + 1
            while j < len(lines) and lines[j].startswith("- "):
                j += 1
            if j - i - 1 >= 2:
                blocks.append((i, j))
                i = j
                continue
        i += 1
    return blocks


class _SharedLists:
    """Lists that several findings repeat word for word (open group policies, exposure
    contexts) are printed in full the first time and referred to after that."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        counts: dict[tuple[str, ...], int] = {}
        for f in findings:
            blocks = _list_blocks(f.detail)
            if not blocks:
                continue
            lines = f.detail.split("\n")
            for start, end in blocks:
                key = tuple(lines[start:end])
                counts[key] = counts.get(key, 0) + 1
        self._shared = {k for k, n in counts.items() if n > 1}
        self._first: dict[tuple[str, ...], str] = {}

    def detail_lines(self, finding: Finding) -> list[str]:
        lines = finding.detail.split("\n")
        if not self._shared:
            return lines
        out: list[str] = []
        i = 0
        for start, end in _list_blocks(finding.detail):
            out.extend(lines[i:start])
            key = tuple(lines[start:end])
            first = self._first.get(key)
            if key not in self._shared or first is None:
                if key in self._shared:
                    self._first[key] = finding.check_id
                out.extend(lines[start:end])
            else:
                n = end - start - 1
                out.append(f"{lines[start]} the same {n} as listed under {first}")
            i = end
        out.extend(lines[i:])
        return out


# --- the report --------------------------------------------------------------------------------


def hint_lines(report: Report, info: TargetInfo | None, rerun: str, fix_run: bool) -> list[Line]:
    """Hints that fit the run and name this tool: no ``--deep`` hint under ``--deep``, the
    fix preview only when something is left to fix and this is not already a ``--fix`` run."""
    hints: list[Line] = []
    deep = info.deep if info is not None else report.deep is not None
    demo = info is not None and info.demo  # the demo has no live gateway to probe
    if not deep and not demo:
        hints.append(
            (
                "Hint: to also probe the running gateway, its Docker sandbox and mDNS, run "
                f"`{rerun} --deep`.",
                "dim",
            )
        )
    if not fix_run and (report.summary.critical or report.summary.warn):
        hints.append((f"Hint: to preview the safe fixes, run `{rerun} --fix --dry-run`.", "dim"))
    return hints


def render_lines(
    report: Report,
    *,
    heading: str = HEADING,
    after_header: Sequence[Line] = (),
    layout: Layout = Layout(),
    fix_run: bool = False,
) -> list[Line]:
    """(text, style) pairs; style is a rich style name, ``RAW`` or None. ``after_header`` goes
    between the hint/secrets lines and the findings (the ``--fix`` block, report.md §5 item 6)."""
    info = TargetInfo.of(report)
    lines: list[Line] = []
    if info is not None:
        lines.append((target_line(info), None))
    lines.append((heading, "bold"))
    lines.append((summary_line(report), None))
    lines.extend(live_probe_lines(report))  # under --deep: LIVE PROBES (output-ux.md §2)
    if report.suppressed:
        lines.append(
            (f"Suppressed: {len(report.suppressed)} finding(s) (see suppressedFindings)", None)
        )
    if not layout.compact:
        lines.extend(hint_lines(report, info, layout.rerun, fix_run))
    lines.extend((f"[secrets] {d}", "dim") for d in report.secret_diagnostics)
    lines.extend(after_header)
    if layout.compact:
        lines.extend(compact_lines(report, info))
        return lines
    shared = _SharedLists(_in_display_order(report.findings))
    for severity in SEVERITY_ORDER:
        group = [f for f in report.findings if f.severity is severity]
        if not group:
            continue
        lines.append(("", None))
        lines.append((severity.value.upper(), _STYLE[severity]))
        for finding in group:
            lines.extend(_finding_lines(finding, info, shared, report.deep))
    return lines


def _in_display_order(findings: Sequence[Finding]) -> list[Finding]:
    return [f for s in SEVERITY_ORDER for f in findings if f.severity is s]


def compact_lines(report: Report, info: TargetInfo | None) -> list[Line]:
    """``--compact``: one line per finding, ``CRIT <checkId> <where> <title>``."""
    out: list[Line] = []
    for f in _in_display_order(report.findings):
        where = location_text(f, info, report.deep) or "-"
        out.append((f"{TAG[f.severity]} {f.check_id} {where} {f.title}", _STYLE[f.severity]))
    return out


def _finding_lines(
    finding: Finding,
    info: TargetInfo | None,
    shared: _SharedLists,
    deep: Mapping[str, Any] | None,
) -> list[Line]:
    out: list[Line] = [(f"{finding.check_id} {finding.title}", "bold")]
    where = location_text(finding, info, deep)
    if where is not None:
        out.append((f"  at {where}", "dim"))
    out.extend((f"  {line}", None) for line in shared.detail_lines(finding))
    if finding.remediation:
        out.append((f"  Fix: {finding.remediation}", "green"))
    return out


def paint(lines: Sequence[Line], layout: Layout) -> str:
    """Neutralise, wrap (on a TTY) and colour the lines into the final text."""
    if layout.width is None or layout.compact:  # not a TTY: never wrap (the common path)
        rows: list[Line] = [(one_line(text), style) for text, style in lines]
    else:
        rows = []
        for text, style in lines:
            width = None if style == RAW else layout.width
            rows.extend((row, style) for row in wrap(one_line(text), width))
    if not layout.color:
        return "\n".join([text for text, _ in rows]) + "\n"
    from rich.console import Console
    from rich.text import Text

    console = Console(force_terminal=True, color_system="standard", width=10_000, highlight=False)
    with console.capture() as cap:
        for text, style in rows:
            console.print(Text(text, style="" if style in (None, RAW) else style), soft_wrap=True)
    return cap.get()


def render(
    report: Report,
    *,
    color: bool = False,
    heading: str = HEADING,
    after_header: Sequence[Line] = (),
    layout: Layout | None = None,
    fix_run: bool = False,
) -> str:
    layout = layout or Layout(color=color)
    lines = render_lines(
        report, heading=heading, after_header=after_header, layout=layout, fix_run=fix_run
    )
    return paint(lines, layout)
