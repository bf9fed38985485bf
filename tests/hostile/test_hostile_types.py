"""Wrong types at every key the checks read: strings where objects are expected, lists,
numbers, null, nested wrong types. Each must read as "unset" — no crashed check, no error.

A rich skeleton config (touching every section the checks read) is mutated per top-level
section: at every depth, every node of that section is replaced by the wrong value in turn.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from openclaw_audit.engine.audit import run_audit
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.render.json_report import render as render_json
from openclaw_audit.render.text import render as render_text

SKELETON: dict[str, Any] = {
    "gateway": {
        "mode": "local",
        "bind": "lan",
        "port": 18789,
        "auth": {
            "mode": "token",
            "token": "short",
            "password": "pw",
            "allowTailscale": True,
            "rateLimit": {"maxAttempts": 10},
            "trustedProxy": {"userHeader": "x-user", "allowUsers": ["a"]},
        },
        "remote": {"url": "wss://example.test", "token": "t"},
        "controlUi": {
            "enabled": True,
            "allowedOrigins": ["*"],
            "dangerouslyAllowHostHeaderOriginFallback": True,
        },
        "trustedProxies": ["10.0.0.1"],
        "allowRealIpFallback": True,
        "tailscale": {"mode": "funnel"},
        "tools": {"allow": ["exec"], "deny": ["x"]},
        "nodes": {"allowCommands": ["system.run"], "denyCommands": ["camera.*"]},
        "http": {
            "endpoints": {"chatCompletions": {"enabled": True}, "responses": {"enabled": True}}
        },
        "tls": {"enabled": False},
    },
    "hooks": {
        "enabled": True,
        "path": "/",
        "token": "short",
        "defaultSessionKey": "hook:x",
        "allowRequestSessionKey": True,
        "allowedSessionKeyPrefixes": ["hook:"],
        "allowedAgentIds": ["*"],
        "mappings": [{"match": {"path": "x"}, "allowUnsafeExternalContent": True}],
        "gmail": {"allowUnsafeExternalContent": True},
        "internal": {
            "enabled": True,
            "entries": {"e": {"enabled": True}},
            "installs": {"i": {"source": "npm", "spec": "x"}},
            "load": {"extraDirs": ["/tmp"]},
        },
    },
    "channels": {
        "defaults": {"groupPolicy": "open"},
        "telegram": {
            "botToken": "123:abc",
            "dmPolicy": "open",
            "allowFrom": ["*", "@user"],
            "groupPolicy": "open",
            "groups": {"*": {"allowFrom": ["*"], "requireMention": False}},
        },
        "discord": {
            "token": "t",
            "dmPolicy": "pairing",
            "commands": {"native": True},
            "guilds": {"g": {"users": ["name#1"], "channels": {"c": {"allow": True}}}},
            "accounts": {"a": {"token": "t", "dmPolicy": "open", "allowFrom": ["*"]}},
        },
        "slack": {
            "botToken": "xoxb",
            "appToken": "xapp",
            "signingSecret": "s",
            "commands": {"slash": {"enabled": True}},
            "dm": {"policy": "open", "allowFrom": ["*"]},
        },
        "whatsapp": {
            "dmPolicy": "open",
            "allowFrom": ["*"],
            "accounts": {"w": {"dmPolicy": "allowlist", "allowFrom": ["+1"]}},
        },
        "zalouser": {"groups": {"g": {"allowFrom": ["name"]}}},
    },
    "tools": {
        "profile": "full",
        "allow": ["*"],
        "alsoAllow": ["exec"],
        "deny": [],
        "byProvider": {"openai": {"allow": ["*"], "profile": "minimal"}},
        "elevated": {"enabled": True, "allowFrom": {"discord": ["*"], "telegram": ["1"]}},
        "exec": {
            "host": "gateway",
            "security": "full",
            "ask": "off",
            "safeBins": ["python3", "jq"],
            "safeBinTrustedDirs": ["/tmp"],
            "safeBinProfiles": {"jq": {}},
            "strictInlineEval": False,
            "applyPatch": {"workspaceOnly": False},
        },
        "fs": {"workspaceOnly": False},
        "agentToAgent": {"enabled": True, "allow": ["*"]},
        "sessions": {"visibility": "all"},
        "sandbox": {"tools": {"allow": ["*"]}},
        "web": {
            "search": {"enabled": True, "apiKey": "k", "perplexity": {"apiKey": "k"}},
            "fetch": {"enabled": True},
        },
    },
    "agents": {
        "defaults": {
            "workspace": "/tmp/ws",
            "model": {"primary": "ollama/tiny-1b"},
            "skills": ["s"],
            "sandbox": {
                "mode": "all",
                "workspaceAccess": "rw",
                "sessionToolsVisibility": "all",
                "docker": {
                    "network": "host",
                    "binds": ["/:/host", "rel:/x"],
                    "seccompProfile": "unconfined",
                    "apparmorProfile": "unconfined",
                },
                "browser": {"enabled": True, "cdpSourceRange": "0.0.0.0/0"},
            },
        },
        "list": [
            {
                "id": "main",
                "default": True,
                "tools": {"profile": "full", "allow": ["*"]},
                "sandbox": {"mode": "off"},
            },
            {
                "id": "Other",
                "workspace": "/tmp/other",
                "model": "small-3b",
                "groupChat": {"mentionPatterns": ["x"]},
            },
        ],
    },
    "sandbox": {"mode": "all", "docker": {"network": "host"}},
    "plugins": {
        "enabled": True,
        "allow": ["ghost"],
        "deny": ["x"],
        "entries": {"p": {"enabled": True, "config": {"dangerouslyAllowAll": True}}},
        "installs": {
            "p": {"source": "npm", "spec": "p@latest", "version": "1.0.0", "installPath": "/tmp/p"}
        },
        "load": {"paths": ["/tmp/plugins"]},
    },
    "skills": {
        "load": {"extraDirs": ["/tmp/skills"]},
        "entries": {"s": {"enabled": True, "apiKey": "k"}},
    },
    "logging": {"redactSensitive": "off", "file": "/tmp/openclaw.log", "level": "debug"},
    "discovery": {"mdns": {"mode": "full"}, "wideArea": {"enabled": True}},
    "models": {
        "providers": {
            "ollama": {
                "baseUrl": "http://127.0.0.1",
                "apiKey": "k",
                "models": [{"id": "tiny-1b", "params": "1b"}],
            }
        }
    },
    "secrets": {
        "providers": {"f": {"source": "file", "path": "/nonexistent"}},
        "defaults": {"env": "default"},
    },
    "security": {"audit": {"suppressions": [{"checkId": "gateway.bind_no_auth", "reason": "r"}]}},
    "browser": {
        "enabled": True,
        "proxy": {"upload": {"v1": True}},
        "ssrfPolicy": {"dangerouslyAllowPrivateNetwork": True},
    },
    "mcp": {"apps": {"enabled": True}, "servers": {"s": {"command": "npx", "args": ["x"]}}},
    "env": {"vars": {"A": "b"}, "SHORT": "x", "shellEnv": {"enabled": True}},
}

HUGE_INT = int("f" * 3500, 16)
WRONG: dict[str, Any] = {
    "string": "zz",
    "number": -1,
    "float-inf": math.inf,
    "nan": math.nan,
    "huge-int": HUGE_INT,
    "null": None,
    "true": True,
    "empty-list": [],
    "mixed-list": ["x", 1, None, {}, [[]], True],
    "odd-object": {"": None, "*": {"*": ["*"]}, "0": 0},
}


def to_json5(value: Any) -> str:
    """JSON5 text for values plain JSON cannot spell (NaN, Infinity, huge ints as hex)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**4000:
        return ("-" if value < 0 else "") + "0x" + format(abs(value), "x")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json5(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json5(v) for v in value) + "]"
    return json.dumps(value)


