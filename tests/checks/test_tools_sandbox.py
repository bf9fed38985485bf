import json
from pathlib import Path

import pytest

from builders import audit, by_id, ids, one
from openclaw_audit.report.model import Severity

OPEN = {"channels": {"discord": {"groupPolicy": "open"}}}


# --- roster -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("agents", "fires"),
    [
        ({"entries": {"a": {}, "b": {}}}, True),
        ({"entries": {"a": {}, "b": {"default": True}}}, False),
        ({"list": [{"id": "a", "default": True}, {"id": "b", "default": True}]}, True),
        ({"list": [{"id": "only"}]}, False),
        ({"list": []}, True),
        ({"ownership": "explicit", "entries": {"a": {}, "b": {}}}, False),
        ({"ownership": "explicit", "entries": {"a": {"default": True}}}, True),
        ({}, False),
        ({"entries": "junk"}, False),
    ],
)
def test_roster_default_count(agents: dict, fires: bool) -> None:
    got = by_id(audit({"agents": agents}), "config.agent_roster.invalid_default_count")
    assert bool(got) is fires


def test_roster_remediation_gets_profile() -> None:
    f = one(
        audit({"agents": {"list": []}}, env={"OPENCLAW_PROFILE": "work"}),
        "config.agent_roster.invalid_default_count",
    )
    assert "openclaw --profile work doctor --fix" in (f.remediation or "")


# --- elevated -----------------------------------------------------------------------------
def test_elevated_wildcard_and_large_and_gate() -> None:
    cfg = {
        "tools": {"elevated": {"allowFrom": {"discord": ["*"], "tg": [str(i) for i in range(26)]}}}
    }
    found = audit(cfg)
    w = one(found, "tools.elevated.allowFrom.discord.wildcard")
    assert w.severity is Severity.CRITICAL and w.remediation is None
    assert one(found, "tools.elevated.allowFrom.tg.large").severity is Severity.WARN
    cfg["tools"]["elevated"]["enabled"] = False
    assert not [i for i in ids(audit(cfg)) if i.startswith("tools.elevated")]
    near = audit({"tools": {"elevated": {"allowFrom": {"tg": [str(i) for i in range(25)]}}}})
    assert not [i for i in ids(near) if i.startswith("tools.elevated")]


# --- exec group ---------------------------------------------------------------------------
def test_host_sandbox_defaults_and_agents() -> None:
    found = audit(
        {
            "tools": {"exec": {"host": "sandbox"}},
            "agents": {"entries": {"a": {"tools": {"exec": {"host": "sandbox"}}}, "b": {}}},
        }
    )
    assert one(found, "tools.exec.host_sandbox_no_sandbox_defaults")
    assert "a" in one(found, "tools.exec.host_sandbox_no_sandbox_agents").detail
    near = audit(
        {
            "tools": {"exec": {"host": "sandbox"}},
            "agents": {
                "defaults": {"sandbox": {"mode": "all"}},
                "entries": {"a": {"tools": {"exec": {"host": "sandbox"}}}},
            },
        }
    )
    assert "tools.exec.host_sandbox_no_sandbox_defaults" not in ids(near)
    assert "tools.exec.host_sandbox_no_sandbox_agents" not in ids(near)


def test_security_full_escalates_with_open_surface() -> None:
    warn = one(
        audit({"tools": {"exec": {"security": "full"}}}), "tools.exec.security_full_configured"
    )
    assert warn.severity is Severity.WARN and "- main: security=full, host=auto" in warn.detail
    crit = one(
        audit({**OPEN, "tools": {"exec": {"mode": "full"}}}), "tools.exec.security_full_configured"
    )
    assert crit.severity is Severity.CRITICAL and "channels.discord.groupPolicy" in crit.detail
    assert "tools.exec.security_full_configured" not in ids(
        audit({"tools": {"exec": {"mode": "ask"}}})
    )


def test_agent_scope_full_with_keyed_roster() -> None:
    cfg = {
        "agents": {"entries": {"ops": {"default": True, "tools": {"exec": {"security": "full"}}}}}
    }
    f = one(audit(cfg), "tools.exec.security_full_configured")
    assert "- ops: security=full" in f.detail


