"""Lenient ``$include`` scan for the include-file permission checks (checks-filesystem.md §1.5).

This is not the loader's ``$include`` resolution: it applies no directory boundary, never raises,
and skips files it cannot read or parse (they are still returned, so their permissions are
checked). It only answers "which files does this config pull in?".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

INCLUDE_KEY = "$include"
# The root config walks at depth 0; a file first seen at depth 11 is still listed but not opened.
MAX_SCAN_DEPTH = 10
# The loader's own bound on include loads (includes.MAX_INCLUDE_LOADS): past it the scan only
# lists paths, it opens no more files, so a config naming thousands of files costs no reads.
MAX_SCAN_OPENS = 512

# path -> parsed JSON5 value, or None when the file cannot be read or parsed.
ReadJson5 = Callable[[str], Any]


def direct_includes(parsed: Any) -> Iterator[str]:
    """Every ``$include`` string in ``parsed``, depth-first in document order."""
    stack: list[Any] = [parsed]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            inc = value.get(INCLUDE_KEY)
            if isinstance(inc, str):
                yield inc
            elif isinstance(inc, list):
                yield from (item for item in inc if isinstance(item, str))
            stack.extend(reversed(list(value.values())))


def resolve_include(base_file: str, include: str) -> str:
    """Absolute include paths are kept; relative ones resolve against the including file's dir."""
    if os.path.isabs(include):
        return os.path.normpath(include)
    base_dir = os.path.dirname(os.path.abspath(base_file))
    return os.path.normpath(os.path.join(base_dir, include))


def scan_include_files(raw_root: Any, config_path: str, read_json5: ReadJson5) -> tuple[str, ...]:
    """Resolved include paths reachable from ``raw_root`` (the parsed main config), de-duplicated
    in first-seen order. ``read_json5`` opens nested includes; None from it means "skip"."""
    if raw_root is None:
        return ()
    seen: set[str] = set()
    found: list[str] = []

    def walk(base_file: str, parsed: Any, depth: int) -> None:
        if depth > MAX_SCAN_DEPTH:
            return
        for include in direct_includes(parsed):
            if not include or "\x00" in include:
                continue
            resolved = resolve_include(base_file, include)
            if resolved in seen:
                continue  # also what makes cycles terminate
            seen.add(resolved)
            found.append(resolved)
            if len(found) > MAX_SCAN_OPENS:
                continue
            try:
                nested = read_json5(resolved)
            except Exception:  # a reader that raises is treated like an unreadable file
                nested = None
            if nested is not None:
                walk(resolved, nested, depth + 1)

    walk(config_path, raw_root, 0)
    return tuple(found)
