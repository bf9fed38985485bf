"""The text report of output-ux.md §1 and §3: target line, locations, shared lists, hints,
--compact, wrapping on a TTY and byte-stable output off one (golden files)."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from demo_report import FIXED_STATE, demo_report

from openclaw_audit.config.loader import load_config
from openclaw_audit.engine.audit import _known_version, build_context
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.render.fix_text import render_with_fix, resolve_counts
from openclaw_audit.render.terminal import color_wanted, hanging_indent, terminal_width, wrap
from openclaw_audit.render.text import Layout, location_text, render, target_line
from openclaw_audit.report.model import (
    Finding,
    FixAction,
    FixResult,
    Location,
    Report,
    Severity,
)
from openclaw_audit.report.target_info import TargetInfo, with_target

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo() -> Report:
    return demo_report()


def test_demo_golden_off_a_tty_is_never_wrapped(demo: Report) -> None:
    text = render(demo, layout=Layout(rerun="openclaw-audit --demo"))
    check_golden("demo-plain.txt", text)
    assert max(len(line) for line in text.splitlines()) > 100  # long lines stay whole
    assert "\x1b" not in text


def test_demo_golden_on_a_100_column_tty_wraps_with_a_hanging_indent(demo: Report) -> None:
    text = render(demo, layout=Layout(width=100, rerun="openclaw-audit --demo"))
    check_golden("demo-tty100.txt", text)
    plain = render(demo, layout=Layout(rerun="openclaw-audit --demo"))
    # The same words, only the line breaks differ.
    assert text.split() == plain.split()
    for line in text.splitlines():
        # Only a word longer than a row (a path, a URL) may overflow it.
        assert len(line) <= 100 or " " not in line.strip(), line


def test_demo_target_line_and_locations(demo: Report) -> None:
    lines = render(demo).splitlines()
    assert lines[0] == (
        "Target: bundled demo gateway · openclaw.json (+1 include) · audited in a temporary copy"
    )
    assert lines[1:3] == ["OpenClaw security audit", "Summary: 11 critical · 11 warn · 2 info"]
    at = lines.index("gateway.token_too_short Gateway token is short")
    assert lines[at + 1] == "  at openclaw.json:10:14"
    at = lines.index(
        "fs.auth_profiles.perms_readable auth-profiles.json of agent main can be read by other users"
    )
    assert lines[at + 1] == "  at agents/main/agent/auth-profiles.json"


def test_shared_lists_are_printed_once_and_referred_to(demo: Report) -> None:
    text = render(demo)
    assert text.count("  - channels.telegram.groupPolicy\n") == 1
    assert text.count("  - agents.entries.main (sandbox=off;") == 1
    assert (
        '  Inbound policies set to "open": the same 2 as listed under '
        "security.exposure.open_groups_with_elevated\n" in text
    )
    # The JSON keeps every finding's full detail.
    full = [f for f in demo.findings if f.check_id.startswith("security.exposure.open_groups")]
    assert all("- channels.telegram.groupPolicy" in f.detail for f in full)


def test_compact_is_one_line_per_finding(demo: Report) -> None:
    text = render(demo, layout=Layout(compact=True, width=60))
    lines = text.splitlines()
    assert lines[:3] == [
        "Target: bundled demo gateway · openclaw.json (+1 include) · audited in a temporary copy",
        "OpenClaw security audit",
        "Summary: 11 critical · 11 warn · 2 info",
    ]
    rows = lines[3:]
    assert len(rows) == len(demo.findings)  # never wrapped, even on a narrow TTY
    assert rows[0] == (
        "CRIT gateway.tools_invoke_http.dangerous_allow openclaw.json:13:21 "
        "HTTP /tools/invoke is allowed to run tools that are denied by default"
    )
    assert "WARN gateway.token_too_short openclaw.json:10:14 Gateway token is short" in rows
    assert "INFO summary.attack_surface - Attack surface overview" in rows
    order = ["CRIT", "WARN", "INFO"]
    assert [r[:4] for r in rows] == sorted((r[:4] for r in rows), key=order.index)


def test_hints_fit_the_run(demo: Report) -> None:
    mine = with_target(demo, demo=False)
    text = render(mine, layout=Layout(rerun="openclaw-audit --config ~/gw.json"))
    assert "`openclaw-audit --config ~/gw.json --deep`" in text
    assert "`openclaw-audit --config ~/gw.json --fix --dry-run`" in text
    assert "openclaw security audit" not in text
    assert "--deep" not in render(with_target(mine, deep=True))
    assert "--deep" not in render(demo)  # the demo has nothing live to probe
    fixed = render_with_fix(
        demo, FixResult(state_dir="/s", config_path="/s/openclaw.json"), home="/h"
    )
    assert "--dry-run" not in fixed and "Fix: openclaw-audit --fix" in fixed
    calm = Report(ts=0, findings=(Finding("x.y", Severity.INFO, "t", "d"),), meta=demo.meta)
    assert "--fix --dry-run" not in render(calm)


def test_dry_run_leads_with_the_plan_and_what_it_would_resolve(demo: Report) -> None:
    state = FIXED_STATE
    fix = FixResult(
        state_dir=state,
        config_path=f"{state}/openclaw.json",
        changes=('logging.redactSensitive=off -> "tools"',),
        actions=(
            FixAction("chmod", state, False, mode=0o700, planned=True),
            FixAction("chmod", f"{state}/openclaw.json", False, mode=0o600, planned=True),
            FixAction("chmod", f"{state}/agents.json5", False, mode=0o600, skipped="already"),
        ),
        dry_run=True,
    )
    # logging.redact_off (warn), fs.state_dir (warn), fs.config (critical); not the schema
    # finding at the same place, not agents.json5 (its action is skipped).
    assert resolve_counts(demo, fix) == (3, 1)
    short = render_with_fix(demo, fix, home="/h", fix_command="openclaw-audit --demo --fix")
    lines = short.splitlines()
    assert lines[0].startswith("Target: bundled demo gateway")
    assert "Would resolve 3 findings (1 critical)." in lines
    assert "To apply: openclaw-audit --demo --fix" in lines
    assert "CRITICAL" not in lines and lines[-1] == "Add -v to see the full report."
    full = render_with_fix(demo, fix, home="/h", verbose=True).splitlines()
    assert full.index("Would resolve 3 findings (1 critical).") < full.index("CRITICAL")
    assert sum(line.startswith("Target: ") for line in full) == 1


def info(**over: object) -> TargetInfo:
    base: dict[str, object] = dict(
        config="/home/u/.openclaw/openclaw.json",
        config_path="/home/u/.openclaw/openclaw.json",
        includes=("/home/u/.openclaw/a.json5", "/home/u/.openclaw/b.json5"),
        state_dir="/home/u/.openclaw",
        state_dir_source="home",
        home="/home/u",
        deep=True,
        duration_ms=5,
        host="h",
        version="2026.9.6",
        version_source="live",
    )
    base.update(over)
    return TargetInfo(**base)  # type: ignore[arg-type]


def test_target_line_variants() -> None:
    assert target_line(info()) == (
        "Target: ~/.openclaw/openclaw.json (+2 includes) · state ~/.openclaw (from $HOME) · "
        "OpenClaw 2026.9.6 (from the live gateway)"
    )
    assert target_line(info(config=None, includes=(), version=None)) == (
        "Target: no config file (~/.openclaw/openclaw.json does not exist): audited the defaults"
        " · state ~/.openclaw (from $HOME)"
    )
    line = target_line(info(state_dir="/etc/oc", state_dir_source="env", includes=("x",)))
    assert "(+1 include) · state /etc/oc (from $OPENCLAW_STATE_DIR)" in line
    assert "(from --state-dir)" in target_line(info(state_dir_source="flag"))
    assert "state ~/.clawdbot (legacy location)" in target_line(
        info(state_dir="/home/u/.clawdbot", state_dir_source="legacy")
    )
    assert "OpenClaw 2026.1.2 (installed)" in target_line(
        info(version="2026.1.2", version_source="installed")
    )


def test_locations_of_config_filesystem_and_live_findings() -> None:
    i = info()

    def where(**kw: object) -> str | None:
        return location_text(
            Finding(**{"severity": Severity.WARN, "title": "t", "detail": "d", **kw}), i
        )  # type: ignore[arg-type]

    cfg = Location(("a", "b"), "/home/u/.openclaw/inc/agents.json5", 4, 9)
    assert where(check_id="a.b", location=cfg) == "inc/agents.json5:4:9"
    outside = Location(("a",), "/home/u/shared/x.json5", 2, None)
    assert where(check_id="a.b", location=outside) == "~/shared/x.json5:2"
    assert where(check_id="fs.x.perms_readable", subject="/var/oc/creds") == "/var/oc/creds"
    live = Location(uri="ws://127.0.0.1:18789")
    assert where(check_id="gateway.probe_failed", location=live) == "ws://127.0.0.1:18789"
    assert where(check_id="x.y", subject="channels.telegram") is None
    secret_url = Location(uri="wss://user:pw@gw.example:443")
    assert where(check_id="gateway.http.x", location=secret_url) == (
        "wss://<redacted>:<redacted>@gw.example:443"
    )
    mdns = where(check_id="discovery.mdns.txt_leak", subject="gw._openclaw-gw._tcp.local.")
    assert mdns == "mDNS gw._openclaw-gw._tcp.local."
    failed = where(check_id="gateway.probe_failed", subject="ws://127.0.0.1:18789")
    assert failed == "ws://127.0.0.1:18789"
    docker = Finding("sandbox.browser_container.non_loopback_publish", Severity.WARN, "t", "d")
    assert location_text(docker, i, {"docker": {"host": "unix:///run/docker.sock"}}) == (
        "docker unix:///run/docker.sock"
    )


def test_colour_choice() -> None:
    assert color_wanted("auto", {}, True) and not color_wanted("auto", {}, False)
    assert not color_wanted("auto", {"NO_COLOR": "1"}, True)
    assert color_wanted("auto", {"FORCE_COLOR": "1"}, False)
    assert not color_wanted("auto", {"FORCE_COLOR": "0"}, False)
    assert not color_wanted("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True)
    assert color_wanted("always", {"NO_COLOR": "1"}, False)
    assert not color_wanted("never", {"FORCE_COLOR": "1"}, True)


def test_colour_output_styles_but_keeps_the_words(demo: Report) -> None:
    coloured = render(demo, layout=Layout(color=True))
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render(demo)


def test_wrap_and_width_helpers() -> None:
    assert wrap("short", 10) == ["short"] and wrap("x " * 80, None) == ["x " * 80]
    assert wrap("  - aaa bbb ccc", 9) == ["  - aaa", "    bbb", "    ccc"]
    assert wrap("head word word", 9) == ["head word", "    word"]
    assert hanging_indent("  detail") == "    "
    assert terminal_width({"COLUMNS": "100"}) == 100
    assert terminal_width({"COLUMNS": "10"}) == 40  # narrower helps nobody


def test_the_live_gateway_version_reaches_the_target_record() -> None:
    opts = AuditOptions(state_dir="/nonexistent-state", env={"HOME": "/nonexistent-home"})
    ctx = build_context(load_config(env=opts.env, state_dir=opts.state_dir), opts)
    assert _known_version(ctx) is None
    live = {"gateway": {"helloOk": True, "serverVersion": "2026.9.6", "url": "ws://x"}}
    assert _known_version(replace(ctx, live=live)) == {"version": "2026.9.6", "source": "live"}
