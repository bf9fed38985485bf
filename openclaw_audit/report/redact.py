"""The free-text safety net applied to what a run produced, before it is rendered.

Only free text passes through the net: finding details, suppression reasons, secret
diagnostics, probe errors and messages, fix messages and diffs, error messages. CheckIds,
severities, titles, remediation templates, keys, paths and the output's structure are the
tool's own text and are never rewritten (trust.md §1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from openclaw_audit.errors import AuditError
from openclaw_audit.report.model import FileDiff, Finding, FixAction, FixResult, Report
from openclaw_audit.report.targets import TargetResult

Net = Callable[[str], str]

# Keys of a probe's ``deep`` section whose values are free text (peer messages, errors).
_FREE_TEXT_KEYS = frozenset(
    {"error", "errors", "message", "reason", "detail", "note", "notes", "serverVersion"}
)


def redact_finding(finding: Finding, net: Net) -> Finding:
    detail = net(finding.detail)
    return finding if detail == finding.detail else replace(finding, detail=detail)


def _deep(value: Any, net: Net, free: bool = False) -> Any:
    if isinstance(value, str):
        return net(value) if free else value
    if isinstance(value, dict):
        return {k: _deep(v, net, free or k in _FREE_TEXT_KEYS) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_deep(v, net, free) for v in value]
    return value


def redact_report(report: Report, net: Net) -> Report:
    return replace(
        report,
        findings=tuple(redact_finding(f, net) for f in report.findings),
        suppressed=tuple(
            replace(
                s,
                finding=redact_finding(s.finding, net),
                reason=net(s.reason) if s.reason else s.reason,
            )
            for s in report.suppressed
        ),
        secret_diagnostics=tuple(net(d) for d in report.secret_diagnostics),
        deep=_deep(report.deep, net) if report.deep is not None else None,
        meta=_meta(report.meta, net),
    )


def _meta(meta: dict[str, Any], net: Net) -> dict[str, Any]:
    """The OpenClaw version of the target record may come from a live peer: free text."""
    target = meta.get("target")
    version = target.get("openclawVersion") if isinstance(target, dict) else None
    if not isinstance(version, dict) or not isinstance(version.get("version"), str):
        return meta
    safe = {**version, "version": net(version["version"])}
    return {**meta, "target": {**target, "openclawVersion": safe}}


def redact_error(error: AuditError, net: Net) -> AuditError:
    """A copy of ``error`` whose message and hint went through the net."""
    # Not copy.copy: an exception copies by calling its class with ``args``, which fails for
    # errors with keyword-only fields (ConfigInvalid's ``issues``).
    out = type(error).__new__(type(error))
    out.__dict__.update(error.__dict__)
    out.message = net(error.message)
    out.hint = net(error.hint) if error.hint else error.hint
    out.args = (out.message,)
    return out


def redact_target(result: TargetResult, net: Net) -> TargetResult:
    return replace(
        result,
        report=redact_report(result.report, net) if result.report is not None else None,
        error=redact_error(result.error, net) if result.error is not None else None,
        warnings=tuple(net(w) for w in result.warnings),
    )


def _action(action: FixAction, net: Net) -> FixAction:
    return replace(
        action,
        skipped=net(action.skipped) if action.skipped else action.skipped,
        error=net(action.error) if action.error else action.error,
    )


def redact_fix(fix: FixResult, net: Net) -> FixResult:
    return replace(
        fix,
        changes=tuple(net(c) for c in fix.changes),
        errors=tuple(net(e) for e in fix.errors),
        actions=tuple(_action(a, net) for a in fix.actions),
        diffs=tuple(FileDiff(d.path, net(d.diff)) for d in fix.diffs),
    )
