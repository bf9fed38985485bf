"""Outputs never damage what they touch (trust.md §6): special files are written into, never
replaced; a run never overwrites its own baseline; a closed stdout, EPIPE or a full disk exit
quietly with the documented codes."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import CALM, RISKY, target

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
CLI = [sys.executable, "-m", "openclaw_audit"]
needs_root_ns = pytest.mark.skipif(
    not ROOT or shutil.which("unshare") is None, reason="needs root and unshare(1)"
)


def _env(home: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    return {**base, "HOME": str(home), "NO_COLOR": "1"}


# A private /dev: a regression (or today's code) replaces these nodes, never the host's.
_PRIVATE_DEV = (
    "set -e; mount -t tmpfs none /dev; mknod -m 666 /dev/null c 1 3; "
    "mknod -m 666 /dev/full c 1 7; ln -s /proc/self/fd /dev/fd; "
    "ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr; set +e; "
)


def _in_private_dev(script: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", _PRIVATE_DEV + script],
        capture_output=True,
        text=True,
        env=_env(home),
        cwd=home,
        timeout=120,
        check=False,
    )


def _audit(cfg: Path, *args: str) -> str:
    return f'"{sys.executable}" -m openclaw_audit --config "{cfg}" --json ' + " ".join(args)


@needs_root_ns
def test_output_dev_null_stays_a_device(tmp_path: Path) -> None:
    """As root, ``--output /dev/null`` must write into the device, not rename a regular file
    over it. A private mount namespace gets its own /dev holding a real null device node."""
    cfg = target(tmp_path, "gw", CALM)
    script = _audit(cfg, "--output /dev/null") + '; echo "rc=$?"; stat -c %F /dev/null; ls -a /dev'
    proc = _in_private_dev(script, tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "rc=0", proc.stdout
    assert lines[1] == "character special file", proc.stdout
    assert not [n for n in lines[2:] if n.startswith(".openclaw-audit-")], proc.stdout


@needs_root_ns
def test_output_dev_stdout_means_stdout(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    proc = _in_private_dev(_audit(cfg, "--output /dev/stdout") + " > out.json; "
                           'echo "rc=$?" >&2; stat -c %F /dev/stdout >&2', tmp_path)  # fmt: skip
    assert proc.stderr.splitlines()[-2:] == ["rc=0", "symbolic link"], proc.stderr
    assert "findings" in json.loads((tmp_path / "out.json").read_text())


@needs_root_ns
def test_output_dev_full_is_one_line_exit_2(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    proc = _in_private_dev(_audit(cfg, "--output /dev/full") + '; echo "rc=$?"; stat -c %F /dev/full', tmp_path)  # fmt: skip
    assert proc.stdout.splitlines()[-2:] == ["rc=2", "character special file"], proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], proc.stderr


def test_output_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    proc = subprocess.run(
        [*CLI, "--config", str(cfg), "--json", "--output", str(fifo)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )
    out, _ = reader.communicate(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert "findings" in json.loads(out)


def test_output_symlink_to_file_keeps_the_link(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    proc = subprocess.run(
        [*CLI, "--config", str(cfg), "--json", "--output", str(link)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert "findings" in json.loads(real.read_text())


@pytest.mark.parametrize("via", ["same", "symlink", "hardlink"])
def test_run_never_overwrites_its_own_baseline(tmp_path: Path, via: str) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    base = tmp_path / "last.json"
    env = _env(tmp_path)
    argv = [sys.executable, "-m", "openclaw_audit", "--config", str(cfg), "--json"]
    subprocess.run([*argv, "--output", str(base)], env=env, check=True, timeout=120)
    saved = base.read_bytes()
    out = base
    if via == "symlink":
        out = tmp_path / "alias.json"
        out.symlink_to(base)
    elif via == "hardlink":
        out = tmp_path / "alias.json"
        os.link(base, out)
    proc = subprocess.run(
        [*argv, "--baseline", str(base), "--output", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "baseline" in lines[0] and "Traceback" not in proc.stderr
    assert base.read_bytes() == saved


def _piped_to_closed_reader(args: list[str], home: Path) -> tuple[int, str]:
    """Run the CLI with stdout a pipe whose reader is already gone (``| head -0``)."""
    r, w = os.pipe()
    os.close(r)  # every write now raises EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "openclaw_audit", *args],
            stdout=w,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(home),
            timeout=120,
            check=False,
        )
    finally:
        os.close(w)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize(
    ("config", "extra", "code"),
    [(CALM, [], 0), (RISKY, ["--fail-on", "critical"], 1), (RISKY, ["--json"], 0)],
)
def test_closed_stdout_exits_quietly_with_the_run_code(
    tmp_path: Path, config: str, extra: list[str], code: int
) -> None:
    cfg = target(tmp_path, "gw", config)
    rc, err = _piped_to_closed_reader(["--config", str(cfg), *extra], tmp_path)
    assert rc == code, err
    assert err == "", err


def test_closed_stdout_for_diff_and_checks(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    rep = tmp_path / "r.json"
    subprocess.run(
        [*CLI, "--config", str(cfg), "--json", "--output", str(rep)],
        env=_env(tmp_path),
        check=True,
        timeout=120,
    )
    for args in (["diff", str(rep), str(rep)], ["checks"]):
        rc, err = _piped_to_closed_reader(args, tmp_path)
        assert (rc, err) == (0, ""), (args, rc, err)


def test_head_closes_the_pipe_early(tmp_path: Path) -> None:
    """The real thing: a large fleet report into ``head -1``."""
    cfgs = [str(target(tmp_path, f"gw{n}", RISKY)) for n in range(6)]
    args = " ".join(f"--config {c}" for c in cfgs)
    proc = subprocess.run(
        f'"{sys.executable}" -m openclaw_audit {args} --fail-on critical | head -1; '
        'echo "rc=${PIPESTATUS[0]}" >&2',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert proc.stdout.count("\n") == 1
    assert proc.stderr.strip().splitlines()[-1] == "rc=1", proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_on_stdout_is_one_line_exit_2(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    argv = [sys.executable, "-m", "openclaw_audit", "--config", str(cfg), "--json"]
    with open("/dev/full", "w") as full:  # stdout on a full disk; /dev itself is not named
        proc = subprocess.run(
            argv, stdout=full, stderr=subprocess.PIPE, text=True, env=_env(tmp_path),
            timeout=120, check=False,
        )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], proc.stderr


def test_output_dev_fd_pipe_is_written_into(tmp_path: Path) -> None:
    """``--output /dev/fd/3`` (a pipe the shell opened) is a special file: write into it,
    never create a file named after the pipe."""
    cfg = target(tmp_path, "gw", CALM)
    proc = subprocess.run(
        f'"{sys.executable}" -m openclaw_audit --config "{cfg}" --json --output /dev/fd/3 '
        "3>&1 1>/dev/null",
        shell=True,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "findings" in json.loads(proc.stdout)
    assert not [p for p in tmp_path.iterdir() if "pipe:" in p.name]
