"""npm install records of plugins and hook packs: where they live and what is wrong with them.

Spec: checks-plugins-skills.md §1.3. Only ``source == "npm"`` records are judged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts import files
from openclaw_audit.facts.plugin_dirs import read_json

_PINNED_VERSION = lazyre.compile(r"v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")
_FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})


@dataclass(frozen=True, slots=True)
class InstallRecord:
    id: str
    record: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Drift:
    id: str
    recorded: str
    installed: str


def is_pinned_spec(spec: str) -> bool:
    """``name@X.Y.Z`` (optionally ``v``, prerelease, build); ranges and tags are not pinned."""
    s = spec.strip()
    i = s.rfind("@")
    if i <= 0 or i == len(s) - 1:
        return False
    return _PINNED_VERSION.fullmatch(s[i + 1 :].strip()) is not None


def _records_from_file(data: object) -> list[InstallRecord]:
    out: list[InstallRecord] = []
    if not isinstance(data, dict):
        return out
    by_id = data.get("installRecords")
    if isinstance(by_id, dict):
        for key, rec in by_id.items():
            if key not in _FORBIDDEN_KEYS and isinstance(rec, dict):
                out.append(InstallRecord(str(key), rec))
    plugins = data.get("plugins")
    if isinstance(plugins, list):
        for item in plugins:
            if not isinstance(item, dict):
                continue
            pid, rec = item.get("pluginId"), item.get("installRecord")
            if isinstance(pid, str) and pid not in _FORBIDDEN_KEYS and isinstance(rec, dict):
                out.append(InstallRecord(pid, rec))
    return out


def plugin_install_records(ctx: AuditContext) -> list[InstallRecord]:
    """Records from ``<stateDir>/plugins/installs.json``, then legacy ``plugins.installs``
    (the file is read once per audit; each caller gets its own list)."""
    return list(ctx.memo("plugins.install_records", lambda: _plugin_install_records(ctx)))


def _plugin_install_records(ctx: AuditContext) -> list[InstallRecord]:
    path = files.plugin_installs_path(ctx.paths.state_dir)
    out = _records_from_file(read_json(ctx, path))
    seen = {r.id for r in out}
    for key, rec in ctx.config.get_dict("plugins.installs").items():
        if key in seen or key in _FORBIDDEN_KEYS or not isinstance(rec, dict):
            continue
        out.append(InstallRecord(str(key), rec))
        seen.add(key)
    return out


def hook_install_records(ctx: AuditContext) -> list[InstallRecord]:
    return [
        InstallRecord(str(key), rec)
        for key, rec in ctx.config.get_dict("hooks.internal.installs").items()
        if key not in _FORBIDDEN_KEYS and isinstance(rec, dict)
    ]


def npm_only(records: list[InstallRecord]) -> list[InstallRecord]:
    return [r for r in records if r.record.get("source") == "npm"]


def unpinned(records: list[InstallRecord]) -> list[tuple[str, str]]:
    """(id, spec) of npm records whose string ``spec`` is not an exact version."""
    out = []
    for r in npm_only(records):
        spec = r.record.get("spec")
        if isinstance(spec, str) and not is_pinned_spec(spec):
            out.append((r.id, spec))
    return out


def missing_integrity(records: list[InstallRecord]) -> list[str]:
    out = []
    for r in npm_only(records):
        integrity = r.record.get("integrity")
        if not isinstance(integrity, str) or not integrity.strip():
            out.append(r.id)
    return out


def expand_home(ctx: AuditContext, path: str) -> str:
    if path == "~" or path.startswith(("~/", "~" + os.sep)):
        return os.path.join(ctx.paths.home, path[2:]) if len(path) > 1 else ctx.paths.home
    return path


def _installed_version(ctx: AuditContext, install_path: str) -> str | None:
    data = read_json(ctx, os.path.join(install_path, "package.json"))
    if isinstance(data, dict):
        version = data.get("version")
        if isinstance(version, str) and version:
            return version
    return None


def _display(value: object) -> str:
    return value if isinstance(value, str) else repr(value)


def drifted(ctx: AuditContext, records: list[InstallRecord], default_root: str) -> list[Drift]:
    """npm records whose recorded version differs from the package.json on disk (exact text)."""
    out: list[Drift] = []
    for r in npm_only(records):
        resolved = r.record.get("resolvedVersion")
        recorded = resolved if resolved is not None else r.record.get("version")
        if not recorded:
            continue
        raw_path = r.record.get("installPath")
        if isinstance(raw_path, str) and raw_path.strip():
            install_path = expand_home(ctx, raw_path.strip())
        else:
            install_path = os.path.join(default_root, r.id)
        installed = _installed_version(ctx, install_path)
        if installed is None:
            continue
        if installed != recorded:
            out.append(Drift(r.id, _display(recorded), installed))
    return out
