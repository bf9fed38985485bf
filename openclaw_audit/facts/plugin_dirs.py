"""Installed plugin directories and which of them are enabled.

Spec: checks-plugins-skills.md §1.1 (plugin dirs under ``<stateDir>/extensions``) and §1.2
(enablement through ``plugins.enabled``/``allow``/``deny``/``entries``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts import files

PLUGIN_MANIFEST = "openclaw.plugin.json"
_DISABLED_SUFFIX = lazyre.compile(r"\.disabled(\.[^.]+)*$")


@dataclass(frozen=True, slots=True)
class PluginDirs:
    extensions_dir: str
    ids: tuple[str, ...]  # lower-cased dir names, sorted
    names: tuple[str, ...]  # the dir names as on disk, same order as ids
    list_error: str | None = None  # set when the dir exists but could not be listed

    def path_of(self, index: int) -> str:
        return os.path.join(self.extensions_dir, self.names[index])


def extensions_dir(ctx: AuditContext) -> str:
    return files.extensions_dir(ctx.paths.state_dir)


def is_ignored_dir_name(name: str) -> bool:
    """Backups, disabled copies, hidden dirs and node_modules are not installed plugins."""
    n = name.lower()
    return (
        not n
        or n == "node_modules"
        or n == ".openclaw-install-backups"
        or n.startswith(".")
        or n.endswith(".bak")
        or ".backup-" in n
        or _DISABLED_SUFFIX.search(n) is not None
    )


def plugin_dirs(ctx: AuditContext) -> PluginDirs:
    """The extensions directory's plugin dirs, listed once per audit."""
    return ctx.memo("plugins.dirs", lambda: _plugin_dirs(ctx))


def _plugin_dirs(ctx: AuditContext) -> PluginDirs:
    root = extensions_dir(ctx)
    try:
        entries = ctx.state.entries(root)
    except (FileNotFoundError, NotADirectoryError):
        return PluginDirs(root, (), ())  # the normal "no plugins" state
    except OSError as exc:
        return PluginDirs(root, (), (), list_error=exc.strerror or type(exc).__name__)
    # Symlinks are classified as links, not dirs (readdir's view): they are not plugin dirs.
    names = [e.name for e in entries if e.kind == "dir" and not is_ignored_dir_name(e.name)]
    names.sort()
    return PluginDirs(root, tuple(n.lower() for n in names), tuple(names))


def _lower_set(values: list[str]) -> set[str]:
    return {v.strip().lower() for v in values if v.strip()}


def enabled_extension_ids(ctx: AuditContext, dirs: PluginDirs) -> list[str]:
    cfg = ctx.config
    if cfg.is_false("plugins.enabled"):
        return []
    deny = _lower_set(cfg.get_str_list("plugins.deny"))
    allow = _lower_set(cfg.get_str_list("plugins.allow"))
    entries = {str(k).strip().lower(): v for k, v in cfg.get_dict("plugins.entries").items()}
    out: list[str] = []
    for pid in dirs.ids:
        if pid in deny:
            continue
        if allow and pid not in allow:
            continue
        entry = entries.get(pid)
        if isinstance(entry, dict) and entry.get("enabled") is False:
            continue
        out.append(pid)
    return out


def read_json(ctx: AuditContext, path: str, max_bytes: int = 1 << 20) -> object:
    """Parsed JSON of a file, or None when missing, unreadable, too large or invalid."""
    text = ctx.state.read_text(path, max_bytes=max_bytes)
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def manifest_id(ctx: AuditContext, plugin_dir: str) -> str | None:
    """The ``id`` declared in ``openclaw.plugin.json``, if any."""
    data = read_json(ctx, os.path.join(plugin_dir, PLUGIN_MANIFEST))
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"].strip():
        return data["id"].strip()
    return None
