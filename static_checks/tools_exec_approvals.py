"""Exec runtime group, later rows: exec approvals and safe-bin trust (checks-tools-sandbox.md §2).

Continues ``tools_exec`` in the same stage: auto-approved skills, interpreters allowlisted
without strict inline eval, interpreter-like or broad safe bins, risky safe-bin trusted dirs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agents, sub, sub_dict
from openclaw_audit.facts.exec_policy import (
    approvals_agents,
    is_interpreter,
    load_exec_approvals,
    normalize_bin,
)
from openclaw_audit.report.model import Finding, Severity

AUTO_ALLOW_SKILLS = define(
    "tools.exec.auto_allow_skills_enabled",
    Severity.WARN,
    "Exec approvals trust skill binaries implicitly",
    remediation=(
        "Set `autoAllowSkills` to false in the exec approvals file and keep "
        "manual allowlists tight."
    ),
    docs="""
## What
The exec approvals file in the state dir (`exec-approvals.json`) sets `autoAllowSkills: true`
in `defaults` or for an agent.

## Why
Any binary a skill declares is then run without an approval prompt, so installing a skill
silently widens what exec may do.

## Fix
Disable `autoAllowSkills` and allowlist the binaries you actually need.
""",
)

INTERPRETER_ALLOWLIST = define(
    "tools.exec.allowlist_interpreter_without_strict_inline_eval",
    Severity.WARN,
    "Interpreters are allowlisted without strict inline-eval checks",
    remediation="Set `tools.exec.strictInlineEval: true` (globally or for the listed agents).",
    docs="""
## What
An exec-approvals allowlist (`defaults` or `agents.<id>`) contains an interpreter such as
`python3`, `node` or `bash`, and `tools.exec.strictInlineEval` (the agent's own value first,
then the global one) is not `true`.

## Why
An allowlisted interpreter runs any inline program (`python3 -c …`, `node -e …`); without
strict inline-eval each such call is not re-approved, so the allowlist allows everything.

## Fix
Enable `strictInlineEval` or remove interpreters from the allowlist.
""",
)

SAFE_BINS_INTERPRETER = define(
    "tools.exec.safe_bins_interpreter_unprofiled",
    Severity.WARN,
    "Interpreters listed as safe bins without a profile",
    remediation=(
        "Remove interpreters from `safeBins` or add a matching `tools.exec.safeBinProfiles` entry."
    ),
    docs="""
