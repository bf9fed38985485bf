"""Where the config, state dir and credentials live (config-model.md §1)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuditPaths:
    """Where OpenClaw keeps its files for this run: home, state dir, config file, credentials."""

    home: str
    state_dir: str
    config_path: str
    creds_dir: str


LEGACY_STATE_DIRS = (".clawdbot", ".moldbot", ".moltbot")
CONFIG_NAMES = ("openclaw.json", "clawdbot.json", "moldbot.json", "moltbot.json")


def _env(env: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def home_dir(env: Mapping[str, str]) -> str:
    explicit = _env(env, "OPENCLAW_HOME")
    if explicit:
        return os.path.abspath(expand_user(explicit, env.get("HOME") or os.path.expanduser("~")))
    return env.get("HOME") or os.path.expanduser("~")


def expand_user(path: str, home: str) -> str:
    if path == "~":
        return home
    if path.startswith("~/") or path.startswith("~" + os.sep):
        return os.path.join(home, path[2:])
    return path


def resolve_state_dir(env: Mapping[str, str], override: str | None = None) -> str:
    home = home_dir(env)
    explicit = override or _env(env, "OPENCLAW_STATE_DIR", "CLAWDBOT_STATE_DIR")
    if explicit:
        return os.path.abspath(expand_user(explicit, home))
    default = os.path.join(home, ".openclaw")
    if os.path.exists(default):
        return default
    for legacy in LEGACY_STATE_DIRS:
        candidate = os.path.join(home, legacy)
        if os.path.exists(candidate):
            return candidate
    return default


def resolve_config_path(env: Mapping[str, str], state_dir: str, override: str | None = None) -> str:
    home = home_dir(env)
    explicit = override or _env(env, "OPENCLAW_CONFIG_PATH", "CLAWDBOT_CONFIG_PATH")
    if explicit:
        return os.path.abspath(expand_user(explicit, home))
    for name in CONFIG_NAMES:
        candidate = os.path.join(state_dir, name)
        if os.path.exists(candidate):
            return candidate
    return os.path.join(state_dir, CONFIG_NAMES[0])


def resolve_paths(
    env: Mapping[str, str], *, config_path: str | None = None, state_dir: str | None = None
) -> AuditPaths:
    home = home_dir(env)
    sd = resolve_state_dir(env, state_dir)
    cp = resolve_config_path(env, sd, config_path)
    oauth = _env(env, "OPENCLAW_OAUTH_DIR")
    creds = os.path.abspath(expand_user(oauth, home)) if oauth else os.path.join(sd, "credentials")
    return AuditPaths(home=home, state_dir=sd, config_path=cp, creds_dir=creds)


def state_dir_source(env: Mapping[str, str], override: str | None, state_dir: str) -> str:
    """Where the state dir came from, for the target line: ``flag`` (``--state-dir``), ``env``
    (``OPENCLAW_STATE_DIR``), ``legacy`` (an old ``~/.clawdbot``-style dir) or ``home``."""
    if override:
        return "flag"
    if _env(env, "OPENCLAW_STATE_DIR", "CLAWDBOT_STATE_DIR"):
        return "env"
    if os.path.basename(state_dir.rstrip("/\\")) in LEGACY_STATE_DIRS:
        return "legacy"
    return "home"
