"""Generated configs for the scaling benchmarks (and the differential tests of the fast parse).

Each builder returns a config dict with ``n`` entries of one kind; :func:`write_state` writes
it as a state dir, either as one ``openclaw.json`` or spread over ``includes`` ``$include``
files holding the same content.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

GATEWAY = {"bind": "loopback", "auth": {"mode": "token", "token": "t" * 48}}


def agents(n: int) -> dict[str, Any]:
    return {
        "gateway": GATEWAY,
        "agents": {
            "list": [
                {
                    "id": f"agent-{i}",
                    "name": f"Agent {i}",
                    "workspace": f"~/work/agent-{i}",
                    "tools": {"profile": "coding" if i % 2 else "minimal"},
                    "sandbox": {"mode": "all" if i % 3 else "off"},
                }
                for i in range(n)
            ]
        },
    }


def channel_accounts(n: int) -> dict[str, Any]:
    accounts = {
        f"acct{i}": {
            "botToken": f"{100000 + i}:generated-bot-token-{i:06d}",
            "dmPolicy": "allowlist" if i % 3 else "pairing",
            "allowFrom": [str(10_000_000 + i), "@someone" if i % 7 == 0 else str(i)],
            "groupPolicy": "allowlist",
        }
        for i in range(n)
    }
    return {"gateway": GATEWAY, "channels": {"telegram": {"accounts": accounts}}}


def bindings(n: int) -> dict[str, Any]:
    return {
        "gateway": GATEWAY,
        "agents": {"list": [{"id": "main", "default": True}, {"id": "helper"}]},
        "bindings": [
            {
                "agentId": "helper" if i % 2 else "main",
                "match": {
                    "channel": "telegram",
                    "accountId": "default",
                    "peer": {"kind": "group", "id": str(-1000000 - i)},
                },
            }
            for i in range(n)
        ],
    }


def plugin_installs(n: int) -> dict[str, Any]:
    return {
        "gateway": GATEWAY,
        "plugins": {
            "installs": {
                f"plugin-{i}": {
                    "source": "npm",
                    "spec": f"@bench/plugin-{i}@1.{i % 10}.0" if i % 4 else f"@bench/plugin-{i}",
                    "version": f"1.{i % 10}.0",
                    "installPath": f"~/.openclaw/extensions/plugin-{i}",
                }
                for i in range(n)
            }
        },
    }


KINDS: dict[str, Callable[[int], dict[str, Any]]] = {
    "agents": agents,
    "channel_accounts": channel_accounts,
    "bindings": bindings,
    "plugin_installs": plugin_installs,
}


def _split_point(config: dict[str, Any]) -> tuple[tuple[str, ...], Any]:
    """The path and value of the one big collection in a generated config."""
    for path in (
        ("agents", "list"),
        ("channels", "telegram", "accounts"),
        ("bindings",),
        ("plugins", "installs"),
    ):
        node: Any = config
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, list | dict) and len(node) > 2:
            return path, node
    raise ValueError("no big collection in this config")


def write_state(state_dir: Path, config: dict[str, Any], includes: int = 0) -> Path:
    """Write ``config`` as ``state_dir/openclaw.json``; with ``includes`` > 0 its big
    collection is split evenly over that many ``$include`` files (merged back in order)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state_dir, 0o700)
    main = json.loads(json.dumps(config))
    if includes:
        path, big = _split_point(main)
        items = list(big.items()) if isinstance(big, dict) else list(big)
        per = -(-len(items) // includes)
        names = []
        inc_dir = state_dir / "parts"
        inc_dir.mkdir(exist_ok=True)
        for k in range(includes):
            chunk = items[k * per : (k + 1) * per]
            part: Any = dict(chunk) if isinstance(big, dict) else chunk
            name = f"parts/part-{k:03d}.json5"
            # Each include file holds an object with the same shape as the main config.
            doc: Any = part
            for key in reversed(path):
                doc = {key: doc}
            (state_dir / name).write_text(json.dumps(doc, indent=2))
            os.chmod(state_dir / name, 0o600)
            names.append(name)
        parent: Any = main
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
        main["$include"] = names
    out = state_dir / "openclaw.json"
    out.write_text(json.dumps(main, indent=2))
    os.chmod(out, 0o600)
    return out
