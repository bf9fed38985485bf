"""Where OpenClaw keeps its files: the state-dir layout (checks-filesystem.md §1, fix.md §3).

The permission checks, the fixer and the plugin, skill and exec checks all name these paths;
each is spelled once here. Layout functions are path arithmetic only; the two that list a
directory (credential files, transcripts) ask the :class:`StateView`.
"""

from __future__ import annotations

import os

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.state.view import StateView

SQLITE_AUTH_STORE = "openclaw-agent.sqlite"
# The SQLite store and the sidecar files SQLite writes next to it (they hold the same data).
SQLITE_SIBLING_SUFFIXES = ("", "-wal", "-shm", "-journal")
AUTH_PROFILES = "auth-profiles.json"  # the legacy JSON auth store
SESSIONS_INDEX = "sessions.json"
TRANSCRIPT_SUFFIX = ".jsonl"


def is_inside(root: str, path: str) -> bool:
    """``path`` is ``root`` or lies under it (both absolute, already resolved)."""
    try:
        return os.path.commonpath([root, path]) == root
    except ValueError:
        return False


CREDENTIAL_SUFFIX = ".json"
MCPORTER_REL = os.path.join("skills", "config", "mcporter.json")


# --- per agent: <stateDir>/agents/<id>/{agent,sessions} ---------------------------------------


def agent_root(state_dir: str, agent_id: str) -> str:
    return os.path.join(state_dir, "agents", agent_id)


def agent_dir(state_dir: str, agent_id: str) -> str:
    """Holds the agent's auth stores."""
    return os.path.join(agent_root(state_dir, agent_id), "agent")


def sessions_dir(state_dir: str, agent_id: str) -> str:
    """Holds the session index and the transcripts."""
    return os.path.join(agent_root(state_dir, agent_id), "sessions")


def auth_store_paths(state_dir: str, agent_id: str) -> tuple[str, list[str]]:
    """The legacy JSON auth store and the SQLite store files of one agent."""
    directory = agent_dir(state_dir, agent_id)
    json_store = os.path.join(directory, AUTH_PROFILES)
    sqlite = [os.path.join(directory, SQLITE_AUTH_STORE + s) for s in SQLITE_SIBLING_SUFFIXES]
    return json_store, sqlite


def sessions_index(state_dir: str, agent_id: str) -> str:
    return os.path.join(sessions_dir(state_dir, agent_id), SESSIONS_INDEX)


def transcripts(state: StateView, state_dir: str, agent_id: str) -> list[str]:
    """The agent's transcript files (regular ``*.jsonl`` directly in its sessions dir)."""
    return state.regular_files(sessions_dir(state_dir, agent_id), TRANSCRIPT_SUFFIX)


def credential_files(state: StateView, creds_dir: str) -> list[str]:
    """Regular ``*.json`` files directly in the credentials dir (tokens, pairing stores)."""
    return state.regular_files(creds_dir, CREDENTIAL_SUFFIX)


# --- state-dir wide ---------------------------------------------------------------------------


def extensions_dir(state_dir: str) -> str:
    """Installed plugins, one directory each."""
    return os.path.join(state_dir, "extensions")


def hooks_dir(state_dir: str) -> str:
    """Installed hook packs."""
    return os.path.join(state_dir, "hooks")


def plugin_installs_path(state_dir: str) -> str:
    """Plugin install records (newer upstream; older ones keep them in ``plugins.installs``)."""
    return os.path.join(state_dir, "plugins", "installs.json")


def exec_approvals_path(state_dir: str) -> str:
    return os.path.join(state_dir, "exec-approvals.json")


def mcporter_registry_path(state_dir: str) -> str:
    """The MCP server registry skills read (``skills/config/mcporter.json``)."""
    return os.path.join(state_dir, MCPORTER_REL)


def managed_skills_dir(state_dir: str) -> str:
    return os.path.join(state_dir, "skills")


def default_workspace(state_dir: str, agent_id: str, *, is_default: bool) -> str:
    """The workspace an agent gets when none is configured."""
    if is_default:
        return os.path.join(state_dir, "workspace")
    return os.path.join(state_dir, f"workspace-{agent_id}")


def log_file_path(ctx: AuditContext) -> str | None:
    """``logging.file`` resolved (checks-filesystem.md §1.1), or None when not checkable."""
    raw = ctx.config.get_trimmed("logging.file")
    if raw is None:
        return None
    if raw.startswith("~"):
        home = (ctx.env.get("HOME") or "").strip()
        if not home:
            return None
        if raw == "~" or raw[1] in "/\\":
            raw = os.path.join(home, raw[2:]) if len(raw) > 1 else home
    return os.path.abspath(raw)
