"""The single-file HTML report (scheduled-scans.md §6).

One self-contained page: inline CSS and SVG, no script at all, no external URL, so it works
offline and as a mail attachment. A Content-Security-Policy meta tag forbids scripts and
fetches as a second line of defence. Every value printed comes from the (already redacted)
report and goes through ``_e`` (control characters shown escaped, then HTML-escaped, quotes
included, so it is safe in text and in attribute values alike).

Findings are grouped by area (``Rule.group``), the most severe area first; inside an area by
check, most severe first. A check's What/Why/Fix docs are printed once per check (a report of
26,000 findings would otherwise repeat them thousands of times); every finding is a
``<details>`` with its detail, fix, location and a link to those docs.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openclaw_audit import __version__
from openclaw_audit.render import live_probes as live
from openclaw_audit.render.json_report import audit_object
from openclaw_audit.render.text import location_text, target_line
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import (
    Finding,
    FixResult,
    Report,
    Rule,
    Severity,
)
from openclaw_audit.report.target_info import TargetInfo
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.report.trend import RunDrift, TargetHistory, TrendPoint
from openclaw_audit.textsafe import printable

EXPIRED_CHECK = "audit.ignore_file.expired"


def _escape_table() -> dict[int, str]:
    """One translation table: HTML's five specials as entities, and what ``printable`` shows
    escaped (controls, bidi and zero-width characters) plus lone surrogates and Unicode
    noncharacters (parse errors in HTML) as backslash escapes."""
    table = {ord(c): html.escape(c, quote=True) for c in "&<>\"'"}
    for code in [*range(0x2070), 0xFEFF]:
        if printable(chr(code)) != chr(code):
            table[code] = printable(chr(code))
    for code in [*range(0xD800, 0xE000), *range(0xFDD0, 0xFDF0), 0xFFFE, 0xFFFF]:
        table[code] = f"\\u{code:04x}"
    return table


_TABLE = _escape_table()
_NEEDS_ESCAPE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")
_SEV_CLASS = {Severity.CRITICAL: "crit", Severity.WARN: "warn", Severity.INFO: "info"}
_SEV_COLOR = {Severity.CRITICAL: "#c62828", Severity.WARN: "#ef8f00", Severity.INFO: "#1f6fb2"}

CSS = """
:root{color-scheme:light;--crit:#c62828;--warn:#ef8f00;--info:#1f6fb2;--ok:#2e7d32;
--bg:#f6f7f9;--fg:#1b1f24;--mute:#5f6b7a;--line:#d8dde3}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:var(--bg);color:var(--fg)}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 10px}
h3{font-size:15px;margin:18px 0 6px}h4{font-size:13px;margin:10px 0 2px;color:var(--mute)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;font:inherit}
table{border-collapse:collapse;background:#fff;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}
.meta{color:var(--mute);margin:2px 0}.meta b{color:var(--fg)}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;
min-width:120px}
.card .n{font-size:26px;font-weight:700}.card .l{color:var(--mute)}
.card.crit .n{color:var(--crit)}.card.warn .n{color:var(--warn)}.card.info .n{color:var(--info)}
.sev{display:inline-block;min-width:62px;text-align:center;border-radius:4px;color:#fff;
font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 6px;margin-right:6px}
.sev.crit{background:var(--crit)}.sev.warn{background:var(--warn)}.sev.info{background:var(--info)}
.check{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 12px;
margin:8px 0}
details.finding{border-top:1px solid var(--line);padding:4px 0}
details.finding>summary{cursor:pointer}
details.docs>summary{cursor:pointer;color:var(--mute)}
.loc,.age{color:var(--mute);margin-left:8px}
.fix{color:var(--ok)}
.warnings li,.errors li{color:var(--mute)}
.heat td.c{text-align:center;min-width:56px}
.bar{vertical-align:middle}
.ok{color:var(--ok)}.bad{color:var(--crit)}.skip{color:var(--mute)}
footer{color:var(--mute);margin:32px 0 8px;font-size:12px}
"""

# No script, no fetch, no frame: only inline styles and inline (data:) images may load.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"


def _e(value: Any) -> str:
    """Any value as safe HTML text (also safe inside a double- or single-quoted attribute).
    One pass, and none for the common string that needs nothing: this runs for every value
    of a report that may hold tens of thousands of findings."""
    text = value if isinstance(value, str) else str(value)
    return text.translate(_TABLE) if _NEEDS_ESCAPE.search(text) else text


def render(
    results: Sequence[TargetResult],
    *,
    fleet: bool = False,
    history: Mapping[str, TargetHistory] | None = None,
    fix: FixResult | None = None,
    fix_run: bool = False,
) -> str:
    reports = [r.report for r in results if r.report is not None]
    out: list[str] = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>OpenClaw security audit{_title_suffix(results)}</title>\n",
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        "<h1>OpenClaw security audit</h1>\n",
    ]
    out.extend(_header(results, reports))
    out.extend(_cards(reports))
    if fleet:
        out.extend(_fleet(results))
    if fix_run:
        out.extend(_fix(fix))
    for index, r in enumerate(results):
        hist = _history_of(r.target, history, len(results))
        key = f"t{index}"
        if fleet:
            out.append(f'<section id="{key}">\n')
            out.append(f"<h2>Target: {_e(r.target)}</h2>\n")
        else:
            out.append("<section>\n")
        if r.warnings:
            out.append('<ul class="warnings">')
            out.extend(f"<li>{_e(w)}</li>" for w in r.warnings)
            out.append("</ul>\n")
        if r.report is None:
            message = r.error.render() if r.error is not None else "could not be audited"
            out.append(f'<p class="bad">Could not be audited: {_e(message)}</p>\n</section>\n')
            continue
        out.extend(_target_body(r.report, hist, fleet=fleet, key=key))
        out.append("</section>\n")
    out.append(
        f"<footer>openclaw-audit {_e(_tool_version(reports))} · self-contained report: no "
        "script, no network access</footer>\n</main>\n</body>\n</html>\n"
    )
    return "".join(out)


# --- header and cards ------------------------------------------------------------------------


def _title_suffix(results: Sequence[TargetResult]) -> str:
    if len(results) == 1 and results[0].target:
        return f": {_e(results[0].target)}"
    return f": {len(results)} targets" if len(results) > 1 else ""


def _audit_meta(report: Report) -> Mapping[str, Any]:
    """The JSON report's ``audit`` object (output-ux.md §1): tool version, deep, duration,
    host, what was audited."""
    return audit_object(report)


def _tool_version(reports: Sequence[Report]) -> str:
    for rep in reports:
        version = _audit_meta(rep).get("version")
        if isinstance(version, str) and version:
            return version
    return __version__


def _when(ts_ms: int) -> str:
    try:
        return dt.datetime.fromtimestamp(ts_ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(ts_ms)


def _header(results: Sequence[TargetResult], reports: Sequence[Report]) -> list[str]:
    out: list[str] = []
    names = [r.target or (r.report.config_path if r.report else "") or "" for r in results]
    if len(results) == 1:
        rep = results[0].report
        info = TargetInfo.of(rep) if rep is not None else None
        if info is not None:
            # The text report's target line: config (+includes), state dir and where it came
            # from, the OpenClaw version and its source.
            line = target_line(info).removeprefix("Target: ")
            out.append(f'<p class="meta">Target: <b class="mono">{_e(line)}</b></p>\n')
        else:
            name = names[0] or "(default location)"
            out.append(f'<p class="meta">Target: <b class="mono">{_e(name)}</b>')
            if rep is not None and rep.state_dir:
                out.append(f' · state <span class="mono">{_e(rep.state_dir)}</span>')
            out.append("</p>\n")
    else:
        audited = len(reports)
        out.append(
            f'<p class="meta">Targets: <b>{len(results)}</b> ({audited} audited'
            f"{f', {len(results) - audited} failed' if audited != len(results) else ''})</p>\n"
        )
    if reports:
        ts = max(rep.ts for rep in reports)
        deep = any(rep.deep is not None or _audit_meta(rep).get("deep") is True for rep in reports)
        out.append(f'<p class="meta">Time: <b>{_e(_when(ts))}</b>')
        out.append(f" · tool version <b>{_e(_tool_version(reports))}</b>")
        out.append(f" · deep <b>{'yes' if deep else 'no'}</b>")
        durations = [_audit_meta(rep).get("durationMs") for rep in reports]
        known = [d for d in durations if isinstance(d, int | float) and not isinstance(d, bool)]
        known = [d for d in known if d > 0]
        if known:
            out.append(f" · duration <b>{_e(_seconds(max(known) / 1000))}</b>")
        host = next((_audit_meta(rep).get("host") for rep in reports), None)
        if isinstance(host, str) and host:
            out.append(f' · host <b class="mono">{_e(host)}</b>')
        out.append("</p>\n")
    return out


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 60 else f"{int(value // 60)} min {value % 60:.0f} s"


def _cards(reports: Sequence[Report]) -> list[str]:
    counts = {s: 0 for s in Severity}
    suppressed = expired = 0
    for rep in reports:
        for f in rep.findings:
            counts[f.severity] += 1
            if f.check_id == EXPIRED_CHECK:
                expired += 1
        suppressed += len(rep.suppressed)
    cards = [
        ("crit", counts[Severity.CRITICAL], "critical"),
        ("warn", counts[Severity.WARN], "warn"),
        ("info", counts[Severity.INFO], "info"),
        ("", suppressed, "suppressed"),
        ("", expired, "expired suppressions"),
    ]
    out = ['<div class="cards" id="summary">']
    for cls, n, label in cards:
        out.append(
            f'<div class="card {cls}"><div class="n">{n}</div><div class="l">{label}</div></div>'
        )
    out.append("</div>\n")
    return out


# --- fleet -----------------------------------------------------------------------------------


def _area(report: Report, check_id: str) -> str:
    rule = report.rules.get(check_id)
    return (rule.group if rule is not None and rule.group else "") or check_id.split(".")[0]


def _fleet(results: Sequence[TargetResult]) -> list[str]:
    """A target x area heatmap (count per cell, coloured by its worst severity) and one
    stacked severity bar per target."""
    cells: dict[str, dict[str, list[int]]] = {}
    areas: dict[str, list[int]] = {}
    for r in results:
        row: dict[str, list[int]] = {}
        if r.report is not None:
            for f in r.report.findings:
                area = _area(r.report, f.check_id)
                c = row.setdefault(area, [0, 0, 0])
                c[f.severity.rank] += 1
                t = areas.setdefault(area, [0, 0, 0])
                t[f.severity.rank] += 1
        cells[r.target] = row
    ordered = sorted(areas, key=lambda a: (-areas[a][2], -areas[a][1], -areas[a][0], a))
    widest = max([len(r.report.findings) for r in results if r.report is not None] or [1])
    out = ['<h2 id="fleet">Fleet</h2>\n<table class="heat">\n<tr><th>target</th><th>severity</th>']
    out.extend(f"<th>{_e(a)}</th>" for a in ordered)
    out.append("</tr>\n")
    for index, r in enumerate(results):
        link = f'<a href="#t{index}" class="mono">{_e(r.target)}</a>'
        if r.report is None:
            out.append(
                f'<tr><td>{link}</td><td colspan="{len(ordered) + 1}" class="bad">'
                "could not be audited</td></tr>\n"
            )
            continue
        out.append(f"<tr><td>{link}</td><td>{_bar(r.report, widest)}</td>")
        for area in ordered:
            c = cells[r.target].get(area)
            if not c or not sum(c):
                out.append('<td class="c"></td>')
                continue
            worst = Severity.CRITICAL if c[2] else Severity.WARN if c[1] else Severity.INFO
            alpha = min(1.0, 0.25 + 0.15 * sum(c))
            title = f"{c[2]} critical, {c[1]} warn, {c[0]} info"
            out.append(
                f'<td class="c" title="{title}" style="background:{_rgba(worst, alpha)}">'
                f"{sum(c)}</td>"
            )
        out.append("</tr>\n")
    out.append("</table>\n")
    return out


def _rgba(severity: Severity, alpha: float) -> str:
    hexcolor = _SEV_COLOR[severity]
    r, g, b = (int(hexcolor[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:.2f})"


def _bar(report: Report, widest: int, width: int = 220) -> str:
    s = report.summary
    parts = [(Severity.CRITICAL, s.critical), (Severity.WARN, s.warn), (Severity.INFO, s.info)]
    x = 0.0
    rects = []
    for sev, n in parts:
        if not n:
            continue
        w = width * n / max(widest, 1)
        rects.append(
            f'<rect x="{x:.1f}" y="0" width="{max(w, 1):.1f}" height="14" '
            f'fill="{_SEV_COLOR[sev]}"><title>{n} {sev.value}</title></rect>'
        )
        x += w
    label = f"{s.critical} critical, {s.warn} warn, {s.info} info"
    return (
        f'<svg class="bar" width="{width}" height="14" role="img" aria-label="{label}">'
        f"<title>{label}</title>{''.join(rects)}</svg>"
    )


# --- one target ------------------------------------------------------------------------------


def _target_body(report: Report, hist: TargetHistory | None, *, fleet: bool, key: str) -> list[str]:
    out: list[str] = []
    if fleet:
        s = report.summary
        out.append(
            f'<p class="meta">{s.critical} critical · {s.warn} warn · {s.info} info'
            f" · {len(report.suppressed)} suppressed · audited {_e(_when(report.ts))}</p>\n"
        )
    if report.secret_diagnostics:
        out.append('<ul class="warnings">')
        out.extend(f"<li>[secrets] {_e(d)}</li>" for d in report.secret_diagnostics)
        out.append("</ul>\n")
    if hist is not None and hist.drift is not None:
        out.extend(_drift(hist.drift))
    if hist is not None and hist.points:
        out.extend(_trend(hist.points))
    if report.deep is not None:
        out.extend(_probes(report.deep))
    out.extend(_findings(report, hist, key))
    if report.suppressed:
        out.extend(_suppressed(report))
    return out


def _findings(report: Report, hist: TargetHistory | None, key: str) -> list[str]:
    if not report.findings:
        return ['<h2>Findings</h2>\n<p class="ok">No findings.</p>\n']
    # area -> check -> findings (report order kept inside a check)
    by_area: dict[str, dict[str, list[Finding]]] = {}
    for f in report.findings:
        by_area.setdefault(_area(report, f.check_id), {}).setdefault(f.check_id, []).append(f)

    def worst(findings: Iterable[Finding]) -> tuple[int, ...]:
        counts = [0, 0, 0]
        for f in findings:
            counts[f.severity.rank] += 1
        return (-counts[2], -counts[1], -counts[0])

    areas = sorted(by_area, key=lambda a: (worst(f for fs in by_area[a].values() for f in fs), a))
    first_seen = hist.first_seen if hist is not None else None
    now = dt.datetime.fromtimestamp(report.ts / 1000, dt.UTC) if first_seen else None
    out = ["<h2>Findings</h2>\n"]
    for a_index, area in enumerate(areas):
        checks = by_area[area]
        n = sum(len(fs) for fs in checks.values())
        out.append(f'<h3 id="{key}-area{a_index}">{_e(area)} ({n})</h3>\n')
        ordered = sorted(checks, key=lambda c: -max(f.severity.rank for f in checks[c]))
        for c_index, check_id in enumerate(ordered):
            docs_id = f"{key}-area{a_index}-doc{c_index}"
            out.extend(_check_block(report, docs_id, check_id, checks[check_id], first_seen, now))
    return out


def _check_block(
    report: Report,
    docs_id: str,
    check_id: str,
    findings: list[Finding],
    first_seen: Mapping[str, str] | None,
    now: dt.datetime | None,
) -> list[str]:
    rule = report.rules.get(check_id)
    info = TargetInfo.of(report)
    findings = sorted(findings, key=lambda f: -f.severity.rank)
    out = [
        f'<div class="check"><div><code>{_e(check_id)}</code> · {len(findings)} finding'
        f"{'' if len(findings) == 1 else 's'}</div>\n"
    ]
    if rule is not None and rule.docs:
        out.append(
            f'<details class="docs" id="{docs_id}"><summary>What / Why / Fix of this check'
            f"</summary>{_docs(rule)}</details>\n"
        )
    for f in findings:
        cls = _SEV_CLASS[f.severity]
        loc = _location(f, info, report.deep)
        out.append(
            f'<details class="finding"><summary><span class="sev {cls}">{f.severity.value}</span>'
            f"<b>{_e(f.title)}</b>"
        )
        if loc:
            out.append(f'<span class="loc mono">{_e(loc)}</span>')
        if first_seen is not None and now is not None:
            out.append(_age(first_seen.get(fingerprint(f)), now))
        out.append(f"</summary>\n<pre>{_e(f.detail)}</pre>\n")
        if f.remediation:
            out.append(f'<p class="fix">Fix: {_e(f.remediation)}</p>\n')
        if rule is not None and rule.docs:
            out.append(f'<p class="meta"><a href="#{docs_id}">About this check</a></p>\n')
        out.append("</details>\n")
    out.append("</div>\n")
    return out


_DOCS_CACHE: dict[tuple[str, str], str] = {}
_SECTION = re.compile(r"^##\s+(.*)$", re.M)
_CODE = re.compile(r"`([^`\n]+)`")


def _docs(rule: Rule) -> str:
    """A rule's markdown docs (``## What`` / ``## Why`` / ``## Fix``) as small HTML."""
    cached = _DOCS_CACHE.get((rule.id, rule.docs))
    if cached is not None:
        return cached
    parts = _SECTION.split(rule.docs)
    out: list[str] = []
    if parts[0].strip():
        out.append(_paragraphs(parts[0]))
    for name, body in zip(parts[1::2], parts[2::2], strict=False):
        out.append(f"<h4>{_e(name.strip())}</h4>{_paragraphs(body)}")
    text = "".join(out)
    _DOCS_CACHE[(rule.id, rule.docs)] = text
    return text


def _paragraphs(markdown: str) -> str:
    paras = [p.strip() for p in re.split(r"\n\s*\n", markdown) if p.strip()]
    return "".join("<p>" + _CODE.sub(r"<code>\1</code>", _e(p)) + "</p>" for p in paras)


def _location(finding: Finding, info: TargetInfo | None, deep: Mapping[str, Any] | None) -> str:
    """The text report's place (``openclaw.json:13:21``, the file, the probed URL with any
    credentials masked), plus the config path it is about."""
    where = location_text(finding, info, deep) or ""
    dotted = finding.location.dotted if finding.location is not None else None
    if dotted and where and where != dotted:
        return f"{where} ({dotted})"
    return where


@functools.lru_cache(maxsize=4096)  # a fleet's findings share a few first-seen times
def _age(first: str | None, now: dt.datetime) -> str:
    if not first:
        return '<span class="age">new</span>'
    try:
        seen = dt.datetime.fromisoformat(first.replace("Z", "+00:00"))
    except ValueError:
        return f'<span class="age">first seen {_e(first)}</span>'
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=dt.UTC)
    days = max(0, (now - seen).days)
    age = "today" if days == 0 else f"{days} day{'' if days == 1 else 's'}"
    return f'<span class="age">first seen {_e(seen.strftime("%Y-%m-%d"))} · age {age}</span>'


