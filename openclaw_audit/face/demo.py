"""``--demo``: audit a temporary copy of the demo gateway that ships in the package.

The demo state dir (``openclaw_audit/demo``) is package data, so it is there in a wheel as well
as in a checkout. The audit never touches the installed files: it copies them to a fresh
temporary directory (``--fix`` on the demo edits only the copy) and removes it afterwards.
The copy gets the loose modes the demo is meant to show (dirs 755, files 644), whatever the
umask, so the demo reports the same findings everywhere.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.resources.abc import Traversable

from openclaw_audit.errors import UsageError

DEMO_PACKAGE = "openclaw_audit"
DEMO_DIR = "demo"


def demo_source() -> Traversable:
    return resources.files(DEMO_PACKAGE).joinpath(DEMO_DIR)


def _copy(src: Traversable, dst: str) -> None:
    os.mkdir(dst)
    os.chmod(dst, 0o755)  # the demo shows what loose modes look like
    for entry in src.iterdir():
        target = os.path.join(dst, entry.name)
        if entry.is_dir():
            _copy(entry, target)
        else:
            with open(target, "wb") as fh:
                fh.write(entry.read_bytes())
            os.chmod(target, 0o644)


@contextmanager
def demo_state_dir() -> Iterator[str]:
    """A temporary copy of the demo state dir; removed when the block ends."""
    src = demo_source()
    if not src.is_dir():
        raise UsageError("--demo: the demo gateway is missing from this installation")
    with tempfile.TemporaryDirectory(prefix="openclaw-audit-demo-") as tmp:
        state = os.path.join(tmp, "state")
        _copy(src, state)
        yield state
