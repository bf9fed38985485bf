"""The single-file HTML report (scheduled-scans.md §6), read back by a real HTML parser.

html5lib follows the WHATWG parsing algorithm (what browsers do); with ``strict=True`` it
raises on any parse error, so a page it accepts is well-formed HTML. The report must hold no
script, load nothing from outside, and show every hostile string as text, never as markup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import html5lib
import pytest
from clirun import run

from openclaw_audit import __version__
from openclaw_audit.errors import AuditError
from openclaw_audit.render.formats import FORMATS, AuditOutput, RenderOptions
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import (
    Finding,
    FixAction,
    FixResult,
    Location,
    Report,
    Rule,
    Severity,
    SuppressedFinding,
)
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.report.trend import DriftItem, RunDrift, TargetHistory, TrendPoint

NS = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "' onmouseover='alert(3)",
    "&amp; &lt;b&gt; & <b>bold</b>",
    "</details></main><script src=http://evil.example/x.js></script>",
    "<style>body{background:url(http://evil.example/bg)}</style>",
    "<a href=javascript:alert(4)>x</a>",
]
DOCS = "## What\nLooks at `gateway.bind`.\n\n## Why\nAn <open> gateway & friends.\n\n## Fix\nBind to `loopback`."


def rule(check_id: str, severity: Severity, group: str, docs: str = DOCS) -> Rule:
    return Rule(check_id, severity, f"title of {check_id}", "fix it", docs, group=group)


def finding(check_id: str, severity: Severity, title: str, detail: str, **kw: Any) -> Finding:
    return Finding(check_id, severity, title, detail, **kw)


def parse(page: str) -> Any:
    """The document tree; any parse error fails the test (strict mode)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(page)


def texts(doc: Any) -> str:
    return "".join(doc.itertext())


def render(results: list[TargetResult], **options: Any) -> str:
    return FORMATS["html"](AuditOutput(results), RenderOptions(**options))


def assert_self_contained(doc: Any, page: str) -> None:
    tags = {el.tag for el in doc.iter()}
    assert f"{NS}script" not in tags
    assert not {f"{NS}iframe", f"{NS}object", f"{NS}embed", f"{NS}link", f"{NS}img"} & tags
    for el in doc.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name in ("src", "href", "action", "srcset", "poster", "data"):
                assert value.startswith("#"), (el.tag, name, value)
            assert "javascript:" not in value.lower() or name == "title", (el.tag, name)
    style = "".join("".join(s.itertext()) for s in doc.iter(f"{NS}style"))
    assert "url(" not in style and "@import" not in style
    assert "<script" not in page.lower()


def hostile_report() -> Report:
    findings = []
    rules = {}
    for i, bad in enumerate(HOSTILE):
        cid = f"gateway.hostile_{i}"
        findings.append(
            finding(
                cid,
                Severity.CRITICAL if i % 2 else Severity.WARN,
                f"title {bad}",
                f"detail {bad}\nsecond line {bad}",
                remediation=f"fix {bad}",
                subject=f"s{i}",
                location=Location(config_path=("gateway", bad), file=f"/cfg/{bad}.json", line=3),
            )
        )
        rules[cid] = rule(
            cid, Severity.WARN, f"area {bad}", docs=f"## What\n`{bad}`\n## Why\n{bad}"
        )
    findings.append(
        finding("probe.x", Severity.INFO, "t", "d", location=Location(uri=f"http://h/{HOSTILE[0]}"))
    )
    return Report(
        ts=1_764_000_000_000,
        findings=tuple(findings),
        suppressed=(
            SuppressedFinding(
                finding("x.y", Severity.WARN, HOSTILE[1], HOSTILE[2]),
                reason=HOSTILE[3],
                expires=HOSTILE[4],
            ),
        ),
        deep={
            "gateway": {"attempted": True, "ok": False, "url": HOSTILE[4], "error": HOSTILE[0]},
            HOSTILE[1]: {"ok": True, "nested": {"list": [HOSTILE[5], None, 3]}},
        },
        secret_diagnostics=(HOSTILE[6],),
        rules=rules,
        meta={"audit": {"version": HOSTILE[2], "host": HOSTILE[3], "durationMs": 1234}},
    )


