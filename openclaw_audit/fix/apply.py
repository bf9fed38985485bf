"""Carrying out a :class:`FixPlan`: config edits (all files or none), then permission actions.

The result is upstream's fix object (fix.md §1.1). ``dry_run`` computes the same edits and the
diffs but writes and chmods nothing.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import os
import stat
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from openclaw_audit.config.loader import LoadedConfig
from openclaw_audit.fix import writer
from openclaw_audit.fix.edit import EditError, FileEdit, edit_file
from openclaw_audit.fix.plan import (
    Chmod,
    ConfigEdit,
    FixPlan,
    IcaclsReset,
    PermAction,
    plan_chmod,
)
from openclaw_audit.fix.verify import verify_merged
from openclaw_audit.redaction import redact_config_text
from openclaw_audit.report.model import FileDiff, FixAction, FixResult

# argv -> None; raises OSError / CalledProcessError / TimeoutExpired on failure.
IcaclsExec = Callable[[Sequence[str]], None]

WRITE_FAILED = "replaceConfigFile failed"


@dataclass
class _Outcome:
    """What applying a plan produced so far; frozen into a FixResult at the end."""

    dry_run: bool
    errors: list[str]
    config_written: bool = False
    actions: list[FixAction] = field(default_factory=list)
    diffs: list[FileDiff] = field(default_factory=list)


# --- config edits ----------------------------------------------------------------------------


def _group_by_file(edits: Sequence[ConfigEdit]) -> dict[str, list[ConfigEdit]]:
    groups: dict[str, list[ConfigEdit]] = {}
    for edit in edits:
        groups.setdefault(edit.file, []).append(edit)
    return groups


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def prepare_edits(
    loaded: LoadedConfig, edits: Sequence[ConfigEdit], digests: Mapping[str, bytes] | None = None
) -> list[FileEdit]:
    """Patched texts for every file the edits touch, verified file by file and as a whole.
    ``digests``: the content hash of each file before the plan's load; a file that differs
    now was changed by someone else while we planned, and is not overwritten."""
    out: list[FileEdit] = []
    for path, group in _group_by_file(edits).items():
        try:
            data = _read(path)
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise EditError(f"cannot read {path}: {reason}") from None
        if digests and path in digests and hashlib.sha256(data).digest() != digests[path]:
            raise EditError(f"{path}: {writer.CHANGED}")
        out.append(edit_file(path, text, group))
    if not verify_merged(loaded, {f.path: f.new_text for f in out}, edits):
        raise EditError("verification mismatch")
    return out


def unified_diff(edit: FileEdit) -> str:
    lines = difflib.unified_diff(
        edit.old_text.splitlines(keepends=True),
        edit.new_text.splitlines(keepends=True),
        fromfile=edit.path,
        tofile=f"{edit.path} (fixed)",
        n=3,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _apply_config(
    plan: FixPlan, loaded: LoadedConfig, result: _Outcome, digests: Mapping[str, bytes] | None
) -> None:
    if not plan.edits:
        return
    try:
        files = prepare_edits(loaded, plan.edits, digests)
    except EditError as exc:
        result.errors.append(f"{WRITE_FAILED}: {exc}")
        return
    if result.dry_run:
        # A diff quotes config lines around each edit: secrets are masked right here.
        result.diffs = [
            FileDiff(f.path, redact_config_text(unified_diff(f), loaded.secrets)) for f in files
        ]
        return
    try:
        writer.replace_files(
            [(f.path, f.new_text.encode("utf-8"), f.old_text.encode("utf-8")) for f in files]
        )
    except writer.WriteError as exc:
        result.errors.append(f"{WRITE_FAILED}: {exc}")
        return
    result.config_written = True


# --- permission actions ----------------------------------------------------------------------


def _chmod_nofollow(path: str, is_dir: bool, new_mode: int, ino: int | None) -> None:
    """chmod without following a symlink: open with O_NOFOLLOW and fchmod the very inode that
    was inspected. A path we may not open (mode 000 or 200 for us) falls back to chmod by
    path right after an lstat that confirmed it is no symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    if is_dir:
        flags |= getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or (ino is not None and st.st_ino != ino):
            raise OSError(errno.ELOOP, "path changed while fixing") from None
        os.chmod(path, new_mode)
        return
    try:
        st = os.fstat(fd)
        if ino is not None and st.st_ino != ino:
            raise OSError(errno.ESTALE, "path changed while fixing")
        os.fchmod(fd, new_mode)
    finally:
        os.close(fd)


def _action_result(action: PermAction, ok: bool, *, planned: bool = False) -> FixAction:
    """A permission action as the fix result reports it (chmod mode or icacls command)."""
    chmod = isinstance(action, Chmod)
    return FixAction(
        kind="chmod" if chmod else "icacls",
        path=action.path,
        ok=ok,
        mode=action.mode if isinstance(action, Chmod) else None,
        command=action.command if isinstance(action, IcaclsReset) else None,
        planned=planned,
        skipped=action.skipped,
        error=action.error,
    )


def run_chmod(planned: Chmod) -> Chmod:
    """Re-inspect (the tree may have changed since planning) and tighten."""
    action = plan_chmod(planned.path, planned.is_dir)
    if not action.pending or action.new_mode is None:
        return action
    try:
        ino = os.lstat(action.path).st_ino
        _chmod_nofollow(action.path, action.is_dir, action.new_mode, ino)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return replace(action, skipped="symlink")
        return replace(action, error=exc.strerror or str(exc))
    return action


def default_icacls_exec(argv: Sequence[str]) -> None:
    subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=True)


def run_icacls(action: IcaclsReset, exec_: IcaclsExec) -> IcaclsReset:
    if not action.pending:
        return action
    try:
        exec_(action.argv)
    except subprocess.CalledProcessError as exc:
        return replace(action, error=f"icacls exited with status {exc.returncode}")
    except subprocess.TimeoutExpired:
        return replace(action, error="icacls timed out")
    except OSError as exc:
        return replace(action, error=exc.strerror or str(exc))
    return action


def _apply_permissions(
    actions: Sequence[PermAction], result: _Outcome, icacls_exec: IcaclsExec | None
) -> None:
    for action in actions:
        if isinstance(action, Chmod):
            if result.dry_run:
                result.actions.append(_action_result(action, False, planned=action.pending))
                continue
            done = run_chmod(action) if action.pending else action
            result.actions.append(_action_result(done, done.pending))
        else:
            if result.dry_run:
                result.actions.append(_action_result(action, False, planned=action.pending))
                continue
            done = run_icacls(action, icacls_exec or default_icacls_exec)
            result.actions.append(_action_result(done, done.pending))


def apply_plan(
    plan: FixPlan,
    loaded: LoadedConfig,
    *,
    dry_run: bool = False,
    icacls_exec: IcaclsExec | None = None,
    digests: Mapping[str, bytes] | None = None,
) -> FixResult:
    outcome = _Outcome(dry_run=dry_run, errors=list(plan.errors))
    _apply_config(plan, loaded, outcome, digests)
    # Permissions always run, even after config errors (fix.md §3).
    _apply_permissions(plan.actions, outcome, icacls_exec)
    return FixResult(
        state_dir=plan.state_dir,
        config_path=plan.config_path,
        config_written=outcome.config_written,
        changes=tuple(plan.changes),
        actions=tuple(outcome.actions),
        errors=tuple(outcome.errors),
        dry_run=dry_run,
        diffs=tuple(outcome.diffs) if dry_run else (),
    )
