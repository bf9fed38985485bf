"""Fleet benchmarks, one command: ``python bench/fleet_bench.py``.

1. Static: 10,000 small configs (one state dir each, ``*/openclaw.json`` under one directory)
   audited in one cold run, ``--json`` and text; wall time and peak RSS of the largest process.
2. ``--deep`` over 50 hung and over 50 healthy gateways (the test gateway stand-in, one process
   serving every loopback port) at ``--timeout 3``: wall time of one cold run each. mDNS is
   browsed on loopback only; Docker is pointed at a socket that does not exist (the query is
   still made, once).

Prints a table and writes ``bench/results/fleet.json``. Targets (issue 16): static ≤ 6 s and
≤ 200 MB; 50 hung ≤ 4 s; 50 healthy ≤ 3 s.
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
TOKEN = "bench-fleet-token-0123456789abcdef"


def generate_static(root: Path, n: int) -> Path:
    """``n`` small gateways: loopback or LAN, some with log redaction off, one token each."""
    fleet = root / "fleet"
    fleet.mkdir()
    for i in range(n):
        sd = fleet / f"gw{i:05d}"
        sd.mkdir(mode=0o700)
        config: dict[str, object] = {
            "gateway": {
                "mode": "local",
                "bind": "lan" if i % 3 == 0 else "loopback",
                "port": 18789,
                "auth": {"mode": "token", "token": f"tok-{i:05d}-" + "x" * 32},
            }
        }
        if i % 4 == 0:
            config["logging"] = {"redactSensitive": "off"}
        cfg = sd / "openclaw.json"
        cfg.write_text(json.dumps(config))
        cfg.chmod(0o600)
    return fleet


def timed_run(args: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in MiB of the largest process, CPU seconds) of one cold run.
    CPU time is shown too: on a shared machine it is the steadier figure."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode()[:500] if proc.stderr else ""
        sys.exit(f"benchmark run failed ({proc.returncode}): {err}")
    return wall, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


def start_gateways(n: int, *extra: str) -> tuple[subprocess.Popen[str], list[int]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fixtures.test_gateway", "--port", "0", "--listeners", str(n),
         "--auth", "token", "--token", TOKEN, *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    ports = [int(proc.stdout.readline()) for _ in range(n)]
    return proc, ports


def deep_fleet(root: Path, name: str, ports: list[int]) -> Path:
    fleet = root / name
    fleet.mkdir()
    for i, port in enumerate(ports):
        sd = fleet / f"gw{i:03d}"
        sd.mkdir(mode=0o700)
        cfg = sd / "openclaw.json"
        cfg.write_text(
            json.dumps(
                {
                    "gateway": {
                        "mode": "local",
                        "bind": "loopback",
                        "port": port,
                        "auth": {"mode": "token", "token": TOKEN},
                    }
                }
            )
        )
        cfg.chmod(0o600)
    return fleet


def summary(samples: list[tuple[float, int, float]]) -> dict[str, object]:
    walls = [s[0] for s in samples]
    return {
        "runs": len(samples),
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "peak_rss_mib": max(s[1] for s in samples),
        "median_cpu_s": round(statistics.median(s[2] for s in samples), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--static", type=int, default=10_000, help="number of static configs")
    parser.add_argument("--deep", type=int, default=50, help="gateways per deep case")
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    exe = [sys.executable, "-m", "openclaw_audit"]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENCLAW_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    results: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fleet = generate_static(root, opts.static)
        out = root / "out"
        for fmt in ("json", "text"):
            args = [*exe, "--format", fmt, "--config", str(fleet), "--output", str(out)]
            timed_run(args, env)  # warm-up: bytecode cache, page cache
            samples = [timed_run(args, env) for _ in range(opts.runs)]
            results[f"static_{opts.static}_{fmt}"] = summary(samples)

        deep_env = dict(
            env,
            OPENCLAW_AUDIT_MDNS_INTERFACES="127.0.0.1",
            DOCKER_HOST="unix://" + str(root / "no-docker.sock"),
        )
        for mode in ("hang", "normal"):
            proc, ports = start_gateways(opts.deep, "--mode", mode)
            try:
                fleet = deep_fleet(root, f"deep-{mode}", ports)
                args = [*exe, "--deep", "--timeout", str(opts.timeout), "--json",
                        "--config", str(fleet), "--output", str(out)]  # fmt: skip
                timed_run(args, deep_env)  # warm-up
                samples = [timed_run(args, deep_env) for _ in range(opts.runs)]
                label = "hung" if mode == "hang" else "healthy"
                results[f"deep_{opts.deep}_{label}_timeout_{opts.timeout:g}"] = summary(samples)
            finally:
                proc.kill()
                proc.wait()
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "fleet.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
