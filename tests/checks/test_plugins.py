"""Plugin trust and install-record checks on real temporary state dirs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from builders import by_id, ids, make_ctx, one, run_checks
from openclaw_audit.engine.registry import Stage
from openclaw_audit.facts.install_records import is_pinned_spec
from openclaw_audit.facts.plugin_dirs import is_ignored_dir_name
from openclaw_audit.report.model import Severity


def trust(cfg: dict[str, Any], state: Path, env: dict[str, str] | None = None) -> list:
    return run_checks(make_ctx(cfg, state_dir=state, env=env), stages=[Stage.PLUGIN_TRUST])


def plugin(state: Path, name: str, *, version: str | None = None, manifest_id: str = "") -> Path:
    d = state / "extensions" / name
    d.mkdir(parents=True, exist_ok=True)
    if version is not None:
        (d / "package.json").write_text(json.dumps({"name": name, "version": version}))
    if manifest_id:
        (d / "openclaw.plugin.json").write_text(json.dumps({"id": manifest_id}))
    return d


def write_installs(state: Path, data: object) -> None:
    (state / "plugins").mkdir(parents=True, exist_ok=True)
    (state / "plugins" / "installs.json").write_text(json.dumps(data))


def npm(spec: str | None = "pkg@1.2.3", **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"source": "npm", "integrity": "sha512-abc"}
    if spec is not None:
        rec["spec"] = spec
    rec.update(extra)
    return rec


# --- plugin dirs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "node_modules",
        ".openclaw-install-backups",
        ".hidden",
        "foo.bak",
        "foo.backup-2024",
        "foo.disabled",
        "foo.disabled.1",
        "FOO.DISABLED.old.x",
    ],
)
def test_ignored_plugin_dir_names(name: str) -> None:
    assert is_ignored_dir_name(name)


@pytest.mark.parametrize("name", ["foo", "disabled-foo", "foo.disabledx", "bak"])
def test_plugin_dir_names_kept(name: str) -> None:
    assert not is_ignored_dir_name(name)


def test_no_extensions_dir_no_findings(tmp_path: Path) -> None:
    assert trust({}, tmp_path) == []


def test_ignored_dirs_files_and_symlinks_are_not_plugins(tmp_path: Path) -> None:
    ext = tmp_path / "extensions"
    (ext / "old.bak").mkdir(parents=True)
    (ext / "x.disabled").mkdir()
    (ext / "file.js").write_text("x")
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", ext / "linked")
    assert trust({}, tmp_path) == []


# --- extensions_no_allowlist / allow_phantom_entries ------------------------------------------


def test_no_allowlist_warns_with_count_and_path(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    plugin(tmp_path, "beta")
    f = one(trust({"tools": {"profile": "minimal"}}, tmp_path), "plugins.extensions_no_allowlist")
    assert f.severity is Severity.WARN
    assert "2 plugin directories" in f.detail
    assert str(tmp_path / "extensions") in f.detail
    assert "plugins.allow" in (f.remediation or "")


@pytest.mark.parametrize("allow", [None, [], "alpha", {"alpha": True}])
def test_no_allowlist_when_missing_empty_or_wrong_type(tmp_path: Path, allow: object) -> None:
    plugin(tmp_path, "alpha")
    cfg: dict[str, Any] = {"tools": {"profile": "minimal"}}
    if allow is not None:
        cfg["plugins"] = {"allow": allow}
    assert "plugins.extensions_no_allowlist" in ids(trust(cfg, tmp_path))


def test_allowlist_present_is_near_miss(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    cfg = {"plugins": {"allow": ["alpha"]}, "tools": {"profile": "minimal"}}
    assert trust(cfg, tmp_path) == []


def test_no_allowlist_critical_when_native_skills_exposed(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    cfg = {"channels": {"discord": {"token": "x" * 30}}, "tools": {"profile": "minimal"}}
    f = one(trust(cfg, tmp_path), "plugins.extensions_no_allowlist")
    assert f.severity is Severity.CRITICAL
    assert "discord" in f.detail
    assert "x" * 30 not in f.detail


def test_native_skills_escalation_via_env_token_for_telegram(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    cfg = {"channels": {"telegram": {}}, "tools": {"profile": "minimal"}}
    env = {"TELEGRAM_BOT_TOKEN": "123:abc"}
    f = one(trust(cfg, tmp_path, env), "plugins.extensions_no_allowlist")
    assert f.severity is Severity.CRITICAL


@pytest.mark.parametrize(
    "cfg",
    [
        # Slack: native skills default off.
        {"channels": {"slack": {"botToken": "xoxb-1"}}},
        # explicitly off for the channel
        {"channels": {"discord": {"token": "t", "commands": {"nativeSkills": False}}}},
        # globally off
        {"channels": {"discord": {"token": "t"}}, "commands": {"nativeSkills": False}},
        # channel disabled
        {"channels": {"discord": {"token": "t", "enabled": False}}},
        # not configured (no token)
        {"channels": {"discord": {}}},
        # only account disabled
        {"channels": {"discord": {"accounts": {"a": {"token": "t", "enabled": False}}}}},
    ],
)
def test_native_skills_not_exposed_stays_warn(tmp_path: Path, cfg: dict[str, Any]) -> None:
    plugin(tmp_path, "alpha")
    cfg = {**cfg, "tools": {"profile": "minimal"}}
    f = one(trust(cfg, tmp_path), "plugins.extensions_no_allowlist")
    assert f.severity is Severity.WARN


def test_slack_explicitly_on_escalates(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    cfg = {
        "channels": {"slack": {"botToken": "xoxb-1", "commands": {"nativeSkills": True}}},
        "tools": {"profile": "minimal"},
    }
    assert one(trust(cfg, tmp_path), "plugins.extensions_no_allowlist").severity == "critical"


def test_phantom_entries_listed(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    plugin(tmp_path, "dirname", manifest_id="Declared-Id")
    write_installs(tmp_path, {"installRecords": {"recorded": npm()}})
    cfg = {
        "plugins": {
            "allow": [
                "alpha",
                "ALPHA",
                "declared-id",
                "recorded",
                "telegram",
                "group:plugins",
                "ghost",
                "Phantom2",
                7,
            ]
        },
        "tools": {"profile": "minimal"},
    }
    f = one(trust(cfg, tmp_path), "plugins.allow_phantom_entries")
    assert f.severity is Severity.WARN
    assert "ghost, Phantom2" in f.detail
    assert "alpha" not in f.detail.split("\n")[0]
    assert "plugins.extensions_no_allowlist" not in ids(trust(cfg, tmp_path))


def test_phantom_needs_plugin_dirs(tmp_path: Path) -> None:
    cfg = {"plugins": {"allow": ["ghost"]}}
    assert trust(cfg, tmp_path) == []


def test_phantom_known_via_legacy_config_install_record(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    cfg = {
        "plugins": {"allow": ["alpha", "legacy"], "installs": {"legacy": npm()}},
        "tools": {"profile": "minimal"},
    }
    assert "plugins.allow_phantom_entries" not in ids(trust(cfg, tmp_path))


# --- tools_reachable_permissive_policy --------------------------------------------------------


def reach(cfg: dict[str, Any], state: Path) -> list:
    plugin(state, "alpha")
    cfg = {**cfg}
    cfg.setdefault("plugins", {}).setdefault("allow", ["alpha"])
    return by_id(trust(cfg, state), "plugins.tools_reachable_permissive_policy")


def test_reachable_with_no_profile(tmp_path: Path) -> None:
    (f,) = reach({}, tmp_path)
    assert f.severity is Severity.WARN
    assert f.detail.split("\n") == [
        "Enabled plugins:",
        "- alpha",
        "Tool-policy contexts where plugin tools are reachable:",
        "- default",
        "- agents.entries.main",
    ]


def test_restrictive_profile_not_reachable(tmp_path: Path) -> None:
    assert reach({"tools": {"profile": "coding"}}, tmp_path) == []


def test_agent_profile_overrides_global(tmp_path: Path) -> None:
    cfg = {
        "tools": {"profile": "minimal"},
        "agents": {"list": [{"id": "ops", "tools": {"profile": "full"}}, {"id": "safe"}]},
    }
    (f,) = reach(cfg, tmp_path)
    assert f.detail.endswith("- agents.entries.ops")
    assert "- default" not in f.detail
    assert "safe" not in f.detail


def test_global_allowlist_without_plugins_blocks(tmp_path: Path) -> None:
    assert reach({"tools": {"allow": ["read", "exec"]}}, tmp_path) == []


def test_explicit_group_plugins_allow_is_permissive(tmp_path: Path) -> None:
    (f,) = reach({"tools": {"allow": ["read", "group:plugins"]}}, tmp_path)
    assert "- default" in f.detail


def test_explicit_plugin_id_in_by_provider(tmp_path: Path) -> None:
    cfg = {"tools": {"allow": ["read"], "byProvider": {"openai": {"allow": ["Alpha"]}}}}
    assert reach(cfg, tmp_path) != []


def test_explicit_allow_ignored_under_restrictive_profile(tmp_path: Path) -> None:
    cfg = {"tools": {"profile": "messaging", "allow": ["group:plugins"]}}
    assert reach(cfg, tmp_path) == []


def test_glob_allow_and_deny(tmp_path: Path) -> None:
    assert reach({"tools": {"allow": ["*"]}}, tmp_path) != []
    assert reach({"tools": {"deny": ["*"]}}, tmp_path) == []
    assert reach({"tools": {"profile": "minimal", "alsoAllow": ["*"]}}, tmp_path) != []


def test_sandbox_all_default_policy_blocks(tmp_path: Path) -> None:
    cfg = {"agents": {"defaults": {"sandbox": {"mode": "all"}}}}
    assert reach(cfg, tmp_path) == []


def test_disabled_plugin_not_reachable(tmp_path: Path) -> None:
    assert reach({"plugins": {"allow": ["alpha"], "enabled": False}}, tmp_path) == []
    assert reach({"plugins": {"allow": ["other"]}}, tmp_path) == []
    assert reach({"plugins": {"allow": ["alpha"], "deny": [" ALPHA "]}}, tmp_path) == []
    cfg = {"plugins": {"allow": ["alpha"], "entries": {"Alpha": {"enabled": False}}}}
    assert reach(cfg, tmp_path) == []


# --- install records --------------------------------------------------------------------------

PINNED = ["pkg@1.2.3", "@scope/pkg@1.2.3", "pkg@v1.0.0-beta.1+b5", " pkg@1.2.3 "]
UNPINNED = ["pkg", "@scope/pkg", "pkg@latest", "pkg@^1.2.3", "pkg@1.2", "pkg@", "", "@1.2.3"]


@pytest.mark.parametrize("spec", PINNED)
def test_pinned_specs(spec: str) -> None:
    assert is_pinned_spec(spec)


@pytest.mark.parametrize("spec", UNPINNED)
def test_unpinned_specs(spec: str) -> None:
    assert not is_pinned_spec(spec)


def test_unpinned_from_installs_file_both_shapes(tmp_path: Path) -> None:
    write_installs(
        tmp_path,
        {
            "installRecords": {"a": npm("a@latest"), "__proto__": npm("evil")},
            "plugins": [{"pluginId": "b", "installRecord": npm("@s/b")}, "junk"],
        },
    )
    f = one(trust({}, tmp_path), "plugins.installs_unpinned_npm_specs")
    assert f.detail.split("\n")[1:] == ["- a (a@latest)", "- b (@s/b)"]


def test_unpinned_near_misses(tmp_path: Path) -> None:
    write_installs(
        tmp_path,
        {
            "installRecords": {
                "pinned": npm("p@1.0.0"),
                "nospec": npm(None),
                "archive": {"source": "archive", "spec": "x"},
                "numspec": {"source": "npm", "spec": 5, "integrity": "sha512-x"},
            }
        },
    )
    assert trust({}, tmp_path) == []


def test_config_records_added_after_file_unless_present(tmp_path: Path) -> None:
    write_installs(tmp_path, {"installRecords": {"a": npm("a@1.0.0")}})
    cfg = {"plugins": {"installs": {"a": npm("a"), "c": npm("c@next")}}}
    f = one(trust(cfg, tmp_path), "plugins.installs_unpinned_npm_specs")
    assert f.detail.split("\n")[1:] == ["- c (c@next)"]


def test_invalid_installs_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "installs.json").write_text("{nope")
    assert trust({}, tmp_path) == []


def test_unpinned_url_spec_credentials_are_redacted(tmp_path: Path) -> None:
    write_installs(tmp_path, {"installRecords": {"a": npm("https://user:s3cr3t@host/a.tgz")}})
    f = one(trust({}, tmp_path), "plugins.installs_unpinned_npm_specs")
    assert "s3cr3t" not in f.detail


@pytest.mark.parametrize("integrity", [None, "", "   ", 5])
def test_missing_integrity(tmp_path: Path, integrity: object) -> None:
    rec = npm("a@1.0.0")
    if integrity is None:
        del rec["integrity"]
    else:
        rec["integrity"] = integrity
    write_installs(tmp_path, {"installRecords": {"a": rec}})
    f = one(trust({}, tmp_path), "plugins.installs_missing_integrity")
    assert f.detail.split("\n")[1:] == ["- a"]


def test_integrity_non_npm_ignored(tmp_path: Path) -> None:
    write_installs(tmp_path, {"installRecords": {"a": {"source": "path", "spec": "x"}}})
    assert trust({}, tmp_path) == []


@pytest.mark.parametrize(
    ("record", "installed", "expected"),
    [
        ({"version": "1.2.3"}, "1.2.4", "- a (recorded 1.2.3, installed 1.2.4)"),
        ({"version": "v1.2.3"}, "1.2.3", "- a (recorded v1.2.3, installed 1.2.3)"),
        ({"version": "1.2.3"}, "v1.2.3", "- a (recorded 1.2.3, installed v1.2.3)"),
        (
            {"version": "1.0.0", "resolvedVersion": "2.0.0"},
            "1.0.0",
            "- a (recorded 2.0.0, installed 1.0.0)",
        ),
    ],
)
def test_drift(tmp_path: Path, record: dict, installed: str, expected: str) -> None:
    plugin(tmp_path, "a", version=installed)
    write_installs(tmp_path, {"installRecords": {"a": npm("a@1.2.3", **record)}})
    f = one(
        trust({"plugins": {"allow": ["a"]}, "tools": {"profile": "minimal"}}, tmp_path),
        "plugins.installs_version_drift",
    )
    assert f.detail.split("\n")[1:] == [expected]
    assert "openclaw plugins update --all" in (f.remediation or "")


def test_drift_remediation_has_profile(tmp_path: Path) -> None:
    plugin(tmp_path, "a", version="2.0.0")
    write_installs(tmp_path, {"installRecords": {"a": npm("a@1.0.0", version="1.0.0")}})
    ctx = make_ctx(
        {"plugins": {"allow": ["a"]}}, state_dir=tmp_path, env={"OPENCLAW_PROFILE": "work"}
    )
    f = one(run_checks(ctx, stages=[Stage.PLUGIN_TRUST]), "plugins.installs_version_drift")
    assert "openclaw --profile work plugins update --all" in (f.remediation or "")


@pytest.mark.parametrize(
    ("record", "pkg"),
    [
        ({"version": "1.2.3"}, {"version": "1.2.3"}),  # same
        ({}, {"version": "9.9.9"}),  # nothing recorded
        ({"version": ""}, {"version": "9.9.9"}),  # falsy recorded
        ({"version": "1.0.0"}, None),  # no package.json
        ({"version": "1.0.0"}, {"version": ""}),  # empty installed version
        ({"version": "1.0.0"}, {"name": "x"}),  # no installed version
    ],
)
def test_drift_near_misses(tmp_path: Path, record: dict, pkg: dict | None) -> None:
    d = plugin(tmp_path, "a")
    if pkg is not None:
        (d / "package.json").write_text(json.dumps(pkg))
    write_installs(tmp_path, {"installRecords": {"a": npm("a@1.2.3", **record)}})
    cfg = {"plugins": {"allow": ["a"]}, "tools": {"profile": "minimal"}}
    assert "plugins.installs_version_drift" not in ids(trust(cfg, tmp_path))


def test_drift_uses_install_path_with_tilde(tmp_path: Path) -> None:
    home = tmp_path / "home"
    pkg_dir = home / "pkgs" / "a"
    pkg_dir.mkdir(parents=True)
    (pkg_dir / "package.json").write_text(json.dumps({"version": "3.0.0"}))
    rec = npm("a@1.0.0", version="1.0.0", installPath="~/pkgs/a")
    ctx = make_ctx({"plugins": {"installs": {"a": rec}}}, state_dir=tmp_path, home=str(home))
    f = one(run_checks(ctx, stages=[Stage.PLUGIN_TRUST]), "plugins.installs_version_drift")
    assert "recorded 1.0.0, installed 3.0.0" in f.detail


def test_hook_records_all_three_in_order(tmp_path: Path) -> None:
    hook_dir = tmp_path / "hooks" / "h1"
    hook_dir.mkdir(parents=True)
    (hook_dir / "package.json").write_text(json.dumps({"version": "2.0.0"}))
    cfg = {
        "hooks": {
            "internal": {
                "installs": {
                    "h1": {"source": "npm", "spec": "h1@^1", "version": "1.0.0"},
                    "h2": npm("h2@1.0.0"),
                }
            }
        }
    }
    found = trust(cfg, tmp_path)
    assert ids(found) == [
        "hooks.installs_unpinned_npm_specs",
        "hooks.installs_missing_integrity",
        "hooks.installs_version_drift",
    ]
    assert found[0].detail.endswith("- h1 (h1@^1)")
    assert found[1].detail.endswith("- h1")
    assert found[2].detail.endswith("- h1 (recorded 1.0.0, installed 2.0.0)")
    assert "openclaw hooks update --all" in (found[2].remediation or "")


def test_hook_records_near_miss(tmp_path: Path) -> None:
    cfg = {"hooks": {"internal": {"installs": {"h": npm("h@1.0.0"), "bad": "x"}}}}
    assert trust(cfg, tmp_path) == []


def test_full_emission_order(tmp_path: Path) -> None:
    plugin(tmp_path, "a", version="2.0.0")
    write_installs(
        tmp_path, {"installRecords": {"a": {"source": "npm", "spec": "a", "version": "1.0.0"}}}
    )
    cfg = {"hooks": {"internal": {"installs": {"h": {"source": "npm", "spec": "h"}}}}}
    assert ids(trust(cfg, tmp_path)) == [
        "plugins.extensions_no_allowlist",
        "plugins.tools_reachable_permissive_policy",
        "plugins.installs_unpinned_npm_specs",
        "plugins.installs_missing_integrity",
        "plugins.installs_version_drift",
        "hooks.installs_unpinned_npm_specs",
        "hooks.installs_missing_integrity",
    ]


@pytest.mark.parametrize(
    "cfg",
    [
        {"plugins": "x", "hooks": 5, "tools": [], "agents": {"list": "x"}},
        {"plugins": {"allow": [None, 3], "installs": [1]}, "channels": {"discord": "x"}},
        {"agents": {"entries": {"a": None}}, "tools": {"allow": "x", "byProvider": 3}},
    ],
)
def test_odd_input_never_raises(tmp_path: Path, cfg: dict[str, Any]) -> None:
    plugin(tmp_path, "a")
    trust(cfg, tmp_path)


def test_phantom_knows_workspace_plugin_ids(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    ws = tmp_path / "workspace" / ".openclaw" / "extensions"
    (ws / "local-dir").mkdir(parents=True)
    (ws / "local-dir" / "openclaw.plugin.json").write_text(json.dumps({"id": "Local-Tool"}))
    (ws / "no-manifest").mkdir()
    cfg = {
        "plugins": {"allow": ["alpha", "local-tool", "no-manifest"]},
        "tools": {"profile": "minimal"},
    }
    f = one(trust(cfg, tmp_path), "plugins.allow_phantom_entries")
    assert f.detail.split("\n")[0].endswith(": no-manifest")


def test_phantom_uses_the_bundled_ids_of_2026_9_6(tmp_path: Path) -> None:
    plugin(tmp_path, "alpha")
    bundled = ["workboard", "a2a", "image-generation-core", "Memory-Wiki", "matrix", "xai"]
    cfg = {
        "plugins": {"allow": ["alpha", *bundled, "brave", "acpx", "memory-lancedb"]},
        "tools": {"profile": "minimal"},
    }
    f = one(trust(cfg, tmp_path), "plugins.allow_phantom_entries")
    assert f.detail.split("\n")[0].endswith(": brave, acpx, memory-lancedb")
