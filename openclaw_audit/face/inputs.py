"""Paths the user names on the command line must be what they say (trust.md §2).

An explicit ``--config``, ``--state-dir`` or side file (``--baseline``, ``--ignore-file``,
``--token-file``, ``--password-file``) that does not exist, cannot be read or is the wrong
kind is an input error (exit 2), with a did-you-mean when a near name exists. Types are
checked with ``stat`` before anything is opened, and files are opened non-blocking, so a FIFO,
socket or device can never hang the audit.
"""

from __future__ import annotations

import difflib
import os
import stat

from openclaw_audit.errors import AuditError

MAX_SCAN_ENTRIES = 5000  # a did-you-mean is a courtesy: never list a huge directory in full


def did_you_mean(path: str) -> str | None:
    """A sibling of ``path`` whose name is close to its name (one typo away, roughly)."""
    parent, name = os.path.split(os.path.abspath(path))
    try:
        with os.scandir(parent) as entries:
            names = [e.name for _, e in zip(range(MAX_SCAN_ENTRIES), entries, strict=False)]
    except OSError:
        return None
    close = difflib.get_close_matches(name, [n for n in names if n != name], n=1, cutoff=0.7)
    if not close:
        return None
    head = os.path.dirname(path)
    return os.path.join(head, close[0]) if head else close[0]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def _fail(path: str, what: str, problem: str, kind: str = "input_error") -> AuditError:
    # One style for every named input, as the token file always had: the path is in the text.
    return AuditError(f"cannot read {what} {path}: {problem}", kind=kind)


def _wrong_kind(path: str, what: str, mode: int) -> AuditError:
    # Worded like the config reader's own error for the same case.
    return AuditError(f"{what} is not a regular file (it is {_kind(mode)})", file=path)


def _stat(path: str, what: str, missing: str) -> os.stat_result:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        near = did_you_mean(path)
        hint = f"; did you mean {near}?" if near else ""
        raise _fail(path, what, missing + hint, "not_found") from None
    except PermissionError:
        raise _fail(path, what, "permission denied") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise _fail(path, what, getattr(exc, "strerror", None) or "invalid path") from None


def require_file(path: str, what: str) -> None:
    """``path`` is an existing, readable regular file (symlinks followed)."""
    st = _stat(path, what, "no such file")
    if not stat.S_ISREG(st.st_mode):
        raise _wrong_kind(path, what, st.st_mode)
    try:
        os.close(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
    except OSError as exc:
        raise _fail(path, what, exc.strerror or "cannot open") from None


def require_dir(path: str, what: str) -> None:
    """``path`` is an existing directory we may list."""
    st = _stat(path, what, "no such directory")
    if not stat.S_ISDIR(st.st_mode):
        raise AuditError(f"{what} is not a directory (it is {_kind(st.st_mode)})", file=path)
    if not os.access(path, os.R_OK | os.X_OK):
        raise _fail(path, what, "permission denied")


def read_first_line(path: str, what: str, limit: int = 64 * 1024) -> str:
    """The first line of a regular file, read without ever blocking on a special file."""
    require_file(path, what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):  # replaced since the check
                raise _wrong_kind(path, what, mode)
            data = os.read(fd, limit)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _fail(path, what, exc.strerror or str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(path, what, "not valid UTF-8") from None
    return text.splitlines()[0] if text else ""