def test_open_channels_with_exec() -> None:
    nested = {"channels": {"slack": {"accounts": {"w": {"dms": {"x": {"dmPolicy": "open"}}}}}}}
    f = one(
        audit({**nested, "tools": {"exec": {"security": "allowlist"}}}),
        "security.exposure.open_channels_with_exec",
    )
    assert f.severity is Severity.WARN
    assert "channels.slack.accounts.w.dms.x.dmPolicy" in f.detail
    crit = one(
        audit({**OPEN, "tools": {"exec": {"security": "full"}}}),
        "security.exposure.open_channels_with_exec",
    )
    assert crit.severity is Severity.CRITICAL
    assert "security.exposure.open_channels_with_exec" not in ids(audit(OPEN))  # deny default


def test_fs_tools_disabled_but_exec_enabled() -> None:
    cfg = {"tools": {"deny": ["write", "edit", "apply_patch"]}}
    f = one(audit(cfg), "tools.exec.fs_tools_disabled_but_exec_enabled")
    assert "agents.defaults" in f.detail
    sandboxed = {
        **cfg,
        "agents": {"defaults": {"sandbox": {"mode": "all", "workspaceAccess": "ro"}}},
    }
    assert "tools.exec.fs_tools_disabled_but_exec_enabled" not in ids(audit(sandboxed))
    assert "tools.exec.fs_tools_disabled_but_exec_enabled" not in ids(
        audit({"tools": {"deny": ["write", "edit"]}})
    )


FS_EXEC = "tools.exec.fs_tools_disabled_but_exec_enabled"


def test_fs_tools_disabled_needs_exec_itself() -> None:
    # `process` only manages sessions exec started: without exec nothing can write files.
    assert FS_EXEC not in ids(audit({"tools": {"deny": ["write", "edit", "apply_patch", "exec"]}}))
    f = one(audit({"tools": {"deny": ["write", "edit", "apply_patch", "process"]}}), FS_EXEC)
    assert "runtime=[exec]" in f.detail


@pytest.mark.parametrize(
    ("host", "access", "fires"),
    [
        (None, None, False),
        ("sandbox", "none", False),
        ("auto", "ro", False),
        ("gateway", "ro", True),
        ("node", None, True),
        (None, "rw", True),
    ],
)
def test_fs_tools_disabled_sandbox_exemption(
    host: str | None, access: str | None, fires: bool
) -> None:
    sandbox: dict = {"mode": "all"}
    if access:
        sandbox["workspaceAccess"] = access
    tools: dict = {"deny": ["write", "edit", "apply_patch"]}
    if host:
        tools["exec"] = {"host": host}
    found = audit({"tools": tools, "agents": {"defaults": {"sandbox": sandbox}}})
    assert (FS_EXEC in ids(found)) is fires
    agent = {"id": "a", "tools": {"exec": {"host": "gateway"}}}
    per_agent = {"tools": {"deny": tools["deny"]}, "agents": {"defaults": {"sandbox": sandbox}}}
    per_agent["agents"]["list"] = [agent]
    if not fires:
        assert "- agents.entries.a (" in one(audit(per_agent), FS_EXEC).detail


def _approvals(tmp_path: Path, data: object) -> str:
    (tmp_path / "exec-approvals.json").write_text(json.dumps(data))
    return str(tmp_path)


def test_exec_approvals_auto_allow_and_interpreters(tmp_path: Path) -> None:
    sd = _approvals(
        tmp_path,
        {
            "defaults": {"autoAllowSkills": True},
            "agents": {
                "main": {"allowlist": [{"pattern": "/usr/bin/python3"}, {"pattern": "/usr/bin/ls"}]}
            },
        },
    )
    found = audit({}, state_dir=sd)
    assert "defaults.autoAllowSkills" in one(found, "tools.exec.auto_allow_skills_enabled").detail
    f = one(found, "tools.exec.allowlist_interpreter_without_strict_inline_eval")
    assert "python3" in f.detail and "/usr/bin/ls" not in f.detail
    strict = audit({"tools": {"exec": {"strictInlineEval": True}}}, state_dir=sd)
    assert "tools.exec.allowlist_interpreter_without_strict_inline_eval" not in ids(strict)


def test_exec_approvals_bad_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "exec-approvals.json").write_text("{not json")
    assert "tools.exec.auto_allow_skills_enabled" not in ids(audit({}, state_dir=str(tmp_path)))