## What
`tools.exec.safeBins` (or an agent's) contains an interpreter-like binary (shells, python,
node, perl, awk, sed, …) with no entry in `safeBinProfiles` (global merged with the
agent's). Bin names are normalised (basename, lower case, `.exe` and the like removed) but
profile keys are only trimmed and lower-cased, as in OpenClaw: a profile keyed
`/usr/bin/perl` does not profile `perl`.

## Why
Safe bins skip approvals because they are meant to be harmless stdin filters. An
interpreter is a general-purpose program runner.

## Fix
Drop the interpreter from `safeBins` or constrain it with a profile.
""",
)

SAFE_BINS_BROAD = define(
    "tools.exec.safe_bins_broad_behavior",
    Severity.WARN,
    "Safe bins include tools with broad behaviour",
    remediation="Remove these binaries from `safeBins`.",
    docs="""
## What
`safeBins` (global or per agent) contains `jq`, an awk variant or a sed variant.

## Why
These look like filters but can read the environment or files, write files or start
commands, which breaks the low-risk assumption behind safe bins.

## Fix
Remove them from `safeBins` and approve their use explicitly.
""",
)

TRUSTED_DIRS_RISKY = define(
    "tools.exec.safe_bin_trusted_dirs_risky",
    Severity.WARN,
    "Safe-bin trusted directories include writable or risky locations",
    remediation=(
        "Trust only root-owned system directories (such as /bin and /usr/bin) "
        "in `safeBinTrustedDirs`."
    ),
    docs="""
## What
`tools.exec.safeBinTrustedDirs` (global or per agent) has relative entries, temp
directories, package-manager bin directories (`/usr/local/bin`, Homebrew, MacPorts,
Linuxbrew) or user home locations.

## Why
A safe bin is trusted by where it lives. Directories a user or package manager can write
let someone drop a look-alike binary that then runs without approval.

## Fix
Keep the list to root-owned system directories.
""",
)


@check(Stage.EXEC, order=30, emits=[AUTO_ALLOW_SKILLS])
def auto_allow_skills_enabled(ctx: AuditContext) -> Iterator[Finding]:
    approvals = load_exec_approvals(ctx)
    if not approvals:
        return
    per_agent = approvals_agents(approvals)
    auto_hits = []
    if sub(approvals, "defaults", "autoAllowSkills") is True:
        auto_hits.append("defaults.autoAllowSkills")
    auto_hits += [
        f"agents.{aid}.autoAllowSkills"
        for aid, cfg in per_agent.items()
        if sub(cfg, "autoAllowSkills") is True
    ]
    if auto_hits:
        yield AUTO_ALLOW_SKILLS.finding(
            "The exec approvals file (exec-approvals.json in the state dir) auto-approves "
            "skill binaries at:\n" + "\n".join(f"- {h}" for h in auto_hits)
        )


@check(Stage.EXEC, order=31, emits=[INTERPRETER_ALLOWLIST])
def allowlist_interpreter_without_strict_inline_eval(ctx: AuditContext) -> Iterator[Finding]:
    approvals = load_exec_approvals(ctx)
    if not approvals:
        return
    per_agent = approvals_agents(approvals)
    global_strict = ctx.config.get("tools.exec.strictInlineEval")
    by_id = {a.id: a.config for a in agents(ctx) if not a.implicit}

    def strict_for(aid: str | None) -> bool:
        own = sub(by_id.get(aid), "tools", "exec", "strictInlineEval") if aid else None
        return (own if isinstance(own, bool) else global_strict) is True

    interp_hits: list[str] = []
    sections: list[tuple[str, str | None, Any]] = [
        ("defaults", None, sub(approvals, "defaults", "allowlist"))
    ]
    sections += [(f"agents.{aid}", aid, sub(cfg, "allowlist")) for aid, cfg in per_agent.items()]
    for label, aid, allowlist in sections:
        if not isinstance(allowlist, list) or strict_for(aid):
            continue
        for entry in allowlist:
            pattern = entry if isinstance(entry, str) else sub(entry, "pattern")
            if isinstance(pattern, str) and pattern.strip() and is_interpreter(pattern.split()[0]):
                interp_hits.append(f"- {label}.allowlist: {pattern.strip()}")
    if interp_hits:
        yield INTERPRETER_ALLOWLIST.finding(
            "Interpreter entries are allowlisted while tools.exec.strictInlineEval is not "
            "true:\n" + "\n".join(interp_hits)
        )


_BROAD_WHY = {
    "jq": "can read environment variables and files through builtins",
    "awk": "can run commands and write files",
    "gawk": "can run commands and write files",
    "mawk": "can run commands and write files",
    "nawk": "can run commands and write files",
    "sed": "can write files and, in GNU sed, run commands",
    "gsed": "can write files and run commands",
}


def _bins(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    names = {normalize_bin(v) for v in value if isinstance(v, str) and v.strip()}
    return sorted(n for n in names if n)


def _profile_names(value: Any) -> set[str]:
    # Keys are only trimmed and lower-cased (upstream 2026.9.6, runtime alike): a profile keyed
    # by a path such as /usr/bin/perl does not profile the bin `perl`.
    if not isinstance(value, Mapping):
        return set()
    return {k.strip().lower() for k in value if isinstance(k, str) and k.strip()}


def _safe_bin_scopes(ctx: AuditContext) -> list[tuple[str, list[str], set[str]]]:
    """(label of the exec section, normalised safe bins, profiled names) per scope."""
    glob_profiles = _profile_names(ctx.config.get("tools.exec.safeBinProfiles"))
    out = [("tools.exec", _bins(ctx.config.get("tools.exec.safeBins")), glob_profiles)]
    for a in agents(ctx):
        exec_cfg = sub_dict(a.config, "tools", "exec")
        profiles = glob_profiles | _profile_names(exec_cfg.get("safeBinProfiles"))
        out.append((f"{a.label}.tools.exec", _bins(exec_cfg.get("safeBins")), profiles))
    return out


@check(Stage.EXEC, order=40, emits=[SAFE_BINS_INTERPRETER])
def safe_bins_interpreter_unprofiled(ctx: AuditContext) -> Iterator[Finding]:
    unprofiled = []
    for label, bins, profiles in _safe_bin_scopes(ctx):
        hits = [b for b in bins if is_interpreter(b) and b not in profiles]
        if hits:
            unprofiled.append(f"- {label}.safeBins: {', '.join(hits)}")
    if unprofiled:
        yield SAFE_BINS_INTERPRETER.finding(
            "Interpreter-like safe bins have no safeBinProfiles entry:\n" + "\n".join(unprofiled)
        )


@check(Stage.EXEC, order=41, emits=[SAFE_BINS_BROAD])
def safe_bins_broad_behavior(ctx: AuditContext) -> Iterator[Finding]:
    broad = [
        f"- {label}.safeBins: {b} ({_BROAD_WHY[b]})"
        for label, bins, _ in _safe_bin_scopes(ctx)
        for b in bins
        if b in _BROAD_WHY
    ]
    if broad:
        yield SAFE_BINS_BROAD.finding(
            "These safe bins do more than filter stdin:\n" + "\n".join(broad)
        )


_PKG_BIN_DIRS = ("/usr/local/bin", "/opt/homebrew/bin", "/opt/local/bin")
_PKG_BIN_DIRS += ("/home/linuxbrew/.linuxbrew/bin",)
_WIN_DRIVE = re.compile(r"^[a-z]:[\\/]", re.IGNORECASE)
_WIN_USERS = lazyre.compile(r"^[a-z]:/users/")


def _risky_dir_reason(entry: str) -> str | None:
    raw = entry.strip()
    if not raw:
        return None
    if not raw.startswith("/") and not _WIN_DRIVE.match(raw):
        return "relative path: what it means depends on the working directory"
    norm = raw.replace("\\", "/")
    if norm.startswith("/"):
        norm = posixpath.normpath(norm)
        norm = "/" + norm.lstrip("/")
    norm = norm.lower()
    for tmp in ("/tmp", "/var/tmp", "/private/tmp"):
        if norm == tmp or norm.startswith(tmp + "/"):
            return "temporary directory anyone can write to"
    if norm in _PKG_BIN_DIRS:
        return "package-manager bin directory, often user-writable"
    if norm.startswith(("/users/", "/home/")) or _WIN_USERS.match(norm):
        return "inside a user home directory"
    if "/.local/bin" in norm:
        return "per-user bin directory"
    return None


@check(Stage.EXEC, order=50, emits=[TRUSTED_DIRS_RISKY])
def safe_bin_trusted_dirs(ctx: AuditContext) -> Iterator[Finding]:
    sources: list[tuple[str, Any]] = [
        ("tools.exec.safeBinTrustedDirs", ctx.config.get("tools.exec.safeBinTrustedDirs"))
    ]
    sources += [
        (
            f"{a.label}.tools.exec.safeBinTrustedDirs",
            sub(a.config, "tools", "exec", "safeBinTrustedDirs"),
        )
        for a in agents(ctx)
    ]
    hits: list[str] = []
    for label, entries in sources:
        if not isinstance(entries, list):
            continue
        for e in entries:
            reason = _risky_dir_reason(e) if isinstance(e, str) else None
            if reason:
                hits.append(f"- {label}: {e.strip()} ({reason})")
    if hits:
        shown = hits[:10] + ([f"+{len(hits) - 10} more"] if len(hits) > 10 else [])
        yield TRUSTED_DIRS_RISKY.finding(
            "Safe bins found in these directories are trusted without approval:\n"
            + "\n".join(shown)
        )
