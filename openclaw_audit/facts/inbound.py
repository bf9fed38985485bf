"""Who can reach the agents from outside: open channel policies (checks-tools-sandbox.md §1.4, §5).

Pure functions over ``channels.*``; every ``channels.<id>`` key counts (``channels.defaults`` too).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext


def _channels(ctx: AuditContext) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for cid, section in ctx.config.get_dict("channels").items():
        if isinstance(section, Mapping):
            yield str(cid), section


def open_exec_surface(ctx: AuditContext) -> list[str]:
    """Every nested ``groupPolicy``/``dmPolicy == "open"`` under the channels, sorted."""
    found: set[str] = set()
    # Iterative walk so a deeply nested config cannot exhaust the recursion limit.
    stack: list[tuple[str, Mapping[str, Any]]] = [
        (f"channels.{cid}", sec) for cid, sec in _channels(ctx)
    ]
    seen: set[int] = set()
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if obj.get("groupPolicy") == "open":
            found.add(f"{path}.groupPolicy")
        if obj.get("dmPolicy") == "open":
            found.add(f"{path}.dmPolicy")
        for key, value in obj.items():
            if isinstance(value, Mapping):
                stack.append((f"{path}.{key}", value))
    return sorted(found)


def _inspect_open(section: Mapping[str, Any], path: str, out: list[str]) -> None:
    if section.get("groupPolicy") == "open":
        out.append(f"{path}.groupPolicy")
    dm_policy = section.get("dmPolicy")
    if dm_policy is not None:
        if dm_policy == "open":
            out.append(f"{path}.dmPolicy")
        return
    dm = section.get("dm")
    if isinstance(dm, Mapping) and dm.get("policy") == "open":
        out.append(f"{path}.dm.policy")


def open_inbound_policies(ctx: AuditContext) -> list[str]:
    """Open group/DM policies at channel roots and raw account objects, in config order."""
    out: list[str] = []
    for cid, section in _channels(ctx):
        base = f"channels.{cid}"
        _inspect_open(section, base, out)
        accounts = section.get("accounts")
        if isinstance(accounts, Mapping):
            for acct, value in accounts.items():
                if isinstance(value, Mapping):
                    _inspect_open(value, f"{base}.accounts.{acct}", out)
    return out


def _has_wildcard(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    return any(
        not isinstance(v, Mapping | list) and v is not None and _js_string(v).strip() == "*"
        for v in value
    )


def _js_string(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _has_group_targets(section: Mapping[str, Any]) -> bool:
    return any(
        isinstance(section.get(k), Mapping) and len(section[k]) > 0
        for k in ("groups", "guilds", "channels", "rooms")
    )


def _signals_for(section: Mapping[str, Any], path: str, out: dict[str, None]) -> None:
    group_policy = section.get("groupPolicy")
    if group_policy == "open":
        out[f'{path}.groupPolicy="open"'] = None
    elif group_policy == "allowlist" and _has_group_targets(section):
        out[f'{path}.groupPolicy="allowlist" with configured group targets'] = None
    if section.get("dmPolicy") == "open":
        out[f'{path}.dmPolicy="open"'] = None
    if _has_wildcard(section.get("allowFrom")):
        out[f'{path}.allowFrom includes "*"'] = None
    if _has_wildcard(section.get("groupAllowFrom")):
        out[f'{path}.groupAllowFrom includes "*"'] = None
    dm = section.get("dm")
    if isinstance(dm, Mapping):
        if dm.get("policy") == "open":
            out[f'{path}.dm.policy="open"'] = None
        if _has_wildcard(dm.get("allowFrom")):
            out[f'{path}.dm.allowFrom includes "*"'] = None


def multi_user_signals(ctx: AuditContext) -> list[str]:
    """Signals that several people can talk to the gateway (§5), de-duplicated in order."""
    out: dict[str, None] = {}
    for cid, section in _channels(ctx):
        base = f"channels.{cid}"
        _signals_for(section, base, out)
        accounts = section.get("accounts")
        if not isinstance(accounts, Mapping):
            continue
        for acct, value in accounts.items():
            if isinstance(value, Mapping):
                # An account inherits the channel fields it does not set itself (shallow).
                merged = {**section, **value}
                _signals_for(merged, f"{base}.accounts.{acct}", out)
    return list(out)