def test_safe_bins() -> None:
    cfg = {
        "tools": {"exec": {"safeBins": ["/usr/bin/Python3.EXE", "jq", "sort"]}},
        "agents": {
            "list": [
                {
                    "id": "ops",
                    "tools": {
                        "exec": {"safeBins": ["node", "awk"], "safeBinProfiles": {"node": {}}}
                    },
                }
            ]
        },
    }
    found = audit(cfg)
    d = one(found, "tools.exec.safe_bins_interpreter_unprofiled").detail
    assert "- tools.exec.safeBins: python3" in d
    assert "- agents.entries.ops.tools.exec.safeBins: awk" in d
    b = one(found, "tools.exec.safe_bins_broad_behavior").detail
    assert "tools.exec.safeBins: jq (" in b and "agents.entries.ops.tools.exec.safeBins: awk (" in b
    assert "tools.exec.safe_bins_interpreter_unprofiled" not in ids(
        audit(
            {
                "tools": {
                    "exec": {"safeBins": ["sort", "python3"], "safeBinProfiles": {"python3": {}}}
                }
            }
        )
    )


@pytest.mark.parametrize(
    ("key", "profiled"),
    [("perl", True), (" PERL ", True), ("/usr/bin/perl", False), ("perl.exe", False)],
)
def test_path_keyed_safe_bin_profiles_do_not_profile_a_bin(key: str, profiled: bool) -> None:
    # Bins are normalised to a basename; profile keys are only trimmed and lower-cased.
    exec_cfg = {"safeBins": ["/usr/bin/perl"], "safeBinProfiles": {key: {}}}
    found = ids(audit({"tools": {"exec": exec_cfg}}))
    assert ("tools.exec.safe_bins_interpreter_unprofiled" not in found) is profiled


def test_safe_bin_trusted_dirs() -> None:
    dirs = [
        "/usr/bin",
        "/tmp/x",
        "rel",
        "/usr/local/bin",
        "/home/u/bin",
        "C:/Users/x",
        "/opt/y/.local/bin",
    ]
    f = one(
        audit({"tools": {"exec": {"safeBinTrustedDirs": dirs}}}),
        "tools.exec.safe_bin_trusted_dirs_risky",
    )
    assert "/usr/bin " not in f.detail and f.detail.count("\n- ") == 6
    assert "tools.exec.safe_bin_trusted_dirs_risky" not in ids(
        audit({"tools": {"exec": {"safeBinTrustedDirs": ["/usr/bin", "/bin"]}}})
    )


def test_mcp_boundary_pair(tmp_path: Path) -> None:
    cfg = {
        "agents": {"defaults": {"skills": ["x"]}},
        "tools": {"exec": {"security": "allowlist"}},
        "mcp": {"servers": {"b": {}, "a": {}, "off": {"enabled": False}}},
    }
    f = one(audit(cfg, state_dir=str(tmp_path)), "tools.exec.agent_skill_mcp_boundary_drift")
    assert "- mcp.servers: a, b" in f.detail and "inherits agents.defaults.skills" in f.detail
    assert "tools.exec.agent_skill_mcp_boundary_drift" not in ids(
        audit({**cfg, "tools": {"exec": {"security": "deny"}}}, state_dir=str(tmp_path))
    )
    reg = tmp_path / "skills" / "config"
    reg.mkdir(parents=True)
    (reg / "mcporter.json").write_text("nope")
    found = audit(cfg, state_dir=str(tmp_path))
    assert (
        "not valid JSON" in one(found, "tools.exec.mcporter_registry_inspection_incomplete").detail
    )
    (reg / "mcporter.json").write_text(json.dumps({"mcpServers": {"z": {}}}))
    assert (
        "mcporter.json mcpServers: z"
        in one(
            audit(
                {"agents": {"defaults": {"skills": []}}, "tools": {"exec": {"security": "full"}}},
                state_dir=str(tmp_path),
            ),
            "tools.exec.agent_skill_mcp_boundary_drift",
        ).detail
    )


# --- sandbox ------------------------------------------------------------------------------
def test_docker_config_mode_off() -> None:
    f = one(
        audit({"agents": {"defaults": {"sandbox": {"docker": {"image": None}}}}}),
        "sandbox.docker_config_mode_off",
    )
    assert "- agents.defaults.sandbox.docker" in f.detail
    near = {
        "agents": {
            "defaults": {"sandbox": {"docker": {"image": "x"}}},
            "entries": {"a": {"sandbox": {"mode": "all"}}},
        }
    }
    assert "sandbox.docker_config_mode_off" not in ids(audit(near))
    assert "sandbox.docker_config_mode_off" not in ids(
        audit({"agents": {"defaults": {"sandbox": {"docker": {}}}}})
    )
    agent = {"agents": {"list": [{"id": "a", "sandbox": {"docker": {"network": "none"}}}]}}
    assert (
        "agents.entries.a.sandbox.docker"
        in one(audit(agent), "sandbox.docker_config_mode_off").detail
    )


