"""Config validity (trust.md §3): does OpenClaw's own schema accept the config, and does the
config repeat a key (JSON5 silently keeps the last one)?"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.config_schema import schema_for, schema_issues
from openclaw_audit.report.model import Finding, Location, Severity

MAX_LINES = 200  # the detail stays readable; --strict-config --json lists every problem
# Each check here fires at most once. An empty subject keeps the finding's identity (SARIF
# fingerprint, baseline pairing) off the detail, whose line numbers move with every edit.
ONE_OFF = ""

SCHEMA_INVALID = define(
    "config.schema_invalid",
    Severity.WARN,
    "Config does not validate: the gateway refuses to start with it",
    remediation=(
        "Fix each listed key (the detail gives the file, line and column and what is accepted), "
        "then check with: openclaw config validate"
    ),
    docs="""
## What
The config, after `$include` and `${VAR}` substitution, does not match the config schema of
OpenClaw 2026.9.6 (or of the schema given with `--config-schema`): unknown or misspelt keys,
values of the wrong type, values outside the allowed set or range, missing required keys.
Legacy shapes that OpenClaw migrates on load (such as `agents.list`) are accepted.

## Why
OpenClaw refuses to start with a config its schema rejects, and its own audit then reports
nothing. This audit still runs, but the gateway you are auditing may be running an older
config, or not running at all, and a misspelt security key (say `gateway.bnd`) protects
nothing.

## Fix
Correct each listed problem. `openclaw config validate` shows the same list, and
`openclaw doctor --fix` repairs what it can. Run with `--strict-config` to make an invalid
config fail the audit (exit 2) as OpenClaw would.
""",
)

DUPLICATE_KEYS = define(
    "config.duplicate_keys",
    Severity.WARN,
    "Config repeats a key: only the last value counts",
    remediation="Keep one occurrence of each listed key, with the value you mean.",
    docs="""
## What
An object in the config (or in an `$include` file) contains the same key more than once.

## Why
JSON5 keeps the last occurrence and drops the others without a word, so a setting written
near the top of an object (say a tight `gateway.bind`) can be silently overridden by one
further down. OpenClaw accepts such a config, so this is reported on its own rather than as
a schema problem.

## Fix
Delete the occurrences you do not want; the detail says which line wins.
""",
)


@check(Stage.CONFIG_SCHEMA, emits=[SCHEMA_INVALID], order=1)
def schema_invalid(ctx: AuditContext) -> Iterator[Finding]:
    issues = schema_issues(ctx)
    if not issues:
        return
    lines = [f"- {i.path or '(root)'}: {i.message} ({_where(i.location)})" for i in issues]
    if len(lines) > MAX_LINES:
        more = len(lines) - MAX_LINES
        lines = [*lines[:MAX_LINES], f"- … and {more} more (--strict-config --json lists all)"]
    count = f"{len(issues)} problem{'s' if len(issues) != 1 else ''}"
    yield SCHEMA_INVALID.finding(
        f"The config does not validate against the {schema_for(ctx).name} config schema "
        f"({count}):\n" + "\n".join(lines),
        subject=ONE_OFF,
        location=issues[0].location,
    )


@check(Stage.CONFIG_SCHEMA, emits=[DUPLICATE_KEYS], order=2)
def duplicate_keys(ctx: AuditContext) -> Iterator[Finding]:
    dups = [d for d in ctx.duplicates if d.kept is not None]
    if not dups:
        return
    lines = []
    for d in dups:
        kept = d.kept
        assert kept is not None
        path = ".".join(kept.local_path)
        lost = f"line {d.lost.line}" if d.lost is not None else "an earlier line"
        lines.append(
            f"- {path}: written more than once in {kept.file}; line {kept.line} wins, "
            f"{lost} is ignored"
        )
    first = dups[0].kept
    assert first is not None
    yield DUPLICATE_KEYS.finding(
        "\n".join(lines[:MAX_LINES]),
        subject=ONE_OFF,
        location=Location(
            config_path=first.local_path, file=first.file, line=first.line, column=first.column
        ),
    )


def _where(loc: Location) -> str:
    if loc.file is None:
        return "location unknown"
    return ":".join(str(x) for x in (loc.file, loc.line, loc.column) if x is not None)
