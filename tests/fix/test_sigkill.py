"""A --fix killed with SIGKILL in the middle of writing leaves the old or the new config,
never a truncated one (fix.md B2)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openclaw_audit.config import json5

# Child: run the real write path on one config; optionally pause once the temp file is
# complete (before backup and rename) and announce that by creating a marker file.
CHILD = r"""
import os, sys, time
from openclaw_audit.fix import writer
from openclaw_audit.fix.run import run_fix
from openclaw_audit.engine.options import AuditOptions

home, state, marker, pause = sys.argv[1:5]
if pause == "1":
    def hold(tmp):
        open(marker, "w").close()
        time.sleep(60)
    writer.after_temp_written = hold
else:
    open(marker, "w").close()
run_fix(AuditOptions(env={"HOME": home, "OPENCLAW_STATE_DIR": state}))
"""


def make_config(state: Path) -> tuple[Path, bytes, bytes]:
    state.mkdir(parents=True)
    # Large enough that the write takes several syscalls and is not one atomic page.
    filler = "".join(f'  "k{i}": "{"x" * 200}", // filler {i}\n' for i in range(3000))
    old = "{\n" + filler + "  logging: { redactSensitive: 'off' },\n}\n"
    new = old.replace("redactSensitive: 'off'", "redactSensitive: 'tools'")
    config = state / "openclaw.json"
    config.write_text(old)
    return config, old.encode(), new.encode()


def spawn(home: Path, state: Path, marker: Path, pause: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home), str(state), str(marker), "1" if pause else "0"],
        env=env,
        cwd=os.getcwd(),
    )


def wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"child exited early with {proc.returncode}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("child never reached the write")
        time.sleep(0.01)


def test_kill_after_temp_written_keeps_the_old_config(tmp_path: Path) -> None:
    home = tmp_path / "home"
    state = home / ".openclaw"
    config, old, _ = make_config(state)
    marker = tmp_path / "marker"
    proc = spawn(home, state, marker, pause=True)
    try:
        wait_for(marker, proc)
        temps = [p for p in state.iterdir() if p.name.endswith(".tmp")]
        assert len(temps) == 1 and temps[0].read_bytes() != old  # the new text is ready
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert config.read_bytes() == old
    # A rerun cleans up nothing it does not own, but completes the fix.
    rerun = spawn(home, state, tmp_path / "marker2", pause=False)
    assert rerun.wait(timeout=60) == 0
    assert b"redactSensitive: 'tools'" in config.read_bytes()


@pytest.mark.parametrize("seed", range(6))
def test_kill_at_random_moments_never_truncates(tmp_path: Path, seed: int) -> None:
    home = tmp_path / "home"
    state = home / ".openclaw"
    config, old, new = make_config(state)
    marker = tmp_path / "marker"
    proc = spawn(home, state, marker, pause=False)
    wait_for(marker, proc)
    time.sleep(random.Random(seed).uniform(0.0, 0.6))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    data = config.read_bytes()
    assert data in (old, new)
    json5.loads(data.decode())  # and it parses