def test_dangerous_docker_config_in_order() -> None:
    docker = {
        "binds": ["/var/run/docker.sock:/s", "rel:/x", "/var:/v", "/srv/data:/d", 5, "/:/root"],
        "network": "container:abc",
        "seccompProfile": " Unconfined ",
        "apparmorProfile": "unconfined",
    }
    found = [
        f
        for f in audit({"agents": {"defaults": {"sandbox": {"docker": docker}}}})
        if f.check_id.startswith("sandbox.")
    ]
    assert ids(found)[:7] == [
        "sandbox.docker_config_mode_off",
        "sandbox.dangerous_bind_mount",
        "sandbox.bind_mount_non_absolute",
        "sandbox.dangerous_bind_mount",
        "sandbox.dangerous_bind_mount",
        "sandbox.dangerous_network_mode",
        "sandbox.dangerous_seccomp_profile",
    ]
    assert 'targets the protected host path "/var/run"' in found[1].detail
    assert 'covers the protected host path "/var/run"' in found[3].detail
    assert 'covers the protected host path "/"' in found[4].detail
    assert ids(found)[7] == "sandbox.dangerous_apparmor_profile"


def test_home_secret_binds_and_safe_binds() -> None:
    cfg = {
        "agents": {
            "defaults": {
                "sandbox": {
                    "mode": "all",
                    "docker": {
                        "binds": ["/home/me/.ssh:/k:ro", "/home/me/proj:/p"],
                        "network": "bridge",
                    },
                }
            }
        }
    }
    found = audit(cfg, env={"HOME": "/home/me"})
    assert len(by_id(found, "sandbox.dangerous_bind_mount")) == 1
    assert "sandbox.dangerous_network_mode" not in ids(found)


def test_browser_cdp_bridge() -> None:
    cfg = {
        "agents": {
            "defaults": {
                "sandbox": {"mode": "all", "browser": {"enabled": True, "network": "Bridge"}}
            }
        }
    }
    f = one(audit(cfg), "sandbox.browser_cdp_bridge_unrestricted")
    assert "- agents.defaults" in f.detail
    cfg["agents"]["defaults"]["sandbox"]["browser"]["cdpSourceRange"] = "172.17.0.1/32"
    assert "sandbox.browser_cdp_bridge_unrestricted" not in ids(audit(cfg))
    default_net = {
        "agents": {"defaults": {"sandbox": {"mode": "all", "browser": {"enabled": True}}}}
    }
    assert "sandbox.browser_cdp_bridge_unrestricted" not in ids(audit(default_net))


# --- nodes --------------------------------------------------------------------------------
def test_nodes_deny_ineffective_with_suggestions() -> None:
    cfg = {
        "gateway": {
            "nodes": {"commands": {"deny": ["system.*", "camera.snapp", "system.run", "sytem.run"]}}
        }
    }
    d = one(audit(cfg), "gateway.nodes.deny_commands_ineffective").detail
    assert "- Pattern-like entries" in d and "system.*" in d
    assert "camera.snapp (did you mean: camera.snap" in d
    assert "sytem.run (did you mean: system.run" in d
    assert "gateway.nodes.deny_commands_ineffective" not in ids(
        audit({"gateway": {"nodes": {"denyCommands": ["system.run", "camera.snap"]}}})
    )


def test_nodes_allow_dangerous_escalates() -> None:
    cfg = {
        "gateway": {
            "nodes": {
                "allowCommands": ["sms.send", "camera.snap", "canvas.eval"],
                "denyCommands": ["camera.snap"],
            }
        }
    }
    f = one(audit(cfg), "gateway.nodes.allow_commands_dangerous")
    assert (
        f.severity is Severity.WARN
        and "gateway.nodes.allowCommands includes: sms.send." in f.detail
    )
    cfg["gateway"]["bind"] = "lan"
    assert one(audit(cfg), "gateway.nodes.allow_commands_dangerous").severity is Severity.CRITICAL
    assert "gateway.nodes.allow_commands_dangerous" not in ids(
        audit({"gateway": {"nodes": {"commands": {"allow": ["canvas.eval"]}}}})
    )


