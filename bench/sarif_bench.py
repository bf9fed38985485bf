"""SARIF rendering at GitHub's scale (issue 16 item 4): ``python bench/sarif_bench.py``.

Builds a report with 26,000 findings (more than GitHub's 25,000-result cap, so the cap and its
sort are exercised), located in a config file under the base directory like a real audit, and
times ``FORMATS["sarif"]`` on it (best of several runs). The target is at most 2 s.

``--cli`` also runs the whole CLI once on a generated config with 26,000 Telegram accounts with
open DMs (``--format sarif``) and checks the cap end to end: 25,000 results and the stderr
warning. It reports that run's wall time (loading and auditing dominate it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openclaw_audit.render.formats import FORMATS, AuditOutput, RenderOptions  # noqa: E402
from openclaw_audit.report.model import Finding, Location, Report, Rule, Severity  # noqa: E402
from openclaw_audit.report.targets import TargetResult  # noqa: E402

TARGET_S = 2.0
SEVERITIES = (Severity.WARN, Severity.CRITICAL, Severity.INFO)


def big_report(config: Path, n: int) -> Report:
    findings = tuple(
        Finding(
            check_id="channels.telegram.dm.open",
            severity=SEVERITIES[i % 3],
            title="Channel DMs are open to anyone",
            detail=f'channels.telegram.accounts.acct{i}.dmPolicy is "open": anyone can DM it.',
            remediation="Set dmPolicy to pairing or allowlist.",
            subject=f"telegram:acct{i}",
            location=Location(
                config_path=("channels", "telegram", "accounts", f"acct{i}", "dmPolicy"),
                file=str(config),
                line=10 + i * 5,
                column=7,
            ),
        )
        for i in range(n)
    )
    rule = Rule(
        id="channels.telegram.dm.open",
        severity=Severity.CRITICAL,
        title="Channel DMs are open to anyone",
        remediation="Set dmPolicy to pairing or allowlist.",
        docs="## What\nDM policy open.\n\n## Why\nStrangers.\n\n## Fix\nAllowlist.",
        escalates=True,
    )
    return Report(ts=1, findings=findings, config_path=str(config), rules={rule.id: rule})


def cli_run(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        state.mkdir(mode=0o700)
        accounts = {
            f"acct{i}": {"botToken": f"{100000 + i}:t{i}", "dmPolicy": "open", "allowFrom": ["*"]}
            for i in range(n)
        }
        config = state / "openclaw.json"
        config.write_text(json.dumps({"channels": {"telegram": {"accounts": accounts}}}, indent=1))
        config.chmod(0o600)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "openclaw_audit", "--config", str(config), "--format", "sarif",
             "--output", str(Path(tmp) / "out.sarif")],
            capture_output=True, text=True, env=env, cwd=tmp, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - start
        doc = json.loads((Path(tmp) / "out.sarif").read_text())
    kept = len(doc["runs"][0]["results"])
    print(f"CLI on a {n:,}-account config: exit {proc.returncode}, {kept:,} results, "
          f"{wall:.1f} s wall; stderr: {proc.stderr.strip()}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--findings", type=int, default=26_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli", action="store_true", help="also audit a generated config")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "openclaw.json"
        config.write_text("{}\n")
        report = big_report(config, args.findings)
        output = AuditOutput([TargetResult(str(config), report)])
        options = RenderOptions(sarif_base=tmp)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            text = FORMATS["sarif"](output, options)
            times.append(time.perf_counter() - start)
        doc = json.loads(text)
    kept = len(doc["runs"][0]["results"])
    best = min(times)
    verdict = "ok" if best <= TARGET_S else "TOO SLOW"
    print(f"SARIF of {args.findings:,} findings ({kept:,} results kept, {len(text) / 1e6:.1f} MB):")
    print(f"  best {best:.3f} s, median {sorted(times)[len(times) // 2]:.3f} s  "
          f"(target <= {TARGET_S:.1f} s: {verdict})")  # fmt: skip
    if args.cli:
        cli_run(args.findings)
    return 0 if best <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
