"""Shared harness for the hostile-input battery.

Every case runs the real command line (in-process through typer's CliRunner, so a case costs
milliseconds; a few cases that need another uid use a real subprocess) and then asserts the
exact outcome: the exit code, exactly one ``error:`` line on stderr (plus an optional
``hint:`` line), stdout empty (text) or valid JSON (``--json``), and never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from openclaw_audit.face.cli import app

# Distinctive values no check could print by accident; each must never reach any output.
CANARY_TOKEN = "CANARYgwTok3n7f3e9a1c5b2d4e6f8a0b"
CANARY_PASSWORD = "CANARYpassw0rd-9c8b7a6f5e4d"
CANARY_HOOK = "CANARYhookTok-1a2b3c4d5e6f7a8b"
CANARY_CLI_TOKEN = "CANARYcliTok-0d9c8b7a6f5e4d3c"
CANARY_CLI_PASSWORD = "CANARYcliPw-5e4d3c2b1a0f9e8d"
CANARY_ENV = "CANARYenvTok-77aa88bb99cc00dd"
CANARY_FILE_REF = "CANARYfileRef-aa11bb22cc33dd44"
CANARY_BOT = "CANARYbotTok-1234567:abcdefghijk"
CANARIES = (
    CANARY_TOKEN,
    CANARY_PASSWORD,
    CANARY_HOOK,
    CANARY_CLI_TOKEN,
    CANARY_CLI_PASSWORD,
    CANARY_ENV,
    CANARY_FILE_REF,
    CANARY_BOT,
)

_RUNNER = CliRunner()


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def everything(self) -> str:
        return self.stdout + self.stderr


def clean_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str | None]:
    """The caller's OPENCLAW_* variables unset, HOME pointed at a test directory."""
    env: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("OPENCLAW_", "CLAWDBOT_"))
    }
    env.update({"HOME": str(home), "NO_COLOR": "1"})
    env.update(extra or {})
    return env


def cli(*args: str, home: Path, env: dict[str, str] | None = None) -> Outcome:
    """Run ``openclaw-audit ARGS`` in-process, from ``home`` (so no stray .env is read)."""
    with contextlib.chdir(home):
        res = _RUNNER.invoke(app, list(args), env=clean_env(home, env), catch_exceptions=True)
    exc = res.exception if not isinstance(res.exception, SystemExit) else None
    return Outcome(res.exit_code, res.stdout, res.stderr, exc)


def cli_subprocess(
    *args: str,
    home: Path,
    env: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
    timeout: float = 30,
) -> Outcome:
    """The real entry point in a child process (``prefix`` e.g. drops privileges)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    base.update({"HOME": str(home), "NO_COLOR": "1", **(env or {})})
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "openclaw_audit", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=home,
        timeout=timeout,
        check=False,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def no_traceback(out: Outcome) -> None:
    assert out.exception is None, repr(out.exception)
    assert "Traceback" not in out.everything
    assert "internal error" not in out.stderr


def assert_input_error(out: Outcome, fragment: str, *, json_mode: bool = False) -> str:
    """Exit 2, one ``error:`` line (and at most a ``hint:`` line), clean stdout."""
    no_traceback(out)
    assert out.code == 2, (out.code, out.stderr, out.stdout[:500])
    lines = out.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), out.stderr
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), out.stderr
    assert fragment in lines[0], lines[0]
    if json_mode:
        doc = json.loads(out.stdout)
        assert doc["ok"] is False and doc["error"]["type"] == "cli_error"
        assert fragment in doc["error"]["message"] or fragment in lines[0]
    else:
        assert out.stdout == ""
    return lines[0]


def assert_audit_ran(out: Outcome, *, json_mode: bool = True) -> dict[str, Any] | None:
    """Exit 0, a complete report, no check crashed, stderr holds only warnings."""
    no_traceback(out)
    assert out.code == 0, (out.code, out.stderr)
    for line in out.stderr.splitlines():
        assert not line.startswith("error:"), line
    if not json_mode:
        first, heading = out.stdout.split("\n", 2)[:2]
        assert first.startswith("Target: ") and heading == "OpenClaw security audit"
        assert "audit.check_failed" not in out.stdout
        return None
    doc = json.loads(out.stdout)
    assert set(doc["summary"]) == {"critical", "warn", "info"}
    failed = [f["detail"] for f in doc["findings"] if f["checkId"] == "audit.check_failed"]
    assert failed == []
    return doc


def assert_no_canary(out: Outcome, canaries: tuple[str, ...] = CANARIES) -> None:
    for canary in canaries:
        assert canary not in out.stdout, canary
        assert canary not in out.stderr, canary


def finding_ids(doc: dict[str, Any]) -> set[str]:
    return {f["checkId"] for f in doc["findings"]}


def state_dir(tmp: Path, config: str | bytes | None, name: str = "state") -> Path:
    """A 0700 state dir with ``openclaw.json`` (0600) holding ``config`` (None: no file)."""
    sd = tmp / name
    sd.mkdir(mode=0o700, parents=True, exist_ok=True)
    if config is not None:
        cfg = sd / "openclaw.json"
        if isinstance(config, bytes):
            cfg.write_bytes(config)
        else:
            cfg.write_text(config, encoding="utf-8")
        cfg.chmod(0o600)
    return sd


def both_modes(tmp: Path, sd: Path, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """(text outcome, json outcome) for the same state dir."""
    return (
        cli("--state-dir", str(sd), *extra, home=tmp, env=env),
        cli("--state-dir", str(sd), "--json", *extra, home=tmp, env=env),
    )
