"""Reading config files safely: regular files only, size-capped, UTF-8, JSON5-parsed.

Opening a FIFO or a device would block or read forever, so the file type is checked first
(and the open is non-blocking); the size cap is enforced both by ``fstat`` and by the read.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from openclaw_audit.config import json5
from openclaw_audit.config.jsonfast import parse_plain_json
from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.errors import ConfigError

MAX_CONFIG_BYTES = 8 << 20  # main config file
MAX_INCLUDE_BYTES = 2 << 20  # each $include file (config-model.md §3)


def read_text(
    path: str, *, max_bytes: int, what: str = "config file"
) -> tuple[str, os.stat_result]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", file=path, kind="not_found") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} is a directory, not a file", file=path) from None
    except PermissionError:
        raise ConfigError(f"cannot read {what}: permission denied", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot open {what}: {exc.strerror or exc}", file=path) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"{what} is a directory, not a file", file=path)
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{what} is not a regular file", file=path)
        if st.st_size > max_bytes:
            raise ConfigError(
                f"{what} is too large ({st.st_size} bytes; the limit is {max_bytes})", file=path
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise ConfigError(f"{what} is too large (limit {max_bytes} bytes)", file=path)
            chunks.append(chunk)
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror or exc}", file=path) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            file=path,
            line=line,
            column=col,
        ) from None
    return text, st


def parse_text(
    text: str,
    path: str,
    *,
    what: str = "config file",
    duplicates: list[json5.Duplicate] | None = None,
) -> tuple[Any, ProvNode]:
    # Plain JSON takes the fast path; its value positions are found when first asked for.
    fast = parse_plain_json(text, path)
    if fast is not None:
        return fast
    try:
        return json5.parse(text, path, duplicates)
    except json5.JSON5Error as exc:
        raise ConfigError(
            f"invalid JSON5 in {what}: {exc.message}",
            file=path,
            line=exc.line,
            column=exc.column,
            kind="parse_error",
        ) from None
    except RecursionError:
        raise ConfigError(f"{what} is nested too deeply", file=path, kind="parse_error") from None


def read_json5(
    path: str,
    *,
    max_bytes: int,
    what: str = "config file",
    duplicates: list[json5.Duplicate] | None = None,
) -> tuple[Any, ProvNode, os.stat_result]:
    text, st = read_text(path, max_bytes=max_bytes, what=what)
    value, prov = parse_text(text, path, what=what, duplicates=duplicates)
    return value, prov, st
