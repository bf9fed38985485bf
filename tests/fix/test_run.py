"""run_fix on real state trees: config edits land in the defining file, writes are atomic,
backups rotate, a second run is a no-op, dry-run changes nothing (fix.md §2, §5, B1–B3)."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import CHANNELS, MAIN_CONFIG, Tree, mode

from openclaw_audit.config import json5
from openclaw_audit.errors import ConfigError
from openclaw_audit.fix import writer
from openclaw_audit.fix.run import run_fix
from openclaw_audit.report.model import FixResult


def action_dicts(result: FixResult) -> list[dict[str, Any]]:
    """The permission actions as they appear in the JSON fix object."""
    return [a.to_json() for a in result.actions]


EXPECTED_CHANGES = [
    'logging.redactSensitive=off -> "tools"',
    "channels.whatsapp.groupPolicy=open -> allowlist",
    "channels.whatsapp.accounts.work.groupPolicy=open -> allowlist",
    "channels.telegram.groupPolicy=open -> allowlist",
    "channels.whatsapp.groupAllowFrom=pairing-store",
]


def stray_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_edits_land_in_the_defining_file(tree: Tree) -> None:
    result = run_fix(tree.options())
    assert result.ok and result.config_written
    assert list(result.changes) == EXPECTED_CHANGES
    # main config: only the redaction literal changed (quote style kept)
    assert tree.config.read_text() == MAIN_CONFIG.replace("'off'", "'tools'")
    # the include: groupPolicy literals flipped, groupAllowFrom added beside its siblings
    expected_include = (
        CHANNELS.replace(
            'groupPolicy: "open",\n    accounts', 'groupPolicy: "allowlist",\n    accounts'
        )
        .replace("work: { groupPolicy: 'open' }", "work: { groupPolicy: 'allowlist' }")
        .replace(
            "      work: { groupPolicy: 'allowlist' },\n    },\n",
            '      work: { groupPolicy: \'allowlist\' },\n    },\n    "groupAllowFrom": ["+15550001", "+15550002"],\n',
        )
        .replace('telegram: { groupPolicy: "open"', 'telegram: { groupPolicy: "allowlist"')
    )
    assert tree.include.read_text() == expected_include
    parsed = json5.loads(tree.include.read_text())
    assert parsed["telegram"]["dmPolicy"] == "open"  # never touched
    assert (tree.state / "openclaw.json.bak").read_text() == MAIN_CONFIG
    assert (tree.state / "channels.json5.bak").read_text() == CHANNELS
    assert mode(tree.state / "openclaw.json.bak") == 0o600
    assert stray_files(tree.state) == []


def test_second_run_is_a_no_op(tree: Tree) -> None:
    run_fix(tree.options())
    before = tree.snapshot()
    again = run_fix(tree.options())
    assert again.ok and list(again.changes) == [] and again.config_written is False
    assert all(a["ok"] is False for a in action_dicts(again))
    assert {a.get("skipped") for a in action_dicts(again)} <= {"already", "missing"}
    assert tree.snapshot() == before  # no new backups, nothing rewritten


def test_sibling_key_beats_include_so_the_main_file_is_edited(tree: Tree) -> None:
    tree.config.write_text(
        '{\n  channels: {\n    $include: "./channels.json5",\n'
        '    telegram: { groupPolicy: "open" },\n  },\n}\n'
    )
    tree.include.write_text('{ telegram: { groupPolicy: "allowlist", x: 1 } }\n')
    result = run_fix(tree.options())
    assert list(result.changes) == ["channels.telegram.groupPolicy=open -> allowlist"]
    assert 'telegram: { groupPolicy: "allowlist" }' in tree.config.read_text()
    assert tree.include.read_text() == '{ telegram: { groupPolicy: "allowlist", x: 1 } }\n'
    assert not (tree.state / "channels.json5.bak").exists()


def test_defaults_block_and_accounts_are_flipped_but_inherited_values_are_not(tree: Tree) -> None:
    tree.config.write_text(
        "{ channels: { defaults: { groupPolicy: 'open', dmPolicy: 'open' },\n"
        "  slack: { accounts: { a: { groupPolicy: 'open' }, b: {} } } } }\n"
    )
    result = run_fix(tree.options())
    assert list(result.changes) == [
        "channels.defaults.groupPolicy=open -> allowlist",
        "channels.slack.accounts.a.groupPolicy=open -> allowlist",
    ]
    assert json5.loads(tree.config.read_text()) == {
        "channels": {
            "defaults": {"groupPolicy": "allowlist", "dmPolicy": "open"},
            "slack": {"accounts": {"a": {"groupPolicy": "allowlist"}, "b": {}}},
        }
    }


def test_whatsapp_seeding_only_for_sections_flipped_now(tree: Tree) -> None:
    (tree.creds / "whatsapp-work-allowFrom.json").write_text('{"allowFrom": ["+1777", 42]}')
    (tree.creds / "whatsapp-home-allowFrom.json").write_text('{"allowFrom": ["+1888"]}')
    tree.config.write_text(
        "{ channels: { whatsapp: { groupPolicy: 'allowlist', groupAllowFrom: [],\n"
        "  accounts: {\n"
        "    work: { groupPolicy: 'open', groupAllowFrom: [] },\n"
        "    home: { groupPolicy: 'allowlist' },\n"
        "    kept: { groupPolicy: 'open', allowFrom: ['+1999'] },\n"
        "  } } } }\n"
    )
    result = run_fix(tree.options())
    assert list(result.changes) == [
        "channels.whatsapp.accounts.work.groupPolicy=open -> allowlist",
        "channels.whatsapp.accounts.kept.groupPolicy=open -> allowlist",
        "channels.whatsapp.accounts.work.groupAllowFrom=pairing-store",
    ]
    wa = json5.loads(tree.config.read_text())["channels"]["whatsapp"]
    assert wa["groupAllowFrom"] == []  # top level was not flipped in this run
    assert wa["accounts"]["work"]["groupAllowFrom"] == ["+1777", "42"]
    assert "groupAllowFrom" not in wa["accounts"]["home"]
    assert "groupAllowFrom" not in wa["accounts"]["kept"]


def test_value_from_env_var_is_not_rewritten(tree: Tree) -> None:
    tree.config.write_text(
        '{ logging: { redactSensitive: "${REDACT}" }, channels: { telegram: { groupPolicy: "open" } } }'
    )
    options = tree.options()
    from dataclasses import replace

    options = replace(options, env={**tree.env(), "REDACT": "off"})
    result = run_fix(options)
    assert list(result.errors) == [
        "logging.redactSensitive: value comes from ${REDACT}; edit the environment instead"
    ]
    assert not result.ok
    assert list(result.changes) == ["channels.telegram.groupPolicy=open -> allowlist"]
    assert '"${REDACT}"' in tree.config.read_text()
    assert 'groupPolicy: "allowlist"' in tree.config.read_text()


def test_read_only_config_records_an_error_and_writes_nothing(tree: Tree) -> None:
    os.chmod(tree.config, 0o444)
    before = tree.config.read_bytes()
    include_before = tree.include.read_bytes()
    result = run_fix(tree.options())
    assert not result.ok and result.config_written is False
    assert list(result.errors) == [f"replaceConfigFile failed: {tree.config}: file is read-only"]
    assert tree.config.read_bytes() == before
    assert tree.include.read_bytes() == include_before  # all files or none
    assert stray_files(tree.state) == []
    assert not (tree.state / "openclaw.json.bak").exists()
    # permissions still ran; read-only stays read-only (only bits cleared)
    assert mode(tree.config) == 0o400 and mode(tree.state) == 0o700


def test_disk_full_leaves_original_and_no_temp(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree.config.read_bytes()

    def full(fd: int, data: bytes) -> None:
        os.write(fd, data[:5])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer, "_write_all", full)
    result = run_fix(tree.options())
    assert list(result.errors) == [
        f"replaceConfigFile failed: {tree.config}: No space left on device"
    ]
    assert tree.config.read_bytes() == before
    assert stray_files(tree.state) == []


def test_failed_second_rename_restores_the_first_file(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    main_before, inc_before = tree.config.read_bytes(), tree.include.read_bytes()
    real_replace = os.replace

    def flaky(src: str, dst: str) -> None:
        if str(dst) == str(tree.include) and str(src).endswith(".tmp"):
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", flaky)
    result = run_fix(tree.options())
    assert list(result.errors) == [f"replaceConfigFile failed: {tree.include}: Input/output error"]
    assert tree.config.read_bytes() == main_before
    assert tree.include.read_bytes() == inc_before
    assert stray_files(tree.state) == []


def test_mode_and_backup_rotation(tree: Tree) -> None:
    os.chmod(tree.state, 0o700)
    tree.config.write_text("{ logging: { redactSensitive: 'off' } }")
    os.chmod(tree.config, 0o640)
    run_fix(tree.options())
    assert mode(tree.config) == 0o600  # written with 640, then tightened by the chmod step
    for i in range(6):
        tree.config.write_text(f"// round {i}\n{{ logging: {{ redactSensitive: 'off' }} }}")
        assert run_fix(tree.options()).config_written
    names = sorted(p.name for p in tree.state.iterdir() if ".bak" in p.name)
    assert names == [f"openclaw.json.bak{s}" for s in ("", ".1", ".2", ".3", ".4")]
    assert (tree.state / "openclaw.json.bak").read_text().startswith("// round 5")
    assert (tree.state / "openclaw.json.bak.4").read_text().startswith("// round 1")


def test_symlinked_config_edits_the_target_and_keeps_the_link(tree: Tree) -> None:
    real_dir = tree.state / "real"
    real_dir.mkdir()
    target = real_dir / "openclaw.json"
    target.write_text("{ logging: { redactSensitive: 'off' } }")
    tree.config.unlink()
    tree.config.symlink_to(target)
    result = run_fix(tree.options())
    assert result.config_written, result.errors
    assert tree.config.is_symlink()
    assert target.read_text() == "{ logging: { redactSensitive: 'tools' } }"
    assert (real_dir / "openclaw.json.bak").exists()
    assert action_dicts(result)[1]["skipped"] == "symlink"


def test_dry_run_changes_nothing(tree: Tree) -> None:
    before = tree.snapshot()
    result = run_fix(tree.options(), dry_run=True)
    assert tree.snapshot() == before
    doc = result.to_json()
    assert doc["dryRun"] is True and doc["configWritten"] is False
    assert doc["changes"] == EXPECTED_CHANGES
    assert [d["path"] for d in doc["diffs"]] == [str(tree.config), str(tree.include)]
    assert doc["diffs"][0]["diff"].startswith(f"--- {tree.config}\n+++ {tree.config} (fixed)\n@@")
    assert "-  logging: { redactSensitive: 'off' }" in doc["diffs"][0]["diff"]
    state_action = doc["actions"][0]
    assert state_action == {
        "kind": "chmod",
        "path": str(tree.state),
        "mode": 448,
        "ok": False,
        "planned": True,
    }


def test_invalid_config_is_an_input_error_and_nothing_changes(tree: Tree) -> None:
    tree.config.write_text("{ logging: ")
    before = tree.snapshot()
    with pytest.raises(ConfigError):
        run_fix(tree.options())
    assert tree.snapshot() == before


def test_missing_config_only_fixes_permissions(tree: Tree) -> None:
    tree.config.unlink()
    tree.include.unlink()
    result = run_fix(tree.options())
    assert result.ok and list(result.changes) == [] and not result.config_written
    assert action_dicts(result)[1]["skipped"] == "missing"
    assert mode(tree.state) == 0o700


def test_concurrent_fix_is_refused(tree: Tree) -> None:
    fd = os.open(tree.state, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        before = tree.snapshot()
        result = run_fix(tree.options())
        assert not result.ok and "another openclaw-audit --fix" in result.errors[0]
        assert action_dicts(result) == [] and tree.snapshot() == before
    finally:
        os.close(fd)
    assert run_fix(tree.options()).ok  # released: the next run proceeds


def test_verification_rejects_a_patch_that_does_not_match_the_plan(tree: Tree) -> None:
    from openclaw_audit.config.loader import load_config
    from openclaw_audit.fix.apply import prepare_edits
    from openclaw_audit.fix.plan import build_plan
    from openclaw_audit.fix.verify import verify_merged

    loaded = load_config(env=tree.env())
    plan = build_plan(loaded, ["main"])
    files = prepare_edits(loaded, plan.edits)
    texts = {f.path: f.new_text for f in files}
    assert verify_merged(loaded, texts, plan.edits)
    texts[str(tree.include)] = texts[str(tree.include)].replace('"+15550002"', '"+19990000"')
    assert not verify_merged(loaded, texts, plan.edits)
    assert not verify_merged(loaded, texts, plan.edits[:1])


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_owner_and_group_are_kept(tree: Tree) -> None:
    os.chown(tree.include, 4321, 4322)
    run_fix(tree.options())
    st = os.stat(tree.include)
    assert (st.st_uid, st.st_gid) == (4321, 4322)
    assert "allowlist" in tree.include.read_text()