def test_hostile_strings_are_text_never_markup() -> None:
    page = render([TargetResult(HOSTILE[0], hostile_report(), None, (HOSTILE[5],))])
    doc = parse(page)
    assert_self_contained(doc, page)
    text = texts(doc)
    for bad in HOSTILE:
        assert f"title {bad}" in text
        assert f"fix {bad}" in text
        assert f"second line {bad}" in text
    # attribute values stay in their attribute (quotes escaped)
    ids = [el.get("id") for el in doc.iter() if el.get("id")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", i) for i in ids)


def test_hostile_fleet_target_names_and_failed_target() -> None:
    results = [
        TargetResult(HOSTILE[1], hostile_report()),
        TargetResult(HOSTILE[0], None, AuditError(f"cannot read {HOSTILE[4]}")),
    ]
    page = render(results, fleet=True)
    doc = parse(page)
    assert_self_contained(doc, page)
    assert f"cannot read {HOSTILE[4]}" in texts(doc)


def test_control_characters_are_shown_escaped() -> None:
    rep = Report(ts=0, findings=(finding("a.b", Severity.WARN, "t\x1b[31m\x00\ufffe", "d\x07"),))
    doc = parse(render([TargetResult("", rep)]))
    text = texts(doc)
    assert "t\\x1b[31m\\x00\\ufffe" in text and "d\\x07" in text


def sample_report() -> Report:
    findings = (
        finding("fs.config.perms", Severity.INFO, "Config readable", "mode 0644"),
        finding(
            "gateway.bind_no_auth",
            Severity.CRITICAL,
            "Gateway open",
            "bind lan, no auth",
            remediation="Set gateway.auth.token.",
            subject="gateway",
            location=Location(
                config_path=("gateway", "bind"), file="/s/openclaw.json", line=6, column=11
            ),
        ),
        finding("gateway.token_short", Severity.WARN, "Token short", "12 chars", subject="tok"),
        finding("fs.state_dir.perms", Severity.CRITICAL, "State dir open", "mode 0777"),
        finding("audit.ignore_file.expired", Severity.WARN, "Entry expired", "expired 2026-01-01"),
    )
    rules = {
        "fs.config.perms": rule("fs.config.perms", Severity.INFO, "filesystem"),
        "gateway.bind_no_auth": rule("gateway.bind_no_auth", Severity.CRITICAL, "gateway"),
        "gateway.token_short": rule("gateway.token_short", Severity.WARN, "gateway"),
        "fs.state_dir.perms": rule("fs.state_dir.perms", Severity.CRITICAL, "filesystem"),
    }
    return Report(
        ts=1_764_000_000_000,
        findings=findings,
        suppressed=(SuppressedFinding(finding("x.y", Severity.WARN, "quiet", "d"), reason="ok"),),
        deep={
            "gateway": {
                "attempted": True,
                "ok": True,
                "url": "ws://127.0.0.1:18789",
                "latencyMs": 12,
            },
            "http": {
                "baseUrl": "http://127.0.0.1:18789",
                "endpoints": {"/tools/invoke": {"status": 401, "result": "enforced"}},
            },
            "docker": {"attempted": True, "ok": False, "skipped": "no socket"},
            "mdns": {"attempted": True, "browseMs": 1500, "error": None, "instances": []},
            "tailscale": {"attempted": True, "error": "no tailscaled"},
        },
        rules=rules,
        config_path="/s/openclaw.json",
        state_dir="/s",
    )


def sections(doc: Any) -> list[tuple[str, list[str]]]:
    """(area heading, [check ids in order]) as the page shows them."""
    out: list[tuple[str, list[str]]] = []
    body = doc.find(f"{NS}body")
    for el in body.iter():
        if el.tag == f"{NS}h3":
            out.append(("".join(el.itertext()), []))
        elif el.tag == f"{NS}div" and el.get("class") == "check":
            out[-1][1].append("".join(el.find(f"{NS}div/{NS}code").itertext()))
    return out


def test_summary_cards_probes_and_grouping() -> None:
    page = render([TargetResult("/s/openclaw.json", sample_report())])
    doc = parse(page)
    assert_self_contained(doc, page)
    cards = {
        "".join(c[1].itertext()): "".join(c[0].itertext())
        for c in doc.iter(f"{NS}div")
        if (c.get("class") or "").split()[:1] == ["card"]
    }
    assert cards == {
        "critical": "2",
        "warn": "2",
        "info": "1",
        "suppressed": "1",
        "expired suppressions": "1",
    }
    # areas: most severe first; inside an area, most severe check first
    # (gateway: 1 critical + 1 warn outranks filesystem: 1 critical + 1 info)
    assert sections(doc) == [
        ("gateway (2)", ["gateway.bind_no_auth", "gateway.token_short"]),
        ("filesystem (2)", ["fs.state_dir.perms", "fs.config.perms"]),
        ("audit (1)", ["audit.ignore_file.expired"]),
    ]
    text = texts(doc)
    assert "/s/openclaw.json:6:11 (gateway.bind)" in text
    assert "Fix: Set gateway.auth.token." in text
    # docs: What/Why/Fix headings, escaped body, code spans
    assert "An <open> gateway & friends." in text
    assert any("".join(c.itertext()) == "loopback" for c in doc.iter(f"{NS}code"))
    # live probes: every fact, with an outcome per probe
    probes = doc.find(f".//{NS}table[@class='probes']")
    rows = ["".join(td.itertext()) for td in probes.iter(f"{NS}td")]
    assert "ws://127.0.0.1:18789" in rows and "endpoints./tools/invoke.status" in rows
    outcomes = [td.text for td in probes.findall(f"{NS}tbody/{NS}tr/{NS}td[2]")]
    assert outcomes == ["ok", "enforced", "skipped", "ok", "failed"]
    # the same facts as the text report's LIVE PROBES row, and every raw fact below them
    first = ["".join(td.itertext()) for td in probes.findall(f"{NS}tbody/{NS}tr")[1]]
    assert first[2].startswith("ws://127.0.0.1:18789 · latency 12 ms")
    # every finding is a closed <details> holding its detail
    finds = list(doc.iter(f"{NS}details"))
    assert sum(1 for d in finds if d.get("class") == "finding") == 5


def test_header_reads_the_target_record_when_present() -> None:
    rep = sample_report()
    plain = texts(parse(render([TargetResult("/s/openclaw.json", rep)])))
    assert "deep yes" in plain and "2025-11-24 16:00:00 UTC" in plain and "duration" not in plain
    assert "Target: /s/openclaw.json · state /s" in plain
    record = {
        "config": "/home/u/.openclaw/openclaw.json",
        "configPath": "/home/u/.openclaw/openclaw.json",
        "includes": ["/home/u/.openclaw/agents.json5"],
        "stateDir": "/home/u/.openclaw",
        "stateDirSource": "home",
        "home": "/home/u",
        "deep": True,
        "durationMs": 2500,
        "host": "box",
        "openclawVersion": {"version": "2026.9.6", "source": "live"},
    }
    finding_ = finding(
        "gateway.x", Severity.WARN, "t", "d",
        location=Location(("gateway", "bind"), "/home/u/.openclaw/agents.json5", 4, 9),
    )  # fmt: skip
    live = finding(
        "gateway.y", Severity.WARN, "t", "d", location=Location(uri="wss://user:pw@gw.example:443/")
    )
    page = render([TargetResult("", Report(0, (finding_, live), meta={"target": record}))])
    text = texts(parse(page))
    assert (
        "Target: ~/.openclaw/openclaw.json (+1 include) · state ~/.openclaw (from $HOME) · "
        "OpenClaw 2026.9.6 (from the live gateway)"
    ) in text
    assert f"tool version {__version__}" in text and "duration 2.50 s" in text
    assert "host box" in text and "deep yes" in text
    # locations as the text report writes them, URL credentials masked
    assert "agents.json5:4:9 (gateway.bind)" in text
    assert "pw@" not in page and "gw.example" in text


def test_fleet_heatmap_and_severity_bars() -> None:
    one = sample_report()
    two = Report(
        ts=0, findings=(finding("gateway.token_short", Severity.WARN, "t", "d"),), rules=one.rules
    )
    results = [
        TargetResult("/a/openclaw.json", one),
        TargetResult("/b/openclaw.json", two),
        TargetResult("/c/openclaw.json", None, AuditError("broken")),
    ]
    doc = parse(render(results, fleet=True))
    heat = doc.find(f".//{NS}table[@class='heat']")
    rows = heat.findall(f"{NS}tbody/{NS}tr")
    header = ["".join(th.itertext()) for th in rows[0]]
    assert header == ["target", "severity", "gateway", "filesystem", "audit"]
    a = ["".join(td.itertext()) for td in rows[1]]
    assert a[0] == "/a/openclaw.json" and a[2:] == ["2", "2", "1"]
    b = ["".join(td.itertext()) for td in rows[2]]
    assert b[2:] == ["1", "", ""]
    assert "could not be audited" in "".join(rows[3].itertext())
    # one bar per audited target; the widest target fills the bar
    bars = [svg for svg in doc.iter(f"{SVG}svg") if svg.get("class") == "bar"]
    assert len(bars) == 2
    widths = [sum(float(r.get("width")) for r in bar.iter(f"{SVG}rect")) for bar in bars]
    assert widths[0] == pytest.approx(220) and widths[1] == pytest.approx(220 / 5)
    # heatmap links go to the target's section on the page
    links = [a.get("href") for a in heat.iter(f"{NS}a")]
    ids = {el.get("id") for el in doc.iter() if el.get("id")}
    assert all(link[1:] in ids for link in links) and len(links) == 3


def test_trend_chart_and_first_seen_age_with_history() -> None:
    rep = sample_report()
    crit = rep.findings[1]
    hist = TargetHistory(
        target="/s/openclaw.json",
        points=(
            TrendPoint(1, "2025-11-01T00:00:00Z", 0, 3, 1),
            TrendPoint(2, "2025-11-10T00:00:00Z", 4, 2, 1),
            TrendPoint(3, "2025-11-24T16:00:00Z", 2, 2, 1),
        ),
        first_seen={fingerprint(crit): "2025-11-01T00:00:00Z"},
    )
    page = render([TargetResult("/s/openclaw.json", rep)], history={"/s/openclaw.json": hist})
    doc = parse(page)
    assert_self_contained(doc, page)
    trend = next(s for s in doc.iter(f"{SVG}svg") if s.get("class") == "trend")
    lines = list(trend.iter(f"{SVG}polyline"))
    assert len(lines) == 2
    warn, critical = (ln.get("points").split() for ln in lines)
    assert len(warn) == len(critical) == 3
    # y grows downwards: the critical peak (4, the chart's top) is the highest point
    ys = [float(p.split(",")[1]) for p in critical]
    assert ys[1] < ys[2] < ys[0]
    ages = ["".join(s.itertext()) for s in doc.iter(f"{NS}span") if s.get("class") == "age"]
    assert "first seen 2025-11-01 · age 23 days" in ages
    assert ages.count("new") == 4


def test_without_history_there_is_no_trend_or_age() -> None:
    doc = parse(render([TargetResult("/s/openclaw.json", sample_report())]))
    assert not [s for s in doc.iter(f"{SVG}svg") if s.get("class") == "trend"]
    assert not [s for s in doc.iter(f"{NS}span") if s.get("class") == "age"]


def test_fix_run_shows_what_was_done() -> None:
    fix = FixResult(
        state_dir="/s",
        config_path="/s/openclaw.json",
        changes=("logging.redactSensitive=tools",),
        actions=(FixAction("chmod", "/s", ok=True, mode=0o700),),
        errors=("<b>could not</b>",),
    )
    out = FORMATS["html"](
        AuditOutput([TargetResult("", sample_report())], fix), RenderOptions(fix_run=True)
    )
    text = texts(parse(out))
    assert "logging.redactSensitive=tools" in text and "chmod 700 /s" in text
    assert "<b>could not</b>" in text


CANARY_TOKEN = "CANARY-gw-token-html-7f3e9a1c5b2d4e6f8a0b"
CANARY_HOOK = "CANARY-hook-token-html-1a2b3c4d5e6f7a8b9c0d"
CANARY_CLI = "CANARY-cli-token-html-0d9c8b7a6f5e4d3c2b1a"


def test_secret_canaries_never_in_the_html(tmp_path: Path) -> None:
    sd = tmp_path / "state"
    sd.mkdir(mode=0o700)
    cfg = sd / "openclaw.json"
    cfg.write_text(
        json.dumps(
            {
                "gateway": {"bind": "lan", "auth": {"mode": "token", "token": CANARY_TOKEN}},
                "hooks": {"enabled": True, "token": CANARY_HOOK, "path": "/"},
                "channels": {"telegram": {"botToken": CANARY_HOOK + "-bot", "dmPolicy": "open"}},
            }
        )
    )
    out = tmp_path / "report.html"
    for _ in range(2):  # the second run also shows the history: trend, ages, drift
        proc = run(
            "--state-dir", str(sd), "--token", CANARY_CLI, "--deep", "--timeout", "0.25",
            "--format", "html", "-o", str(out), "--history", str(tmp_path / "h.db"),
            env={"OPENCLAW_GATEWAY_PORT": "9"},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    doc = parse(page)
    assert_self_contained(doc, page)
    assert "Live probes" in texts(doc) and "gateway.probe_failed" in page
    assert "Since the last run" in texts(doc) and 'class="trend"' in page
    for canary in (CANARY_TOKEN, CANARY_HOOK, CANARY_CLI):
        assert canary not in page and canary not in proc.stderr


def test_changes_since_the_last_run_with_history() -> None:
    drift = RunDrift(
        target="/s/openclaw.json",
        run_id=7,
        new=(DriftItem("gateway.bind_no_auth", "critical", "Gateway <open>", "f1"),),
        escalated=(DriftItem("gateway.token_short", "warn", "Token short", "f2", "info"),),
        resolved=(DriftItem("logging.redact_off", "warn", "Redaction off", "f3"),),
        probe_failed=(("gateway", "ws://127.0.0.1:18789: connection refused <x>"),),
    )
    hist = TargetHistory(target="/s/openclaw.json", drift=drift)
    # keyed by the resolved config path while the single run's target is the default ("")
    page = render([TargetResult("", sample_report())], history={"/s/openclaw.json": hist})
    doc = parse(page)
    assert_self_contained(doc, page)
    table = doc.find(f".//{NS}table[@class='drift']")
    rows = [["".join(td.itertext()) for td in tr] for tr in table.iter(f"{NS}tr")][1:]
    assert rows == [
        ["new", "critical", "gateway.bind_no_auth", "Gateway <open>"],
        ["escalated", "info → warn", "gateway.token_short", "Token short"],
        ["resolved", "warn", "logging.redact_off", "Redaction off"],
        ["probe failed", "", "gateway", "ws://127.0.0.1:18789: connection refused <x>"],
    ]
    quiet = TargetHistory(target="/s/openclaw.json", drift=RunDrift(target="/s/openclaw.json"))
    text = texts(parse(render([TargetResult("/s/openclaw.json", sample_report())],
                              history={"/s/openclaw.json": quiet})))  # fmt: skip
    assert "Since the last run" in text and "No change." in text
