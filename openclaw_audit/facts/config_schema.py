"""Does OpenClaw accept this config? Schema problems and repeated keys, located.

The config is validated as OpenClaw validates what it loads: after ``$include`` and ``${VAR}``
and before SecretRefs are resolved (a SecretRef object is checked as the object written). A
``${VAR}`` left unset is validated as its literal text, which is what upstream reads there.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from openclaw_audit.config.schema import Problem, Schema, bundled, from_file, problems
from openclaw_audit.config.schema.validate import MISSING, UNKNOWN_KEY
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.report.model import Location


class SchemaIssue(NamedTuple):
    path: str  # dotted config path as the user wrote it ("" for the root)
    message: str  # what is wrong and what would be accepted; never the value itself
    location: Location


def schema_for(ctx: AuditContext) -> Schema:
    return from_file(ctx.schema_file) if ctx.schema_file else bundled()


def describe(problem: Problem) -> str:
    if problem.kind in (UNKNOWN_KEY, MISSING) or problem.message.startswith("key not allowed"):
        return problem.message
    return f"{problem.kind}: {problem.message}"


def schema_issues(ctx: AuditContext) -> tuple[SchemaIssue, ...]:
    """Every problem, in config-path order (computed once per audit)."""
    return ctx.memo("config_schema.issues", lambda: _schema_issues(ctx))


def _schema_issues(ctx: AuditContext) -> tuple[SchemaIssue, ...]:
    config = _with_unset_literals(dict(ctx.source.data), ctx.unresolved_paths)
    return tuple(
        SchemaIssue(
            ".".join(str(p) for p in problem.path),
            describe(problem),
            ctx.source.location([str(p) for p in problem.path]),
        )
        for problem in problems(config, schema_for(ctx))
    )


def _with_unset_literals(
    config: dict[str, Any], unresolved: frozenset[tuple[str, ...]]
) -> dict[str, Any]:
    for path in unresolved:
        node = config
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                break
            node[part] = node = dict(child)
        else:
            node.setdefault(path[-1], "${UNSET}")
    return config
