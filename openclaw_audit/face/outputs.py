"""Writing the report: stdout, a regular file replaced atomically (never half-written), or a
special file (a device, a FIFO) written to directly and never replaced (trust.md §6).

A reader that went away (``| head``, a closed stdout) is not an error: the rest of the report
is dropped quietly and the run keeps its exit code. A full disk is an output error (exit 2)
with one line, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile

from openclaw_audit.errors import AuditError
from openclaw_audit.textsafe import encodable

STDOUT_NAMES = ("-", "/dev/stdout")
# The reader is gone: nothing to tell anyone, nobody to tell it to.
_GONE = (errno.EPIPE, errno.EBADF, errno.ECONNRESET)


def write_output(text: str, path: str | None) -> None:
    text = encodable(text)  # a lone surrogate from the config must not crash the write
    if path is None or path in STDOUT_NAMES:
        write_stdout(text)
        return
    try:
        # stat the path itself: /dev/fd/N and /proc/self/fd/N are links the kernel resolves
        # to a pipe that realpath cannot name.
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise AuditError(f"cannot write output: {exc.strerror or exc}", file=path) from None
    if st is None or stat.S_ISREG(st.st_mode):
        # A symlink to a file: replace the file, keep the link.
        atomic_write_text(os.path.realpath(path), text)
    elif stat.S_ISDIR(st.st_mode):
        raise AuditError("cannot write output: it is a directory", file=path)
    else:
        write_special(path, text)


def write_stdout(text: str) -> None:
    """Write to stdout; a closed pipe ends the output quietly, a full disk is exit 2."""
    out = sys.stdout
    if out is None:  # started with stdout closed
        return
    try:
        out.write(text)
        out.flush()
    except OSError as exc:
        if exc.errno in _GONE or isinstance(exc, BrokenPipeError):
            silence_stdout()
            return
        silence_stdout()  # the buffered rest would fail again at exit
        raise AuditError(f"cannot write report to stdout: {exc.strerror or exc}") from None
    except ValueError:  # sys.stdout was closed by someone
        return


def write_stderr(text: str) -> None:
    """A warning or error line; a closed stderr (``2>&1 | head``) is not worth a crash."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(text)
        sys.stderr.flush()


def silence_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's final flush cannot fail loudly."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def write_special(path: str, text: str) -> None:
    """A device or FIFO the user named (``/dev/null``, ``/dev/fd/3``): write into it; replacing
    it with a regular file would destroy it (as root, ``/dev/null`` for everyone)."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise AuditError(f"cannot write output: {exc.strerror or exc}", file=path) from None
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data) :]
    except OSError as exc:
        if exc.errno in _GONE:
            return
        raise AuditError(f"cannot write output: {exc.strerror or exc}", file=path) from None
    finally:
        os.close(fd)


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (the same inode, or the same path once resolved)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def atomic_write_text(path: str, text: str, mode: int = 0o600) -> None:
    """Write via a temp file in the same directory, fsync, rename over ``path``."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=".openclaw-audit-", dir=directory)
    except OSError as exc:
        raise AuditError(f"cannot write output: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:  # Ctrl-C too: never leave a half-written temp file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise
        raise AuditError(f"cannot write output: {exc.strerror or exc}", file=path) from None
