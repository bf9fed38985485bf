"""Filesystem permission checks on real temp dirs (checks-filesystem.md §2)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from builders import by_id, ids, make_ctx, one, run_checks
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage
from openclaw_audit.facts.files import log_file_path
from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.state import view as state_mod
from openclaw_audit.static_checks.fs_synced_dir import is_synced_path


def mkdir(path: Path, mode: int = 0o700) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    return path


def mkfile(path: Path, mode: int = 0o600, text: str = "{}\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def state(tmp_path: Path, mode: int = 0o700) -> Path:
    return mkdir(tmp_path / "state", mode)


def ctx_for(sd: Path, config: dict[str, Any] | None = None, **kw: Any) -> AuditContext:
    kw.setdefault("env", {"HOME": str(sd.parent)})
    return make_ctx(config or {}, state_dir=sd, **kw)


def fs(ctx: AuditContext) -> list[Finding]:
    return run_checks(ctx, stages=[Stage.FILESYSTEM])


# --- state dir ---------------------------------------------------------------------------------


def test_private_state_dir_and_config_produce_nothing(tmp_path: Path) -> None:
    sd = state(tmp_path, 0o700)
    mkfile(sd / "openclaw.json", 0o600)
    mkdir(sd / "credentials", 0o700)
    assert fs(ctx_for(sd)) == []


def test_missing_state_dir_produces_nothing(tmp_path: Path) -> None:
    assert fs(ctx_for(tmp_path / "absent")) == []


@pytest.mark.parametrize(
    ("mode", "check_id", "severity"),
    [
        (0o777, "fs.state_dir.perms_world_writable", Severity.CRITICAL),
        (0o702, "fs.state_dir.perms_world_writable", Severity.CRITICAL),
        (0o770, "fs.state_dir.perms_group_writable", Severity.WARN),
        (0o720, "fs.state_dir.perms_group_writable", Severity.WARN),
        (0o755, "fs.state_dir.perms_readable", Severity.WARN),
        (0o740, "fs.state_dir.perms_readable", Severity.WARN),
        (0o704, "fs.state_dir.perms_readable", Severity.WARN),
    ],
)
def test_state_dir_ladder_one_finding_per_path(
    tmp_path: Path, mode: int, check_id: str, severity: Severity
) -> None:
    sd = state(tmp_path, mode)
    found = fs(ctx_for(sd))
    assert ids(found) == [check_id]
    f = found[0]
    assert f.severity is severity
    assert f.detail.startswith(f"{sd} mode={mode:03o}; ")
    assert f.remediation == f"chmod 700 {sd}"
    assert f.subject == str(sd)


def test_state_dir_execute_only_bits_are_ignored(tmp_path: Path) -> None:
    sd = state(tmp_path, 0o711)
    assert fs(ctx_for(sd)) == []


def test_symlinked_state_dir_warns_first_and_judges_target(tmp_path: Path) -> None:
    real = mkdir(tmp_path / "real", 0o777)
    link = tmp_path / "state"
    link.symlink_to(real)
    found = fs(ctx_for(link))
    assert ids(found) == ["fs.state_dir.symlink", "fs.state_dir.perms_world_writable"]
    assert found[0].severity is Severity.WARN
    assert found[0].remediation  # guidance text, not a command
    assert "chmod" not in found[0].remediation
    assert found[1].detail.startswith(f"{link} mode=777")
    assert found[1].remediation == f"chmod 700 {link}"


def test_symlinked_private_state_dir_only_warns_about_link(tmp_path: Path) -> None:
    real = mkdir(tmp_path / "real", 0o700)
    link = tmp_path / "state"
    link.symlink_to(real)
    assert ids(fs(ctx_for(link))) == ["fs.state_dir.symlink"]


def test_dangling_state_dir_symlink_reports_only_the_link(tmp_path: Path) -> None:
    link = tmp_path / "state"
    link.symlink_to(tmp_path / "gone")
    # The link's own bits (always 777 on Linux) say nothing about a target that does not
    # exist, so no perms rung fires (a deliberate deviation from spec §1.3 step 3).
    assert ids(fs(ctx_for(link))) == ["fs.state_dir.symlink"]


# --- config ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "check_id", "severity"),
    [
        (0o666, "fs.config.perms_writable", Severity.CRITICAL),
        (0o602, "fs.config.perms_writable", Severity.CRITICAL),
        (0o620, "fs.config.perms_writable", Severity.CRITICAL),
        (0o644, "fs.config.perms_world_readable", Severity.CRITICAL),
        (0o604, "fs.config.perms_world_readable", Severity.CRITICAL),
        (0o640, "fs.config.perms_group_readable", Severity.WARN),
    ],
)
def test_config_ladder(tmp_path: Path, mode: int, check_id: str, severity: Severity) -> None:
    sd = state(tmp_path)
    cfg = mkfile(sd / "openclaw.json", mode)
    found = fs(ctx_for(sd))
    assert ids(found) == [check_id]
    assert found[0].severity is severity
    assert found[0].detail.startswith(f"{cfg} mode={mode:03o}; ")
    assert found[0].remediation == f"chmod 600 {cfg}"


def test_config_outside_state_dir(tmp_path: Path) -> None:
    sd = state(tmp_path)
    cfg = mkfile(tmp_path / "elsewhere" / "my.json", 0o644)
    f = one(fs(ctx_for(sd, config_path=cfg)), "fs.config.perms_world_readable")
    assert f.remediation == f"chmod 600 {cfg}"


def test_symlinked_config_suppresses_readable_findings(tmp_path: Path) -> None:
    sd = state(tmp_path)
    target = mkfile(tmp_path / "real.json", 0o644)
    (sd / "openclaw.json").symlink_to(target)
    assert ids(fs(ctx_for(sd))) == ["fs.config.symlink"]


def test_symlinked_config_still_reports_writable_target(tmp_path: Path) -> None:
    sd = state(tmp_path)
    target = mkfile(tmp_path / "real.json", 0o664)
    link = sd / "openclaw.json"
    link.symlink_to(target)
    found = fs(ctx_for(sd))
    assert ids(found) == ["fs.config.symlink", "fs.config.perms_writable"]
    assert found[1].detail.startswith(f"{link} mode=664")
    assert found[1].remediation == f"chmod 600 {link}"
    assert "OPENCLAW_CONFIG_PATH" in (found[0].remediation or "")


def test_dangling_config_symlink_reports_only_the_link(tmp_path: Path) -> None:
    sd = state(tmp_path)
    (sd / "openclaw.json").symlink_to(tmp_path / "missing.json")
    assert ids(fs(ctx_for(sd))) == ["fs.config.symlink"]


def test_config_path_through_a_regular_file_is_silent(tmp_path: Path) -> None:
    # ENOTDIR on lstat: treated like a missing path.
    sd = state(tmp_path)
    blocker = mkfile(tmp_path / "blocker", 0o600)
    assert fs(ctx_for(sd, config_path=blocker / "openclaw.json")) == []


def test_permission_denied_lstat_is_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # We run as root, so EACCES is simulated at the lstat call StateView makes.
    sd = state(tmp_path, 0o777)
    cfg = mkfile(sd / "openclaw.json", 0o666)
    real_lstat = os.lstat
    denied = {str(sd), str(cfg)}

    def lstat(path: Any, *a: Any, **kw: Any) -> os.stat_result:
        if os.fspath(path) in denied:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_lstat(path, *a, **kw)

    monkeypatch.setattr(state_mod.os, "lstat", lstat)
    assert fs(ctx_for(sd)) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can lstat through a 000 directory")
def test_unreadable_parent_dir_is_silent_for_non_root(tmp_path: Path) -> None:
    sd = state(tmp_path)
    locked = mkdir(sd / "agents", 0o700)
    mkfile(locked / "main" / "sessions" / "sessions.json", 0o644)
    os.chmod(locked, 0o000)
    try:
        assert fs(ctx_for(sd)) == []
    finally:
        os.chmod(locked, 0o700)


# --- include files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "check_id", "severity"),
    [
        (0o666, "fs.config_include.perms_writable", Severity.CRITICAL),
        (0o620, "fs.config_include.perms_writable", Severity.CRITICAL),
        (0o644, "fs.config_include.perms_world_readable", Severity.CRITICAL),
        (0o640, "fs.config_include.perms_group_readable", Severity.WARN),
    ],
)
def test_include_ladder(tmp_path: Path, mode: int, check_id: str, severity: Severity) -> None:
    sd = state(tmp_path)
    mkfile(sd / "openclaw.json", 0o600)
    inc = mkfile(sd / "secrets.json5", mode)
    found = fs(ctx_for(sd, include_files=[str(inc)]))
    assert ids(found) == [check_id]
    assert found[0].severity is severity
    assert found[0].detail.startswith(f"{inc} mode={mode:03o}; ")
    assert found[0].remediation == f"chmod 600 {inc}"
    assert found[0].subject == str(inc)


def test_includes_in_collection_order_missing_ones_skipped(tmp_path: Path) -> None:
    sd = state(tmp_path)
    mkfile(sd / "openclaw.json", 0o600)
    a = mkfile(sd / "a.json5", 0o644)
    b = mkfile(sd / "b.json5", 0o600)
    c = mkfile(sd / "c.json5", 0o660)
    found = fs(ctx_for(sd, include_files=[str(c), str(sd / "missing.json5"), str(b), str(a)]))
    assert [f.subject for f in found] == [str(c), str(a)]
    assert ids(found) == [
        "fs.config_include.perms_writable",
        "fs.config_include.perms_world_readable",
    ]


def test_includes_ignored_without_main_config(tmp_path: Path) -> None:
    sd = state(tmp_path)
    inc = mkfile(sd / "inc.json5", 0o666)
    assert fs(ctx_for(sd, include_files=[str(inc)])) == []


# --- credentials dir ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "check_id", "severity"),
    [
        (0o777, "fs.credentials_dir.perms_writable", Severity.CRITICAL),
        (0o770, "fs.credentials_dir.perms_writable", Severity.CRITICAL),
        (0o755, "fs.credentials_dir.perms_readable", Severity.WARN),
        (0o750, "fs.credentials_dir.perms_readable", Severity.WARN),
    ],
)
def test_credentials_dir_ladder(
    tmp_path: Path, mode: int, check_id: str, severity: Severity
) -> None:
    sd = state(tmp_path)
    creds = mkdir(sd / "credentials", mode)
    found = fs(ctx_for(sd))
    assert ids(found) == [check_id]
    assert found[0].severity is severity
    assert found[0].remediation == f"chmod 700 {creds}"


def test_credentials_path_that_is_a_file_is_not_judged(tmp_path: Path) -> None:
    sd = state(tmp_path)
    mkfile(sd / "credentials", 0o666)
    assert fs(ctx_for(sd)) == []


def test_oauth_dir_override_and_symlinked_creds_dir(tmp_path: Path) -> None:
    sd = state(tmp_path)
    real = mkdir(tmp_path / "oauth-real", 0o755)
    link = tmp_path / "oauth"
    link.symlink_to(real)
    f = one(fs(ctx_for(sd, creds_dir=link)), "fs.credentials_dir.perms_readable")
    assert f.remediation == f"chmod 700 {link}"


# --- per-agent stores --------------------------------------------------------------------------


def agent_file(sd: Path, agent: str, rel: str, mode: int) -> Path:
    return mkfile(sd / "agents" / agent / rel, mode)


def test_auth_profiles_writable_and_readable(tmp_path: Path) -> None:
    sd = state(tmp_path)
    w = agent_file(sd, "main", "agent/auth-profiles.json", 0o620)
    found = fs(ctx_for(sd))
    f = one(found, "fs.auth_profiles.perms_writable")
    assert f.severity is Severity.CRITICAL
    assert f.remediation == f"chmod 600 {w}"
    assert f.detail.startswith(f"{w} mode=620; ")
    assert "legacy" not in f.title.lower()

    os.chmod(w, 0o604)
    f = one(fs(ctx_for(sd)), "fs.auth_profiles.perms_readable")
    assert f.severity is Severity.WARN


def test_auth_profiles_private_is_silent(tmp_path: Path) -> None:
    sd = state(tmp_path)
    agent_file(sd, "main", "agent/auth-profiles.json", 0o600)
    agent_file(sd, "main", "agent/openclaw-agent.sqlite", 0o600)
    assert fs(ctx_for(sd)) == []


def test_sqlite_auth_store_and_siblings_one_finding_each(tmp_path: Path) -> None:
    sd = state(tmp_path)
    js = agent_file(sd, "main", "agent/auth-profiles.json", 0o644)
    db = agent_file(sd, "main", "agent/openclaw-agent.sqlite", 0o644)
    wal = agent_file(sd, "main", "agent/openclaw-agent.sqlite-wal", 0o664)
    shm = agent_file(sd, "main", "agent/openclaw-agent.sqlite-shm", 0o600)
    jr = agent_file(sd, "main", "agent/openclaw-agent.sqlite-journal", 0o640)
    found = fs(ctx_for(sd))
    assert [(f.check_id, f.subject) for f in found] == [
        ("fs.auth_profiles.perms_readable", str(js)),
        ("fs.auth_profiles.perms_readable", str(db)),
        ("fs.auth_profiles.perms_writable", str(wal)),
        ("fs.auth_profiles.perms_readable", str(jr)),
    ]
    assert str(shm) not in {f.subject for f in found}
    assert "legacy" in found[0].title.lower()
    assert "sqlite" in found[1].title.lower()


def test_sessions_store_readable_but_not_writable_variant(tmp_path: Path) -> None:
    sd = state(tmp_path)
    s = agent_file(sd, "main", "sessions/sessions.json", 0o640)
    f = one(fs(ctx_for(sd)), "fs.sessions_store.perms_readable")
    assert f.severity is Severity.WARN
    assert f.remediation == f"chmod 600 {s}"
    os.chmod(s, 0o622)  # writable by others but not readable: no finding by design
    assert fs(ctx_for(sd)) == []
    os.chmod(s, 0o600)
    assert fs(ctx_for(sd)) == []


def test_transcripts_are_not_audited(tmp_path: Path) -> None:
    sd = state(tmp_path)
    agent_file(sd, "main", "sessions/abc.jsonl", 0o644)
    assert fs(ctx_for(sd)) == []


def test_agents_from_roster_normalised_and_ordered(tmp_path: Path) -> None:
    sd = state(tmp_path)
    for agent in ("main", "work", "ops-team", "stray"):
        agent_file(sd, agent, "sessions/sessions.json", 0o644)
    config = {
        "agents": {"list": [{"id": "Ops Team"}, {"id": "work", "default": True}, {"id": " "}]}
    }
    found = by_id(fs(ctx_for(sd, config)), "fs.sessions_store.perms_readable")
    # main first, then the default agent, then roster order; "stray" is not configured.
    assert [Path(f.subject or "").parts[-3] for f in found] == ["main", "work", "ops-team"]


def test_agents_from_entries_map(tmp_path: Path) -> None:
    sd = state(tmp_path)
    agent_file(sd, "helper", "agent/auth-profiles.json", 0o666)
    found = fs(ctx_for(sd, {"agents": {"entries": {"Helper": {}}}}))
    assert ids(found) == ["fs.auth_profiles.perms_writable"]


def test_per_agent_order_auth_then_sessions(tmp_path: Path) -> None:
    sd = state(tmp_path)
    agent_file(sd, "main", "sessions/sessions.json", 0o644)
    agent_file(sd, "main", "agent/auth-profiles.json", 0o644)
    agent_file(sd, "b", "sessions/sessions.json", 0o644)
    agent_file(sd, "b", "agent/openclaw-agent.sqlite", 0o644)
    found = fs(ctx_for(sd, {"agents": {"list": [{"id": "b"}]}}))
    assert [(f.check_id, Path(f.subject or "").name) for f in found] == [
        ("fs.auth_profiles.perms_readable", "auth-profiles.json"),
        ("fs.sessions_store.perms_readable", "sessions.json"),
        ("fs.auth_profiles.perms_readable", "openclaw-agent.sqlite"),
        ("fs.sessions_store.perms_readable", "sessions.json"),
    ]


def test_agent_without_a_usable_directory_is_skipped_without_looking_below(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sd = state(tmp_path)
    mkfile(sd / "agents" / "plain", 0o644)  # a file where the agent's directory would be
    real = agent_file(tmp_path, "real", "sessions/sessions.json", 0o644).parent.parent
    mkdir(sd / "agents")
    (sd / "agents" / "linked").symlink_to(real)  # a symlinked agent directory still counts
    agent_file(sd, "kept", "agent/auth-profiles.json", 0o644)
    seen: list[str] = []
    real_lstat = os.lstat

    def lstat(path: Any, *a: Any, **kw: Any) -> os.stat_result:
        seen.append(os.fspath(path))
        return real_lstat(path, *a, **kw)

    monkeypatch.setattr(state_mod.os, "lstat", lstat)
    roster = [{"id": i} for i in ("main", "gone", "plain", "linked", "kept")]
    found = fs(ctx_for(sd, {"agents": {"list": roster}}))
    assert [(f.check_id, Path(f.subject or "").relative_to(sd).parts[1]) for f in found] == [
        ("fs.sessions_store.perms_readable", "linked"),
        ("fs.auth_profiles.perms_readable", "kept"),
    ]
    for agent in ("main", "gone", "plain"):  # only the directory itself was looked at
        assert [p for p in seen if f"{os.sep}{agent}{os.sep}" in p] == []


# --- log file ----------------------------------------------------------------------------------


def test_log_file_readable_with_tilde_from_ctx_env(tmp_path: Path) -> None:
    sd = state(tmp_path)
    home = mkdir(tmp_path / "home", 0o700)
    log = mkfile(home / "logs" / "gw.log", 0o644, "x")
    ctx = ctx_for(sd, {"logging": {"file": "  ~/logs/gw.log "}}, env={"HOME": str(home)})
    f = one(fs(ctx), "fs.log_file.perms_readable")
    assert f.severity is Severity.WARN
    assert f.remediation == f"chmod 600 {log}"
    assert f.detail.startswith(f"{log} mode=644; ")
    assert f.location is not None and f.location.dotted == "logging.file"


def test_log_file_private_is_silent(tmp_path: Path) -> None:
    sd = state(tmp_path)
    log = mkfile(tmp_path / "gw.log", 0o600, "x")
    assert fs(ctx_for(sd, {"logging": {"file": str(log)}})) == []
    os.chmod(log, 0o622)  # no writable variant for logs
    assert fs(ctx_for(sd, {"logging": {"file": str(log)}})) == []


def test_log_file_tilde_without_home_is_skipped(tmp_path: Path) -> None:
    sd = state(tmp_path)
    ctx = ctx_for(sd, {"logging": {"file": "~/gw.log"}}, env={})
    assert log_file_path(ctx) is None
    assert fs(ctx) == []


def test_log_file_relative_resolves_against_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sd = state(tmp_path)
    work = mkdir(tmp_path / "cwd", 0o700)
    log = mkfile(work / "logs" / "gw.log", 0o640, "x")
    monkeypatch.chdir(work)
    f = one(fs(ctx_for(sd, {"logging": {"file": "logs/gw.log"}})), "fs.log_file.perms_readable")
    assert f.subject == str(log)
    assert f.remediation == f"chmod 600 {log}"


@pytest.mark.parametrize("value", [None, "", "   ", 42, ["a"], {"x": 1}])
def test_log_file_unset_or_wrong_type_is_not_checked(tmp_path: Path, value: Any) -> None:
    sd = state(tmp_path)
    assert log_file_path(ctx_for(sd, {"logging": {"file": value}})) is None


def test_log_file_tilde_forms() -> None:
    env = {"HOME": "/h"}
    assert log_file_path(make_ctx({"logging": {"file": "~"}}, env=env)) == "/h"
    assert log_file_path(make_ctx({"logging": {"file": "~/a/b.log"}}, env=env)) == "/h/a/b.log"
    other = log_file_path(make_ctx({"logging": {"file": "~bob/x.log"}}, env=env))
    assert other == os.path.abspath("~bob/x.log")


# --- emission order and Windows ----------------------------------------------------------------


def test_full_emission_order(tmp_path: Path) -> None:
    sd = state(tmp_path, 0o755)
    mkfile(sd / "openclaw.json", 0o644)
    inc = mkfile(sd / "inc.json5", 0o666)
    mkdir(sd / "credentials", 0o750)
    agent_file(sd, "main", "agent/auth-profiles.json", 0o644)
    agent_file(sd, "main", "sessions/sessions.json", 0o644)
    log = mkfile(tmp_path / "gw.log", 0o644, "x")
    ctx = ctx_for(sd, {"logging": {"file": str(log)}}, include_files=[str(inc)])
    assert ids(fs(ctx)) == [
        "fs.state_dir.perms_readable",
        "fs.config.perms_world_readable",
        "fs.config_include.perms_writable",
        "fs.credentials_dir.perms_readable",
        "fs.auth_profiles.perms_readable",
        "fs.sessions_store.perms_readable",
        "fs.log_file.perms_readable",
    ]


def fake_icacls(table: dict[str, str]) -> Any:
    def run(target: str) -> str:
        for suffix, aces in table.items():
            if target.endswith(suffix):
                return f"{target} {aces}\nSuccessfully processed 1 files; Failed processing 0 files"
        return f"{target} NT AUTHORITY\\SYSTEM:(F)\n    DESKTOP-T\\tester:(F)\n"

    return run


WIN_ENV = {"USERNAME": "tester", "USERDOMAIN": "DESKTOP-T", "HOME": "/nonexistent"}


def test_windows_uses_icacls_not_mode_bits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sd = state(tmp_path, 0o777)  # POSIX bits are ignored on win32
    mkfile(sd / "openclaw.json", 0o666)
    monkeypatch.setattr(state_mod, "run_icacls", fake_icacls({}))
    assert fs(ctx_for(sd, env=WIN_ENV, platform="win32")) == []


def test_windows_world_readable_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sd = state(tmp_path, 0o700)
    aces = (
        "NT AUTHORITY\\SYSTEM:(OI)(CI)(F)\n  BUILTIN\\Users:(OI)(CI)(RX)\n  DESKTOP-T\\tester:(F)"
    )
    monkeypatch.setattr(state_mod, "run_icacls", fake_icacls({os.sep + "state": aces}))
    f = one(fs(ctx_for(sd, env=WIN_ENV, platform="win32")), "fs.state_dir.perms_readable")
    assert f.detail.startswith(f"{sd} acl=BUILTIN\\Users:(OI)(CI)(RX); ")
    assert f.remediation == (
        f'icacls "{sd}" /inheritance:r /grant:r "DESKTOP-T\\tester:(OI)(CI)F" '
        '/grant:r "*S-1-5-18:(OI)(CI)F"'
    )


def test_windows_anonymous_sid_full_is_world_writable_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sd = state(tmp_path)
    cfg = mkfile(sd / "openclaw.json", 0o600)
    table = {"openclaw.json": "*S-1-5-18:(F)\n *S-1-5-7:(F)"}
    monkeypatch.setattr(state_mod, "run_icacls", fake_icacls(table))
    f = one(fs(ctx_for(sd, env=WIN_ENV, platform="win32")), "fs.config.perms_writable")
    assert f.remediation == (
        f'icacls "{cfg}" /inheritance:r /grant:r "DESKTOP-T\\tester:F" /grant:r "*S-1-5-18:F"'
    )


def test_windows_other_user_read_is_group_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sd = state(tmp_path)
    mkfile(sd / "openclaw.json", 0o600)
    table = {"openclaw.json": "DESKTOP-T\\tester:(F)\n DESKTOP-T\\guest2:(R)"}
    monkeypatch.setattr(state_mod, "run_icacls", fake_icacls(table))
    found = fs(ctx_for(sd, env=WIN_ENV, platform="win32"))
    assert ids(found) == ["fs.config.perms_group_readable"]


def test_windows_icacls_failure_reports_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sd = state(tmp_path, 0o777)

    def broken(target: str) -> str:
        raise FileNotFoundError("icacls")

    monkeypatch.setattr(state_mod, "run_icacls", broken)
    assert fs(ctx_for(sd, env=WIN_ENV, platform="win32")) == []


def test_windows_symlink_still_uses_lstat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = mkdir(tmp_path / "real", 0o700)
    link = tmp_path / "state"
    link.symlink_to(real)
    monkeypatch.setattr(state_mod, "run_icacls", fake_icacls({}))
    assert ids(fs(ctx_for(link, env=WIN_ENV, platform="win32"))) == ["fs.state_dir.symlink"]


# --- synced dir --------------------------------------------------------------------------------


def synced(state_dir: str, config_path: str | None = None) -> list[Finding]:
    ctx = make_ctx({}, state_dir=state_dir, config_path=config_path)
    return run_checks(ctx, stages=[Stage.SYNCED_DIR])


@pytest.mark.parametrize(
    "path",
    [
        "/Users/a/Library/Mobile Documents/iCloud~x/.openclaw",
        "/Users/a/Dropbox/.openclaw",
        "/Users/a/Google Drive/.openclaw",
        "/Users/a/GoogleDrive/.openclaw",
        "C:\\Users\\a\\OneDrive\\.openclaw",
        "/Users/a/Library/Mobile Documents/com~apple~CloudDocs/openclaw",
        "/Users/a/Library/CloudStorage/Box-Box/openclaw",
    ],
)
def test_synced_dir_markers(path: str) -> None:
    f = one(synced(path), "fs.synced_dir")
    assert f.severity is Severity.WARN
    assert path in f.detail
    assert "OPENCLAW_STATE_DIR" in (f.remediation or "")


def test_synced_dir_names_each_matching_path_once() -> None:
    found = synced("/Users/a/Dropbox/oc", "/Users/a/OneDrive/oc.json")
    f = one(found, "fs.synced_dir")
    assert "/Users/a/Dropbox/oc" in f.detail and "/Users/a/OneDrive/oc.json" in f.detail
    only_config = one(synced("/home/a/.openclaw", "/x/Dropbox/c.json"), "fs.synced_dir")
    assert "/home/a/.openclaw" not in only_config.detail


@pytest.mark.parametrize(
    "path", ["/home/a/.openclaw", "/srv/drop/box", "/Users/a/Library/Mobile Documents/other"]
)
def test_synced_dir_near_miss(path: str) -> None:
    assert synced(path) == []
    assert not is_synced_path(path)


def test_synced_dir_emitted_before_filesystem_group(tmp_path: Path) -> None:
    sd = mkdir(tmp_path / "Dropbox" / "state", 0o755)
    found = run_checks(make_ctx({}, state_dir=sd))
    order = ids(found)
    assert order.index("fs.synced_dir") < order.index("fs.state_dir.perms_readable")
    assert order.index("summary.attack_surface") < order.index("fs.synced_dir")


@pytest.mark.parametrize(
    "config",
    [
        {"agents": "x", "logging": "y"},
        {"agents": {"list": [1, None, {"id": 5}, {"id": "../../etc"}]}},
        {"agents": {"entries": ["not", "a", "map"]}, "logging": {"file": None}},
    ],
)
def test_odd_config_never_raises_and_ids_stay_inside_state(
    tmp_path: Path, config: dict[str, Any]
) -> None:
    sd = state(tmp_path)
    agent_file(sd, "etc", "sessions/sessions.json", 0o644)
    found = fs(ctx_for(sd, config))
    assert all(str(sd) in (f.subject or "") for f in found)
