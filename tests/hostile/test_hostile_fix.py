"""``--fix`` at the worst moments and on the worst inputs, through the CLI: read-only files and
directories, a full disk (a tiny tmpfs in a private mount namespace), two concurrent runs, and
configs with a symlinked include, ``${VAR}`` values, CRLF line endings and comments everywhere.
``--fix --dry-run`` on all of it at once changes no byte and no mode.

A SIGKILL in the middle of the write is covered by ``tests/fix/test_sigkill.py`` (old or new
file, never a truncated one); it is not repeated here.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import (
    CANARY_TOKEN,
    Outcome,
    assert_no_canary,
    cli,
    cli_subprocess,
    no_traceback,
    state_dir,
)

from openclaw_audit.config import json5

CONFIG = (
    "{\n"
    f'  gateway: {{ bind: "loopback", auth: {{ mode: "token", token: "{CANARY_TOKEN}" }} }},\n'
    '  logging: { redactSensitive: "off" },\n'
    '  channels: { telegram: { groupPolicy: "open", dmPolicy: "pairing" } },\n'
    "}\n"
)
FIXED = CONFIG.replace('"off"', '"tools"').replace('"open"', '"allowlist"')
CHANGES = [
    'logging.redactSensitive=off -> "tools"',
    "channels.telegram.groupPolicy=open -> allowlist",
]
LOCKED = "another openclaw-audit --fix is running on {}; nothing was changed"
# Runs the CLI with the fix writer paused after its temp file is complete (lock held) until
# the release file appears; announces the pause by creating the marker file.
HOLDER = r"""
import os, runpy, sys, time
from openclaw_audit.fix import writer
marker, release = sys.argv[1:3]
def hold(tmp):
    open(marker, "w").close()
    deadline = time.monotonic() + 30
    while not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.02)
writer.after_temp_written = hold
sys.argv = ["openclaw-audit", *sys.argv[3:]]
runpy.run_module("openclaw_audit", run_name="__main__", alter_sys=True)
"""

NO_DAC = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")


def fix_json(sd: Path, home: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    out = cli("--state-dir", str(sd), "--fix", "--json", *extra, home=home, env=env)
    no_traceback(out)
    assert_no_canary(out)
    return out, json.loads(out.stdout)


def snapshot(root: Path) -> dict[str, tuple[int, bytes | str | None]]:
    """lstat mode plus content (bytes) or link target of every path under ``root``."""
    out: dict[str, tuple[int, bytes | str | None]] = {str(root): (os.lstat(root).st_mode, None)}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[p] = (st.st_mode, os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[p] = (st.st_mode, Path(p).read_bytes())
            else:
                out[p] = (st.st_mode, None)
    return out


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# -- read-only targets ----------------------------------------------------------------------


def test_read_only_config_file(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, CONFIG)
    cfg = sd / "openclaw.json"
    cfg.chmod(0o444)
    out, doc = fix_json(sd, tmp_path)
    assert out.code == 1
    fix = doc["fix"]
    assert fix["ok"] is False and fix["configWritten"] is False
    assert fix["errors"] == [f"replaceConfigFile failed: {cfg}: file is read-only"]
    assert cfg.read_text() == CONFIG
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o400  # only ever narrowed, never widened
    assert leftovers(sd) == [] and not (sd / "openclaw.json.bak").exists()


@pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None, reason="root without setpriv"
)
def test_read_only_state_directory(tmp_path: Path) -> None:
    """A 0555 directory: no temp file can be created beside the config. Root is run without
    its DAC override capability so the directory mode binds it too."""
    sd = state_dir(tmp_path, CONFIG)
    cfg = sd / "openclaw.json"
    sd.chmod(0o555)
    try:
        prefix = NO_DAC if os.geteuid() == 0 else ()
        out = cli_subprocess(
            "--state-dir", str(sd), "--fix", "--json", home=tmp_path, prefix=prefix
        )
        no_traceback(out)
        assert_no_canary(out)
        assert out.code == 1, out.stderr
        fix = json.loads(out.stdout)["fix"]
        assert fix["configWritten"] is False
        assert fix["errors"] == [f"replaceConfigFile failed: {cfg}: Permission denied"]
        assert cfg.read_text() == CONFIG
        assert leftovers(sd) == []
    finally:
        sd.chmod(0o700)


# -- disk full ------------------------------------------------------------------------------

# Runs inside `unshare -m` (a private mount namespace, gone when it exits): mounts a small
# tmpfs, fills it so that only ``free_pages`` pages stay free, runs the CLI, copies the
# result out. A 40 KiB config: with 0 pages free the temp file cannot be written; with 12 the
# temp file fits but the backup does not.
DISK_FULL = r"""
import os, shutil, subprocess, sys
mnt, out, config, free_pages = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mnt], check=True)
sd = os.path.join(mnt, "state")
os.mkdir(sd, 0o700)
cfg = os.path.join(sd, "openclaw.json")
shutil.copyfile(config, cfg)
os.chmod(cfg, 0o600)
with open(cfg + ".bak", "w") as fh:
    fh.write("previous backup\n")
