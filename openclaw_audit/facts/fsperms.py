"""Permission facts for one path, POSIX bits or Windows ACL (checks-filesystem.md §1.3, §1.4).

``inspect_path`` gives every filesystem check the same shape whatever the platform: exists,
symlink, directory, the four read/write flags, and the ``detail`` / ``remediation`` strings
(``<path> mode=755`` + ``chmod 700 <path>`` on POSIX, ``<path> acl=...`` + an icacls command on
Windows). Missing or unreadable paths come back with ``ok=False`` and produce no finding.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.state import winacl

log = logging.getLogger(__name__)


def run_icacls(target: str) -> str:
    """Seam for tests: the icacls runner the Windows branch uses (monkeypatch this)."""
    return winacl.default_runner(target)


@dataclass(frozen=True, slots=True)
class Perms:
    path: str
    ok: bool
    is_symlink: bool = False
    is_dir: bool = False
    source: str = "unknown"  # "posix", "windows-acl" or "unknown"
    bits: int = 0
    acl_summary: str | None = None
    world_writable: bool = False
    group_writable: bool = False
    world_readable: bool = False
    group_readable: bool = False

    @property
    def writable_by_others(self) -> bool:
        return self.world_writable or self.group_writable

    @property
    def readable_by_others(self) -> bool:
        return self.world_readable or self.group_readable

    def detail(self, reason: str) -> str:
        """``<path> mode=NNN; reason`` (or ``acl=<summary>`` on Windows)."""
        if self.source == "windows-acl":
            return f"{self.path} acl={self.acl_summary or 'unknown'}; {reason}"
        return f"{self.path} mode={self.bits:03o}; {reason}"


def inspect_path(ctx: AuditContext, path: str) -> Perms:
    info = ctx.state.inspect(path)
    if not info.ok:
        return Perms(path=path, ok=False)
    base = Perms(path=path, ok=True, is_symlink=info.is_symlink, is_dir=info.is_dir, bits=info.bits)
    if not info.target_ok:
        # A dangling link protects nothing: its own bits are always 777 on Linux, so judging
        # them would report a world-writable file that does not exist (deliberate deviation
        # from checks-filesystem.md §1.3 step 3; the *.symlink finding still fires).
        return base
    if ctx.platform == "win32":
        acl = winacl.inspect_acl(path, ctx.env, run_icacls)
        if not acl.ok:
            log.debug("icacls %s failed: %s", path, acl.error)
            return base  # icacls failed: nothing can be judged
        return replace(
            base,
            source="windows-acl",
            acl_summary=winacl.format_acl_summary(acl),
            world_writable=acl.world_writable,
            group_writable=acl.group_writable,
            world_readable=acl.world_readable,
            group_readable=acl.group_readable,
        )
    return replace(
        base,
        source="posix",
        world_writable=info.world_writable,
        group_writable=info.group_writable,
        world_readable=info.world_readable,
        group_readable=info.group_readable,
    )


def tighten_command(ctx: AuditContext, perms: Perms, *, is_dir: bool) -> str:
    """``chmod 700|600 <path>`` on POSIX; the icacls reset on Windows (fix.md §3 table)."""
    if perms.source == "windows-acl":
        return winacl.icacls_reset_command(perms.path, is_dir=is_dir, env=ctx.env)
    return f"chmod {'700' if is_dir else '600'} {perms.path}"
