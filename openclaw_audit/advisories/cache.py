"""Where ``advisories update`` keeps OSV data, and the cache file's format.

The cache is one JSON document, written atomically (temporary file, fsync, rename):
``{"format": "openclaw-audit/osv-cache", "version": 1, "fetchedAt": "<UTC ISO 8601>",
"source": "<API base URL>", "packages": [...], "records": [<OSV record>, ...]}``.
Location: ``$XDG_CACHE_HOME/openclaw-audit/`` (else ``~/.cache/openclaw-audit/``; on Windows
``%LOCALAPPDATA%\\openclaw-audit\\cache``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CACHE_FORMAT = "openclaw-audit/osv-cache"
CACHE_VERSION = 1
CACHE_FILE = "osv-openclaw.json"


def cache_dir(env: Mapping[str, str]) -> Path:
    xdg = env.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "openclaw-audit"
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "openclaw-audit" / "cache"
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".cache" / "openclaw-audit"


def cache_path(env: Mapping[str, str]) -> Path:
    return cache_dir(env) / CACHE_FILE


def is_cache_document(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get("format") == CACHE_FORMAT


def cache_document(
    records: Sequence[Mapping[str, Any]], fetched_at: datetime, source: str
) -> dict[str, Any]:
    from openclaw_audit.advisories.osv import PACKAGE_NAMES  # only `advisories update` writes

    return {
        "format": CACHE_FORMAT,
        "version": CACHE_VERSION,
        "fetchedAt": fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source,
        "packages": list(PACKAGE_NAMES),
        "records": list(records),
    }


def write_cache(path: Path, document: Mapping[str, Any]) -> None:
    """Replace ``path`` atomically: a reader sees the old file or the new one, never half."""
    import tempfile  # only `advisories update` writes

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".osv-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