# --- profile, models ----------------------------------------------------------------------
def test_minimal_profile_overridden() -> None:
    cfg = {
        "tools": {"profile": "minimal"},
        "agents": {
            "list": [
                {"id": "a", "tools": {"profile": "coding"}},
                {"id": "b", "tools": {"profile": "minimal"}},
            ]
        },
    }
    d = one(audit(cfg), "tools.profile_minimal_overridden").detail
    assert "- agents.entries.a=coding" in d and "agents.entries.b" not in d
    assert "tools.profile_minimal_overridden" not in ids(
        audit({"agents": {"list": [{"id": "a", "tools": {"profile": "coding"}}]}})
    )


def test_models_legacy_and_weak() -> None:
    cfg = {
        "agents": {
            "defaults": {
                "model": {
                    "primary": "openai/gpt-3.5-turbo",
                    "fallbacks": ["anthropic/claude-3-haiku"],
                }
            }
        }
    }
    found = audit(cfg)
    assert "- openai/gpt-3.5-turbo (" in one(found, "models.legacy").detail
    w = one(found, "models.weak_tier").detail
    assert (
        "claude-3-haiku (Haiku tier (smaller model); below Claude 4.5) "
        "@ agents.defaults.model.fallbacks" in w
    )
    modern = audit(
        {
            "agents": {
                "defaults": {"model": "anthropic/claude-sonnet-4-5"},
                "list": [{"id": "a", "model": "openai/gpt-5.1"}],
            }
        }
    )
    assert "models.legacy" not in ids(modern) and "models.weak_tier" not in ids(modern)


def test_small_params_unsafe_ok_and_image_excluded() -> None:
    cfg = {
        "agents": {"defaults": {"model": "ollama/llama-3.1-70b", "imageModel": "ollama/llava-7b"}}
    }
    f = one(audit(cfg), "models.small_params")
    assert f.severity is Severity.CRITICAL
    assert (
        "- ollama/llama-3.1-70b (70B) @ agents.defaults.model.primary "
        "(unsafe; sandbox=off; web=[web_fetch, browser])" in f.detail
    )
    assert "llava" not in f.detail
    cfg["agents"]["defaults"]["sandbox"] = {"mode": "all"}
    ok = one(audit(cfg), "models.small_params")
    assert ok.severity is Severity.INFO and "(ok; sandbox=all; web=[off])" in ok.detail
    by_provider = {
        "agents": {"defaults": {"model": "ollama/qwen2.5:7b"}},
        "tools": {"byProvider": {"ollama/qwen2.5:7b": {"deny": ["group:web", "browser"]}}},
    }
    assert one(audit(by_provider), "models.small_params").severity is Severity.INFO
    assert "models.small_params" not in ids(
        audit({"agents": {"defaults": {"model": "openai/gpt-5"}}})
    )
    assert "models.small_params" not in ids(
        audit({"agents": {"defaults": {"model": "x/llama-405b"}}})
    )


def test_small_params_web_search_via_env_key() -> None:
    cfg = {
        "agents": {"defaults": {"model": "ollama/llama3:8b"}},
        "tools": {"web": {"fetch": {"enabled": False}}},
        "browser": {"enabled": False},
    }
    assert "web=[off]" in one(audit(cfg), "models.small_params").detail
    f = one(audit(cfg, env={"BRAVE_API_KEY": "k"}), "models.small_params")
    assert "web=[web_search]" in f.detail and f.severity is Severity.CRITICAL


# --- exposure and trust model -------------------------------------------------------------
def test_exposure_matrix() -> None:
    found = audit(OPEN)
    assert one(found, "security.exposure.open_groups_with_elevated").severity is Severity.CRITICAL
    rf = one(found, "security.exposure.open_groups_with_runtime_or_fs")
    assert rf.severity is Severity.CRITICAL and "agents.entries.main (sandbox=off" in rf.detail
    cp = one(found, "security.exposure.open_groups_with_control_plane_tools")
    assert "profile=none; controlPlane=[automations, gateway, plugins]" in cp.detail
    locked = {
        **OPEN,
        "tools": {
            "elevated": {"enabled": False},
            "deny": ["group:runtime", "group:fs", "group:automation"],
        },
    }
    assert not [i for i in ids(audit(locked)) if i.startswith("security.exposure.open_groups")]
    fs_only = {**OPEN, "tools": {"deny": ["group:runtime"]}}
    assert (
        one(audit(fs_only), "security.exposure.open_groups_with_runtime_or_fs").severity
        is Severity.WARN
    )
    assert not [
        i
        for i in ids(audit({"channels": {"d": {"groupPolicy": "allowlist"}}}))
        if i.startswith("security.exposure")
    ]


