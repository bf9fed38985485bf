"""One ``--fix`` at a time per state dir.

The lock is an exclusive ``flock`` on the state directory itself (or the config's directory when
there is no state dir), so no lock file has to be created — fix.md §4 forbids creating files.
It is advisory and released by the kernel when the process dies, even on SIGKILL. On platforms
without ``fcntl`` (Windows) there is no lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


class FixLocked(Exception):
    """Another ``--fix`` run holds the lock."""


@contextlib.contextmanager
def fix_lock(directory: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield  # nothing there to protect (missing dir): no config file can be edited in it
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FixLocked(directory) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_dir(state_dir: str, config_path: str) -> str:
    return state_dir if os.path.isdir(state_dir) else os.path.dirname(config_path)
