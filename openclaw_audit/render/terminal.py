"""Terminal facts for the text report: colour choice, width, and wrapping with a hanging indent.

Kept free of I/O decisions the renderer cannot undo: the face asks ``color_wanted`` and
``terminal_width`` once and passes plain values down, so tests can pin a width and a TTY.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping

COLOR_MODES = ("auto", "always", "never")
DEFAULT_WIDTH = 100
MIN_WIDTH = 40  # narrower than this, wrapping makes things worse, not better


def color_wanted(mode: str, env: Mapping[str, str], is_tty: bool) -> bool:
    """``--color`` wins; then ``NO_COLOR`` (any non-empty value) turns colour off and
    ``FORCE_COLOR`` (non-empty, not ``0``) turns it on; else colour on a TTY only."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if env.get("NO_COLOR", "") != "":
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return is_tty


def terminal_width(env: Mapping[str, str]) -> int:
    """The width to wrap to on a TTY: ``COLUMNS`` when set, else the terminal's own."""
    columns = env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    return max(MIN_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def hanging_indent(line: str) -> str:
    """The indent of a line's continuation rows: two more than the line's own (for a list
    item ``- x`` that lines up with the item's text), and at least four so a wrapped heading
    does not look like the detail under it."""
    lead = len(line) - len(line.lstrip(" "))
    return " " * max(lead + 2, 4)


def wrap(line: str, width: int | None) -> list[str]:
    """``line`` as rows of at most ``width`` columns (None: never wrap). Words longer than a
    row (paths, URLs) stay whole rather than being cut mid-name."""
    if width is None or len(line) <= width:
        return [line]
    import textwrap  # only on a TTY: the piped path never needs it

    stripped = line.lstrip(" ")
    lead = line[: len(line) - len(stripped)]
    rows = textwrap.wrap(
        stripped,
        width=width,
        initial_indent=lead,
        subsequent_indent=hanging_indent(line),
        break_long_words=False,
        break_on_hyphens=False,
    )
    return rows or [line]