def test_open_inbound_legacy_dm_policy_and_accounts() -> None:
    cfg = {
        "channels": {"tg": {"dm": {"policy": "open"}, "accounts": {"a": {"groupPolicy": "open"}}}}
    }
    d = one(audit(cfg), "security.exposure.open_groups_with_elevated").detail
    assert d.index("channels.tg.dm.policy") < d.index("channels.tg.accounts.a.groupPolicy")


def test_group_scope_main() -> None:
    room = {"channel": "discord", "accountId": "a", "peer": {"kind": "group", "id": "g1"}}
    cfg = {"bindings": [{"agentId": "x", "match": room, "session": {"groupScope": "main"}}]}
    assert (
        "discord accountId=a peer=group:g1"
        in one(audit(cfg), "security.trust_model.group_scope_main").detail
    )
    shadow = {
        "bindings": [
            {"agentId": "y", "match": {**room, "peer": {"kind": "channel", "id": "g1"}}},
            *cfg["bindings"],
        ]
    }
    assert "security.trust_model.group_scope_main" not in ids(audit(shadow))
    wide = {"bindings": [{"match": {"channel": "discord"}, "session": {"groupScope": "main"}}]}
    assert "security.trust_model.group_scope_main" not in ids(audit(wide))
    assert (
        "session.groupScope"
        in one(
            audit({"session": {"groupScope": "main"}}), "security.trust_model.group_scope_main"
        ).detail
    )


def test_multi_user_heuristic_account_overlay() -> None:
    cfg = {
        "channels": {
            "discord": {
                "groupPolicy": "allowlist",
                "accounts": {
                    "a": {"guilds": {"1": {}}},
                    "b": {"guilds": {"1": {}}, "groupPolicy": "disabled"},
                },
            }
        }
    }
    d = one(audit(cfg), "security.trust_model.multi_user_heuristic").detail
    assert 'channels.discord.accounts.a.groupPolicy="allowlist" with configured group targets' in d
    assert "accounts.b" not in d
    assert "security.trust_model.multi_user_heuristic" not in ids(
        audit({"channels": {"discord": {"groupPolicy": "allowlist"}}})
    )


def test_cross_agent_session_access() -> None:
    cfg = {"agents": {"entries": {"a": {"default": True}, "b": {"tools": {"deny": ["exec"]}}}}}
    f = one(audit(cfg), "security.trust_model.cross_agent_session_access_default")
    assert (
        f.severity is Severity.WARN and "b: agent-level tool restrictions (tools.deny)" in f.detail
    )
    plain = one(
        audit({"agents": {"entries": {"a": {"default": True}, "b": {}}}}),
        "security.trust_model.cross_agent_session_access_default",
    )
    assert plain.severity is Severity.INFO
    for extra in (
        {"tools": {"sessions": {"visibility": "tree"}}},
        {"tools": {"agentToAgent": {"enabled": False}}},
    ):
        assert "security.trust_model.cross_agent_session_access_default" not in ids(
            audit({**cfg, **extra})
        )
    assert "security.trust_model.cross_agent_session_access_default" not in ids(audit({}))


