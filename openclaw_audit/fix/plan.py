"""The fix plan (fix.md §2, §3): what ``--fix`` would change, computed as plain data.

Nothing here writes. Config edits say which file and which local path inside that file hold
the value (from the loader's provenance), so the editor can splice the new literal into the
file that defines it. Permission actions are evaluated against the filesystem now (lstat), with
a skip reason where nothing may or needs to be done; the applier re-checks before changing.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.config.loader import LoadedConfig
from openclaw_audit.config.locate import AuditPaths
from openclaw_audit.config.provenance import Origin
from openclaw_audit.facts import files
from openclaw_audit.facts.channel_accounts import DEFAULT_ACCOUNT_ID
from openclaw_audit.facts.pairing_store import read_store
from openclaw_audit.state import winacl
from openclaw_audit.state.view import StateView

DIR_TARGET = 0o700
FILE_TARGET = 0o600
_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")

ConfigPath = tuple[str, ...]


# --- config edits ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetConfigValue:
    """Replace the literal at ``local_path`` of ``file`` (``config_path`` in the merged config)."""

    file: str
    local_path: ConfigPath
    config_path: ConfigPath
    old: Any
    new: Any
    change: str  # the human-readable change line (fix.md §2)


@dataclass(frozen=True, slots=True)
class InsertConfigValue:
    """Add ``key: value`` to the object literal at ``object_path`` of ``file``."""

    file: str
    object_path: ConfigPath
    key: str
    config_path: ConfigPath  # path of the new member in the merged config
    value: Any
    change: str


ConfigEdit = SetConfigValue | InsertConfigValue


# --- permission actions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chmod:
    """POSIX ``chmod`` of one target. ``mode`` is the policy target (700/600) as reported;
    ``new_mode`` the full mode that would be set (only bits cleared, special bits kept)."""

    path: str
    mode: int
    is_dir: bool
    current: int | None = None
    new_mode: int | None = None
    skipped: str | None = None
    error: str | None = None

    @property
    def pending(self) -> bool:
        return self.skipped is None and self.error is None


@dataclass(frozen=True, slots=True)
class IcaclsReset:
    """Windows: reset the ACL to the current user + SYSTEM (fix.md §3)."""

    path: str
    is_dir: bool
    command: str  # display string
    argv: tuple[str, ...] = ()
    skipped: str | None = None
    error: str | None = None

    @property
    def pending(self) -> bool:
        return self.skipped is None and self.error is None


PermAction = Chmod | IcaclsReset


@dataclass
class FixPlan:
    state_dir: str
    config_path: str
    edits: list[ConfigEdit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    actions: list[PermAction] = field(default_factory=list)

    @property
    def changes(self) -> list[str]:
        return [e.change for e in self.edits]


# --- config part -----------------------------------------------------------------------------


class _TextCache:
    """File texts as the loader decoded them (UTF-8, no newline translation)."""

    def __init__(self) -> None:
        self._texts: dict[str, str | None] = {}

    def get(self, path: str) -> str | None:
        if path not in self._texts:
            try:
                with open(path, "rb") as fh:
                    self._texts[path] = fh.read().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]


def _dotted(path: Sequence[str]) -> str:
    return ".".join(path)


class _ConfigPlanner:
    def __init__(self, loaded: LoadedConfig, plan: FixPlan, state: StateView) -> None:
        self.loaded = loaded
        self.state = state
        self.view = loaded.source
        self.plan = plan
        self.texts = _TextCache()

    def origin(self, path: ConfigPath) -> Origin | None:
        node = self.view.provenance(path)
        return node.origin if node is not None else None

    def env_reference(self, origin: Origin, value: Any) -> str | None:
        """The ``${VAR}`` name when the literal in the file is not the value we see (it came from
        substitution); ``""`` when it differs for another reason."""
        from openclaw_audit.config import json5

        text = self.texts.get(origin.file)
        if text is None:
            return ""
        literal = text[origin.start : origin.end]
        try:
            raw = json5.loads(literal)
        except json5.JSON5Error:
            return ""
        if raw == value:
            return None
        if isinstance(raw, str):
            m = _ENV_REF.search(raw)
            if m:
                return m.group(1)
        return ""

    def set_value(self, path: ConfigPath, old: Any, new: Any, change: str) -> bool:
        origin = self.origin(path)
        if origin is None:
            self.plan.errors.append(f"{_dotted(path)}: cannot locate the value in a config file")
            return False
        ref = self.env_reference(origin, old)
        if ref:
            self.plan.errors.append(
                f"{_dotted(path)}: value comes from ${{{ref}}}; edit the environment instead"
            )
            return False
        if ref == "":
            self.plan.errors.append(
                f"{_dotted(path)}: the literal in {origin.file} does not match the loaded value"
            )
            return False
        self.plan.edits.append(
            SetConfigValue(origin.file, origin.local_path, path, old, new, change)
        )
        return True

    def insert_value(self, section: ConfigPath, key: str, value: Any, change: str) -> None:
        origin = self.origin(section)
        text = self.texts.get(origin.file) if origin is not None else None
        if origin is None or text is None or text[origin.start : origin.start + 1] != "{":
            self.plan.errors.append(
                f"{_dotted(section)}: cannot locate the object literal to add {key} to"
            )
            return
        self.plan.edits.append(
            InsertConfigValue(origin.file, origin.local_path, key, (*section, key), value, change)
        )

    # fix.md §2.2 a–c, in that order
    def run(self) -> None:
        data = self.view.data
        logging_cfg = data.get("logging")
        if isinstance(logging_cfg, Mapping) and logging_cfg.get("redactSensitive") == "off":
            self.set_value(
                ("logging", "redactSensitive"),
                "off",
                "tools",
                'logging.redactSensitive=off -> "tools"',
            )
        flipped: list[ConfigPath] = []
        channels = data.get("channels")
        if isinstance(channels, Mapping):
            for ch, section in channels.items():
                if not isinstance(section, Mapping):
                    continue
                flipped.extend(self._flip_section(("channels", ch), section))
                accounts = section.get("accounts")
                if not isinstance(accounts, Mapping):
                    continue
                for acc, acc_section in accounts.items():
                    if isinstance(acc_section, Mapping):
                        flipped.extend(
                            self._flip_section(("channels", ch, "accounts", acc), acc_section)
                        )
        for section_path in flipped:
            if section_path[:2] == ("channels", "whatsapp"):
                self._seed_whatsapp(section_path)

    def _flip_section(self, path: ConfigPath, section: Mapping[str, Any]) -> list[ConfigPath]:
        if section.get("groupPolicy") != "open":
            return []
        dotted = _dotted((*path, "groupPolicy"))
        ok = self.set_value(
            (*path, "groupPolicy"), "open", "allowlist", f"{dotted}=open -> allowlist"
        )
        return [path] if ok else []

    def _seed_whatsapp(self, path: ConfigPath) -> None:
        section = self.view.get(path)
        if not isinstance(section, Mapping):
            return
        if not _absent_or_empty(section, "allowFrom"):
            return
        if not _absent_or_empty(section, "groupAllowFrom"):
            return
        account = path[3] if len(path) == 4 else None
        # Blank or "default" account keys name the default account's store.
        account_id = (account or "").strip() or DEFAULT_ACCOUNT_ID
        store = read_store(self.state, self.loaded.paths.creds_dir, "whatsapp", account_id)
        if not store:
            return
        change = f"{_dotted((*path, 'groupAllowFrom'))}=pairing-store"
        if "groupAllowFrom" in section:  # an explicit empty list: replace that literal
            self.set_value((*path, "groupAllowFrom"), section["groupAllowFrom"], store, change)
        else:
            self.insert_value(path, "groupAllowFrom", store, change)


def _absent_or_empty(section: Mapping[str, Any], key: str) -> bool:
    # Anything but a missing key or an empty list is the user's choice: never overwritten.
    return key not in section or section[key] == []


# --- permission part -------------------------------------------------------------------------


def permission_targets(
    state: StateView,
    paths: AuditPaths,
    include_files: Sequence[str],
    agent_ids: Sequence[str],
) -> list[tuple[str, bool]]:
    """(path, is_dir) in exactly the order of fix.md §3."""
    out: list[tuple[str, bool]] = [(paths.state_dir, True), (paths.config_path, False)]
    out.extend((p, False) for p in include_files)
    out.append((paths.creds_dir, True))
    out.extend((p, False) for p in files.credential_files(state, paths.creds_dir))
    for agent in agent_ids:
        json_store, sqlite_files = files.auth_store_paths(paths.state_dir, agent)
        out.append((files.agent_root(paths.state_dir, agent), True))
        out.append((files.agent_dir(paths.state_dir, agent), True))
        out.extend((p, False) for p in sqlite_files)
        out.append((json_store, False))
        out.append((files.sessions_dir(paths.state_dir, agent), True))
        out.append((files.sessions_index(paths.state_dir, agent), False))
        if not os.path.islink(files.agent_root(paths.state_dir, agent)):
            # A symlinked agent dir is skipped, so nothing behind it is listed either.
            out.extend((p, False) for p in files.transcripts(state, paths.state_dir, agent))
    return out


def _precheck(path: str, is_dir: bool) -> tuple[os.stat_result | None, str | None, str | None]:
    """lstat + type checks shared by both platforms: (stat, skipped, error)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, "missing", None
    except OSError as exc:
        return None, None, exc.strerror or str(exc)
    if stat.S_ISLNK(st.st_mode):
        return st, "symlink", None
    if is_dir and not stat.S_ISDIR(st.st_mode):
        return st, "not-a-directory", None
    if not is_dir and not stat.S_ISREG(st.st_mode):
        return st, "not-a-file", None
    return st, None, None


