"""StateView: read-only filesystem facts for the state dir and the paths checks name.

Checks and facts ask this view every filesystem question (lstat, listings, file texts,
permissions); nothing else in them touches the filesystem. Every path is ``lstat``-ed (and
``stat``-ed when it is a link) at most once per audit. Errors (missing, permission denied, not
a directory) make a path "unknown": checks emit nothing for it (spec: checks-filesystem.md
§1.3). Paths come from the config, so they may hold a NUL or a lone surrogate, which the OS
layer rejects with ValueError: those count as errors too.

Permissions (:meth:`StateView.perms`) have one shape whatever the platform: POSIX mode bits,
or on Windows the ACL as ``icacls`` reports it (checks-filesystem.md §1.3, §1.4).
"""

from __future__ import annotations

import errno
import logging
import os
import stat as statmod
from collections.abc import Mapping
from dataclasses import dataclass, replace

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


@dataclass(frozen=True, slots=True)
class DirEntry:
    """One directory entry; ``kind`` is "file", "dir", "symlink" or "other" (lstat view)."""

    name: str
    kind: str


def run_icacls(target: str) -> str:
    """Seam for tests: the icacls runner the Windows branch uses (monkeypatch this)."""
    from openclaw_audit.state import winacl

    return winacl.default_runner(target)


@dataclass(frozen=True, slots=True)
class Perms:
    """Who else may read or write a path, POSIX bits or Windows ACL.

    ``ok`` is False for a missing or un-lstat-able path: such paths produce no finding.
    """

    path: str
    ok: bool
    is_symlink: bool = False
    is_dir: bool = False
    source: str = "unknown"  # "posix", "windows-acl" or "unknown"
    bits: int = 0
    acl_summary: str | None = None
    world_writable: bool = False
    group_writable: bool = False
    world_readable: bool = False
    group_readable: bool = False

    @property
    def writable_by_others(self) -> bool:
        return self.world_writable or self.group_writable

    @property
    def readable_by_others(self) -> bool:
        return self.world_readable or self.group_readable

    def detail(self, reason: str) -> str:
        """``<path> mode=NNN; reason`` (or ``acl=<summary>`` on Windows)."""
        if self.source == "windows-acl":
            return f"{self.path} acl={self.acl_summary or 'unknown'}; {reason}"
        return f"{self.path} mode={self.bits:03o}; {reason}"

    def tighten_command(self, env: Mapping[str, str], *, is_dir: bool) -> str:
        """``chmod 700|600 <path>`` on POSIX; the icacls reset on Windows (fix.md §3 table)."""
        if self.source == "windows-acl":
            from openclaw_audit.state import winacl

            return winacl.icacls_reset_command(self.path, is_dir=is_dir, env=env)
        return f"chmod {'700' if is_dir else '600'} {self.path}"


class StateView:
    """Cached filesystem inspection. Never follows a path outside what a check asks for."""

    def __init__(self) -> None:
        self._cache: dict[str, PermInfo] = {}
        self._real: dict[str, str | None] = {}
        self._perms: dict[tuple[str, str], Perms] = {}

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

    def perms(self, path: str, platform: str, env: Mapping[str, str]) -> Perms:
        """Permissions of ``path`` as the filesystem checks judge them (icacls on win32)."""
        key = (path, platform)
        cached = self._perms.get(key)
        if cached is None:
            cached = self._judge_perms(path, platform, env)
            self._perms[key] = cached
        return cached

    def _judge_perms(self, path: str, platform: str, env: Mapping[str, str]) -> Perms:
        info = self.inspect(path)
        if not info.ok:
            return Perms(path=path, ok=False)
        base = Perms(
            path=path, ok=True, is_symlink=info.is_symlink, is_dir=info.is_dir, bits=info.bits
        )
        if not info.target_ok:
            # A dangling link protects nothing: its own bits are always 777 on Linux, so judging
            # them would report a world-writable file that does not exist (deliberate deviation
            # from checks-filesystem.md §1.3 step 3; the *.symlink finding still fires).
            return base
        if platform == "win32":
            # Windows only: the icacls parser stays off the POSIX import path.
            from openclaw_audit.state import winacl

            acl = winacl.inspect_acl(path, env, run_icacls)
            if not acl.ok:
                log.debug("icacls %s failed: %s", path, acl.error)
                return base  # icacls failed: nothing can be judged
            return replace(
                base,
                source="windows-acl",
                acl_summary=winacl.format_acl_summary(acl),
                world_writable=acl.world_writable,
                group_writable=acl.group_writable,
                world_readable=acl.world_readable,
                group_readable=acl.group_readable,
            )
        return replace(
            base,
            source="posix",
            world_writable=info.world_writable,
            group_writable=info.group_writable,
            world_readable=info.world_readable,
            group_readable=info.group_readable,
        )

    def regular_files(self, directory: str, suffix: str) -> list[str]:
        """Regular files (not symlinks) named ``*<suffix>`` directly in a real directory (not
        a symlink to one), sorted by name; [] when the directory is missing or unreadable."""
        info = self.inspect(directory)
        if not info.ok or info.is_symlink or not info.is_dir:
            return []
        try:
            entries = self.entries(directory)
        except OSError as exc:
            log.debug("cannot list %r: %s", directory, _why(exc))
            return []
        return [
            os.path.join(directory, e.name)
            for e in entries
            if e.kind == "file" and e.name.endswith(suffix)
        ]

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
        try:
            st = os.stat(path)  # os, not pathlib: this runs for many absent files per target
            if not statmod.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                return None
            with open(path, "rb") as fh:
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
