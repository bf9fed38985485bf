"""The output formats, one table with one signature (the pip-audit pattern).

Every audit output (one target, a fleet, ``--fix``) goes through
``FORMATS[name](results, fix, options) -> str``. Renderers take finished reports and decide
nothing; the face redacts the text once and writes it. Each formatter imports its renderer
when called, so a run pays only for the format it prints (SARIF pulls in hashlib and urllib).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openclaw_audit.report.model import FixResult, Report
from openclaw_audit.report.targets import TargetResult


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    fleet: bool = False  # several targets: the fleet envelope and summary table
    fix_run: bool = False  # a --fix run (fix=None then means the fixer crashed)
    include_suppressed: bool = False  # SARIF: also emit suppressed findings
    home: str = ""  # shortened to ~ in the fix block
    fix_command: str | None = None  # the --fix hint line; None: the fix block's default


Formatter = Callable[[Sequence[TargetResult], FixResult | None, RenderOptions], str]


def _report(results: Sequence[TargetResult]) -> Report:
    report = results[0].report
    assert report is not None, "a single-target run that failed raises before rendering"
    return report


def render_text(
    results: Sequence[TargetResult], fix: FixResult | None, options: RenderOptions
) -> str:
    from openclaw_audit.render import fleet, text
    from openclaw_audit.render.fix_text import render_with_fix

    if options.fleet:
        return fleet.render_text(
            results, lambda rep, head: text.render(rep, color=options.color, heading=head)
        )
    if options.fix_run:
        return render_with_fix(
            _report(results),
            fix,
            home=options.home,
            color=options.color,
            **({"fix_command": options.fix_command} if options.fix_command else {}),
        )
    return text.render(_report(results), color=options.color)


def render_json(
    results: Sequence[TargetResult], fix: FixResult | None, options: RenderOptions
) -> str:
    from openclaw_audit.render import fleet, json_report

    if options.fleet:
        return fleet.render_json(results)
    if options.fix_run:
        doc = json_report.fix_envelope(fix.to_json() if fix else None, _report(results))
        return json_report.dumps(doc)
    return json_report.render(_report(results))


def render_sarif(
    results: Sequence[TargetResult], fix: FixResult | None, options: RenderOptions
) -> str:
    from openclaw_audit.render import sarif

    return sarif.render(results, include_suppressed=options.include_suppressed)


FORMATS: dict[str, Formatter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
}
