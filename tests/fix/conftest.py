"""A real OpenClaw state tree on disk for the --fix tests."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from openclaw_audit.engine.options import AuditOptions

MAIN_CONFIG = """// main config: comments and layout must survive --fix
{
  gateway: { bind: "loopback" },  /* untouched */
  logging: { redactSensitive: 'off' },   // redaction was turned off for debugging
  channels: {
    $include: "./channels.json5",
  },
}
"""

CHANNELS = """{
  // WhatsApp: family group
  whatsapp: {
    groupPolicy: "open",
    accounts: {
      work: { groupPolicy: 'open' },
    },
  },
  telegram: { groupPolicy: "open", dmPolicy: "open" }, // dmPolicy is never touched
}
"""


@dataclass
class Tree:
    home: Path
    state: Path
    config: Path
    include: Path
    creds: Path
    agent: Path
    sessions: Path

    def env(self) -> dict[str, str]:
        return {"HOME": str(self.home), "OPENCLAW_STATE_DIR": str(self.state)}

    def options(self) -> AuditOptions:
        return AuditOptions(env=self.env())

    def snapshot(self) -> dict[str, tuple[int, bytes | None]]:
        """mode + content of every path under home (symlinks by lstat, not followed)."""
        out: dict[str, tuple[int, bytes | None]] = {}
        for root, dirs, files in os.walk(self.home):
            for name in dirs + files:
                p = os.path.join(root, name)
                st = os.lstat(p)
                data = Path(p).read_bytes() if stat.S_ISREG(st.st_mode) else None
                out[p] = (st.st_mode, data)
        return out


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    home = tmp_path / "home"
    state = home / ".openclaw"
    creds = state / "credentials"
    agent = state / "agents" / "main" / "agent"
    sessions = state / "agents" / "main" / "sessions"
    for d in (creds / "whatsapp" / "default", agent, sessions):
        d.mkdir(parents=True)
    config = state / "openclaw.json"
    config.write_text(MAIN_CONFIG)
    include = state / "channels.json5"
    include.write_text(CHANNELS)
    (creds / "whatsapp-allowFrom.json").write_text(
        '{"version": 1, "allowFrom": ["+15550001", " +15550002 ", "+15550001", ""]}'
    )
    (creds / "telegram-allowFrom.json").write_text('{"version": 1, "allowFrom": []}')
    (creds / "whatsapp" / "default" / "creds.json").write_text("{}")
    (agent / "auth-profiles.json").write_text("{}")
    (agent / "openclaw-agent.sqlite").write_bytes(b"SQLite format 3\x00")
    (agent / "openclaw-agent.sqlite-wal").write_bytes(b"")
    (sessions / "sessions.json").write_text("{}")
    (sessions / "b.jsonl").write_text("{}\n")
    (sessions / "a.jsonl").write_text("{}\n")
    (sessions / "notes.txt").write_text("not a transcript")
    for root, dirs, files in os.walk(state):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o777)
        for f in files:
            os.chmod(os.path.join(root, f), 0o666)
    os.chmod(state, 0o777)
    return Tree(home, state, config, include, creds, agent, sessions)
