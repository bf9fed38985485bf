"""Bounds for the side inputs (baselines, ``diff`` reports, ignore files): the same size and
nesting limits as configs (trust.md §7), so a hostile file is one clear error, never a
RecursionError traceback or an unbounded read."""

from __future__ import annotations

import re

from openclaw_audit.config.json5 import MAX_DEPTH
from openclaw_audit.errors import AuditError

# A saved report covers a whole fleet, so it may be larger than one config; the bound still
# caps the read (and json's work) the way the config bound does.
MAX_REPORT_BYTES = 64 << 20

# A quoted string (skipped: brackets inside it do not nest) or one bracket.
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|[\[\]{}]')


def read_bounded(path: str, what: str, max_bytes: int = MAX_REPORT_BYTES) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise AuditError(f"cannot read {what}: {exc.strerror or exc}", file=path) from None
    if len(data) > max_bytes:
        raise AuditError(f"{what} is too large (limit {max_bytes} bytes)", file=path)
    return data


def check_depth(text: str, path: str, what: str) -> None:
    """Refuse nesting deeper than configs may nest, before a recursive parser sees it."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # cannot be that deep: the common case costs two counts
    depth = 0
    for match in _TOKEN.finditer(text):
        ch = match.group()
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise too_deep(path, what)
        elif ch in "]}":
            depth -= 1


def too_deep(path: str, what: str) -> AuditError:
    return AuditError(f"{what} nests more than {MAX_DEPTH} levels deep", file=path)
