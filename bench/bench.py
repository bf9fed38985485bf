"""Benchmarks, one command: ``python bench/bench.py`` (run it with the interpreter of a
regular, non-editable install: ``python -m venv /tmp/oa && /tmp/oa/bin/pip install . &&
/tmp/oa/bin/python bench/bench.py``).

Every run is a fresh process, like a user or a cron job, started from an empty directory so
the source tree is never imported instead of the installed package. Measured:

- cold start: ``openclaw-audit`` (text and ``--json``) on the demo config, beside the floors
  it cannot go under (the bare interpreter, and a one-option typer app); wall and CPU medians;
  with ``--importtime``, the modules that cost the most to import;
- scaling: generated configs with 10,000 agents, channel accounts, bindings and plugin install
  records, and the agents and accounts spread over 100 ``$include`` files (``genconfigs.py``);
  wall, CPU and peak RSS of each run;
- upstream: when ``OPENCLAW_UPSTREAM_BIN`` names the ``ocx`` wrapper that the upstream install
  script creates, ``ocx security audit --json`` on the same configs, and the ratio.

It also checks that the static path imports none of the deep stack. Prints a table and writes
``bench/results/latest.json``. No pass/fail thresholds: these are measurements, not tests.
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
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import genconfigs

ROOT = Path(__file__).resolve().parent.parent
DEMO_STATE = ROOT / "openclaw_audit" / "demo"
HEAVY = ("httpx", "websockets", "docker", "zeroconf")
TYPER_FLOOR = """
import typer
app = typer.Typer(add_completion=False)
@app.command()
def main(state_dir: str = typer.Option(None, "--state-dir")) -> None:
    pass
app()
"""


class Run:
    def __init__(self, wall: float, cpu: float, rss_mib: float, code: int) -> None:
        self.wall, self.cpu, self.rss_mib, self.code = wall, cpu, rss_mib, code


def run_once(args: Sequence[str], env: dict[str, str], cwd: str) -> Run:
    """One child process: wall time, its own CPU time and peak RSS (from wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stderr is not None
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)


def measure(args: Sequence[str], runs: int, env: dict[str, str], cwd: str) -> dict[str, object]:
    run_once(args, env, cwd)  # warm-up: the bytecode cache, the page cache
    results = [run_once(args, env, cwd) for _ in range(runs)]
    bad = [r.code for r in results if r.code not in (0, 1)]
    if bad:
        sys.exit(f"benchmark run failed (exit {bad[0]}): {' '.join(args)}")
    walls = [r.wall for r in results]
    return {
        "runs": runs,
        "wall_median_ms": round(1000 * statistics.median(walls), 1),
        "wall_min_ms": round(1000 * min(walls), 1),
        "cpu_median_ms": round(1000 * statistics.median(r.cpu for r in results), 1),
        "peak_rss_mib": round(max(r.rss_mib for r in results), 1),
    }


def import_top(ours: list[str], env: dict[str, str], cwd: str, top: int) -> list[list[object]]:
    """The modules with the largest self import time (``-X importtime``) of one run."""
    args = [ours[0], "-X", "importtime", *ours[1:]]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        rows.append([name.strip(), int(self_us) / 1000, int(cumulative_us) / 1000])
    rows.sort(key=lambda r: -float(r[1]))  # type: ignore[arg-type]
    return rows[:top]


