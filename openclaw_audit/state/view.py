"""StateView: read-only filesystem facts for the state dir and the paths checks name.

Every path is ``lstat``-ed (and ``stat``-ed when it is a link) at most once per audit. Errors
(missing, permission denied, not a directory) make a path "unknown": checks emit nothing for
it (spec: checks-filesystem.md §1.3). Paths come from the config, so they may hold a NUL or a
lone surrogate, which the OS layer rejects with ValueError: those count as errors too.
"""

from __future__ import annotations

import errno
import logging
import os
import stat as statmod
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PermInfo:
    """What ``inspect(path)`` found. ``ok`` is False when the path could not be lstat-ed."""

    path: str
    ok: bool
    is_symlink: bool = False
    is_dir: bool = False
    is_file: bool = False
    bits: int = 0  # mode & 0o777 (of the link target when the target could be stat-ed)
    uid: int | None = None
    gid: int | None = None
    nlink: int = 0
    size: int = 0
    error: str | None = None
    target_ok: bool = True  # False for a dangling symlink (its target could not be stat-ed)

    @property
    def world_writable(self) -> bool:
        return bool(self.bits & 0o002)

    @property
    def group_writable(self) -> bool:
        return bool(self.bits & 0o020)

    @property
    def world_readable(self) -> bool:
        return bool(self.bits & 0o004)

    @property
    def group_readable(self) -> bool:
        return bool(self.bits & 0o040)

    @property
    def mode_str(self) -> str:
        return f"{self.bits:03o}"


@dataclass(frozen=True, slots=True)
class DirEntry:
    """One directory entry; ``kind`` is "file", "dir", "symlink" or "other" (lstat view)."""

    name: str
    kind: str


class StateView:
    """Cached filesystem inspection. Never follows a path outside what a check asks for."""

    def __init__(self) -> None:
        self._cache: dict[str, PermInfo] = {}
        self._real: dict[str, str | None] = {}

    def inspect(self, path: str | os.PathLike[str]) -> PermInfo:
        key = os.fspath(path)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        info = _inspect(key)
        self._cache[key] = info
        return info

    def exists(self, path: str | os.PathLike[str]) -> bool:
        return self.inspect(path).ok

    def listdir(self, path: str | os.PathLike[str]) -> list[str]:
        """Sorted entry names of a directory; [] when it cannot be read."""
        try:
            return sorted(os.listdir(path))
        except (OSError, ValueError) as exc:
            log.debug("cannot list %r: %s", path, _why(exc))
            return []

    def realpath(self, path: str | os.PathLike[str]) -> str | None:
        """Symlink-resolved absolute path (read-only lookups); None when it cannot be resolved."""
        key = os.fspath(path)
        if key not in self._real:
            try:
                self._real[key] = os.path.realpath(key, strict=True)
            except (OSError, ValueError):
                self._real[key] = None
        return self._real[key]

    def entries(self, path: str | os.PathLike[str]) -> list[DirEntry]:
        """Entries of a directory, sorted by name, classified without following symlinks.

        Raises OSError when the directory cannot be listed, so callers can tell "missing"
        (FileNotFoundError / NotADirectoryError) from "unreadable".
        """
        out: list[DirEntry] = []
        try:
            it = os.scandir(path)
        except ValueError as exc:  # NUL or unencodable character: no such directory
            raise FileNotFoundError(errno.ENOENT, "invalid path") from exc
        with it:
            for entry in it:
                try:
                    if entry.is_symlink():
                        kind = "symlink"
                    elif entry.is_dir(follow_symlinks=False):
                        kind = "dir"
                    elif entry.is_file(follow_symlinks=False):
                        kind = "file"
                    else:
                        kind = "other"  # FIFO, socket, device
                except OSError:
                    kind = "other"
                out.append(DirEntry(entry.name, kind))
        out.sort(key=lambda e: e.name)
        return out

    def resolve(self, path: str | os.PathLike[str]) -> str:
        """Canonical path (symlinks resolved as far as they exist); never raises."""
        try:
            return os.path.realpath(path)
        except (OSError, ValueError):
            return os.path.abspath(path)

    def read_text(self, path: str | os.PathLike[str], max_bytes: int = 1 << 20) -> str | None:
        """Text of a regular file up to ``max_bytes``; None when missing, unreadable or larger."""
        p = Path(path)
        try:
            st = p.stat()
            if not statmod.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                return None
            with p.open("rb") as fh:
                data = fh.read(max_bytes + 1)
            if len(data) > max_bytes:
                return None
            return data.decode("utf-8", errors="replace")
        except (OSError, ValueError) as exc:
            log.debug("cannot read %r: %s", path, _why(exc))
            return None


def _why(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return "invalid path"


def _inspect(path: str) -> PermInfo:
    try:
        lst = os.lstat(path)
    except (OSError, ValueError) as exc:
        log.debug("lstat %r failed: %s", path, _why(exc))
        return PermInfo(path=path, ok=False, error=_why(exc))
    is_link = statmod.S_ISLNK(lst.st_mode)
    st = lst
    target_ok = True
    if is_link:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            st, target_ok = lst, False
    return PermInfo(
        path=path,
        ok=True,
        is_symlink=is_link,
        is_dir=statmod.S_ISDIR(st.st_mode),
        is_file=statmod.S_ISREG(st.st_mode),
        bits=statmod.S_IMODE(st.st_mode) & 0o777,
        uid=st.st_uid,
        gid=st.st_gid,
        nlink=st.st_nlink,
        size=st.st_size,
        target_ok=target_ok,
    )
