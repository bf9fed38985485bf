"""``--deep`` static code scan of installed plugins and skills (checks-plugins-skills.md §4).

Roots are scanned concurrently (a pool of 4 threads) under one deadline; a root that does not
finish in time becomes a ``*.code_safety.scan_failed`` finding instead of holding up the
audit. Findings are assembled afterwards in canonical order: every plugin (sorted) with its
entry findings first, then every skill in discovery order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.code_scan import (
    MAX_FILE_BYTES,
    ManifestEntries,
    ScanSummary,
    ScanTimeout,
    manifest_entries,
    scan_root,
    sensitive_parameter_lines,
)
from openclaw_audit.facts.plugin_dirs import plugin_dirs, read_json
from openclaw_audit.facts.skill_dirs import SkillDir, skill_dirs
from openclaw_audit.report.model import Finding, Severity

POOL_SIZE = 4
# Whole-phase budget; matches the deep phase's minimum global deadline (deep-probes.md §1).
DEADLINE_S = 30.0

_RULES_DOC = """
Rules (JavaScript/TypeScript files only, at most 500 files of at most 1 MiB per directory;
hidden paths, `node_modules`, symlinks and special files are skipped): shell execution through
`child_process`, `eval`/`new Function`, crypto-mining strings (critical); WebSockets to
non-standard ports, file reads combined with network sends, long hex escapes and large base64
payloads (warn); `process.env` near a network send (critical).

Decision: a file that cannot be read (permissions, vanished, not a regular file) is skipped and
not counted, like an oversized file; only a directory that cannot be listed at all, or a scan
that outlives the deadline, produces `scan_failed`.
"""

PLUGIN_CODE = define(
    "plugins.code_safety",
    Severity.WARN,
    "Plugin code contains risky patterns",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation="Review the plugin's code; remove it if you do not trust it, and restrict "
    "which plugins load with plugins.allow / plugins.deny.",
    deep=True,
    escalates=True,
    docs="""
## What
With `--deep`, scans each installed plugin directory under `<stateDir>/extensions` (plus its
declared entry files). Critical when any critical rule matched, else warn when a warn rule
matched; the detail lists only the findings of the reported severity.

## Why
Plugins run inside the gateway with its credentials. These patterns are how malicious packages
usually execute commands, hide payloads or ship secrets out.

## Fix
Review the flagged files and uninstall plugins you cannot vouch for.
"""
    + _RULES_DOC,
)
ENTRY_ESCAPE = define(
    "plugins.code_safety.entry_escape",
    Severity.CRITICAL,
    "Plugin entry point lies outside the plugin directory",
    remediation="Fix or remove the plugin: an entry outside its own directory can load "
    "arbitrary code from elsewhere on the host.",
    deep=True,
    docs="""
## What
An `openclaw.extensions` entry in the plugin's `package.json` resolves (after normalisation,
following symlinks when it exists) outside the plugin directory.

## Why
The gateway would load code that was never part of the installed package and that no scan of
the plugin covers.

## Fix
Point the entry at a file inside the plugin, or remove the plugin.
""",
)
ENTRY_PATH = define(
    "plugins.code_safety.entry_path",
    Severity.WARN,
    "Plugin entry point is in a hidden or node_modules path",
    remediation="Point the plugin's entries at its own dist/ or src/ files.",
    deep=True,
    docs="""
## What
An `openclaw.extensions` entry stays inside the plugin but goes through a hidden directory or
`node_modules`.

## Why
Those paths are skipped by casual review and usually by tooling; loading code from them is a
common way to hide what a package really runs. (The scanner still scans such entry files.)

## Fix
Ship entries from the plugin's own source or build directories.
""",
)
PLUGIN_SCAN_FAILED = define(
    "plugins.code_safety.scan_failed",
    Severity.WARN,
    "Plugin code scan could not complete",
    remediation="Check the permissions of the extensions directory and rerun the audit "
    "with --deep.",
    deep=True,
    docs="""
## What
The extensions directory exists but cannot be listed, or a plugin directory could not be
scanned (unlistable, or the scan ran past the deep deadline).

## Why
An unscanned plugin is unreviewed code; the absence of `plugins.code_safety` means nothing here.

## Fix
Fix the permissions (or the slow storage) and rerun with `--deep`.
""",
)
SKILL_CODE = define(
    "skills.code_safety",
    Severity.WARN,
    "Skill code contains risky patterns",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation="Review the skill's code and remove the skill directory if you do not trust it.",
    deep=True,
    escalates=True,
    docs="""
## What
With `--deep`, scans each installed skill directory (workspace skills of every audited agent,
managed skills under `<stateDir>/skills`, and `skills.load.extraDirs`) with the same rules and
severity rule as `plugins.code_safety`.

## Why
Skills bring code the agent runs on request; the same patterns mean the same risks.

