"""The dangerous-flags inventory behind ``config.insecure_or_dangerous_flags``.

Spec: checks-gateway.md §4. Each flag is a rendered string (it appears in the finding's detail)
plus the config path that triggered it (for the finding's location). Plugin-declared flags come
from ``configContracts.dangerousFlags`` in the plugin's manifest, read through StateView from
``<workspace>/.openclaw/extensions/*/openclaw.plugin.json`` (the manifest whose ``id`` is the
plugin id) or ``<stateDir>/extensions/<pluginId>/openclaw.plugin.json``
(checks-plugins-skills.md §1.1).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.agents import roster
from openclaw_audit.facts.plugin_dirs import PLUGIN_MANIFEST, plugin_dirs
from openclaw_audit.facts.workspace_plugins import workspace_plugins

_SANDBOX_BREAK_GLASS = (
    "dangerouslyAllowReservedContainerTargets",
    "dangerouslyAllowExternalBindSources",
    "dangerouslyAllowContainerNamespaceJoin",
)
_MANIFEST_MAX_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Flag:
    text: str  # rendered flag, e.g. "tools.fs.workspaceOnly=false"
    path: tuple[str, ...]  # config path of the value that triggered it


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def collect_flags(ctx: AuditContext) -> list[Flag]:
    """Every enabled flag in spec order (§4 items 1-10)."""
    cfg = ctx.config
    flags: list[Flag] = []

    def simple(path: str, value: bool) -> None:
        if cfg.get(path) is value:
            flags.append(Flag(f"{path}={'true' if value else 'false'}", _split(path)))

    simple("gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback", True)
    simple("hooks.gmail.allowUnsafeExternalContent", True)
    for i, mapping in enumerate(cfg.get_list("hooks.mappings")):
        if isinstance(mapping, Mapping) and mapping.get("allowUnsafeExternalContent") is True:
            flags.append(
                Flag(
                    f"hooks.mappings[{i}].allowUnsafeExternalContent=true",
                    ("hooks", "mappings", str(i), "allowUnsafeExternalContent"),
                )
            )
    simple("tools.exec.applyPatch.workspaceOnly", False)
    suppressions = cfg.get_list("security.audit.suppressions")
    if suppressions:
        flags.append(
            Flag(
                f"security.audit.suppressions configured ({len(suppressions)})",
                _split("security.audit.suppressions"),
            )
        )
    simple("hooks.allowRequestSessionKey", True)
    simple("browser.ssrfPolicy.dangerouslyAllowPrivateNetwork", True)
    simple("tools.fs.workspaceOnly", False)
    flags.extend(_sandbox_flags(ctx))
    flags.extend(_plugin_flags(ctx))
    return flags


def _sandbox_sources(ctx: AuditContext) -> Iterator[tuple[str, tuple[str, ...], Any]]:
    """(flag prefix, config path, docker object) for defaults, then each roster agent."""
    defaults = ("agents", "defaults", "sandbox", "docker")
    yield "agents.defaults.sandbox.docker", defaults, ctx.config.get(defaults)
    kind = roster(ctx).kind
    if kind == "entries":
        for key, entry in ctx.config.get_dict("agents.entries").items():
            if isinstance(entry, Mapping):
                path = ("agents", "entries", key, "sandbox", "docker")
                yield f"agents.entries.{key}.sandbox.docker", path, ctx.config.get(path)
    elif kind == "list":
        for i, entry in enumerate(ctx.config.get_list("agents.list")):
            if not isinstance(entry, Mapping):
                continue
            path = ("agents", "list", str(i), "sandbox", "docker")
            agent_id = entry.get("id")
            if isinstance(agent_id, str) and agent_id.strip():
                prefix = f"agents.entries.{agent_id}.sandbox.docker"
            else:
                prefix = f"agents.list.{i}.sandbox.docker"
            yield prefix, path, ctx.config.get(path)


def _sandbox_flags(ctx: AuditContext) -> Iterator[Flag]:
    for prefix, path, docker in _sandbox_sources(ctx):
        if not isinstance(docker, Mapping):
            continue
        for key in _SANDBOX_BREAK_GLASS:
            if docker.get(key) is True:
                yield Flag(f"{prefix}.{key}=true", (*path, key))


# --- plugin-declared flags (§4.10) ----------------------------------------------------------


def _plugin_dir(ctx: AuditContext, plugin_id: str) -> str | None:
    """The plugin directory for the id: a workspace plugin (upstream discovers those before
    the state dir's), else the installed plugin directory whose lower-cased name is the id."""
    wanted = plugin_id.strip().lower()
    if not wanted:
        return None
    for plugin in workspace_plugins(ctx):
        if plugin.id == wanted:
            return plugin.path
    dirs = plugin_dirs(ctx)
    for index, pid in enumerate(dirs.ids):
        if pid == wanted:
            return dirs.path_of(index)
    return None


def _declared_flags(ctx: AuditContext, plugin_id: str) -> list[tuple[str, Any]]:
    """``(path pattern, equals)`` pairs from the plugin manifest; [] when unreadable."""
    plugin_dir = _plugin_dir(ctx, plugin_id)
    if plugin_dir is None:
        return []
    text = ctx.state.read_text(os.path.join(plugin_dir, PLUGIN_MANIFEST), _MANIFEST_MAX_BYTES)
    if text is None:
        return []
    try:
        manifest = json.loads(text)
    except ValueError:
        return []
    contracts = manifest.get("configContracts") if isinstance(manifest, Mapping) else None
    declared = contracts.get("dangerousFlags") if isinstance(contracts, Mapping) else None
    out: list[tuple[str, Any]] = []
    for item in declared if isinstance(declared, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            continue
        equals = item.get("equals")
        if equals is None or isinstance(equals, str | int | float | bool):
            out.append((item["path"], equals))
    return out


def _pattern_matches(root: Any, pattern: str) -> list[tuple[list[str], Any]]:
    """Values under ``root`` matching a dotted pattern (``*`` = any key or index)."""
    segments = [s.strip() for s in pattern.split(".") if s.strip()]
    if not segments:
        return []
    states: list[tuple[list[str], Any]] = [([], root)]
    for seg in segments:
        nxt: list[tuple[list[str], Any]] = []
        for trail, value in states:
            if isinstance(value, list):
                if seg == "*":
                    nxt.extend(([*trail, str(i)], v) for i, v in enumerate(value))
                elif re.fullmatch(r"0|[1-9]\d*", seg) and int(seg) < len(value):
                    nxt.append(([*trail, seg], value[int(seg)]))
            elif isinstance(value, Mapping):
                if seg == "*":
                    nxt.extend(([*trail, str(k)], v) for k, v in value.items())
                elif seg in value:
                    nxt.append(([*trail, seg], value[seg]))
        states = nxt
        if not states:
            break
    return states


def _render_path(trail: list[str]) -> str:
    out = ""
    for seg in trail:
        if out and seg.isdigit():
            out += f"[{seg}]"
        else:
            out = f"{out}.{seg}" if out else seg
    return out


def _identical(a: Any, b: Any) -> bool:
    """JavaScript ``Object.is`` for JSON scalars: no bool/number coercion."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_num(a) and _is_num(b):
        return bool(a == b)
    return type(a) is type(b) and a == b


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _render_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plugin_flags(ctx: AuditContext) -> Iterator[Flag]:
    seen: set[str] = set()
    for plugin_id, entry in ctx.config.get_dict("plugins.entries").items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("config"), Mapping):
            continue
        for pattern, equals in _declared_flags(ctx, plugin_id):
            for trail, value in _pattern_matches(entry["config"], pattern):
                if not _identical(value, equals):
                    continue
                text = (
                    f"plugins.entries.{plugin_id}.config.{_render_path(trail)}"
                    f"={_render_value(equals)}"
                )
                if text not in seen:
                    seen.add(text)
                    yield Flag(text, ("plugins", "entries", plugin_id, "config", *trail))
