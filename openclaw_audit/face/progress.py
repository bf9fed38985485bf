"""Live probe progress on a terminal (output-ux.md §2): one row per probe on stderr, filled in
as probes finish, erased when the live phase is over.

Only for a TTY: off a TTY nothing extra is written to stderr (logs and CI stay byte-stable).
rich is imported only when a row is first drawn, i.e. under ``--deep`` on a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from openclaw_audit.textsafe import one_line

# Progress states the runner reports -> what the row says.
# "done" only means the probe finished: its verdict is in the report's LIVE PROBES block.
_DONE = {"done": "finished", "failed": "failed", "timeout": "timed out"}
_STYLE = {"done": "green", "failed": "yellow", "timeout": "yellow"}


class ProbeProgress:
    """The runner's progress callback, drawing a transient rich Live display on ``stream``."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._rows: dict[str, tuple[str, float, float | None]] = {}  # state, start, end
        self._live: Any = None

    def __call__(self, name: str, state: str) -> None:
        now = time.monotonic()
        _, start, _ = self._rows.get(name, (state, now, None))
        self._rows[name] = (state, start, None if state == "running" else now)
        if self._live is None:
            self._start()
        self._live.update(self._table(), refresh=True)

    def _start(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(file=self._stream, force_terminal=True, highlight=False)
        # No redirection of sys.stdout/sys.stderr: the report and warnings are written after
        # the display is gone, by our own writers.
        self._live = Live(
            self._table(),
            console=console,
            transient=True,
            refresh_per_second=8,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()

    def _table(self) -> Any:
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column(min_width=8)
        grid.add_column()
        for name, (state, start, end) in self._rows.items():
            label = one_line(name)
            if end is None:
                grid.add_row(Spinner("dots"), label, Text("running", style="dim"))
                continue
            text = f"{_DONE.get(state, one_line(state))} in {end - start:.1f} s"
            grid.add_row(Text("•"), label, Text(text, style=_STYLE.get(state, "")))
        return grid

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()  # transient: the rows are erased
            self._live = None


@contextmanager
def probe_progress(enabled: bool, stream: IO[str]) -> Iterator[ProbeProgress | None]:
    """A progress callback while the block runs (None when disabled); always cleaned up."""
    if not enabled:
        yield None
        return
    progress = ProbeProgress(stream)
    try:
        yield progress
    finally:
        progress.close()
