"""Dangerous-flags inventory, one finding per flag (checks-gateway.md §4)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from builders import by_id, make_ctx, run_checks
from openclaw_audit.engine.registry import Stage
from openclaw_audit.report.model import Finding, Severity

CID = "config.insecure_or_dangerous_flags"


def flags(cfg: dict[str, Any], **kw: Any) -> list[Finding]:
    return by_id(run_checks(make_ctx(cfg, **kw), stages=[Stage.GATEWAY]), CID)


def texts(cfg: dict[str, Any], **kw: Any) -> list[str]:
    out = []
    for f in flags(cfg, **kw):
        assert f.detail.startswith("Detected enabled flag: ") and f.detail.endswith(".")
        out.append(f.detail[len("Detected enabled flag: ") : -1])
    return out


def test_every_core_flag_in_spec_order() -> None:
    cfg = {
        "gateway": {"controlUi": {"dangerouslyAllowHostHeaderOriginFallback": True}},
        "hooks": {
            "gmail": {"allowUnsafeExternalContent": True},
            "mappings": [
                {"allowUnsafeExternalContent": True},
                {"allowUnsafeExternalContent": False},
                "junk",
                {"allowUnsafeExternalContent": True},
            ],
            "allowRequestSessionKey": True,
        },
        "tools": {"exec": {"applyPatch": {"workspaceOnly": False}}, "fs": {"workspaceOnly": False}},
        "security": {"audit": {"suppressions": [{"checkId": "x"}, "y"]}},
        "browser": {"ssrfPolicy": {"dangerouslyAllowPrivateNetwork": True}},
        "agents": {
            "defaults": {
                "sandbox": {
                    "docker": {
                        "dangerouslyAllowContainerNamespaceJoin": True,
                        "dangerouslyAllowReservedContainerTargets": True,
                    }
                }
            },
            "entries": {
                "ops": {"sandbox": {"docker": {"dangerouslyAllowExternalBindSources": True}}},
                "safe": {"sandbox": {"docker": {"dangerouslyAllowExternalBindSources": False}}},
            },
        },
    }
    assert texts(cfg) == [
        "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback=true",
        "hooks.gmail.allowUnsafeExternalContent=true",
        "hooks.mappings[0].allowUnsafeExternalContent=true",
        "hooks.mappings[3].allowUnsafeExternalContent=true",
        "tools.exec.applyPatch.workspaceOnly=false",
        "security.audit.suppressions configured (2)",
        "hooks.allowRequestSessionKey=true",
        "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork=true",
        "tools.fs.workspaceOnly=false",
        "agents.defaults.sandbox.docker.dangerouslyAllowReservedContainerTargets=true",
        "agents.defaults.sandbox.docker.dangerouslyAllowContainerNamespaceJoin=true",
        "agents.entries.ops.sandbox.docker.dangerouslyAllowExternalBindSources=true",
    ]
    found = flags(cfg)
    assert all(f.severity is Severity.WARN and f.remediation for f in found)
    assert len({f.subject for f in found}) == len(found)
    assert found[0].location is not None
    assert found[0].location.dotted == "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback"


def test_flag_near_misses() -> None:
    cfg = {
        "gateway": {
            "controlUi": {
                "dangerouslyAllowHostHeaderOriginFallback": "true",
                "allowInsecureAuth": True,
                "dangerouslyDisableDeviceAuth": True,
            }
        },
        "hooks": {"mappings": {"0": {"allowUnsafeExternalContent": True}}},
        "tools": {"exec": {"applyPatch": {"workspaceOnly": True}}, "fs": {"workspaceOnly": 0}},
        "security": {"audit": {"suppressions": []}},
        "channels": {"discord": {"dangerouslyAllowNameMatching": True}},
    }
    assert texts(cfg) == []


def test_hooks_session_key_flag_independent_of_hooks_enabled() -> None:
    assert texts({"hooks": {"enabled": False, "allowRequestSessionKey": True}}) == [
        "hooks.allowRequestSessionKey=true"
    ]


def test_array_roster_prefix_uses_id_or_index() -> None:
    docker = {"sandbox": {"docker": {"dangerouslyAllowExternalBindSources": True}}}
    cfg = {"agents": {"list": [{"id": "alpha", **docker}, {"id": "", **docker}, {**docker}, 7]}}
    assert texts(cfg) == [
        "agents.entries.alpha.sandbox.docker.dangerouslyAllowExternalBindSources=true",
        "agents.list.1.sandbox.docker.dangerouslyAllowExternalBindSources=true",
        "agents.list.2.sandbox.docker.dangerouslyAllowExternalBindSources=true",
    ]


# --- plugin-declared flags -------------------------------------------------------------------


def _install(state: Path, dirname: str, manifest: Any) -> None:
    d = state / "extensions" / dirname
    d.mkdir(parents=True)
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (d / "openclaw.plugin.json").write_text(text)


ACPX = {
    "id": "acpx",
    "configContracts": {
        "dangerousFlags": [
            {"path": "permissionMode", "equals": "approve-all"},
            {"path": "permissionMode", "equals": "approve-all"},
            {"path": "rules.*.allow", "equals": True},
            {"path": "limit", "equals": 0},
            {"path": "nothing", "equals": None},
        ]
    },
}


def test_plugin_declared_flags(tmp_path: Path) -> None:
    _install(tmp_path, "acpx", ACPX)
    cfg = {
        "plugins": {
            "entries": {
                "acpx": {
                    "config": {
                        "permissionMode": "approve-all",
                        "rules": [{"allow": True}, {"allow": "true"}, {"allow": True}],
                        "limit": 0.0,
                        "nothing": None,
                    }
                }
            }
        }
    }
    assert texts(cfg, state_dir=tmp_path) == [
        "plugins.entries.acpx.config.permissionMode=approve-all",
        "plugins.entries.acpx.config.rules[0].allow=true",
        "plugins.entries.acpx.config.rules[2].allow=true",
        "plugins.entries.acpx.config.limit=0",
        "plugins.entries.acpx.config.nothing=null",
    ]


def test_plugin_flag_near_misses(tmp_path: Path) -> None:
    _install(tmp_path, "acpx", ACPX)
    _install(tmp_path, "broken", "{not json")
    _install(tmp_path, "acpx.disabled", ACPX)
    os.symlink(tmp_path / "extensions" / "acpx", tmp_path / "extensions" / "linked")
    base = {"permissionMode": "approve-all"}
    cfg = {
        "plugins": {
            "entries": {
                "acpx": {"config": {"permissionMode": "ask", "limit": False, "rules": "x"}},
                "broken": {"config": base},
                "missing": {"config": base},
                "linked": {"config": base},
                "other": "junk",
            }
        }
    }
    assert texts(cfg, state_dir=tmp_path) == []
    # Without any manifest on disk nothing is emitted, even for a known bundled plugin.
    assert texts({"plugins": {"entries": {"acpx": {"config": base}}}}) == []


def test_plugin_dir_name_matches_case_insensitively(tmp_path: Path) -> None:
    _install(tmp_path, "ACPX", ACPX)
    cfg = {"plugins": {"entries": {"acpx": {"config": {"permissionMode": "approve-all"}}}}}
    assert texts(cfg, state_dir=tmp_path) == [
        "plugins.entries.acpx.config.permissionMode=approve-all"
    ]


def _workspace_plugin(workspace: Path, dirname: str, manifest: Any) -> None:
    d = workspace / ".openclaw" / "extensions" / dirname
    d.mkdir(parents=True)
    (d / "openclaw.plugin.json").write_text(json.dumps(manifest))


def test_workspace_plugin_manifests_declare_flags(tmp_path: Path) -> None:
    # OpenClaw 2026.9.6 loads <workspace>/.openclaw/extensions/ plugins by manifest id.
    _workspace_plugin(tmp_path / "workspace", "acp-bridge", ACPX)
    cfg = {"plugins": {"entries": {"acpx": {"config": {"permissionMode": "approve-all"}}}}}
    want = ["plugins.entries.acpx.config.permissionMode=approve-all"]
    assert texts(cfg, state_dir=tmp_path) == want
    ws = tmp_path / "elsewhere"
    _workspace_plugin(ws, "acpx", ACPX)
    cfg["agents"] = {"list": [{"id": "ops", "workspace": str(ws)}]}
    assert texts(cfg, state_dir=tmp_path) == want
    # Only the default agent's workspace counts (main's is <stateDir>/workspace, acp-bridge).
    cfg["agents"]["list"].insert(0, {"id": "main", "default": True})
    (
        tmp_path / "workspace" / ".openclaw" / "extensions" / "acp-bridge" / "openclaw.plugin.json"
    ).write_text(json.dumps({"id": "other"}))
    assert texts(cfg, state_dir=tmp_path) == []
