"""Benchmarks, reproducible with one command: ``python bench/bench.py``.

Measures cold wall time (a fresh process per run, like a user or cron job) of
``openclaw-audit --json`` on the demo config and on a generated config with 10,000 channel
accounts and agents, and verifies that the static path imports none of the deep stack.
Prints a table and writes ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_STATE = ROOT / "openclaw_audit" / "demo"
HEAVY = ("httpx", "websockets", "docker", "zeroconf")


def generate_big_config(state_dir: Path, n: int = 10_000) -> Path:
    accounts = {
        f"acct{i}": {
            "botToken": f"{100000 + i}:generated-bot-token-{i:06d}",
            "dmPolicy": "allowlist" if i % 3 else "open",
            "allowFrom": [str(10_000_000 + i), "@someone" if i % 7 == 0 else str(i)],
            "groupPolicy": "allowlist" if i % 5 else "open",
        }
        for i in range(n)
    }
    agents = [
        {"id": f"agent-{i}", "tools": {"profile": "coding" if i % 2 else "minimal"}}
        for i in range(n)
    ]
    config = {
        "gateway": {"bind": "loopback", "auth": {"mode": "token", "token": "x" * 48}},
        "channels": {
            "telegram": {"accounts": accounts},
            "discord": {"accounts": {k: dict(v, token=v["botToken"]) for k, v in accounts.items()}},
        },
        "agents": {"list": agents},
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "openclaw.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def cold_runs(args: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"benchmark run failed ({proc.returncode}): {proc.stderr.decode()[:500]}")
    return times


def heavy_imports_on_static_path(state_dir: Path, env: dict[str, str]) -> list[str]:
    code = (
        "import sys, io, contextlib\n"
        "from openclaw_audit.face.cli import app\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        f"        app(['--json', '--state-dir', {str(state_dir)!r}], prog_name='openclaw-audit')\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False)
    lines = out.stdout.decode().strip().splitlines()
    return [m for m in (lines[-1].split(",") if lines else []) if m]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", type=int, default=10_000)
    opts = parser.parse_args()
    exe = [sys.executable, "-m", "openclaw_audit"]
    # Cached bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE set every
    # run would compile every module again and measure the compiler, not the audit.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENCLAW_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    results: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        big_state = Path(tmp) / "big"
        cfg = generate_big_config(big_state, opts.size)
        results["big_config_bytes"] = cfg.stat().st_size
        cases = {
            "demo": [*exe, "--json", "--state-dir", str(DEMO_STATE)],
            f"big_{opts.size}": [*exe, "--json", "--state-dir", str(big_state)],
            "python_startup": [sys.executable, "-c", "pass"],
        }
        for name, args in cases.items():
            cold_runs(args, 1, env)  # warm-up: writes the bytecode cache
            runs = opts.runs if name != f"big_{opts.size}" else max(3, opts.runs // 3)
            times = cold_runs(args, runs, env)
            results[name] = {
                "runs": runs,
                "median_s": round(statistics.median(times), 4),
                "min_s": round(min(times), 4),
                "max_s": round(max(times), 4),
            }
        results["heavy_imports_on_static_path"] = heavy_imports_on_static_path(DEMO_STATE, env)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
