"""What a CI output needs besides the report itself, all on the face's side: SARIF's result
limits said on stderr, and the GitHub step summary appended to ``$GITHUB_STEP_SUMMARY``.

Imported only when ``--format sarif`` or ``--format github`` is asked for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from openclaw_audit.errors import UsageError
from openclaw_audit.face.inputs import require_dir
from openclaw_audit.face.outputs import write_stderr
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.textsafe import one_line

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
CI_FORMATS = ("sarif", "github")


def check_ci_options(fmt: str, category: str | None, base: str | None, fix: bool) -> None:
    """Usage errors (exit 2) before any auditing work."""
    if fix and fmt in CI_FORMATS:
        raise UsageError(f"--fix prints text or JSON; --format {fmt} is not supported with it")
    if category is not None:
        if fmt != "sarif":
            raise UsageError("--sarif-category only makes sense with --format sarif")
        if not category.strip() or any(c.isspace() or not c.isprintable() for c in category):
            raise UsageError(f"--sarif-category {category!r}: give a name without spaces")
    if base is not None:
        if fmt not in CI_FORMATS:
            raise UsageError("--sarif-base only makes sense with --format sarif or github")
        require_dir(base, "SARIF base directory")


def after_write(
    fmt: str,
    results: Sequence[TargetResult],
    *,
    include_suppressed: bool,
    quiet: bool,
    env: Mapping[str, str] = os.environ,
) -> None:
    """Side effects of a CI format once the report is written (results are redacted)."""
    if fmt == "sarif":
        from openclaw_audit.render.sarif import MAX_RESULTS, limit_warnings, result_count

        count = result_count(results, include_suppressed)
        for line in limit_warnings(count):
            if count > MAX_RESULTS or not quiet:  # dropped results are always worth a line
                write_stderr(one_line(line) + "\n")
    elif fmt == "github":
        path = env.get(STEP_SUMMARY_ENV, "")
        if path:
            append_step_summary(path, results)


def append_step_summary(path: str, results: Sequence[TargetResult]) -> None:
    """Append the markdown summary; a summary that cannot be written is a warning, since the
    report itself is already out."""
    from openclaw_audit.render.github import step_summary

    text = step_summary(results)
    try:
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
    except OSError as exc:
        write_stderr(
            one_line(f"warning: cannot append to ${STEP_SUMMARY_ENV} ({path}): {exc.strerror}")
            + "\n"
        )
