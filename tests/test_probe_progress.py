"""face/progress.py: the transient probe rows on a terminal (output-ux.md §2)."""

from __future__ import annotations

import io

import pytest

from openclaw_audit.face.progress import ProbeProgress, probe_progress


def screen_after(raw: str) -> list[str]:
    pyte = pytest.importorskip("pyte")
    screen = pyte.Screen(100, 20)
    pyte.Stream(screen).feed(raw.replace("\n", "\r\n"))
    return [line.rstrip() for line in screen.display if line.strip()]


def test_rows_fill_in_then_vanish() -> None:
    stream = io.StringIO()
    with probe_progress(True, stream) as progress:
        assert isinstance(progress, ProbeProgress)
        progress("gateway", "running")
        progress("mdns", "running")
        progress("gateway", "done")
        progress("mdns", "timeout")
        drawn = stream.getvalue()
        rows = screen_after(drawn)
        assert [r.split()[1:3] for r in rows] == [["gateway", "finished"], ["mdns", "timed"]]
    assert screen_after(stream.getvalue()) == []  # erased when the block ends


def test_hostile_probe_name_is_escaped_and_errors_still_clean_up() -> None:
    stream = io.StringIO()
    with pytest.raises(RuntimeError), probe_progress(True, stream) as progress:
        assert progress is not None
        progress("evil\x1b]0;x\x07", "running")
        raise RuntimeError("boom")
    assert "\x1b]0;x" not in stream.getvalue() and r"\x1b]0;x\x07" in stream.getvalue()
    assert screen_after(stream.getvalue()) == []


def test_disabled_draws_nothing() -> None:
    stream = io.StringIO()
    with probe_progress(False, stream) as progress:
        assert progress is None
    assert stream.getvalue() == ""
