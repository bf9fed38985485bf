"""Terminal neutralisation (trust.md §7): every string from a config, a file name or a saved
report reaches a terminal with control characters, ANSI/OSC escapes, bidi overrides and
zero-width characters escaped, in every text output; JSON keeps the real characters."""

from __future__ import annotations

import json
from pathlib import Path

from hostile_harness import cli

# An OSC title change, a screen clear, a right-to-left override and a zero-width space.
EVIL = "a\x1b]0;pwned\x07b\x1b[2Jc\u202ed\u200be\u2066f"
RAW = ("\x1b", "\x07", "\u202e", "\u200b", "\u2066")


def _clean(text: str) -> None:
    for ch in RAW:
        assert ch not in text, (repr(ch), text[:2000])


def _state(root: Path, config: str, name: str = "openclaw.json") -> Path:
    sd = root / "state"
    sd.mkdir(mode=0o700, exist_ok=True)
    cfg = sd / name
    cfg.write_text(config)
    cfg.chmod(0o600)
    return cfg


def _report(path: Path, title: str, detail: str) -> None:
    doc = {
        "ts": 0,
        "summary": {"critical": 1, "warn": 0, "info": 0},
        "findings": [
            {"checkId": "gateway.bind_no_auth", "severity": "critical", "title": title,
             "detail": detail}
        ],
    }  # fmt: skip
    path.write_text(json.dumps(doc))


def test_diff_text_escapes_and_json_keeps(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text('{"findings": []}')
    _report(new, f"title {EVIL}", f"detail {EVIL}\nsecond line {EVIL}")
    text = cli("diff", str(old), str(new), home=tmp_path)
    assert text.code == 0, text.stderr
    _clean(text.stdout)
    assert "\\x1b]0;pwned\\x07" in text.stdout and "\\u202e" in text.stdout
    as_json = cli("diff", "--json", str(old), str(new), home=tmp_path)
    new_finding = json.loads(as_json.stdout)["new"][0]
    assert new_finding["title"] == f"title {EVIL}"


def test_fleet_table_escapes_file_names(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for name in (f"gw{EVIL}.json", "plain.json"):
        (fleet / name).write_text('{gateway: {mode: "local", bind: "loopback"}}')
        (fleet / name).chmod(0o600)
    text = cli("--config", str(fleet), home=tmp_path)
    assert text.code == 0, text.stderr
    _clean(text.stdout + text.stderr)
    assert "Fleet summary" in text.stdout and "\\u202e" in text.stdout
    doc = json.loads(cli("--config", str(fleet), "--json", home=tmp_path).stdout)
    assert any(EVIL in t["target"] for t in doc["targets"])


def test_fix_messages_and_warnings_escape_config_strings(tmp_path: Path) -> None:
    account = f"acct{EVIL}"
    config = json.dumps(
        {
            "gateway": {"mode": "local", "bind": "loopback"},
            "channels": {"telegram": {"accounts": {account: {"groupPolicy": "open"}}}},
            "notes": {f"k{EVIL}": "${UNSET_FOR_TEST}"},
        }
    )
    cfg = _state(tmp_path, config)
    for args in (("--fix", "--dry-run"), ("--fix",)):
        out = cli("--config", str(cfg), *args, home=tmp_path)
        assert out.code in (0, 1), out.stderr
        _clean(out.stdout + out.stderr)
        assert "groupPolicy=open -> allowlist" in out.stdout
        assert "UNSET_FOR_TEST" in out.stderr  # the warning is there, escaped
    fixed = json.loads(cfg.read_text())
    assert fixed["channels"]["telegram"]["accounts"][account]["groupPolicy"] == "allowlist"


def test_error_lines_escape_file_strings(tmp_path: Path) -> None:
    cfg = _state(tmp_path, json.dumps({"$include": f"missing{EVIL}.json"}))
    out = cli("--config", str(cfg), home=tmp_path)
    assert out.code == 2
    _clean(out.stderr + out.stdout)
    assert "\\u202e" in out.stderr
