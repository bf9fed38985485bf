"""State or config inside a cloud-synced folder (checks-filesystem.md §2.7).

Its own stage, right after the attack-surface summary (report.md §4 item 2).
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.report.model import Finding, Severity

SYNCED_DIR = define(
    "fs.synced_dir",
    Severity.WARN,
    "State or config lives in a cloud-synced folder",
    remediation="Keep OPENCLAW_STATE_DIR and the config file on a local volume that no sync "
    "service uploads.",
    docs="""
## What
The state directory or config path contains `icloud`, `dropbox`, `google drive`,
`googledrive` or `onedrive` (case-insensitive). Beyond upstream, the real macOS iCloud Drive
path (`Mobile Documents/com~apple~CloudDocs`) and File Provider mounts
(`/Library/CloudStorage/`, used by Dropbox, Google Drive, OneDrive and Box) also match. This is
a pure string test: no filesystem access, symlinks are not resolved.

## Why
Sync services copy tokens, credentials and transcripts to other devices and to the provider.

## Fix
Move the state directory (and the config) to an unsynced local path and point
`OPENCLAW_STATE_DIR` / `OPENCLAW_CONFIG_PATH` at it.
""",
)

SYNCED_MARKERS: tuple[str, ...] = (
    "icloud",
    "dropbox",
    "google drive",
    "googledrive",
    "onedrive",
    # Product extension: macOS locations whose names carry none of the markers above.
    "mobile documents/com~apple~clouddocs",
    "/library/cloudstorage/",
)


def is_synced_path(path: str) -> bool:
    lowered = path.lower().replace("\\", "/")
    return any(marker in lowered for marker in SYNCED_MARKERS)


@check(Stage.SYNCED_DIR, emits=[SYNCED_DIR])
def synced_dir(ctx: AuditContext) -> Iterator[Finding]:
    matched = [
        f"{label}: {path}"
        for label, path in (("state dir", ctx.paths.state_dir), ("config", ctx.paths.config_path))
        if is_synced_path(path)
    ]
    if matched:
        lines = "\n".join(f"- {m}" for m in matched)
        yield SYNCED_DIR.finding(f"OpenClaw files inside a synced folder:\n{lines}")
