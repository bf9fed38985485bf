"""Writing the report: stdout, or a file replaced atomically (never half-written)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

from openclaw_audit.errors import AuditError
from openclaw_audit.textsafe import encodable


def write_output(text: str, path: str | None) -> None:
    text = encodable(text)  # a lone surrogate from the config must not crash the write
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    atomic_write_text(path, text)


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
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise AuditError(f"cannot write output: {exc.strerror or exc}", file=path) from None
