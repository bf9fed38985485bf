"""Benchmark of the HTML report: ``python bench/html_bench.py``.

Renders a generated report of 26,000 findings (a fleet of 13 targets, 2,000 findings each,
200 distinct checks over 10 areas, with live-probe facts and 500 runs of history per target)
through ``FORMATS["html"]``, the path ``--format html`` takes. The target is at most 2 s.
Prints the best and median of several rounds and the page size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from openclaw_audit.render.formats import FORMATS, AuditOutput, RenderOptions
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import Finding, Location, Report, Rule, Severity
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.report.trend import TargetHistory, TrendPoint

BUDGET_S = 2.0
DOCS = (
    "## What\nLooks at `gateway.bind` and the auth mode.\n\n"
    "## Why\nA gateway reachable from the LAN without auth runs tools for anyone.\n\n"
    "## Fix\nBind to `loopback` or set `gateway.auth.token`."
)
SEVERITIES = (Severity.CRITICAL, Severity.WARN, Severity.INFO)


def build(targets: int = 13, per_target: int = 2000, history_runs: int = 500) -> tuple:
    rules = {
        f"area{i % 10}.check_{i}": Rule(
            f"area{i % 10}.check_{i}",
            SEVERITIES[i % 3],
            f"Check {i}",
            "Fix it.",
            DOCS,
            group=f"area{i % 10}",
        )
        for i in range(200)
    }
    ids = list(rules)
    results = []
    history = {}
    for t in range(targets):
        findings = tuple(
            Finding(
                ids[i % 200],
                SEVERITIES[(i + t) % 3],
                f"Finding {i} of target {t} <with markup> & quotes \"'",
                f"Account acct{i} allows anyone: dmPolicy=open\nsecond line {i}",
                remediation=f"Set channels.telegram.accounts.acct{i}.dmPolicy to allowlist.",
                subject=f"acct{i}",
                location=Location(("channels", "telegram", f"acct{i}"), "/s/openclaw.json", i, 3),
            )
            for i in range(per_target)
        )
        deep = {
            "gateway": {"attempted": True, "ok": True, "url": "ws://127.0.0.1:18789",
                        "scopes": ["operator.read"], "latencyMs": 12},
            "http": {"baseUrl": "http://127.0.0.1:18789",
                     "endpoints": {"/tools/invoke": {"status": 401, "result": "enforced"}}},
        }  # fmt: skip
        report = Report(ts=1_764_000_000_000, findings=findings, deep=deep, rules=rules)
        name = f"/fleet/gw{t}/openclaw.json"
        results.append(TargetResult(name, report))
        history[name] = TargetHistory(
            target=name,
            points=tuple(
                TrendPoint(r, f"2025-10-{1 + r % 28:02d}T00:00:00Z", r % 7, r % 13, 1)
                for r in range(history_runs)
            ),
            first_seen={fingerprint(f): "2025-10-01T00:00:00Z" for f in findings[::2]},
        )
    return results, history


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results, history = build()
    total = sum(len(r.report.findings) for r in results)
    output = AuditOutput(results)
    options = RenderOptions(fleet=True, history=history)
    times = []
    size = 0
    for _ in range(args.rounds):
        start = time.perf_counter()
        page = FORMATS["html"](output, options)
        times.append(time.perf_counter() - start)
        size = len(page.encode("utf-8"))
    best, median = min(times), statistics.median(times)
    verdict = "ok" if median <= BUDGET_S else "OVER BUDGET"
    print(
        f"html report: {total} findings, {len(results)} targets, page {size / 1e6:.1f} MB; "
        f"render best {best:.3f} s, median {median:.3f} s (budget {BUDGET_S:.1f} s): {verdict}"
    )
    return 0 if median <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