def plan_chmod(path: str, is_dir: bool) -> Chmod:
    target = DIR_TARGET if is_dir else FILE_TARGET
    st, skipped, error = _precheck(path, is_dir)
    if st is None or skipped or error:
        return Chmod(path, target, is_dir, skipped=skipped, error=error)
    current = stat.S_IMODE(st.st_mode)
    bits = current & 0o777
    new_bits = bits & target  # only ever clear bits (fix.md B4)
    if new_bits == bits:
        return Chmod(path, target, is_dir, current=current, skipped="already")
    return Chmod(path, target, is_dir, current=current, new_mode=(current & 0o7000) | new_bits)


IcaclsInspector = Callable[[str], str]


def plan_icacls(
    path: str, is_dir: bool, env: Mapping[str, str], inspector: IcaclsInspector
) -> IcaclsReset:
    command = winacl.icacls_reset_command(path, is_dir=is_dir, env=env)
    _, skipped, error = _precheck(path, is_dir)
    if skipped or error:
        return IcaclsReset(path, is_dir, command, skipped=skipped, error=error)
    user = winacl.windows_user_principal(env)
    if user is None:
        return IcaclsReset(path, is_dir, command, skipped="missing-user")
    acl = winacl.inspect_acl(path, env, inspector)
    if acl.ok and not acl.world and not acl.group:
        return IcaclsReset(path, is_dir, command, skipped="already")
    grant = "(OI)(CI)F" if is_dir else "F"
    argv = (
        "icacls",
        path,
        "/inheritance:r",
        "/grant:r",
        f"{user}:{grant}",
        "/grant:r",
        f"*S-1-5-18:{grant}",
    )
    return IcaclsReset(path, is_dir, command, argv=argv)


