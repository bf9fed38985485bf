"""Hostile filesystems: symlink loops, dangling links, unreadable dirs, a state dir that is a
file, files owned by another user, and paths with spaces, newlines and unicode."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hostile_harness import (
    assert_audit_ran,
    assert_input_error,
    cli,
    cli_subprocess,
    finding_ids,
    state_dir,
)

NOBODY = 65534


def test_state_dir_symlink_loop(tmp_path: Path) -> None:
    # An explicit --state-dir must be a directory (trust.md §2): input error, not an audit.
    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    out = cli("--state-dir", str(loop), "--json", home=tmp_path)
    assert_input_error(out, "Too many levels of symbolic links", json_mode=True)


def test_config_symlink_loop(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, None)
    os.symlink(sd / "openclaw.json", sd / "openclaw.json")
    out = cli("--state-dir", str(sd), home=tmp_path)
    assert_input_error(out, "cannot open config file: Too many levels of symbolic links")


def test_credentials_and_agent_dirs_symlink_loops(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{}")
    os.symlink(sd / "credentials", sd / "credentials")
    (sd / "agents" / "main").mkdir(parents=True)
    os.symlink(sd / "agents" / "main" / "agent", sd / "agents" / "main" / "agent")
    os.symlink("sessions", sd / "agents" / "main" / "sessions")
    (sd / "extensions").mkdir()
    os.symlink("../extensions", sd / "extensions" / "self")
    (sd / "workspace" / "skills").mkdir(parents=True)
    os.symlink("..", sd / "workspace" / "skills" / "up")
    assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))


def test_dangling_symlinks_everywhere(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{}")
    for name in ("credentials", "logs", "extensions", ".env"):
        os.symlink(tmp_path / "nowhere" / name, sd / name)
    doc = assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))
    assert doc is not None


def test_dangling_config_symlink_is_a_clean_error(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, None)
    os.symlink(tmp_path / "gone.json", sd / "openclaw.json")
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "config file not found")


def test_state_dir_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "state"
    f.write_text("not a dir")
    out = cli("--state-dir", str(f), "--json", home=tmp_path)
    assert_input_error(out, "state dir is not a directory (it is a regular file)", json_mode=True)


def test_files_owned_by_another_user(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{gateway: {bind: 'lan'}}")
    creds = sd / "credentials"
    creds.mkdir(mode=0o700)
    (creds / "telegram-allowFrom.json").write_text('{"version":1,"allowFrom":["*"]}')
    for p in (sd, sd / "openclaw.json", creds, creds / "telegram-allowFrom.json"):
        os.chown(p, NOBODY, NOBODY)
    doc = assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))
    assert doc is not None and "gateway.bind_no_auth" in finding_ids(doc)


@pytest.mark.parametrize(
    "name", ["with space", "new\nline", "ünïcødé-状態", "tab\tand'quote\"", "-dash", "\u202eevil"]
)
def test_state_dir_with_odd_names(tmp_path: Path, name: str) -> None:
    sd = state_dir(tmp_path, "{gateway: {bind: 'lan'}}", name=name)
    (sd / "openclaw.json").chmod(0o666)  # a finding that names the path
    text_out = cli("--state-dir", str(sd), home=tmp_path)
    assert_audit_ran(text_out, json_mode=False)
    json_out = cli("--state-dir", str(sd), "--json", home=tmp_path)
    doc = assert_audit_ran(json_out)
    assert doc is not None and "fs.config.perms_writable" in finding_ids(doc)
    assert any(name in f["detail"] for f in doc["findings"])  # JSON keeps the real path
    # In text, every report line is one line: an embedded newline is escaped.
    assert "new\nline" not in text_out.stdout


def test_config_path_with_newline_in_error_is_one_line(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{broken", name="bad\nname")
    line = assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "invalid JSON5")
    assert "bad\\x0aname" in line


needs_setpriv = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv"
)
# Root without the capabilities that bypass file permissions: mode bits apply to it again,
# while the interpreter and its packages (owned by root) stay readable.
NO_DAC = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")


@needs_setpriv
def test_unreadable_config(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{}")
    (sd / "openclaw.json").chmod(0o000)
    out = cli_subprocess("--state-dir", str(sd), home=tmp_path, prefix=NO_DAC)
    assert_input_error(out, "cannot read config file: permission denied")
    out = cli_subprocess("--state-dir", str(sd), "--json", home=tmp_path, prefix=NO_DAC)
    assert_input_error(out, "permission denied", json_mode=True)


@needs_setpriv
def test_unreadable_state_subdirs(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{channels: {telegram: {dmPolicy: 'pairing'}}}")
    for sub in ("credentials", "agents/main/agent", "agents/main/sessions", "extensions", "logs"):
        (sd / sub).mkdir(parents=True)
        (sd / sub / "x.json").write_text("{}")
        (sd / sub).chmod(0o000)
    (sd / "agents").chmod(0o000)
    out = cli_subprocess("--state-dir", str(sd), "--json", home=tmp_path, prefix=NO_DAC)
    assert out.code == 0 and "Traceback" not in out.stderr, out.stderr
    doc = json.loads(out.stdout)
    assert "audit.check_failed" not in finding_ids(doc)


@needs_setpriv
def test_unreadable_state_dir_itself(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, None)
    sd.chmod(0o000)
    out = cli_subprocess("--state-dir", str(sd), "--json", home=tmp_path, prefix=NO_DAC)
    assert_input_error(out, "cannot read state dir", json_mode=True)
    assert "permission denied" in out.stderr


@needs_setpriv
def test_unreadable_include(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'inc.json5'}")
    (sd / "inc.json5").write_text("{}")
    (sd / "inc.json5").chmod(0o000)
    out = cli_subprocess("--state-dir", str(sd), home=tmp_path, prefix=NO_DAC)
    assert_input_error(out, "cannot read include file: permission denied")
