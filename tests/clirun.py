"""Running the real CLI in a subprocess, and small on-disk targets, for the CLI-level tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# A quiet gateway: loopback, long token. Findings: one warn, one info.
CALM = (
    '{gateway: {mode: "local", bind: "loopback", '
    'auth: {mode: "token", token: "0123456789abcdef0123456789abcdef0123"}}}'
)
# LAN-exposed with a short token: one critical, four warn (one: config.schema_invalid, as
# 2026.9.6 rejects logging.redactSensitive), one info.
RISKY = (
    '{gateway: {mode: "local", bind: "lan", auth: {mode: "token", token: "short-token"}},'
    ' logging: {redactSensitive: "off"}}'
)


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "NO_COLOR"))}
    return subprocess.run(
        [sys.executable, "-m", "openclaw_audit", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=120,
        check=False,
    )


def target(root: Path, name: str, config: str, file: str = "openclaw.json") -> Path:
    """A state dir ``root/name`` (0700) holding a config (0600); returns the config path."""
    sd = root / name
    sd.mkdir(mode=0o700, parents=True, exist_ok=True)
    cfg = sd / file
    cfg.write_text(config)
    cfg.chmod(0o600)
    return cfg


def run_json(*args: str, **kw: Any) -> tuple[int, Any]:
    proc = run("--json", *args, **kw)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def ids(doc: dict[str, Any], key: str = "findings") -> list[str]:
    return [f["checkId"] for f in doc.get(key, [])]
