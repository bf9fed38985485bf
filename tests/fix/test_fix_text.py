"""The text fix block (fix.md §1.2): line shapes, home shortening, the empty cases."""

from __future__ import annotations

from typing import Any

from openclaw_audit.render.fix_text import fix_block_lines, shorten_home
from openclaw_audit.report.model import FixAction, FixResult


def actions(*items: dict[str, Any]) -> tuple[FixAction, ...]:
    return tuple(FixAction(**a) for a in items)


def texts(fix: FixResult | None) -> list[str]:
    return [
        t
        for t, _ in fix_block_lines(
            fix, home="/home/al", fix_command="openclaw security audit --fix"
        )
    ]


def test_block_lines() -> None:
    fix = FixResult(
        state_dir="/home/al/.openclaw",
        config_path="/home/al/.openclaw/openclaw.json",
        changes=("channels.telegram.groupPolicy=open -> allowlist",),
        actions=actions(
            {"kind": "chmod", "path": "/home/al/.openclaw", "mode": 448, "ok": True},
            {
                "kind": "chmod",
                "path": "/home/al/x.json",
                "mode": 384,
                "ok": False,
                "skipped": "symlink",
            },
            {
                "kind": "chmod",
                "path": "/srv/y.json",
                "mode": 384,
                "ok": False,
                "error": "Operation not permitted",
            },
            {
                "kind": "icacls",
                "path": "C:\\a",
                "command": 'icacls "C:\\a" /reset',
                "ok": False,
                "error": "icacls timed out",
            },
        ),
        errors=("replaceConfigFile failed: /home/al/.openclaw/openclaw.json: file is read-only",),
    )
    assert texts(fix) == [
        "Fix: openclaw security audit --fix",
        "",
        "FIX",
        "  channels.telegram.groupPolicy=open -> allowlist",
        "  chmod 700 ~/.openclaw",
        "  skip chmod 600 ~/x.json (symlink)",
        "  chmod 600 /srv/y.json failed: Operation not permitted",
        '  icacls "C:\\a" /reset failed: icacls timed out',
        "  error: replaceConfigFile failed: ~/.openclaw/openclaw.json: file is read-only",
    ]


def test_empty_and_crashed() -> None:
    quiet = FixResult(
        state_dir="/s",
        config_path="/s/c",
        actions=actions(
            {"kind": "chmod", "path": "/s", "mode": 448, "ok": False, "skipped": "already"}
        ),
    )
    assert texts(quiet)[1:] == ["Fixes: no changes applied"]
    assert texts(None)[1:] == ["Fixes: failed to apply (unexpected error)"]


def test_shorten_home_only_at_path_boundaries() -> None:
    assert (
        shorten_home("/home/al/.openclaw and /home/alice/x", "/home/al")
        == "~/.openclaw and /home/alice/x"
    )
    assert shorten_home("/anything", "") == "/anything"
