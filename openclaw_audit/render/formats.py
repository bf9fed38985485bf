"""The output formats, one table with one signature (the pip-audit pattern).

Everything the tool prints on stdout goes through ``FORMATS[name](output, options) -> str``:
an audit (one target, a fleet, ``--fix``), a drift (``diff``) or the catalog (``checks``,
``explain``). Renderers take finished data and decide nothing; the face redacts and writes.
Each formatter imports its renderer when called, so a run pays only for what it prints (SARIF
pulls in hashlib and urllib).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openclaw_audit.report.model import FixResult, Report, Rule
from openclaw_audit.report.targets import TargetResult

if TYPE_CHECKING:  # only `diff` and `--history` runs load these
    from openclaw_audit.report.drift import Drift
    from openclaw_audit.report.trend import TargetHistory


@dataclass(frozen=True, slots=True)
class AuditOutput:
    """Per-target results, plus the fix result of a ``--fix`` run."""

    results: Sequence[TargetResult]
    fix: FixResult | None = None


@dataclass(frozen=True, slots=True)
class DriftOutput:
    drift: Drift


@dataclass(frozen=True, slots=True)
class CatalogOutput:
    """The catalog listing; with ``explain``, the one rule asked for (by that concrete id)."""

    rules: Sequence[Rule]
    explain: str | None = None


Output = AuditOutput | DriftOutput | CatalogOutput


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    fleet: bool = False  # several targets: the fleet envelope and summary table
    fix_run: bool = False  # a --fix run (fix=None then means the fixer crashed)
    include_suppressed: bool = False  # SARIF: also emit suppressed findings
    home: str = ""  # shortened to ~ in the fix block
    fix_command: str | None = None  # the --fix hint line; None: the fix block's default
    # --history: each target's past runs (target path -> history), for trends and ages
    history: Mapping[str, TargetHistory] | None = None
    # SARIF / GitHub annotations: file paths are made relative to this (default: the cwd)
    sarif_base: str | None = None
    sarif_category: str | None = None  # SARIF automationDetails.id (``NAME/``)
    # Text layout (output-ux.md §3): wrap width on a TTY (None: never wrap, byte-stable),
    # --compact, -v (a dry run prints the full report only then), and the command that audits
    # this target again (hints build on it).
    width: int | None = None
    compact: bool = False
    verbose: bool = False
    rerun: str = "openclaw-audit"
    # metrics: when a run last completed, from the previous metrics file (kept when this run
    # could not audit every target)
    previous_success: float | None = None


Formatter = Callable[[Output, RenderOptions], str]


class NoSuchFormat(ValueError):
    """This output has no rendering in that format (e.g. ``diff`` as SARIF)."""


def _report(results: Sequence[TargetResult]) -> Report:
    report = results[0].report
    assert report is not None, "a single-target run that failed raises before rendering"
    return report


def render_text(output: Output, options: RenderOptions) -> str:
    if isinstance(output, DriftOutput):
        from openclaw_audit.render.drift import render_text as drift_text

        return drift_text(output.drift)
    if isinstance(output, CatalogOutput):
        from openclaw_audit.render.catalog import render_explain, render_list

        if output.explain is not None:
            return render_explain(output.rules[0], output.explain)
        return render_list(output.rules, as_json=False)
    return _audit_text(output, options)


def _audit_text(output: AuditOutput, options: RenderOptions) -> str:
    from openclaw_audit.render import text

    layout = text.Layout(
        color=options.color, width=options.width, compact=options.compact, rerun=options.rerun
    )
    results = output.results
    if options.fleet:  # each branch imports only its renderer (the fleet one pulls in JSON)
        from openclaw_audit.render import fleet

        return fleet.render_text(
            results, lambda rep, head: text.render(rep, heading=head, layout=layout)
        )
    if options.fix_run:
        from openclaw_audit.render.fix_text import render_with_fix

        return render_with_fix(
            _report(results),
            output.fix,
            home=options.home,
            layout=layout,
            verbose=options.verbose,
            **({"fix_command": options.fix_command} if options.fix_command else {}),
        )
    return text.render(_report(results), layout=layout)


def render_json(output: Output, options: RenderOptions) -> str:
    if isinstance(output, DriftOutput):
        from openclaw_audit.render.drift import render_json as drift_json

        return drift_json(output.drift)
    if isinstance(output, CatalogOutput):
        from openclaw_audit.render.catalog import render_list

        if output.explain is not None:
            raise NoSuchFormat("explain prints text only")
        return render_list(output.rules, as_json=True)
    from openclaw_audit.render import fleet, json_report

    if options.fleet:
        return fleet.render_json(output.results)
    if options.fix_run:
        fix = output.fix
        doc = json_report.fix_envelope(fix.to_json() if fix else None, _report(output.results))
        return json_report.dumps(doc)
    return json_report.render(_report(output.results))


def render_sarif(output: Output, options: RenderOptions) -> str:
    if not isinstance(output, AuditOutput):
        raise NoSuchFormat("only an audit has a SARIF form")
    from openclaw_audit.render import sarif

    return sarif.render(
        output.results,
        include_suppressed=options.include_suppressed,
        base_dir=options.sarif_base,
        category=options.sarif_category,
    )


def render_github(output: Output, options: RenderOptions) -> str:
    if not isinstance(output, AuditOutput):
        raise NoSuchFormat("only an audit has GitHub annotations")
    from openclaw_audit.render import github

    return github.render(output.results, base_dir=options.sarif_base)


def render_html(output: Output, options: RenderOptions) -> str:
    if not isinstance(output, AuditOutput):
        raise NoSuchFormat("only an audit has an HTML form")
    from openclaw_audit.render import html

    return html.render(
        output.results,
        fleet=options.fleet,
        history=options.history,
        fix=output.fix,
        fix_run=options.fix_run,
    )


def render_metrics(output: Output, options: RenderOptions) -> str:
    if not isinstance(output, AuditOutput):
        raise NoSuchFormat("only an audit has metrics")
    from openclaw_audit.render import metrics

    return metrics.render(
        output.results, history=options.history, previous_success=options.previous_success
    )


FORMATS: dict[str, Formatter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "html": render_html,
    "metrics": render_metrics,
}