## Fix
Review the flagged files and delete skills you cannot vouch for.
"""
    + _RULES_DOC,
)
SKILL_SCAN_FAILED = define(
    "skills.code_safety.scan_failed",
    Severity.WARN,
    "Skill code scan could not complete",
    remediation="Check the permissions of the skill directory and rerun the audit with --deep.",
    deep=True,
    docs="""
## What
A skill directory could not be scanned: it cannot be listed, or its scan ran past the deep
deadline.

## Why
An unscanned skill is unreviewed code.

## Fix
Fix the permissions (or the slow storage) and rerun with `--deep`.
""",
)
SKILL_MARKDOWN = define(
    "skills.markdown_sensitive_network",
    Severity.CRITICAL,
    "Skill asks for credentials and its code sends data over the network",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation="Move secrets out of skill parameters into environment variables or "
    "SecretRefs, and review what the skill sends over the network.",
    deep=True,
    docs="""
## What
The skill's `SKILL.md` (at most 1 MiB) has a parameter-like line outside fenced code — a list
item (`-`, `*`, `+`, `1.`), a `name: value` or `name - text` line, or a table row — mentioning a
credential term (API key, auth, bearer, cookie, OAuth, password, private key, secret, token,
`process.env`, …), and some scanned code file of the skill makes a network send (`fetch(`,
`axios(`, `got(`, `ky(`, `http(s).request(`, `.post(`/`.put(`/`.patch(`/`.request(`,
`new WebSocket(`).

## Why
A skill that collects secrets from the conversation and can talk to the network is exactly the
shape of a credential-stealing skill.

## Fix
Take secrets from the environment or SecretRefs instead of the prompt, and audit the network
calls.

