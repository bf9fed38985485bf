"""The facts layer: OpenClaw knowledge spelled once, filesystem questions asked of StateView."""

from __future__ import annotations

import os
import re
from pathlib import Path

from builders import make_ctx
from openclaw_audit.facts import files
from openclaw_audit.facts.gateway import gateway_port
from openclaw_audit.facts.pairing_store import read_store, store_path
from openclaw_audit.state.view import StateView

ROOT = Path(__file__).resolve().parent.parent
CHECK_IMPORT = re.compile(r"^\s*(from|import)\s+openclaw_audit\.static_checks\b", re.M)
# Filesystem or process I/O that must go through StateView instead.
RAW_IO = re.compile(
    r"\bopen\(|\bos\.(stat|lstat|listdir|scandir|walk|readlink)\b|\bsubprocess\b|\bPath\("
)


def _sources(*globs: str) -> list[Path]:
    return [p for g in globs for p in sorted(ROOT.glob(g))]


def test_fix_and_judges_import_facts_not_checks() -> None:
    paths = _sources("openclaw_audit/fix/*.py", "probes/*_judge.py", "probes/gateway_target.py")
    offenders = [str(p.relative_to(ROOT)) for p in paths if CHECK_IMPORT.search(p.read_text())]
    assert offenders == []


def test_checks_and_facts_do_no_io_outside_state_view() -> None:
    paths = _sources("openclaw_audit/facts/*.py", "static_checks/*.py")
    offenders = [str(p.relative_to(ROOT)) for p in paths if RAW_IO.search(p.read_text())]
    assert offenders == []


def test_agent_layout(tmp_path: Path) -> None:
    state = str(tmp_path)
    json_store, sqlite = files.auth_store_paths(state, "main")
    agent_dir = os.path.join(state, "agents", "main", "agent")
    assert json_store == os.path.join(agent_dir, "auth-profiles.json")
    assert sqlite[0] == os.path.join(agent_dir, "openclaw-agent.sqlite")
    assert [p[len(sqlite[0]) :] for p in sqlite] == ["", "-wal", "-shm", "-journal"]
    assert files.sessions_index(state, "main") == os.path.join(
        state, "agents", "main", "sessions", "sessions.json"
    )


def test_regular_files_skip_links_and_linked_dirs(tmp_path: Path) -> None:
    sessions = tmp_path / "agents" / "main" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "b.jsonl").write_text("{}")
    (sessions / "a.jsonl").write_text("{}")
    (sessions / "notes.txt").write_text("x")
    (sessions / "sub.jsonl").mkdir()
    (sessions / "link.jsonl").symlink_to(sessions / "a.jsonl")
    view = StateView()
    assert files.transcripts(view, str(tmp_path), "main") == [
        str(sessions / "a.jsonl"),
        str(sessions / "b.jsonl"),
    ]
    linked = tmp_path / "linked"
    linked.symlink_to(sessions)
    assert view.regular_files(str(linked), ".jsonl") == []
    assert view.regular_files(str(tmp_path / "missing"), ".jsonl") == []


def test_pairing_store_read_through_state_view(tmp_path: Path) -> None:
    creds = str(tmp_path)
    assert store_path(creds, "whatsapp", "default") == os.path.join(
        creds, "whatsapp-allowFrom.json"
    )
    assert store_path(creds, "WhatsApp", "Work") == os.path.join(
        creds, "whatsapp-work-allowFrom.json"
    )
    Path(store_path(creds, "whatsapp", "default")).write_text(
        '{"allowFrom": [" +1555 ", 42, true, "+1555", null]}'
    )
    assert read_store(StateView(), creds, "whatsapp", "default") == ["+1555", "42"]
    assert read_store(StateView(), creds, "whatsapp", "other") == []


def test_gateway_port_env_must_be_ascii_digits() -> None:
    assert gateway_port(make_ctx({}, env={"OPENCLAW_GATEWAY_PORT": "\u0661\u0662\u0663"})) == 18789
    assert gateway_port(make_ctx({}, env={"CLAWDBOT_GATEWAY_PORT": "19001"})) == 19001