def plan_permissions(
    targets: Sequence[tuple[str, bool]],
    *,
    platform: str = sys.platform,
    env: Mapping[str, str] | None = None,
    inspector: IcaclsInspector | None = None,
) -> list[PermAction]:
    run = inspector or winacl.default_runner
    out: list[PermAction] = []
    links: list[str] = []  # directories reported as skipped symlinks: never entered
    for path, is_dir in targets:
        action: PermAction
        if any(_beneath(path, link) for link in links):
            # Looking at agents/<id>/sessions through a symlinked agents/<id> would follow
            # the very link we report as skipped (trust.md §6).
            action = (
                IcaclsReset(
                    path,
                    is_dir,
                    winacl.icacls_reset_command(path, is_dir=is_dir, env=env or {}),
                    skipped="symlink",
                )
                if platform == "win32"
                else Chmod(path, DIR_TARGET if is_dir else FILE_TARGET, is_dir, skipped="symlink")
            )
        elif platform == "win32":
            action = plan_icacls(path, is_dir, env or {}, run)
        else:
            action = plan_chmod(path, is_dir)
        if is_dir and action.skipped == "symlink":
            links.append(path)
        out.append(action)
    return out


def _beneath(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip("/\\") + os.sep)


def build_plan(
    loaded: LoadedConfig,
    agent_ids: Sequence[str],
    *,
    platform: str = sys.platform,
    inspector: IcaclsInspector | None = None,
) -> FixPlan:
    paths = loaded.paths
    plan = FixPlan(state_dir=paths.state_dir, config_path=paths.config_path)
    state = StateView()
    if loaded.exists:
        _ConfigPlanner(loaded, plan, state).run()
    includes = loaded.include_files if loaded.exists else ()
    targets = permission_targets(state, paths, includes, agent_ids)
    plan.actions = plan_permissions(targets, platform=platform, env=loaded.env, inspector=inspector)
    return plan
