"""Which OpenClaw version runs here, from three sources of decreasing strength.

1. ``live``: the gateway's own ``server.version`` from the ``--deep`` handshake (what runs now);
2. ``installed``: the ``package.json`` of the ``openclaw`` executable first on ``PATH`` (legacy
   names ``clawdbot`` and ``moltbot`` too), found by following the executable's symlinks,
   without running Node;
3. ``config``: ``meta.lastTouchedVersion``, the release that last wrote the config (a hint,
   used only when neither of the others gives a version: an old hint beside a newer install
   only means the newer release has not rewritten the config yet).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

from openclaw_audit.advisories.osv import PACKAGE_NAMES
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.state.view import StateView

LIVE, INSTALLED, CONFIG = "live", "installed", "config"
_MAX_PACKAGE_JSON = 256 << 10
_MAX_PARENTS = 6  # bin/openclaw -> ../lib/node_modules/openclaw/dist/cli.js and the like


@dataclass(frozen=True, slots=True)
class VersionSource:
    kind: str  # LIVE, INSTALLED or CONFIG
    version: str
    label: str  # names the source in the finding


def version_sources(ctx: AuditContext) -> list[VersionSource]:
    """Every source that gives a version, strongest first (the config hint only as fallback)."""
    return ctx.memo("openclaw_version.sources", lambda: _sources(ctx))


def _sources(ctx: AuditContext) -> list[VersionSource]:
    found = [s for s in (live_version(ctx), *installed_versions(ctx)) if s is not None]
    if found:
        return found
    hint = config_hint(ctx)
    return [hint] if hint else []


def live_version(ctx: AuditContext) -> VersionSource | None:
    gateway = (ctx.live or {}).get("gateway")
    if not isinstance(gateway, dict) or not gateway.get("helloOk"):
        return None
    version = gateway.get("serverVersion")
    if not isinstance(version, str) or not version.strip():
        return None
    url = gateway.get("url")
    where = f" at {url}" if isinstance(url, str) and url else ""
    return VersionSource(LIVE, version.strip(), f"live gateway{where} (serverVersion)")


def config_hint(ctx: AuditContext) -> VersionSource | None:
    version = ctx.config.get_trimmed("meta.lastTouchedVersion")
    if not version:
        return None
    return VersionSource(CONFIG, version, "config meta.lastTouchedVersion (a hint)")


def installed_versions(ctx: AuditContext) -> list[VersionSource]:
    dirs = _path_dirs(ctx.env.get("PATH", ""))
    out: list[VersionSource] = []
    seen: set[str] = set()
    for name in PACKAGE_NAMES:
        exe = _which(ctx.state, name, dirs)
        if exe is None:
            continue
        found = _package_for(ctx.state, exe)
        if found is None or found[0] in seen:
            continue
        path, package, version = found
        seen.add(path)
        out.append(VersionSource(INSTALLED, version, f"installed package {package} ({path})"))
    return out


def _path_dirs(value: str) -> list[str]:
    dirs: list[str] = []
    for part in value.split(os.pathsep):
        if part and os.path.isabs(part) and part not in dirs:
            dirs.append(part)
    return dirs


def _which(state: StateView, name: str, dirs: list[str]) -> str | None:
    names = [f"{name}.cmd", f"{name}.exe", name] if sys.platform == "win32" else [name]
    for d in dirs:
        for candidate in names:
            path = os.path.join(d, candidate)
            info = state.inspect(path)
            if info.ok and info.is_file and (sys.platform == "win32" or info.bits & 0o111):
                return path
    return None


def _package_for(state: StateView, exe: str) -> tuple[str, str, str] | None:
    """(package.json path, package name, version) of the OpenClaw package behind ``exe``."""
    real = state.realpath(exe) or exe
    directory = os.path.dirname(real)
    for _ in range(_MAX_PARENTS):
        found = _read_package(state, os.path.join(directory, "package.json"))
        if found:
            return found
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    # Shims that are not symlinks (npm on Windows, wrapper scripts): the npm prefix layouts.
    bindir = os.path.dirname(exe)
    for name in PACKAGE_NAMES:
        for base in (
            os.path.join(bindir, "node_modules"),
            os.path.join(os.path.dirname(bindir), "lib", "node_modules"),
        ):
            found = _read_package(state, os.path.join(base, name, "package.json"))
            if found:
                return found
    return None


def _read_package(state: StateView, path: str) -> tuple[str, str, str] | None:
    text = state.read_text(path, max_bytes=_MAX_PACKAGE_JSON)
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("name") not in PACKAGE_NAMES:
        return None
    version = doc.get("version")
    if not isinstance(version, str) or not version.strip():
        return None
    return path, str(doc["name"]), version.strip()
