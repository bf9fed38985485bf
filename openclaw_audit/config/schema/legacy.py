"""Legacy config shapes OpenClaw 2026.9.6 migrates in memory before it validates.

Upstream accepts these (with a "Moved X → Y" warning) and validates the migrated config, so
flagging them as unknown keys would claim a refusal that never happens. We apply the simple,
common moves to a copy and report problems at the paths the user wrote. Upstream has many more
migrations; a legacy key not listed here is reported as unknown (a known limitation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Path = tuple[str | int, ...]
Remap = list[tuple[Path, Path]]  # (canonical prefix, legacy prefix the user wrote)

# Plain moves, from upstream's migration table (legacy path → canonical path).
MOVES: tuple[tuple[Path, Path], ...] = (
    (("gateway", "nodes", "allowCommands"), ("gateway", "nodes", "commands", "allow")),
    (("gateway", "nodes", "denyCommands"), ("gateway", "nodes", "commands", "deny")),
    (("gateway", "nodes", "skills", "enabled"), ("gateway", "nodes", "allowSkills")),
    (("session", "idleMinutes"), ("session", "reset", "idleMinutes")),
    (("session", "resetByType", "dm"), ("session", "resetByType", "direct")),
    (("tools", "experimental", "planTool"), ("tools", "updatePlan")),
    (("messages", "tts"), ("tts",)),
    (("audit",), ("logging", "audit")),
    (("media",), ("attachments",)),
    (("heartbeat",), ("agents", "defaults", "heartbeat")),
)


def _get(root: Any, path: Path) -> tuple[bool, Any]:
    node = root
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _owned(root: dict[str, Any], path: Path, copied: set[int]) -> dict[str, Any] | None:
    """The dict at ``path`` in ``root``, copied (once) so the caller's config stays untouched;
    missing dicts are created. None when a non-object is in the way."""
    node = root
    for part in path:
        child = node.get(part, {})
        if not isinstance(child, dict):
            return None
        if id(child) not in copied:
            child = dict(child)
            copied.add(id(child))
            node[part] = child
        node = child
    return node


def _move(root: dict[str, Any], src: Path, dst: Path, copied: set[int], remap: Remap) -> None:
    found, value = _get(root, src)
    if not found:
        return
    parent = _owned(root, src[:-1], copied)
    if parent is None:
        return
    parent.pop(src[-1], None)
    if _get(root, dst)[0]:
        return  # the canonical key wins; upstream drops the legacy one
    target = _owned(root, dst[:-1], copied)
    if target is not None:
        target[dst[-1]] = value
        remap.append((dst, src))


def _agents_list(root: dict[str, Any], copied: set[int], remap: Remap) -> None:
    """``agents.list: [{id, ...}]`` becomes ``agents.entries.<id>`` (items without a usable id
    stay where they are and are reported there)."""
    found, items = _get(root, ("agents", "list"))
    if not found or not isinstance(items, list):
        return
    agents = _owned(root, ("agents",), copied)
    if agents is None or "entries" in agents:
        return
    entries: dict[str, Any] = {}
    left: list[Any] = []
    for i, item in enumerate(items):
        agent_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(agent_id, str) and agent_id and agent_id not in entries:
            entries[agent_id] = {k: v for k, v in item.items() if k != "id"}
            remap.append((("agents", "entries", agent_id), ("agents", "list", i)))
        else:
            left.append(item)
    agents["entries"] = entries
    if left:
        agents["list"] = left  # reported as an unknown key, as upstream would refuse it
    else:
        del agents["list"]


def _env_shorthand(root: dict[str, Any], copied: set[int], remap: Remap) -> None:
    """``env.NAME: "value"`` becomes ``env.vars.NAME``."""
    env = root.get("env")
    if not isinstance(env, dict):
        return
    names = [k for k, v in env.items() if k not in ("vars", "shellEnv") and isinstance(v, str)]
    for name in names:
        _move(root, ("env", name), ("env", "vars", name), copied, remap)


STEPS: tuple[Callable[[dict[str, Any], set[int], Remap], None], ...] = (
    _agents_list,
    _env_shorthand,
)


def migrate(config: dict[str, Any]) -> tuple[dict[str, Any], Remap]:
    """A migrated copy of ``config`` plus how to map canonical paths back to the user's."""
    root = dict(config)
    copied: set[int] = {id(root)}
    remap: Remap = []
    for step in STEPS:
        step(root, copied, remap)
    for src, dst in MOVES:
        _move(root, src, dst, copied, remap)
    return root, remap


def user_paths(remap: Remap) -> Callable[[Path], Path]:
    """A function mapping a path in the migrated config back to the one the user wrote
    (indexed by prefix: a 10,000-agent list must not make this quadratic)."""
    by_prefix = {canonical: legacy for canonical, legacy in remap}
    depths = sorted({len(c) for c in by_prefix})

    def user_path(path: Path) -> Path:
        for depth in depths:
            legacy = by_prefix.get(path[:depth]) if depth <= len(path) else None
            if legacy is not None:
                return legacy + path[depth:]
        return path

    return user_path
