"""Several targets in one run: which configs (the auditing is engine/fleet_audit.py).

Targets come from repeated ``--config`` values, a directory (its ``*.json``/``*.json5`` files and
``*/openclaw.json`` one level down, minus files another config of the set ``$include``s), or
``@FILE`` (one config path per line, ``#`` comments, relative to that file). Each target is
audited on its own, with its config's directory as state dir unless ``--state-dir`` is given.
A target that does not exist stops the run before anything is audited (the face checks); one
that cannot be loaded becomes an error entry, and the others are still reported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from openclaw_audit.config import json5
from openclaw_audit.config.include_scan import scan_include_files
from openclaw_audit.config.reader import MAX_CONFIG_BYTES, MAX_INCLUDE_BYTES, read_text
from openclaw_audit.errors import AuditError, UsageError

CONFIG_SUFFIXES = (".json", ".json5")


def expand_targets(configs: Sequence[str]) -> tuple[list[str], bool]:
    """The config paths to audit, and whether this is a several-target run (more than one
    path, or any directory / @list given, so scripts get a stable shape)."""
    paths: list[str] = []
    listed: set[str] = set()  # found by listing a directory (may be dropped as includes)
    fleet = len(configs) > 1
    for value in configs:
        if value.startswith("@"):
            paths.extend(_read_list(value[1:]))
            fleet = True
        elif os.path.isdir(value):
            found = _configs_in(value)
            if not found:
                raise UsageError(f"no *.json or *.json5 configs in directory {value}")
            paths.extend(found)
            listed.update(os.path.abspath(p) for p in found)
            fleet = True
        else:
            paths.append(value)
    seen: set[str] = set()
    unique = []
    for p in paths:
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    if listed:
        included = _included_by(unique)
        unique = [p for p in unique if os.path.abspath(p) not in (included & listed)]
        if not unique:
            raise UsageError("every config found includes another one: nothing to audit")
    return unique, fleet


def _configs_in(directory: str) -> list[str]:
    """``*.json``/``*.json5`` in ``directory`` and ``*/openclaw.json`` one level down."""
    found = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith(CONFIG_SUFFIXES) and os.path.isfile(path):
            found.append(path)
        elif os.path.isdir(path) and os.path.isfile(os.path.join(path, "openclaw.json")):
            found.append(os.path.join(path, "openclaw.json"))
    return found


def _included_by(paths: Sequence[str]) -> set[str]:
    """Absolute paths of files that some config of ``paths`` pulls in with ``$include``: they
    are fragments of a gateway, not gateways (a config that fails to parse includes nothing)."""
    out: set[str] = set()
    for path in paths:
        raw = _lenient_read(path, MAX_CONFIG_BYTES)
        out.update(os.path.abspath(p) for p in scan_include_files(raw, path, _lenient_include))
    return out


def _lenient_read(path: str, limit: int) -> Any:
    try:
        text, _ = read_text(path, max_bytes=limit)
        if "include" not in text and "\\" not in text:
            return None  # no $include key, not even an escaped one: no need to parse
        return json5.loads(text)
    except (AuditError, json5.JSON5Error, RecursionError):
        return None


def _lenient_include(path: str) -> Any:
    return _lenient_read(path, MAX_INCLUDE_BYTES)


def _read_list(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read(1024 * 1024).splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        what = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise AuditError(f"cannot read target list: {what or exc}", file=path) from None
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line if os.path.isabs(line) else os.path.join(base, line))
    if not out:
        raise UsageError(f"target list {path} names no config")
    return out