os.chmod(cfg + ".bak", 0o600)
st = os.statvfs(mnt)
fill = (st.f_bavail - free_pages) * st.f_frsize
with open(os.path.join(mnt, "fill"), "wb") as fh:
    fh.write(b"\0" * fill)
env = dict(os.environ, HOME=mnt)
proc = subprocess.run(
    [sys.executable, "-m", "openclaw_audit", "--state-dir", sd, "--fix", "--json"],
    capture_output=True, text=True, env=env, cwd=mnt, timeout=60,
)
with open(os.path.join(out, "stdout"), "w") as fh:
    fh.write(proc.stdout)
with open(os.path.join(out, "stderr"), "w") as fh:
    fh.write(proc.stderr)
with open(os.path.join(out, "rc"), "w") as fh:
    fh.write(str(proc.returncode))
shutil.copytree(sd, os.path.join(out, "state"), symlinks=True)
"""


def _can_mount_tmpfs() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /mnt"],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs root and a private mount namespace")
@pytest.mark.parametrize(("free_pages", "stage"), [(0, "temp"), (12, "backup")])
def test_disk_full(tmp_path: Path, free_pages: int, stage: str) -> None:
    # 40 KiB: a comment pads the config so the write spans many pages.
    text = "// " + "x" * (40 * 1024 - len(CONFIG) - 4) + "\n" + CONFIG
    assert len(text) == 40 * 1024
    src = tmp_path / "config.json5"
    src.write_text(text)
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    proc = subprocess.run(
        ["unshare", "-m", "--propagation", "private", sys.executable, "-c", DISK_FULL,
         str(mnt), str(out), str(src), str(free_pages)],
        capture_output=True, text=True, env=base, timeout=90, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    outcome = Outcome(
        int((out / "rc").read_text()), (out / "stdout").read_text(), (out / "stderr").read_text()
    )
    no_traceback(outcome)
    assert_no_canary(outcome)
    assert outcome.code == 1, outcome.stderr
    fix = json.loads(outcome.stdout)["fix"]
    assert fix["configWritten"] is False
    [error] = fix["errors"]
    cfg_in_ns = f"{mnt}/state/openclaw.json"
    reason = "No space left on device"
    if stage == "temp":
        assert error == f"replaceConfigFile failed: {cfg_in_ns}: {reason}"
    else:
        assert error == f"replaceConfigFile failed: {cfg_in_ns}: cannot write backup: {reason}"
    after = out / "state"
    assert (after / "openclaw.json").read_text() == text  # untouched
    # Existing backups stay where they were, nothing half-written is left behind.
    assert (after / "openclaw.json.bak").read_text() == "previous backup\n"
    assert sorted(p.name for p in after.iterdir()) == ["openclaw.json", "openclaw.json.bak"]


# -- two --fix at once ----------------------------------------------------------------------


def _wait_for(path: Path, proc: subprocess.Popen[str], limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first --fix never reached its write"
        time.sleep(0.02)


def _env(home: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    return {**base, "HOME": str(home), "NO_COLOR": "1"}


def test_second_fix_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, CONFIG)
    cfg = sd / "openclaw.json"
    marker, release = tmp_path / "paused", tmp_path / "release"
    first = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(marker), str(release),
         "--state-dir", str(sd), "--fix", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path),
        cwd=tmp_path,
    )  # fmt: skip
    try:
        _wait_for(marker, first)
        second = cli_subprocess("--state-dir", str(sd), "--fix", "--json", home=tmp_path)
        no_traceback(second)
        assert second.code == 1, second.stderr
        fix = json.loads(second.stdout)["fix"]
        assert fix["errors"] == [LOCKED.format(sd)]
        assert fix["changes"] == [] and fix["actions"] == [] and fix["configWritten"] is False
        assert cfg.read_text() == CONFIG  # the first run has not renamed yet
    finally:
        release.touch()
        stdout, stderr = first.communicate(timeout=60)
    assert first.returncode == 0, stderr
    assert json.loads(stdout)["fix"]["changes"] == CHANGES
    assert cfg.read_text() == FIXED
    assert json5.loads(cfg.read_text())["channels"]["telegram"]["groupPolicy"] == "allowlist"
    assert leftovers(sd) == []


def test_two_fixes_racing(tmp_path: Path) -> None:
    """Started together: whatever the interleaving, one writes, the other either finds the
    lock or finds nothing left to do; the config ends up fixed exactly once."""
    sd = state_dir(tmp_path, CONFIG)
    cfg = sd / "openclaw.json"
    cmd = [sys.executable, "-m", "openclaw_audit", "--state-dir", str(sd), "--fix", "--json"]
    procs = [
        subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    results = [(p.communicate(timeout=60), p.returncode) for p in procs]
    written = 0
    for (stdout, stderr), code in results:
        no_traceback(Outcome(code, stdout, stderr))
        fix = json.loads(stdout)["fix"]
        if fix["errors"]:
            assert (code, fix["errors"]) == (1, [LOCKED.format(sd)])
        else:
            assert code == 0
            written += fix["configWritten"]
    assert written == 1
    assert cfg.read_text() == FIXED
    assert leftovers(sd) == []
    assert sorted(p.name for p in sd.iterdir()) == ["openclaw.json", "openclaw.json.bak"]


# -- hostile config texts -------------------------------------------------------------------


def test_include_that_is_a_symlink(tmp_path: Path) -> None:
    sd = state_dir(
        tmp_path, '{ $include: "./channels.json5", logging: { redactSensitive: "off" } }'
    )
    real = sd / "real" / "channels.json5"
    real.parent.mkdir(mode=0o700)
    inc_text = '{ channels: { telegram: { groupPolicy: "open" } } }\n'
    real.write_text(inc_text)
    real.chmod(0o600)
    link = sd / "channels.json5"
    link.symlink_to("real/channels.json5")
    out, doc = fix_json(sd, tmp_path)
    assert out.code == 0, doc["fix"]["errors"]
    fix = doc["fix"]
    assert fix["changes"] == CHANGES
    assert link.is_symlink() and os.readlink(link) == "real/channels.json5"  # link intact
    assert real.read_text() == inc_text.replace('"open"', '"allowlist"')
    assert (sd / "openclaw.json").read_text() == (
        '{ $include: "./channels.json5", logging: { redactSensitive: "tools" } }'
    )
    [inc_action] = [a for a in fix["actions"] if a["path"] == str(link)]
    assert inc_action["skipped"] == "symlink"  # permissions never follow a link


def test_env_substituted_value_is_left_alone(tmp_path: Path) -> None:
    text = CONFIG.replace('"off"', '"${REDACT_MODE}"')
    sd = state_dir(tmp_path, text)
    out, doc = fix_json(sd, tmp_path, env={"REDACT_MODE": "off"})
    fix = doc["fix"]
    assert out.code == 1  # the ${VAR} edit is an error; the other edit still happened
    assert fix["errors"] == [
        "logging.redactSensitive: value comes from ${REDACT_MODE}; edit the environment instead"
    ]
    assert fix["changes"] == [CHANGES[1]]
    assert (sd / "openclaw.json").read_text() == text.replace('"open"', '"allowlist"')


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    text = CONFIG.replace("\n", "\r\n").encode()
    sd = state_dir(tmp_path, text)
    out, doc = fix_json(sd, tmp_path)
    assert out.code == 0, doc["fix"]["errors"]
    assert doc["fix"]["changes"] == CHANGES
    assert (sd / "openclaw.json").read_bytes() == FIXED.replace("\n", "\r\n").encode()


COMMENTED = """/* head */ { /* a */ gateway /* b */ : /* c */ { bind: /* d */ "loopback" } , // e
  // "off" in a comment must stay
  logging /* f */ : { /* g */ redactSensitive /* h */ : /* i */ 'off' /* j */ } , // "open"
  /* k */ channels : { telegram : { groupPolicy : // l
     "open" /* m */ , dmPolicy: "open" } , } , /* n */
} /* tail "off" */ // end
"""


def test_comments_everywhere(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, COMMENTED)
    out, doc = fix_json(sd, tmp_path)
    assert out.code == 0, doc["fix"]["errors"]
    assert doc["fix"]["changes"] == CHANGES
    expected = COMMENTED.replace("'off' /* j */", "'tools' /* j */").replace(
        '"open" /* m */', '"allowlist" /* m */'
    )
    after = (sd / "openclaw.json").read_text()
    assert after == expected  # quote style, comments and the untouched dmPolicy kept
    parsed = json5.loads(after)
    assert parsed["channels"]["telegram"] == {"groupPolicy": "allowlist", "dmPolicy": "open"}


# -- --dry-run on all of it at once ---------------------------------------------------------


def hostile_tree(tmp: Path) -> Path:
    """World-writable state dir and files, a symlinked include, CRLF, comments, ${VAR}, a
    read-only file, a dangling symlink, a FIFO and a session log."""
    home = tmp / "home"
    sd = home / ".openclaw"
    sd.mkdir(parents=True)
    main = COMMENTED.replace("{ /* a */", '{ $include: "./inc.json5", /* a */').replace(
        "\n", "\r\n"
    )
    main = main.replace("'off'", "'${REDACT_MODE}'")
    (sd / "openclaw.json").write_bytes(main.encode())
    (sd / "real").mkdir()
    (sd / "real" / "inc.json5").write_text('{ channels: { discord: { groupPolicy: "open" } } }')
    (sd / "inc.json5").symlink_to("real/inc.json5")
    creds = sd / "credentials"
    creds.mkdir()
    (creds / "whatsapp-allowFrom.json").write_text('{"version":1,"allowFrom":["+15550001"]}')
    (creds / "ro.json").write_text("{}")
    (creds / "ro.json").chmod(0o444)
    (creds / "dangling.json").symlink_to("nowhere.json")
    os.mkfifo(creds / "pipe.json")
    sessions = sd / "agents" / "main" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "sessions.json").write_text("{}")
    (sessions / "a.jsonl").write_text("{}\n")
    for p in [sd, creds, sessions, sd / "openclaw.json", sd / "real" / "inc.json5"]:
        p.chmod(0o777 if p.is_dir() else 0o666)
    return sd


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_dry_run_changes_nothing(tmp_path: Path, fmt: str) -> None:
    sd = hostile_tree(tmp_path)
    home = sd.parent
    before = snapshot(home)
    args = ["--state-dir", str(sd), "--fix", "--dry-run", *(["--json"] if fmt == "json" else [])]
    out = cli(*args, home=home, env={"REDACT_MODE": "off"})
    no_traceback(out)
    assert_no_canary(out)
    assert snapshot(home) == before  # every byte, mode and link target
    if fmt == "json":
        fix = json.loads(out.stdout)["fix"]
        assert fix["dryRun"] is True and fix["configWritten"] is False
        # Diffs name files as the config does (the include through its link).
        assert {d["path"] for d in fix["diffs"]} == {
            str(sd / "inc.json5"),
            str(sd / "openclaw.json"),
        }
        assert "channels.discord.groupPolicy=open -> allowlist" in fix["changes"]
        planned = [a for a in fix["actions"] if a.get("planned")]
        assert planned and all(a["ok"] is False for a in planned)
    else:
        assert "would chmod 700" in out.stdout