Decision (open question): the parameter-line grammar above is ours; upstream's exact grammar
is not documented.
""",
)


@dataclass(frozen=True, slots=True)
class _PluginResult:
    summary: ScanSummary | None
    error: str | None
    entries: ManifestEntries


@dataclass(frozen=True, slots=True)
class _SkillResult:
    summary: ScanSummary | None
    error: str | None
    sensitive_lines: tuple[tuple[int, str], ...]


def _scan_plugin(ctx: AuditContext, path: str, deadline: float) -> _PluginResult:
    package = read_json(ctx, os.path.join(path, "package.json"))
    entries = manifest_entries(ctx.state, path, package)
    summary = scan_root(ctx.state, path, forced=entries.entries, deadline=deadline)
    return _PluginResult(summary, None, entries)


def _scan_skill(ctx: AuditContext, skill: SkillDir, deadline: float) -> _SkillResult:
    summary = scan_root(ctx.state, skill.real, deadline=deadline)
    md = ctx.state.read_text(os.path.join(skill.real, "SKILL.md"), max_bytes=MAX_FILE_BYTES)
    lines = tuple(sensitive_parameter_lines(md)) if md is not None else ()
    return _SkillResult(summary, None, lines)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ScanTimeout):
        return "timed out before the scan finished"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return type(exc).__name__


def _finding_lines(summary: ScanSummary, severity: Severity) -> list[str]:
    return [
        f"  - [{f.rule_id}] {f.message} ({f.file}:{f.line})"
        for f in summary.findings
        if f.severity is severity
    ]


def _reported_severity(summary: ScanSummary) -> Severity | None:
    if summary.count(Severity.CRITICAL):
        return Severity.CRITICAL
    if summary.count(Severity.WARN):
        return Severity.WARN
    return None


def _summary_detail(head: str, summary: ScanSummary, severity: Severity) -> str:
    n = summary.count(severity)
    lines = [
        f"{head}: {n} {severity.value} finding{'s' if n != 1 else ''} in "
        f"{summary.scanned_files} scanned file{'s' if summary.scanned_files != 1 else ''}.",
        *_finding_lines(summary, severity),
    ]
    return "\n".join(lines)


def _run_all(jobs: list[Callable[[], object]], deadline: float) -> list[object | BaseException]:
    """Run jobs on a bounded pool; a job still running at the deadline yields ScanTimeout."""
    if not jobs:
        return []
    pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="code-scan")
    try:
        futures: list[Future[object]] = [pool.submit(job) for job in jobs]
        # A little grace past the cooperative deadline the scans check themselves.
        wait_futures(futures, timeout=max(0.0, deadline - time.monotonic()) + 1.0)
        out: list[object | BaseException] = []
        for fut in futures:
            if not fut.done():
                fut.cancel()
                out.append(ScanTimeout())
                continue
            exc = fut.exception()
            out.append(exc if exc is not None else fut.result())
        return out
    finally:
        # Never block on a wedged read; unfinished scans stop at their own deadline check.
        pool.shutdown(wait=False, cancel_futures=True)


@check(
    Stage.CODE_SCAN,
    needs_deep=True,
    emits=[
        ENTRY_ESCAPE,
        ENTRY_PATH,
        PLUGIN_CODE,
        PLUGIN_SCAN_FAILED,
        SKILL_CODE,
        SKILL_SCAN_FAILED,
        SKILL_MARKDOWN,
    ],
)
def deep_code_safety(ctx: AuditContext) -> Iterator[Finding]:
    yield from scan_installed_code(ctx, deadline_s=DEADLINE_S)


def scan_installed_code(ctx: AuditContext, *, deadline_s: float) -> Iterator[Finding]:
    deadline = time.monotonic() + deadline_s
    dirs = plugin_dirs(ctx)
    skills = skill_dirs(ctx)
    plugin_paths = [dirs.path_of(i) for i in range(len(dirs.ids))]
    jobs: list[Callable[[], object]] = [
        (lambda p=p: _scan_plugin(ctx, p, deadline)) for p in plugin_paths
    ]
    jobs.extend((lambda s=s: _scan_skill(ctx, s, deadline)) for s in skills)
    results = _run_all(jobs, deadline)

    if dirs.list_error is not None:
        yield PLUGIN_SCAN_FAILED.finding(
            f"Cannot list the extensions directory {dirs.extensions_dir}: {dirs.list_error}.",
            subject=dirs.extensions_dir,
        )
    for pid, path, res in zip(dirs.ids, plugin_paths, results[: len(plugin_paths)], strict=True):
        for plugin_row in _PLUGIN_ROWS:
            yield from plugin_row(pid, path, res)
    for skill, res in zip(skills, results[len(plugin_paths) :], strict=True):
        for skill_row in _SKILL_ROWS:
            yield from skill_row(skill, res)


# One function per row; the collector above runs them per plugin, then per skill, in this order.


def _plugin_scan_failed(pid: str, path: str, res: object) -> Iterator[Finding]:
    if not isinstance(res, _PluginResult):
        err = _error_text(res) if isinstance(res, BaseException) else "unexpected result"
        yield PLUGIN_SCAN_FAILED.finding(
            f"Plugin {pid} ({path}) could not be scanned: {err}.", subject=pid
        )


def _plugin_entry_escape(pid: str, path: str, res: object) -> Iterator[Finding]:
    if isinstance(res, _PluginResult) and res.entries.escaping:
        yield ENTRY_ESCAPE.finding(
            f"Plugin {pid} ({path}) declares entry points outside its directory:\n"
            + "\n".join(f"- {e}" for e in res.entries.escaping),
            subject=pid,
        )


def _plugin_entry_path(pid: str, path: str, res: object) -> Iterator[Finding]:
    if isinstance(res, _PluginResult) and res.entries.hidden:
        yield ENTRY_PATH.finding(
            f"Plugin {pid} ({path}) declares entry points in hidden or node_modules paths:\n"
            + "\n".join(f"- {e}" for e in res.entries.hidden),
            subject=pid,
        )


def _plugin_code_safety(pid: str, path: str, res: object) -> Iterator[Finding]:
    if not isinstance(res, _PluginResult):
        return
    summary = res.summary
    severity = _reported_severity(summary) if summary is not None else None
    if summary is not None and severity is not None:
        yield PLUGIN_CODE.finding(
            _summary_detail(f"Plugin {pid} ({path})", summary, severity),
            severity=severity,
            subject=pid,
        )


_PLUGIN_ROWS = (
    _plugin_scan_failed,
    _plugin_entry_escape,
    _plugin_entry_path,
    _plugin_code_safety,
)


def _skill_scan_failed(skill: SkillDir, res: object) -> Iterator[Finding]:
    if not isinstance(res, _SkillResult):
        err = _error_text(res) if isinstance(res, BaseException) else "unexpected result"
        yield SKILL_SCAN_FAILED.finding(
            f"Skill {skill.name} ({skill.path}) could not be scanned: {err}.",
            subject=skill.real,
        )


def _skill_code_safety(skill: SkillDir, res: object) -> Iterator[Finding]:
    if not isinstance(res, _SkillResult):
        return
    summary = res.summary
    severity = _reported_severity(summary) if summary is not None else None
    if summary is not None and severity is not None:
        yield SKILL_CODE.finding(
            _summary_detail(f"Skill {skill.name} ({skill.path})", summary, severity),
            severity=severity,
            subject=skill.real,
        )


def _skill_markdown_sensitive_network(skill: SkillDir, res: object) -> Iterator[Finding]:
    if not isinstance(res, _SkillResult):
        return
    summary = res.summary
    if res.sensitive_lines and summary is not None and summary.network_send:
        shown = res.sensitive_lines[:5]
        more = len(res.sensitive_lines) - len(shown)
        lines = [
            f"Skill {skill.name} ({skill.path}) asks for credential-like parameters in "
            "SKILL.md and its code sends data over the network.",
            *(f'- SKILL.md:{no} mentions "{term}"' for no, term in shown),
        ]
        if more > 0:
            lines.append(f"- … and {more} more")
        yield SKILL_MARKDOWN.finding("\n".join(lines), subject=skill.real)


_SKILL_ROWS = (_skill_scan_failed, _skill_code_safety, _skill_markdown_sensitive_network)
