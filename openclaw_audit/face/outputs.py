"""Writing the report: stdout, a regular file replaced atomically (never half-written), or a
special file (a device, a FIFO) written to directly and never replaced (trust.md §6).

Several outputs from one run (scheduled-scans.md §1): ``--output FMT=PATH`` (repeatable) names
a format and a file; a plain ``--output PATH`` takes the ``--format`` output instead of stdout.
``plan_outputs`` reads and checks them (a path twice, or the ``--baseline`` file, is exit 2).

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
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TextIO

from openclaw_audit.errors import AuditError, UsageError
from openclaw_audit.textsafe import encodable

STDOUT_NAMES = ("-", "/dev/stdout")
# node_exporter runs as another user and must read the metrics file; every other output may
# name paths and hostnames, so only its owner reads it.
PUBLIC_FORMATS = frozenset({"metrics"})


def mode_for(fmt: str) -> int:
    return 0o644 if fmt in PUBLIC_FORMATS else 0o600


def _looks_like_format(name: str) -> bool:
    """``yaml`` in ``yaml=out.yaml`` (or ``JSON`` in ``JSON=out.json``, a typo): ASCII
    letters, digits, ``-`` and ``_``, starting with a letter."""
    return (
        bool(name)
        and name[0].isalpha()
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    )


# Plain frozen dataclasses: a slotted one is built twice at import, on every cold start.
@dataclass(frozen=True)
class OutputRequest:
    fmt: str
    path: str
    plain: bool = False  # a plain --output PATH: the --format output, instead of stdout


@dataclass(frozen=True)
class OutputPlan:
    files: tuple[OutputRequest, ...] = ()
    stdout: bool = True  # whether the --format output goes to stdout


def parse_output(value: str, known: Collection[str], default_fmt: str) -> OutputRequest:
    """``FMT=PATH`` when FMT is a known format, else a plain path (``./a=b`` names a file)."""
    head, sep, tail = value.partition("=")
    if sep and head in known:
        if not tail:
            raise UsageError(f"--output {value}: no path after {head}=")
        if tail in STDOUT_NAMES:
            raise UsageError(
                f"--output {value}: stdout carries the --format output; "
                f"use --format {head} to print {head} there"
            )
        return OutputRequest(head, tail)
    if sep and _looks_like_format(head):
        raise UsageError(
            f"--output {value}: unknown output format {head!r} (known: {', '.join(sorted(known))})",
            hint=f"for a file whose name holds '=', write ./{value}",
        )
    if not value:
        raise UsageError("--output needs a path")
    return OutputRequest(default_fmt, value, plain=True)


def plan_outputs(
    values: Sequence[str],
    known: Collection[str],
    default_fmt: str,
    *,
    quiet: bool = False,
) -> OutputPlan:
    """The outputs of a run. stdout keeps the --format output unless a plain --output PATH
    takes it, or -q is given with at least one output file (a cron job wants silence)."""
    requests = tuple(parse_output(v, known, default_fmt) for v in values)
    plains = [r for r in requests if r.plain]
    if len(plains) > 1:
        raise UsageError(
            f"--output {plains[1].path}: only one --output PATH without a format; "
            "name the others FMT=PATH"
        )
    files = tuple(r for r in requests if not (r.plain and r.path in STDOUT_NAMES))
    stdout = not plains or plains[0].path in STDOUT_NAMES
    if quiet and files:
        stdout = False
    return OutputPlan(files=files, stdout=stdout)


def check_collisions(
    plan: OutputPlan, baseline: str | None, inputs: Sequence[tuple[str, str]] = ()
) -> None:
    """Exit 2 when two outputs name one file, an output is the --baseline file (a run must
    never overwrite what it compares against; --update-baseline is the explicit way), or an
    output is one of the run's inputs (``inputs``: (what, path), e.g. the audited config)."""
    for req in plan.files:
        for what, path in inputs:
            if os.path.lexists(path) and same_file(path, req.path):
                raise UsageError(
                    f"--output {req.path} is the {what}: the report would replace it; "
                    "write the report elsewhere"
                )
    seen: list[OutputRequest] = []
    for req in plan.files:
        for other in seen:
            if req.path == other.path or same_file(req.path, other.path):
                raise UsageError(
                    f"--output {req.path} is given twice ({other.fmt} and {req.fmt}); "
                    "each output needs its own file"
                )
        seen.append(req)
        if baseline and same_file(baseline, req.path):
            raise UsageError(
                f"--output {req.path} is the --baseline file: the run would overwrite its own "
                "baseline; write the report elsewhere (--update-baseline rewrites it on purpose)"
            )


def check_directories(paths: Sequence[str], flag: str = "--output") -> None:
    """Exit 2 before any auditing work when an output's directory does not exist (a long
    --deep run should not fail only at the end). Metrics files are left out: theirs is a
    warning after the run, never an exit code."""
    for path in paths:
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise UsageError(f"{flag} {path}: directory {parent} does not exist")


# The reader is gone: nothing to tell anyone, nobody to tell it to.
_GONE = (errno.EPIPE, errno.EBADF, errno.ECONNRESET)


def write_output(text: str, path: str | None, mode: int = 0o600) -> None:
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
        atomic_write_text(os.path.realpath(path), text, mode)
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
        _write_text(out, text)
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
        _write_text(sys.stderr, text)


def _write_text(stream: TextIO, text: str) -> None:
    """Write and flush; characters the stream's encoding cannot carry (``LANG=C``,
    ``PYTHONIOENCODING=ascii``) are written as backslash escapes instead of losing the
    whole report to an encoding error."""
    try:
        stream.write(text)
    except UnicodeEncodeError:  # raised before anything is written
        encoding = stream.encoding or "utf-8"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


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


_LAST_SUCCESS = "openclaw_audit_last_success_timestamp_seconds "


def previous_success(path: str) -> float | None:
    """The last-success time recorded in an earlier metrics file (None when there is none)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None  # a FIFO or device: reading it could block, and it keeps nothing
        with open(path, "rb") as fh:
            head = fh.read(4 * 1024 * 1024)
    except OSError:
        return None
    for line in head.decode("utf-8", "replace").splitlines():
        if line.startswith(_LAST_SUCCESS):
            try:
                value = float(line[len(_LAST_SUCCESS) :].split()[0])
            except (ValueError, IndexError):
                return None
            return value if value >= 0 else None
    return None