def replace_at_depth(node: Any, depth: int, wrong: Any) -> Any:
    """``node`` with every value at ``depth`` (0 = node itself) replaced by ``wrong``."""
    if depth == 0:
        return wrong
    if isinstance(node, dict):
        return {k: replace_at_depth(v, depth - 1, wrong) for k, v in node.items()}
    if isinstance(node, list):
        return [replace_at_depth(v, depth - 1, wrong) for v in node]
    return node


def max_depth(node: Any) -> int:
    if isinstance(node, dict) and node:
        return 1 + max(max_depth(v) for v in node.values())
    if isinstance(node, list) and node:
        return 1 + max(max_depth(v) for v in node)
    return 0


def audit_file(tmp_path: Path, config: dict[str, Any]) -> list[str]:
    """Run the whole pipeline on ``config``; return the details of crashed checks."""
    cfg = tmp_path / "openclaw.json"
    cfg.write_text(to_json5(config))
    run = run_audit(
        AuditOptions(config_path=str(cfg), state_dir=str(tmp_path), env={"HOME": str(tmp_path)})
    )
    json.loads(render_json(run.report))  # strict JSON: no NaN/Infinity leaks through
    render_text(run.report)
    return [f.detail for f in run.report.findings if f.check_id == "audit.check_failed"]


def test_skeleton_itself_audits_cleanly(tmp_path: Path) -> None:
    assert audit_file(tmp_path, SKELETON) == []


@pytest.mark.parametrize("wrong_name", list(WRONG))
@pytest.mark.parametrize("section", list(SKELETON))
def test_wrong_type_at_every_depth_of_a_section(
    tmp_path: Path, section: str, wrong_name: str
) -> None:
    wrong = WRONG[wrong_name]
    subtree = SKELETON[section]
    for depth in range(max_depth(subtree) + 1):
        config = {**SKELETON, section: replace_at_depth(subtree, depth, wrong)}
        assert audit_file(tmp_path, config) == [], (section, depth)


@pytest.mark.parametrize("wrong_name", ["string", "null", "mixed-list", "huge-int"])
def test_wrong_type_everywhere_at_once(tmp_path: Path, wrong_name: str) -> None:
    for depth in range(1, max_depth(SKELETON) + 1):
        config = replace_at_depth(SKELETON, depth, WRONG[wrong_name])
        assert audit_file(tmp_path, config) == [], depth