def _suppressed(report: Report) -> list[str]:
    out = [
        f'<details><summary><h2 style="display:inline">Suppressed ({len(report.suppressed)})'
        "</h2></summary>\n<table>\n<tr><th>severity</th><th>check</th><th>title</th>"
        "<th>reason</th><th>source</th><th>expires</th></tr>\n"
    ]
    for s in report.suppressed:
        f = s.finding
        out.append(
            f'<tr><td><span class="sev {_SEV_CLASS[f.severity]}">{f.severity.value}</span></td>'
            f"<td><code>{_e(f.check_id)}</code></td><td>{_e(f.title)}</td>"
            f"<td>{_e(s.reason or '')}</td><td>{_e(s.source)}</td>"
            f"<td>{_e(s.expires or '')}</td></tr>\n"
        )
    out.append("</table>\n</details>\n")
    return out


# --- live probes -----------------------------------------------------------------------------


def _facts(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Every fact of a probe section as (dotted key, text) rows, nothing left out."""
    if isinstance(value, Mapping):
        rows: list[tuple[str, str]] = []
        for k, v in value.items():
            rows.extend(_facts(v, f"{prefix}.{k}" if prefix else str(k)))
        return rows
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return [(prefix, ", ".join("null" if v is None else str(v) for v in value) or "—")]
        rows = []
        for i, v in enumerate(value):
            rows.extend(_facts(v, f"{prefix}[{i}]"))
        return rows
    if value is None:
        return [(prefix, "—")]
    if isinstance(value, bool):
        return [(prefix, "yes" if value else "no")]
    return [(prefix, str(value))]


_OUTCOME_CLASS = {
    live.OK: "ok",
    live.ENFORCED: "ok",
    live.OPEN: "bad",
    live.FAILED: "bad",
    live.TIMED_OUT: "bad",
    live.SKIPPED: "skip",
}


def _probes(deep: Mapping[str, Any]) -> list[str]:
    """The text report's LIVE PROBES rows (outcome, facts, one sub-row per container or
    mDNS instance), and under each every raw fact of ``deep`` as a key/value table."""
    out = [
        '<h2 id="probes">Live probes</h2>\n<table class="probes">\n'
        "<tr><th>probe</th><th>outcome</th><th>facts</th></tr>\n"
    ]
    names = [n for n in live.ORDER if n in deep] + [n for n in deep if n not in live.ORDER]
    for name in names:
        section = deep[name]
        if isinstance(section, Mapping):
            outcome, facts, subrows = live.probe_row(name, section)
            raw = _facts(section)
        else:
            outcome, facts, subrows = live.FAILED, [], []
            raw = _facts(section, "value")
        cls = _OUTCOME_CLASS.get(outcome, "skip")
        items = "".join(f"<li>{_e(sub)}</li>" for sub in subrows)
        rows = "".join(f'<tr><td class="mono">{_e(k)}</td><td>{_e(v)}</td></tr>' for k, v in raw)
        out.append(
            f'<tr><td><b>{_e(name)}</b></td><td class="{cls}">{_e(outcome)}</td>'
            f"<td>{_e(live.SEP.join(facts))}"
            + (f"<ul>{items}</ul>" if items else "")
            + f'<details class="raw"><summary>all facts</summary><table>{rows}</table>'
            "</details></td></tr>\n"
        )
    out.append("</table>\n")
    return out


# --- history ---------------------------------------------------------------------------------


def _history_of(
    target: str, history: Mapping[str, TargetHistory] | None, n_results: int
) -> TargetHistory | None:
    if not history:
        return None
    found = history.get(target)
    if found is None and n_results == 1 and len(history) == 1:
        # A single run of the default location may be keyed by its resolved config path.
        found = next(iter(history.values()))
    return found


def _drift(drift: RunDrift) -> list[str]:
    """What changed since the last run of this target (the on-call question)."""
    out = ['<h2 class="drift-title">Since the last run</h2>\n']
    groups = (
        ("new", drift.new),
        ("escalated", drift.escalated),
        ("resolved", drift.resolved),
    )
    if not (drift.new or drift.escalated or drift.resolved or drift.probe_failed):
        return [*out, '<p class="ok">No change.</p>\n']
    out.append(
        '<table class="drift">\n<tr><th>change</th><th>severity</th><th>check</th>'
        "<th>title</th></tr>\n"
    )
    for label, items in groups:
        for item in items:
            sev = item.severity
            if item.previous_severity:
                sev = f"{item.previous_severity} → {item.severity}"
            out.append(
                f"<tr><td>{label}</td><td>{_e(sev)}</td><td><code>{_e(item.check_id)}</code></td>"
                f"<td>{_e(item.title)}</td></tr>\n"
            )
    for probe, error in drift.probe_failed:
        out.append(
            f'<tr><td class="bad">probe failed</td><td></td><td><code>{_e(probe)}</code></td>'
            f"<td>{_e(error)}</td></tr>\n"
        )
    out.append("</table>\n")
    return out


def _trend(points: Sequence[TrendPoint], width: int = 640, height: int = 160) -> list[str]:
    """Critical and warn counts per stored run, oldest left, as an inline SVG line chart."""
    pad_l, pad_r, pad_t, pad_b = 36, 12, 12, 28
    top = max([1, *(max(p.critical, p.warn) for p in points)])
    span_w = width - pad_l - pad_r
    span_h = height - pad_t - pad_b
    step = span_w / max(len(points) - 1, 1)

    def xy(i: int, v: int) -> str:
        return f"{pad_l + i * step:.1f},{pad_t + span_h - span_h * v / top:.1f}"

    lines = []
    for sev, attr in ((Severity.WARN, "warn"), (Severity.CRITICAL, "critical")):
        pts = " ".join(xy(i, getattr(p, attr)) for i, p in enumerate(points))
        lines.append(
            f'<polyline fill="none" stroke="{_SEV_COLOR[sev]}" stroke-width="2" points="{pts}"/>'
        )
        if len(points) <= 200:
            for i, p in enumerate(points):
                x, y = xy(i, getattr(p, attr)).split(",")
                lines.append(
                    f'<circle cx="{x}" cy="{y}" r="2.5" fill="{_SEV_COLOR[sev]}"><title>run '
                    f"{p.run_id} {_e(p.started_at)}: {getattr(p, attr)} {sev.value}</title>"
                    "</circle>"
                )
    axis = (
        f'<line x1="{pad_l}" y1="{pad_t + span_h}" x2="{width - pad_r}" y2="{pad_t + span_h}" '
        'stroke="#999"/>'
        f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{pad_t + span_h}" stroke="#999"/>'
        f'<text x="{pad_l - 6}" y="{pad_t + 4}" text-anchor="end" font-size="10">{top}</text>'
        f'<text x="{pad_l - 6}" y="{pad_t + span_h}" text-anchor="end" font-size="10">0</text>'
        f'<text x="{pad_l}" y="{height - 8}" font-size="10">{_e(points[0].started_at)}</text>'
        f'<text x="{width - pad_r}" y="{height - 8}" text-anchor="end" font-size="10">'
        f"{_e(points[-1].started_at)}</text>"
    )
    label = f"Trend over {len(points)} runs: critical and warn findings per run"
    return [
        '<h2 class="trend-title">Trend</h2>\n',
        f'<svg class="trend" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(label)}">'
        f"<title>{_e(label)}</title>{axis}{''.join(lines)}</svg>\n",
        '<p class="meta"><span style="color:var(--crit)">■ critical</span> '
        '<span style="color:var(--warn)">■ warn</span></p>\n',
    ]


# --- --fix -----------------------------------------------------------------------------------


def _fix(fix: FixResult | None) -> list[str]:
    if fix is None:
        return ['<h2>Fix</h2>\n<p class="bad">The fixer failed: nothing is known fixed.</p>\n']
    head = "Fix (dry run: nothing changed)" if fix.dry_run else "Fix"
    out = [f"<h2>{head}</h2>\n<ul>"]
    out.extend(f"<li>{_e(c)}</li>" for c in fix.changes)
    for a in fix.actions:
        what = a.command or (f"chmod {a.mode:o} {a.path}" if a.mode is not None else a.path)
        state = "planned" if a.planned else "ok" if a.ok else f"failed: {a.error or a.skipped}"
        out.append(f'<li><span class="mono">{_e(what)}</span> · {_e(state)}</li>')
    out.extend(f'<li class="bad">{_e(err)}</li>' for err in fix.errors)
    out.append("</ul>\n")
    for d in fix.diffs:
        out.append(f'<h3 class="mono">{_e(d.path)}</h3><pre class="mono">{_e(d.diff)}</pre>\n')
    return out
