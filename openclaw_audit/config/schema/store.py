"""Which schema a config is validated against: the bundled 2026.9.6 one, or ``--config-schema``.

The bundled schema loads chunk by chunk (see :mod:`chunks`); a user-supplied schema is read
whole and checked for shape once, so a broken file is an input error before any audit work.
"""

from __future__ import annotations

import json
import mmap
import os
from functools import lru_cache
from typing import Any, NamedTuple

from openclaw_audit.config.schema.chunks import BinaryIndex, ChunkedSchema
from openclaw_audit.errors import AuditError

BUNDLED_VERSION = "2026.9.6"
_HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLED_FILE = os.path.join(_HERE, f"openclaw-{BUNDLED_VERSION}.json")
BUNDLED_INDEX = os.path.join(_HERE, f"openclaw-{BUNDLED_VERSION}.index.bin")
MAX_SCHEMA_BYTES = 32 << 20


class Schema(NamedTuple):
    """A root schema node and how to expand the chunk stubs inside it."""

    name: str  # shown in the finding: "OpenClaw 2026.9.6" or the file given
    root: Any
    chunks: ChunkedSchema | None = None

    def deref(self, node: Any) -> Any:
        return self.chunks.deref(node) if self.chunks is not None else node


@lru_cache(maxsize=1)
def bundled() -> Schema:
    name = f"OpenClaw {BUNDLED_VERSION}"
    try:
        with open(BUNDLED_FILE, "rb") as fh:
            # A read-only map: only the pages of the chunks a config touches are read.
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        with open(BUNDLED_INDEX, "rb") as fh:
            index = BinaryIndex(fh.read())
        if index.size != len(data):
            raise ValueError("index does not match the schema file")
        chunks = ChunkedSchema(data, index)
        return Schema(name, chunks.load(0), chunks)
    except (OSError, ValueError, IndexError):
        with open(BUNDLED_FILE, "rb") as fh:
            return Schema(name, json.loads(fh.read()))  # correct, only slower


def schema_error(path: str, what: str) -> AuditError:
    return AuditError(f"invalid config schema: {what}", file=path, kind="schema_error")


def from_file(path: str) -> Schema:
    """Read ``--config-schema FILE`` (e.g. ``openclaw config schema`` output); exit 2 if bad."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise schema_error(path, f"cannot read it ({exc.strerror or exc})") from None
    return _from_file(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _from_file(path: str, _mtime_ns: int, size: int) -> Schema:
    # Same regular-file and size rules as config files: a FIFO must not block the audit.
    # (Imported here: only --config-schema needs them, the bundled schema is known good.)
    from openclaw_audit.config.reader import read_text
    from openclaw_audit.config.schema.shape import check_shape

    if size > MAX_SCHEMA_BYTES:
        raise schema_error(path, f"the file is larger than {MAX_SCHEMA_BYTES} bytes")
    try:
        text, _ = read_text(path, max_bytes=MAX_SCHEMA_BYTES, what="schema file")
    except AuditError as exc:
        raise schema_error(path, exc.message) from None
    try:
        root = json.loads(text)
    except (ValueError, RecursionError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
        raise schema_error(path, f"not valid JSON{where}") from None
    if isinstance(root, dict) and isinstance(root.get("schema"), dict) and "type" not in root:
        root = root["schema"]  # the envelope some OpenClaw versions print around it
    problem = check_shape(root)
    if problem is not None:
        raise schema_error(path, problem)
    return Schema(path, root)
