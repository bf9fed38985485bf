"""Replacing config files so a crash never leaves a truncated file (fix.md B2).

For every file: a temp file in the same directory (``<name>.<pid>.<random>.tmp``, O_EXCL, 0600),
full text written and fsync-ed, the original's mode (and owner, when we may) copied onto it,
backups rotated (``.bak`` newest … ``.bak.4`` oldest), then ``rename`` over the original and an
fsync of the directory. All temp files are prepared before the first rename; if a later rename
fails, the files already replaced are put back from the bytes read before the change.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass

BACKUP_KEEP = 5  # <file>.bak, .bak.1 … .bak.4

# Test seam: called with the temp path after it is complete and fsync-ed, before any rename.
after_temp_written: Callable[[str], None] | None = None


class WriteError(Exception):
    """A file could not be replaced; nothing of it was changed."""


@dataclass
class _Prepared:
    path: str  # the file as named in the config (may be a symlink)
    real: str  # the file actually replaced (link target)
    new: bytes
    old: bytes
    mode: int
    owner: tuple[int, int]
    stamp: tuple[int, int, int]  # (inode, size, mtime_ns) when ``old`` was read
    tmp: str | None = None
    renamed: bool = False


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _fsync_dir(directory: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_path(real: str) -> str:
    directory, base = os.path.split(real)
    return os.path.join(directory, f"{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _create_temp(real: str, data: bytes, mode: int, owner: tuple[int, int] | None) -> str:
    tmp = _temp_path(real)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    # Created with its final mode (the umask can only narrow it; fchmod below makes it exact),
    # so the secret-bearing text is never readable by anyone the final file does not allow.
    fd = os.open(tmp, flags, mode & 0o777)
    try:
        _write_all(fd, data)
        os.fsync(fd)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        if owner is not None and hasattr(os, "fchown"):
            st = os.fstat(fd)
            if (st.st_uid, st.st_gid) != owner:
                # Only possible with privilege (or a group we belong to); else keep ours.
                with contextlib.suppress(PermissionError):
                    os.fchown(fd, *owner)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def _prepare(path: str, new: bytes, expected_old: bytes) -> _Prepared:
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError as exc:
        raise WriteError(f"{path}: {_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"{path}: not a regular file")
    owned = hasattr(os, "geteuid") and st.st_uid == os.geteuid()
    if (owned and not st.st_mode & 0o200) or not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        # A read-only config is a deliberate choice (or managed elsewhere): leave it alone.
        raise WriteError(f"{path}: file is read-only")
    try:
        with open(real, "rb") as fh:
            old = fh.read()
            st = os.fstat(fh.fileno())
    except OSError as exc:
        raise WriteError(f"{path}: {_reason(exc)}") from None
    if old != expected_old:
        raise WriteError(f"{path}: {CHANGED}")
    mode = stat.S_IMODE(st.st_mode)
    owner = (st.st_uid, st.st_gid)
    prepared = _Prepared(path=path, real=real, new=new, old=old, mode=mode, owner=owner,
                         stamp=_stamp(st))  # fmt: skip
    try:
        prepared.tmp = _create_temp(real, new, mode, owner)
    except OSError as exc:
        raise WriteError(f"{path}: {_reason(exc)}") from None
    return prepared


CHANGED = "file changed on disk while --fix was running; nothing was written, run --fix again"


def _unchanged(prep: _Prepared) -> bool:
    """The file is still what the plan was made from: same inode, size and mtime, same
    content hash (an editor or OpenClaw's own token rotation may have written it since)."""
    try:
        with open(prep.real, "rb") as fh:
            st = os.fstat(fh.fileno())
            if _stamp(st) != prep.stamp:
                return False
            return _digest(fh.read()) == _digest(prep.old)
    except OSError:
        return False


def backup_path(real: str, index: int = 0) -> str:
    return f"{real}.bak" if index == 0 else f"{real}.bak.{index}"


def _write_backup(prep: _Prepared) -> None:
    """Rotate ``.bak`` → ``.bak.1`` → … (at most five kept), then save the current bytes.

    The new backup is written to a temp file first: when that fails (disk full), the existing
    backups have not been renamed yet, so a failed --fix leaves every file as it was."""
    # The original's owner, and its mode but never wider than 0600: the permission step
    # tightens the config afterwards, and a backup must not stay readable where it is not.
    tmp = _create_temp(prep.real, prep.old, prep.mode & 0o600, prep.owner)
    try:
        for i in range(BACKUP_KEEP - 2, -1, -1):
            src = backup_path(prep.real, i)
            if os.path.lexists(src):
                os.replace(src, backup_path(prep.real, i + 1))
        os.replace(tmp, backup_path(prep.real))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _cleanup(prepared: Sequence[_Prepared]) -> list[str]:
    """Remove the temp files not renamed; return those that could not be removed (they hold
    config text, so the user must hear about them)."""
    left: list[str] = []
    for prep in prepared:
        if prep.tmp and not prep.renamed:
            try:
                os.unlink(prep.tmp)
            except FileNotFoundError:
                pass
            except OSError as exc:
                left.append(f"{prep.tmp} ({_reason(exc)})")
    return left


def replace_files(changes: Sequence[tuple[str, bytes, bytes]]) -> None:
    """Replace each ``(path, new_bytes, expected_old_bytes)`` atomically, all or none.

    Raises :class:`WriteError` naming the file and the reason; on error every file is left with
    its original content (a temp or backup file may remain only if even cleanup failed).
    """
    prepared: list[_Prepared] = []
    failure: WriteError | None = None
    try:
        for path, new, old in changes:
            prepared.append(_prepare(path, new, old))
        for prep in prepared:
            if after_temp_written is not None and prep.tmp is not None:
                after_temp_written(prep.tmp)
        for prep in prepared:
            try:
                _write_backup(prep)
            except OSError as exc:
                raise WriteError(f"{prep.path}: cannot write backup: {_reason(exc)}") from None
        for prep in prepared:
            if not _unchanged(prep):
                _restore(prepared)
                raise WriteError(f"{prep.path}: {CHANGED}")
            try:
                os.replace(prep.tmp, prep.real)  # type: ignore[arg-type]
            except OSError as exc:
                _restore(prepared)
                raise WriteError(f"{prep.path}: {_reason(exc)}") from None
            prep.renamed = True
            _fsync_dir(os.path.dirname(prep.real))
    except WriteError as exc:
        failure = exc
    finally:
        left = _cleanup(prepared)
    if left:
        note = "temporary file(s) left behind, remove them: " + ", ".join(left)
        raise WriteError(f"{failure}; {note}" if failure else note)
    if failure is not None:
        raise failure


def _restore(prepared: Sequence[_Prepared]) -> None:
    """Put back the files already renamed in this batch (their old bytes are in memory)."""
    for prep in prepared:
        if not prep.renamed:
            continue
        try:
            tmp = _create_temp(prep.real, prep.old, prep.mode, prep.owner)
            os.replace(tmp, prep.real)
            _fsync_dir(os.path.dirname(prep.real))
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise WriteError(
                    f"{prep.path}: could not restore after a failed rename "
                    f"({_reason(exc)}); the original is in {backup_path(prep.real)}"
                ) from None