# --- order and robustness -----------------------------------------------------------------
def test_emission_order_of_groups() -> None:
    cfg = {
        **OPEN,
        "agents": {"list": []},
        "tools": {
            "elevated": {"allowFrom": {"x": ["*"]}},
            "exec": {"security": "full"},
            "profile": "minimal",
        },
        "gateway": {"nodes": {"commands": {"deny": ["x*"], "allow": ["sms.send"]}}},
    }
    got = [i for i in ids(audit(cfg)) if not i.startswith("summary")]
    order = [
        "config.agent_roster.invalid_default_count",
        "tools.elevated.allowFrom.x.wildcard",
        "tools.exec.security_full_configured",
        "security.exposure.open_channels_with_exec",
        "gateway.nodes.deny_commands_ineffective",
        "gateway.nodes.allow_commands_dangerous",
        "security.exposure.open_groups_with_elevated",
    ]
    positions = [got.index(i) for i in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "cfg",
    [
        {"agents": "x", "tools": 5, "channels": [], "gateway": {"nodes": "n"}},
        {
            "agents": {
                "defaults": {
                    "sandbox": {"docker": {"binds": "no", "network": 5}, "browser": []},
                    "model": 7,
                }
            }
        },
        {
            "agents": {
                "entries": {
                    "a": None,
                    "b": {"sandbox": "s", "tools": {"exec": []}, "model": {"fallbacks": "x"}},
                }
            }
        },
        {
            "channels": {"d": {"accounts": "x", "dm": 5, "allowFrom": [None, {}, 3]}},
            "bindings": "b",
        },
        {"bindings": [None, {"match": {"peer": "p"}}], "session": []},
        {
            "tools": {
                "elevated": {"allowFrom": {"a": "*", "b": [None, 1.0]}},
                "exec": {"safeBins": [1], "safeBinTrustedDirs": "x"},
            }
        },
        {"gateway": {"nodes": {"commands": {"deny": ["x" * 100_000, None]}}}},
    ],
)
def test_wrong_types_never_raise(cfg: dict) -> None:
    audit(cfg)


def _bind_findings(binds: list[str], env: dict[str, str] | None = None) -> list:
    docker = {"binds": binds, "network": "bridge"}
    cfg = {"agents": {"defaults": {"sandbox": {"mode": "all", "docker": docker}}}}
    return [f for f in audit(cfg, env=env) if "bind" in f.check_id]


def test_windows_drive_bind_sources_are_absolute() -> None:
    # Upstream 2026.9.6 reads drive paths (either slash, any namespace prefix) as absolute.
    binds = ["C:\\data:/data", "C:/x:/y", "d:\\work\\proj:/p:ro", "\\\\?\\C:\\data:/d"]
    assert _bind_findings(binds) == []
    assert (
        ids(_bind_findings(["data:/data", "./rel:/x"])) == ["sandbox.bind_mount_non_absolute"] * 2
    )


def test_windows_drive_bind_sources_meet_the_blocked_paths() -> None:
    env = {"USERPROFILE": "C:\\Users\\Me"}
    found = _bind_findings(["c:\\users\\me\\.ssh:/k:ro", "C:\\:/host", "C:/Users/Me/proj:/p"], env)
    assert ids(found) == ["sandbox.dangerous_bind_mount"] * 2
    assert 'targets the protected host path "C:/Users/Me/.ssh"' in found[0].detail
    assert 'covers the protected host path "C:/"' in found[1].detail


def test_model_aliases_resolve_before_classification() -> None:
    models = {"ollama/mistral-8b": {"alias": "Tiny"}, "openai/gpt-5": {"alias": "big"}}
    cfg = {
        "agents": {
            "defaults": {"model": {"primary": "tiny", "fallbacks": ["big"]}, "models": models},
            "list": [{"id": "a", "model": "TINY"}],
        }
    }
    detail = one(audit(cfg), "models.small_params").detail
    assert "- ollama/mistral-8b (8B) @ agents.defaults.model.primary (" in detail
    assert "- ollama/mistral-8b (8B) @ agents.entries.a.model (" in detail
    assert "gpt-5" not in detail and "tiny" not in detail.lower()


def test_model_ids_are_printed_with_their_provider() -> None:
    cfg = {"agents": {"defaults": {"model": {"primary": "mistral-8b", "fallbacks": ["gpt-4"]}}}}
    found = audit(cfg)
    assert (
        "- openai/mistral-8b (8B) @ agents.defaults.model.primary"
        in one(found, "models.small_params").detail
    )
    assert (
        "- openai/gpt-4 (below GPT-5 family) @ agents.defaults.model.fallbacks"
        in one(found, "models.weak_tier").detail
    )


def test_mixture_of_experts_ids_stay_small_models() -> None:
    # Documented divergence (README, "How this differs from upstream"): 2026.9.6's pattern reads
    # no size in `8x7b`; we count the 7B experts, so such a model is still a small model.
    cfg = {"agents": {"defaults": {"model": "mistral/mixtral-8x7b-instruct"}}}
    assert (
        "- mistral/mixtral-8x7b-instruct (7B) @ agents.defaults.model.primary"
        in one(audit(cfg), "models.small_params").detail
    )
    assert "models.small_params" not in ids(audit({"agents": {"defaults": {"model": "x/8x400b"}}}))
