"""Deep-probe timings against the stand-in gateway: wall time vs the slowest probe, and hang.

Usage (from the repo root): python bench/deep_gateway_bench.py [--timeout 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from builders import make_ctx  # noqa: E402
from openclaw_audit.probes.base import ProbeOptions  # noqa: E402
from openclaw_audit.probes.gateway_probe import PROBE as GATEWAY  # noqa: E402
from openclaw_audit.probes.http_probe import PROBE as HTTP  # noqa: E402
from openclaw_audit.probes.runner import run_probes_sync  # noqa: E402

TOKEN = "bench-token-0123456789"


def start(*args: str) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "fixtures.test_gateway", "--port", "0", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def timed(port: int, timeout: float, probes: list[Any]) -> float:
    ctx = make_ctx({"gateway": {"port": port}})
    t = time.perf_counter()
    run_probes_sync(ctx, ProbeOptions(timeout=timeout, token=TOKEN), probes=probes)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    proc, port = start("--auth", "token", "--token", TOKEN, "--mode", "slow", "--delay", "0.1")
    try:
        timed(port, a.timeout, [GATEWAY, HTTP])  # warm-up: lazy imports
        for _ in range(a.runs):
            g = timed(port, a.timeout, [GATEWAY])
            h = timed(port, a.timeout, [HTTP])
            both = timed(port, a.timeout, [GATEWAY, HTTP])
            print(f"gateway {g:.3f}s http {h:.3f}s deep {both:.3f}s ratio {both / max(g, h):.2f}")
    finally:
        proc.kill()
        proc.wait()
    proc, port = start("--mode", "hang")
    try:
        for _ in range(3):
            t = timed(port, a.timeout, [GATEWAY, HTTP])
            print(f"hang: timeout {a.timeout:.2f}s deep {t:.3f}s overshoot {t - a.timeout:.3f}s")
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
