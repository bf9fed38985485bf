"""What ``--history`` costs a run: ``python bench/history_bench.py``.

Builds a history database holding 10,000 runs of the demo target (the worst case: every run
on the one target measured), then measures

- cold wall time (a fresh process per run, like cron) of ``openclaw-audit --json`` on the demo
  state, without and with ``--history`` on that database, interleaved so machine noise hits
  both alike; the budget is +20 ms (median);
- in-process, the history work alone: importing what ``--history`` imports (fresh processes,
  fastest of several) and opening the database and recording one run (prepare + record,
  median of many). On a loaded machine the cold medians swing by more than the budget; the
  fastest cold runs and the in-process figures are the steadier measure.

Prints a table and writes ``bench/results/history.json``.
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
DEMO_STATE = ROOT / "openclaw_audit" / "demo"  # as bench/bench.py
BUDGET_MS = 20.0


def build_db(db: Path, target: str, runs: int) -> None:
    """``runs`` runs of ``target`` whose findings come and go, so findings get fixed and
    reopened as in a real history (each run is its own transaction, as in production)."""
    from openclaw_audit.history.record import RunInput, record_run
    from openclaw_audit.history.scope import Scope
    from openclaw_audit.history.store import open_for_writing
    from openclaw_audit.report.model import Finding, Report, Severity

    conn = open_for_writing(str(db))
    start = time.time() - runs * 3600
    for n in range(runs):
        findings = tuple(
            Finding(f"bench.check{k}", Severity.WARN if k % 3 else Severity.CRITICAL, "t", f"d{k}")
            for k in range(12)
            if (n + k) % 5
        )
        deep = {"gateway": {"attempted": True, "ok": n % 7 != 0, "latencyMs": 3}}
        report = Report(ts=0, findings=findings, deep=deep, config_path=target)
        at = start + n * 3600
        record_run(conn, RunInput(target, at, at + 1, "bench", "0", 0, Scope(deep=True), report))
    conn.close()


def cold(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"benchmark run failed ({proc.returncode}): {proc.stderr.decode()[:500]}")
    return elapsed


def in_process(db: Path, target: str, runs: int) -> list[float]:
    """prepare (open + version check) and record of one run, as face/app.py does them."""
    from openclaw_audit.engine.options import AuditOptions
    from openclaw_audit.face.scheduled import ScheduledOptions, prepare
    from openclaw_audit.redaction import Scrubber
    from openclaw_audit.report.model import Finding, Report, Severity
    from openclaw_audit.report.targets import TargetResult

    findings = tuple(Finding(f"bench.check{k}", Severity.WARN, "t", f"d{k}") for k in range(10))
    result = TargetResult(target, Report(ts=0, findings=findings, config_path=target))
    times = []
    for _ in range(runs):
        scrubber = Scrubber()
        start = time.perf_counter()
        sched = prepare(
            ScheduledOptions(history=str(db)), AuditOptions(), baseline=False, scrubber=scrubber
        )
        assert sched is not None
        sched.record([result], 0, scrubber)
        times.append(time.perf_counter() - start)
    return times


IMPORT_PROBE = (
    "import time\n"
    "import openclaw_audit.face.app, openclaw_audit.engine.audit, openclaw_audit.render.formats\n"
    "t = time.perf_counter()\n"
    "import openclaw_audit.face.scheduled\n"
    "print(time.perf_counter() - t)\n"
)


def import_cost(env: dict[str, str], runs: int = 10) -> list[float]:
    """What importing the --history modules adds, after the modules every audit imports."""
    out = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE], capture_output=True, env=env, check=True
        )
        out.append(float(proc.stdout.decode().strip()))
    return out


def ms(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 2),
        "min_ms": round(min(values) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15, help="cold runs per case")
    parser.add_argument("--history-runs", type=int, default=10_000)
    parser.add_argument(
        "--db-dir",
        help="where the database lives (default: a temporary directory); /dev/shm leaves out "
        "the disk's fsync latency, which dominates on a busy disk",
    )
    opts = parser.parse_args()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENCLAW_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    exe = [sys.executable, "-m", "openclaw_audit", "--json", "--state-dir", str(DEMO_STATE)]
    target = str(DEMO_STATE / "openclaw.json")
    results: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(dir=opts.db_dir) as tmp:
        db = Path(tmp) / "history.db"
        results["db_dir"] = opts.db_dir or tempfile.gettempdir()
        t0 = time.perf_counter()
        build_db(db, target, opts.history_runs)
        results["build_s"] = round(time.perf_counter() - t0, 1)
        results["db_runs"] = opts.history_runs
        results["db_bytes"] = db.stat().st_size
        plain, hist = exe, [*exe, "--history", str(db)]
        cold(plain, env), cold(hist, env)  # warm-up: bytecode cache, page cache
        without, with_history = [], []
        for _ in range(opts.runs):
            without.append(cold(plain, env))
            with_history.append(cold(hist, env))
        results["cold_without"] = ms(without)
        results["cold_with_history"] = ms(with_history)
        extra = (statistics.median(with_history) - statistics.median(without)) * 1000
        results["cold_extra_median_ms"] = round(extra, 2)
        paired = [(w - o) * 1000 for w, o in zip(with_history, without, strict=True)]
        results["cold_extra_paired_median_ms"] = round(statistics.median(paired), 2)
        fastest = (min(with_history) - min(without)) * 1000
        results["cold_extra_fastest_ms"] = round(fastest, 2)
        imports = import_cost(env)
        work = in_process(db, target, 50)
        results["import_ms"] = ms(imports)
        results["in_process_history_work"] = ms(work)
        estimate = (min(imports) + statistics.median(work)) * 1000
        results["in_process_extra_ms"] = round(estimate, 2)
        results["budget_ms"] = BUDGET_MS
        results["within_budget"] = max(fastest, estimate) <= BUDGET_MS
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    name = "history.json" if opts.db_dir is None else "history-dbdir.json"
    (out_dir / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