def heavy_imports_on_static_path(python: str, env: dict[str, str], cwd: str) -> list[str]:
    code = (
        "import sys, io, contextlib\n"
        "from openclaw_audit.face.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        app(['--json', '--state-dir', {str(DEMO_STATE)!r}], prog_name='openclaw-audit')\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, env=env, cwd=cwd, check=False)
    lines = out.stdout.decode().strip().splitlines()
    return [m for m in (lines[-1].split(",") if lines else []) if m]


def upstream_cmd(bin_path: str, state: Path, home: Path) -> tuple[list[str], dict[str, str]]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OCPEER_HOME": str(home),
        "OCPEER_ENV": f"OPENCLAW_STATE_DIR={state} OPENCLAW_CONFIG_PATH={state / 'openclaw.json'}",
    }
    return [bin_path, "security", "audit", "--json"], env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="cold-start runs per case")
    parser.add_argument("--scale-runs", type=int, default=3, help="runs per scaling case")
    parser.add_argument("--size", type=int, default=10_000, help="entries per generated config")
    parser.add_argument("--includes", type=int, default=100, help="include files to spread over")
    parser.add_argument("--importtime", type=int, default=15, help="top N modules by import time")
    parser.add_argument("--only", choices=["cold", "scale"], help="run only one part")
    opts = parser.parse_args()

    python = sys.executable
    ours = [python, "-m", "openclaw_audit"]
    # Cached bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE set every
    # run would compile every module again and measure the compiler, not the audit.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENCLAW_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["NO_COLOR"] = "1"
    upstream = os.environ.get("OPENCLAW_UPSTREAM_BIN")
    if upstream and not os.access(upstream, os.X_OK):
        sys.exit(f"OPENCLAW_UPSTREAM_BIN={upstream} is not an executable")
    results: dict[str, object] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as tmp:
        cwd = str(Path(tmp) / "cwd")
        Path(cwd).mkdir()
        env["HOME"] = str(Path(tmp) / "home")
        if opts.only != "scale":
            floor = Path(tmp) / "typer_floor.py"
            floor.write_text(TYPER_FLOOR)
            cold = {
                "python -c pass": [python, "-c", "pass"],
                "typer one-option app": [python, str(floor), "--state-dir", "x"],
                "demo text": [*ours, "--state-dir", str(DEMO_STATE)],
                "demo --json": [*ours, "--json", "--state-dir", str(DEMO_STATE)],
            }
            results["cold"] = {
                name: measure(args, opts.runs, env, cwd) for name, args in cold.items()
            }
            results["import_top"] = import_top(
                [*ours, "--state-dir", str(DEMO_STATE)], env, cwd, opts.importtime
            )
            results["heavy_imports_on_static_path"] = heavy_imports_on_static_path(python, env, cwd)
        if opts.only != "cold":
            scale: dict[str, object] = {}
            cases: list[tuple[str, Path]] = []
            for kind, build in genconfigs.KINDS.items():
                config = build(opts.size)
                state = Path(tmp) / kind
                genconfigs.write_state(state, config)
                cases.append((f"{kind} {opts.size}", state))
                if kind in ("agents", "channel_accounts"):
                    inc_state = Path(tmp) / f"{kind}-inc"
                    genconfigs.write_state(inc_state, config, opts.includes)
                    cases.append((f"{kind} {opts.size} in {opts.includes} includes", inc_state))
            for name, state in cases:
                row = measure(
                    [*ours, "--json", "--state-dir", str(state)], opts.scale_runs, env, cwd
                )
                if upstream:
                    home = Path(tmp) / "upstream-home"
                    cmd, up_env = upstream_cmd(upstream, state, home)
                    up = measure(cmd, opts.scale_runs, up_env, cwd)
                    row["upstream"] = up
                    row["upstream_ratio"] = round(
                        float(up["wall_median_ms"]) / float(row["wall_median_ms"]),
                        1,  # type: ignore[arg-type]
                    )
                scale[name] = row
            if upstream:
                home = Path(tmp) / "upstream-home"
                cmd, up_env = upstream_cmd(upstream, DEMO_STATE, home)
                up = measure(cmd, opts.scale_runs, up_env, cwd)
                mine = measure([*ours, "--json", "--state-dir", str(DEMO_STATE)], 5, env, cwd)
                scale["demo (vs upstream)"] = {
                    **mine,
                    "upstream": up,
                    "upstream_ratio": round(
                        float(up["wall_median_ms"]) / float(mine["wall_median_ms"]),
                        1,  # type: ignore[arg-type]
                    ),
                }
            results["scale"] = scale
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results, upstream is not None)


def print_table(results: dict[str, object], with_upstream: bool) -> None:
    print(f"python {results['python']}, {results['cpus']} CPUs, load {results['load_avg']}")
    cold = results.get("cold")
    if isinstance(cold, dict):
        print("\ncold start                     wall median   CPU median")
        for name, row in cold.items():
            print(f"  {name:28s} {row['wall_median_ms']:8.1f} ms  {row['cpu_median_ms']:8.1f} ms")
        print("\nslowest imports (self ms, cumulative ms):")
        for name, self_ms, cum_ms in results.get("import_top", []):  # type: ignore[misc]
            print(f"  {self_ms:6.1f} {cum_ms:7.1f}  {name}")
        print(f"\nheavy imports on the static path: {results['heavy_imports_on_static_path']}")
    scale = results.get("scale")
    if isinstance(scale, dict):
        print("\nscaling (--json)                          wall median  CPU median  peak RSS")
        for name, row in scale.items():
            line = (
                f"  {name:40s} {row['wall_median_ms'] / 1000:7.2f} s  "
                f"{row['cpu_median_ms'] / 1000:7.2f} s  {row['peak_rss_mib']:6.1f} MiB"
            )
            if with_upstream and "upstream" in row:
                up = row["upstream"]
                ratio = row["upstream_ratio"]
                line += f"   upstream {up['wall_median_ms'] / 1000:.2f} s (= {ratio}x ours)"
            print(line)


if __name__ == "__main__":
    main()
