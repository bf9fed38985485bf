#!/usr/bin/env python3
"""Compare openclaw-audit's static findings with the upstream `openclaw security audit`.

A developer tool, run by hand (never in CI): for every case file it builds a throwaway HOME and
state dir, runs both tools with `--json` on identical copies, and prints the difference of the
(checkId, severity) pairs, minus the documented deliberate divergences.

Usage:
    scripts/compare_upstream.py --ocx PEER/bin/ocx [--cases DIR] [-k SUBSTR]... [-j N]
                                [--timeout S] [--show] [--keep] [--json FILE]

`--ocx` is the wrapper made by the upstream installer script (it runs the peer CLI with
`OCPEER_HOME` as HOME and a scrubbed environment); it can also come from env `OCPEER_OCX`.
`--netns NAME` runs the peer inside an existing network namespace (e.g. a loopback-only one).

Case files (`fixtures/compare/*.json5`) hold the config as written to `<state>/openclaw.json`.
Leading `// @...` comment lines set up the environment (both tools ignore comments):

    // @env NAME=VALUE          extra environment variable for both tools (no spaces in VALUE;
                                `OPENCLAW_CONFIG_PATH` / `OPENCLAW_STATE_DIR` also
                                become our `--config` / `--state-dir`)
    // @dir REL MODE            create a directory under the state dir with an octal mode
    // @file REL MODE [TEXT]    create a file (TEXT default `{}`) with an octal mode
    // @symlink REL TARGET      create a symlink REL -> TARGET
    // @mode REL MODE           chmod after setup; `.` is the state dir, config is `openclaw.json`
    // @accept SIDE ID SEV WHY  a known, justified difference (SIDE = ours|upstream): reported
                                as accepted instead of as a discrepancy

`@STATE@` and `@HOME@` in the config, file texts, symlink targets and env values are replaced by
the absolute paths. The state dir defaults to mode 700 and the config to 600, so permission
findings only appear where a case asks for them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Deliberate divergences documented in the spec README: these check ids are never compared.
IGNORED_CHECK_IDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^channels\."), "channel findings: emitted for every configured channel by us"),
    (re.compile(r"^sandbox\.browser_cdp_bridge_unrestricted$"), "kept by us, dropped upstream"),
    (re.compile(r"^logging\.redact_off$"), "kept by us, upstream rejects the key"),
    (re.compile(r"^sandbox\.browser_container\."), "docker containers: --deep only for us"),
]
# Upstream also reports that the gateway `secrets.resolve` RPC was unavailable; we never call it.
IGNORED_DIAGNOSTIC = re.compile(r"\bsecrets\.resolve\b")

Pair = tuple[str, str]


@dataclass
class Case:
    name: str
    path: Path
    config_text: str
    env: dict[str, str] = field(default_factory=dict)
    dirs: list[tuple[str, int]] = field(default_factory=list)
    files: list[tuple[str, int, str]] = field(default_factory=list)
    symlinks: list[tuple[str, str]] = field(default_factory=list)
    modes: list[tuple[str, int]] = field(default_factory=list)
    accepted: dict[tuple[str, str, str], str] = field(default_factory=dict)


@dataclass
class RunResult:
    pairs: Counter[Pair] | None
    diagnostics: list[str]
    error: str | None
    seconds: float


@dataclass
class Outcome:
    case: Case
    ours: RunResult
    upstream: RunResult
    only_ours: list[Pair] = field(default_factory=list)
    only_upstream: list[Pair] = field(default_factory=list)
    count_diffs: list[tuple[Pair, int, int]] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    diag_only_ours: list[str] = field(default_factory=list)
    diag_only_upstream: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.ours.error or self.upstream.error:
            return "ERROR"
        if self.only_ours or self.only_upstream:
            return "DIFF"
        if self.count_diffs:
            return "COUNT"
        if self.diag_only_ours or self.diag_only_upstream:
            return "DIAG"
        return "same"


def parse_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    case = Case(name=path.stem, path=path, config_text=text)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("// @"):
            continue
        word, _, rest = stripped[4:].partition(" ")
        args = rest.split()
        if word == "env":
            key, _, value = rest.strip().partition("=")
            case.env[key] = value
        elif word == "dir":
            case.dirs.append((args[0], int(args[1], 8)))
        elif word == "file":
            body = rest.strip().split(None, 2)
            case.files.append((body[0], int(body[1], 8), body[2] if len(body) > 2 else "{}"))
        elif word == "symlink":
            case.symlinks.append((args[0], args[1]))
        elif word == "mode":
            case.modes.append((args[0], int(args[1], 8)))
        elif word == "accept":
            side, check_id, severity = args[0], args[1], args[2]
            case.accepted[(side, check_id, severity)] = " ".join(args[3:])
        else:
            raise ValueError(f"{path.name}: unknown directive @{word}")
    return case


def build_tree(case: Case, root: Path) -> tuple[Path, Path, Path]:
    """Create HOME, state dir and config under root; return (home, state, config)."""
    home = root / "home"
    state = home / ".openclaw"
    state.mkdir(parents=True)
    os.chmod(state, 0o700)

    def subst(text: str) -> str:
        return text.replace("@STATE@", str(state)).replace("@HOME@", str(home))

    config = state / "openclaw.json"
    config.write_text(subst(case.config_text), encoding="utf-8")
    os.chmod(config, 0o600)
    for rel, mode in case.dirs:
        target = state / rel
        target.mkdir(parents=True, exist_ok=True)
        os.chmod(target, mode)
    for rel, mode, body in case.files:
        target = state / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(subst(body), encoding="utf-8")
        os.chmod(target, mode)
    for rel, dest in case.symlinks:
        link = state / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(subst(dest))
    for rel, mode in case.modes:
        os.chmod(state / rel if rel != "." else state, mode)
    (root / "cwd").mkdir()
    return home, state, config


def run_json(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> RunResult:
    """Run a tool, parse its JSON report from stdout; kill the whole process group on timeout."""
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return RunResult(None, [], f"timeout after {timeout:.0f}s", time.monotonic() - start)
    seconds = time.monotonic() - start
    text = out.decode("utf-8", "replace")
    doc = None
    # Tolerate banner lines before the JSON document.
    for match in re.finditer(r"^\{", text, re.MULTILINE):
        try:
            doc, _ = json.JSONDecoder().raw_decode(text[match.start() :])
            break
        except json.JSONDecodeError:
            continue
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        tail = (err.decode("utf-8", "replace").strip() or text.strip())[-600:]
        return RunResult(None, [], f"exit {proc.returncode}, no report: {tail}", seconds)
    pairs: Counter[Pair] = Counter()
    for finding in doc["findings"]:
        pairs[(str(finding.get("checkId")), str(finding.get("severity")))] += 1
    diags = [str(d) for d in doc.get("secretDiagnostics") or []]
    return RunResult(pairs, diags, None, seconds)


def ignored(check_id: str) -> bool:
    return any(pattern.search(check_id) for pattern, _ in IGNORED_CHECK_IDS)


def compare(case: Case, ours: RunResult, upstream: RunResult) -> Outcome:
    outcome = Outcome(case, ours, upstream)
    if ours.pairs is None or upstream.pairs is None:
        return outcome
    mine = Counter({p: n for p, n in ours.pairs.items() if not ignored(p[0])})
    theirs = Counter({p: n for p, n in upstream.pairs.items() if not ignored(p[0])})
    for side, only in (("ours", set(mine) - set(theirs)), ("upstream", set(theirs) - set(mine))):
        for pair in sorted(only):
            why = case.accepted.get((side, pair[0], pair[1]))
            if why is not None:
                outcome.accepted.append(f"{side} only {pair[0]}/{pair[1]}: {why}")
            elif side == "ours":
                outcome.only_ours.append(pair)
            else:
                outcome.only_upstream.append(pair)
    for pair in sorted(set(mine) & set(theirs)):
        if mine[pair] != theirs[pair]:
            outcome.count_diffs.append((pair, mine[pair], theirs[pair]))
    # secretDiagnostics: compared verbatim (our lines reuse upstream's fixed sentences).
    up_diags = [d for d in upstream.diagnostics if not IGNORED_DIAGNOSTIC.search(d)]
    outcome.diag_only_ours = [d for d in ours.diagnostics if d not in up_diags]
    outcome.diag_only_upstream = [d for d in up_diags if d not in ours.diagnostics]
    return outcome


def run_case(case: Case, args: argparse.Namespace, work: Path) -> Outcome:
    root = work / case.name
    results: dict[str, RunResult] = {}
    for side in ("ours", "upstream"):
        tree = root / side
        tree.mkdir(parents=True)
        home, state, config = build_tree(case, tree)
        case_env = {
            k: v.replace("@STATE@", str(state)).replace("@HOME@", str(home))
            for k, v in case.env.items()
        }
        base = {"HOME": str(home), "OPENCLAW_STATE_DIR": str(state), **case_env}
        # A case may point config or state elsewhere (e.g. a symlink); ours takes them as flags.
        config = Path(case_env.get("OPENCLAW_CONFIG_PATH", str(config)))
        if side == "ours":
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "LANG": "C.UTF-8",
                "TZ": "UTC",
                "NO_COLOR": "1",
                **base,
            }
            cmd = [*shlex.split(args.ours), "--json", "--config", str(config)]
            cmd += ["--state-dir", base["OPENCLAW_STATE_DIR"]]
            results[side] = run_json(cmd, env, tree / "cwd", args.timeout)
        else:
            extra = {k: v for k, v in base.items() if k != "HOME"}
            if args.compile_cache:
                extra["NODE_COMPILE_CACHE"] = args.compile_cache
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "OCPEER_HOME": str(home),
                "OCPEER_ENV": " ".join(f"{k}={v}" for k, v in extra.items()),
            }
            if args.netns:
                env["OCPEER_NETNS"] = args.netns
            cmd = [args.ocx, "security", "audit", "--json"]
            results[side] = run_json(cmd, env, tree / "cwd", args.timeout)
    return compare(case, results["ours"], results["upstream"])


def fmt_pairs(pairs: Counter[Pair] | None) -> str:
    if pairs is None:
        return "-"
    return ", ".join(
        f"{c}/{s}" + (f" x{n}" if n > 1 else "") for (c, s), n in sorted(pairs.items())
    )


def report(outcomes: list[Outcome], show: bool) -> int:
    width = max((len(o.case.name) for o in outcomes), default=10)
    problems = 0
    for o in outcomes:
        n_ours = sum(o.ours.pairs.values()) if o.ours.pairs else 0
        n_up = sum(o.upstream.pairs.values()) if o.upstream.pairs else 0
        n_ign = sum(n for (c, _), n in (o.ours.pairs or {}).items() if ignored(c))
        print(
            f"{o.case.name:<{width}}  {o.status:<5}  ours={n_ours:<3} upstream={n_up:<3} "
            f"ignored(ours)={n_ign:<2} ({o.ours.seconds:.1f}s / {o.upstream.seconds:.1f}s)"
        )
        if o.status != "same":
            problems += 1
        for label, res in (("ours", o.ours), ("upstream", o.upstream)):
            if res.error:
                print(f"    ! {label} failed: {res.error}")
        for check_id, sev in o.only_ours:
            print(f"    + ours only:     {check_id} ({sev})")
        for check_id, sev in o.only_upstream:
            print(f"    - upstream only: {check_id} ({sev})")
        for (check_id, sev), mine, theirs in o.count_diffs:
            print(f"    ~ count:         {check_id} ({sev}) ours={mine} upstream={theirs}")
        for line in o.accepted:
            print(f"    = accepted:      {line}")
        for line in o.diag_only_ours:
            print(f"    d ours only:     {line}")
        for line in o.diag_only_upstream:
            print(f"    d upstream only: {line}")
        if show:
            print(f"    ours:     {fmt_pairs(o.ours.pairs)}")
            print(f"    upstream: {fmt_pairs(o.upstream.pairs)}")
    print(f"\n{len(outcomes)} cases, {problems} with differences or errors")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=REPO / "fixtures" / "compare")
    parser.add_argument(
        "-k", dest="select", action="append", help="only cases named like this (repeatable)"
    )
    parser.add_argument("--ocx", default=os.environ.get("OCPEER_OCX"), help="upstream wrapper")
    parser.add_argument("--ours", default=str(REPO / ".venv" / "bin" / "openclaw-audit"))
    parser.add_argument("--netns", help="network namespace for the upstream CLI")
    parser.add_argument("-j", "--jobs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=240.0, help="per run, seconds")
    parser.add_argument(
        "--compile-cache",
        default=str(Path(tempfile.gettempdir()) / "ocpeer-node-compile-cache"),
        help="NODE_COMPILE_CACHE for the upstream CLI ('' disables)",
    )
    parser.add_argument("--show", action="store_true", help="print every pair of both tools")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway trees")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    if not args.ocx or not os.access(args.ocx, os.X_OK):
        parser.error("--ocx (or env OCPEER_OCX) must name the upstream wrapper script")

    cases = [parse_case(p) for p in sorted(args.cases.glob("*.json5"))]
    if args.select:
        cases = [c for c in cases if any(part in c.name for part in args.select)]
    if not cases:
        parser.error(f"no cases in {args.cases}")

    work = Path(tempfile.mkdtemp(prefix="oc-compare-"))
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(lambda c: run_case(c, args, work), cases))
    finally:
        if args.keep:
            print(f"trees kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "case": o.case.name,
                        "status": o.status,
                        "onlyOurs": o.only_ours,
                        "onlyUpstream": o.only_upstream,
                        "countDiffs": o.count_diffs,
                        "accepted": o.accepted,
                        "diagnostics": {
                            "onlyOurs": o.diag_only_ours,
                            "onlyUpstream": o.diag_only_upstream,
                        },
                        "errors": {"ours": o.ours.error, "upstream": o.upstream.error},
                        "ours": sorted(o.ours.pairs.elements()) if o.ours.pairs else None,
                        "upstream": sorted(o.upstream.pairs.elements())
                        if o.upstream.pairs
                        else None,
                    }
                    for o in outcomes
                ],
                indent=2,
            ),
            encoding="utf-8",
        )
    return report(outcomes, args.show)


if __name__ == "__main__":
    sys.exit(main())
