"""``run_fix``: the fix engine as a library (fix.md §1.2, §2).

Load the config (raising ConfigError when it is invalid: nothing is touched), take the lock on
the state dir, load again under it, plan, apply. Formats and exit codes are the face's business.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence

from openclaw_audit.config.loader import LoadedConfig, load_config
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.fix.apply import IcaclsExec, apply_plan
from openclaw_audit.fix.lock import FixLocked, fix_lock, lock_dir
from openclaw_audit.fix.plan import IcaclsInspector, build_plan
from openclaw_audit.report.model import FixResult


def _load(options: AuditOptions) -> LoadedConfig:
    return load_config(
        env=options.env,
        config_path=options.config_path,
        state_dir=options.state_dir,
        allow_exec=options.allow_exec,
        # --fix decides which files change: the current directory's .env may not (trust.md §4).
        cwd_dotenv_locations=options.trust_cwd_dotenv,
    )


def _agent_ids(loaded: LoadedConfig, options: AuditOptions) -> Sequence[str]:
    from openclaw_audit.engine.audit import build_context
    from openclaw_audit.facts.agents import audit_agent_ids

    return audit_agent_ids(build_context(loaded, options))


def _digests(paths: Iterable[str]) -> dict[str, bytes]:
    """Content hashes of the files a plan may edit, taken before the plan's own load: a file
    that differs at write time was changed by someone else since (trust.md §6)."""
    out: dict[str, bytes] = {}
    for path in paths:
        try:
            with open(path, "rb") as fh:
                out[path] = hashlib.sha256(fh.read()).digest()
        except OSError:
            continue  # missing or unreadable: the load itself says so
    return out


def run_fix(
    options: AuditOptions,
    *,
    dry_run: bool = False,
    platform: str = sys.platform,
    icacls_inspector: IcaclsInspector | None = None,
    icacls_exec: IcaclsExec | None = None,
) -> FixResult:
    """Load (raising ConfigError when the config is invalid), plan and apply under the lock."""
    first = _load(options)
    directory = lock_dir(first.paths.state_dir, first.paths.config_path)
    try:
        with fix_lock(directory):
            # Re-read under the lock: another --fix may have finished in between.
            digests = _digests([first.paths.config_path, *first.include_files])
            loaded = _load(options)
            plan = build_plan(
                loaded, _agent_ids(loaded, options), platform=platform, inspector=icacls_inspector
            )
            return apply_plan(
                plan, loaded, dry_run=dry_run, icacls_exec=icacls_exec, digests=digests
            )
    except FixLocked:
        return FixResult(
            state_dir=first.paths.state_dir,
            config_path=first.paths.config_path,
            errors=(
                f"another openclaw-audit --fix is running on {directory}; nothing was changed",
            ),
            dry_run=dry_run,
        )
