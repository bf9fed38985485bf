"""Permission actions on real temp dirs (fix.md §3, B4) and the Windows icacls reset."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conftest import Tree, mode

from openclaw_audit.fix.apply import apply_plan, run_chmod, run_icacls
from openclaw_audit.fix.plan import FixPlan, plan_chmod, plan_icacls, plan_permissions
from openclaw_audit.fix.run import run_fix
from openclaw_audit.report.model import FixResult


def action_dicts(result: FixResult) -> list[dict[str, Any]]:
    """The permission actions as they appear in the JSON fix object."""
    return [a.to_json() for a in result.actions]


def actions_by_path(result_actions: list[dict]) -> dict[str, dict]:
    return {a["path"]: a for a in result_actions}


def test_every_target_in_spec_order(tree: Tree) -> None:
    result = run_fix(tree.options())
    paths = [a["path"] for a in action_dicts(result)]
    agent_base = tree.state / "agents" / "main"
    sqlite = tree.agent / "openclaw-agent.sqlite"
    assert paths == [
        str(tree.state),
        str(tree.config),
        str(tree.include),
        str(tree.creds),
        str(tree.creds / "telegram-allowFrom.json"),
        str(tree.creds / "whatsapp-allowFrom.json"),
        str(agent_base),
        str(tree.agent),
        str(sqlite),
        f"{sqlite}-wal",
        f"{sqlite}-shm",
        f"{sqlite}-journal",
        str(tree.agent / "auth-profiles.json"),
        str(tree.sessions),
        str(tree.sessions / "sessions.json"),
        str(tree.sessions / "a.jsonl"),
        str(tree.sessions / "b.jsonl"),
    ]
    by = actions_by_path(action_dicts(result))
    assert by[str(tree.state)] == {
        "kind": "chmod",
        "path": str(tree.state),
        "mode": 448,
        "ok": True,
    }
    assert by[str(tree.config)]["mode"] == 384 and by[str(tree.config)]["ok"] is True
    assert by[f"{sqlite}-shm"] == {
        "kind": "chmod",
        "path": f"{sqlite}-shm",
        "mode": 384,
        "ok": False,
        "skipped": "missing",
    }
    for p in (tree.state, tree.creds, agent_base, tree.agent, tree.sessions):
        assert mode(p) == 0o700, p
    for p in (tree.config, tree.include, sqlite, tree.sessions / "a.jsonl"):
        assert mode(p) == 0o600, p
    # Not targets: other files in sessions, subdirectories of credentials and what is inside.
    assert mode(tree.sessions / "notes.txt") == 0o666
    assert mode(tree.creds / "whatsapp") == 0o777
    assert mode(tree.creds / "whatsapp" / "default" / "creds.json") == 0o666
    assert mode(tree.state / "agents") == 0o777


def test_never_widens_and_keeps_special_bits(tmp_path: Path) -> None:
    ro = tmp_path / "ro.json"
    ro.write_text("{}")
    os.chmod(ro, 0o400)
    d = tmp_path / "d"
    d.mkdir()
    os.chmod(d, 0o500)
    assert plan_chmod(str(ro), False).skipped == "already"
    assert plan_chmod(str(d), True).skipped == "already"
    os.chmod(ro, 0o444)  # read for all -> only the owner's read survives
    action = run_chmod(plan_chmod(str(ro), False))
    assert action.pending and mode(ro) == 0o400
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    run_chmod(plan_chmod(str(sticky), True))
    assert mode(sticky) == 0o1700
    exe = tmp_path / "exe.json"
    exe.write_text("{}")
    os.chmod(exe, 0o755)
    run_chmod(plan_chmod(str(exe), False))
    assert mode(exe) == 0o600  # owner execute is cleared for files


def test_symlink_is_skipped_and_target_untouched(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}")
    os.chmod(real, 0o666)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    action = plan_chmod(str(link), False)
    assert action.skipped == "symlink"
    plan = FixPlan(state_dir=str(tmp_path), config_path=str(link), actions=[action])
    from openclaw_audit.config.loader import load_config

    result = apply_plan(plan, load_config(env={"HOME": str(tmp_path)}, config_path=str(link)))
    assert action_dicts(result) == [
        {"kind": "chmod", "path": str(link), "mode": 384, "ok": False, "skipped": "symlink"}
    ]
    assert mode(real) == 0o666


def test_symlink_swapped_in_after_planning_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("x")
    os.chmod(victim, 0o644)
    path = tmp_path / "f.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    planned = plan_chmod(str(path), False)
    path.unlink()
    path.symlink_to(victim)
    done = run_chmod(planned)
    assert done.skipped == "symlink"
    assert mode(victim) == 0o644


def test_wrong_types_and_missing(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("")
    d = tmp_path / "dir"
    d.mkdir()
    assert plan_chmod(str(f), True).skipped == "not-a-directory"
    assert plan_chmod(str(d), False).skipped == "not-a-file"
    assert plan_chmod(str(tmp_path / "nope"), False).skipped == "missing"
    err = plan_chmod(str(f / "below"), False)  # ENOTDIR is an error, not "missing"
    assert err.skipped is None and err.error


def test_chmod_of_a_file_we_cannot_open(tmp_path: Path) -> None:
    # Mode 0o266: as non-root the owner cannot open it for reading; the fallback still works.
    f = tmp_path / "wo.json"
    f.write_text("{}")
    os.chmod(f, 0o266)
    done = run_chmod(plan_chmod(str(f), False))
    assert done.pending and mode(f) == 0o200


# --- Windows ---------------------------------------------------------------------------------

WIN_ENV = {"USERNAME": "tester", "USERDOMAIN": "DESK"}


def open_acl(target: str) -> str:
    return f"{target} BUILTIN\\Users:(RX)\n DESK\\tester:(F)\nSuccessfully processed 1 files"


def private_acl(target: str) -> str:
    return f"{target} NT AUTHORITY\\SYSTEM:(F)\n DESK\\tester:(F)\nSuccessfully processed 1 files"


def test_icacls_reset_runs_the_reset_command(tmp_path: Path) -> None:
    d = tmp_path / "state"
    d.mkdir()
    f = tmp_path / "openclaw.json"
    f.write_text("{}")
    calls: list[Sequence[str]] = []
    actions = plan_permissions(
        [(str(d), True), (str(f), False), (str(tmp_path / "gone"), False)],
        platform="win32",
        env=WIN_ENV,
        inspector=open_acl,
    )
    done = [run_icacls(a, calls.append) for a in actions]
    assert calls == [
        (
            "icacls",
            str(d),
            "/inheritance:r",
            "/grant:r",
            "DESK\\tester:(OI)(CI)F",
            "/grant:r",
            "*S-1-5-18:(OI)(CI)F",
        ),
        (
            "icacls",
            str(f),
            "/inheritance:r",
            "/grant:r",
            "DESK\\tester:F",
            "/grant:r",
            "*S-1-5-18:F",
        ),
    ]
    assert done[0].command == (
        f'icacls "{d}" /inheritance:r /grant:r "DESK\\tester:(OI)(CI)F" /grant:r "*S-1-5-18:(OI)(CI)F"'
    )
    assert done[0].pending and done[2].skipped == "missing"


def test_icacls_already_private_missing_user_and_failure(tmp_path: Path) -> None:
    f = tmp_path / "openclaw.json"
    f.write_text("{}")
    assert plan_icacls(str(f), False, WIN_ENV, private_acl).skipped == "already"
    assert plan_icacls(str(f), False, {}, open_acl).skipped == "missing-user"

    def fail(argv: Sequence[str]) -> None:
        raise subprocess.CalledProcessError(5, list(argv))

    done = run_icacls(plan_icacls(str(f), False, WIN_ENV, open_acl), fail)
    assert done.error == "icacls exited with status 5" and not done.pending


def test_icacls_result_json_shape(tree: Tree) -> None:
    calls: list[Sequence[str]] = []
    env = {**tree.env(), **WIN_ENV}
    from openclaw_audit.engine.options import AuditOptions

    result = run_fix(
        AuditOptions(env=env),
        platform="win32",
        icacls_inspector=open_acl,
        icacls_exec=calls.append,
    )
    first = action_dicts(result)[0]
    assert list(first) == ["kind", "path", "command", "ok"]
    assert first["kind"] == "icacls" and first["ok"] is True
    assert len(calls) == sum(1 for a in action_dicts(result) if a["ok"])
    assert mode(tree.config) == 0o666  # POSIX bits untouched on the Windows branch
