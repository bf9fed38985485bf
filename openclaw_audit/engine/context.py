"""What every check receives: the loaded config views, filesystem state, env and options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from openclaw_audit.config.locate import AuditPaths
from openclaw_audit.config.view import ConfigView
from openclaw_audit.state.view import StateView

if TYPE_CHECKING:  # type-only: the JSON5 parser and advisories stay off this import path
    from openclaw_audit.advisories.store import AdvisoryDb
    from openclaw_audit.config.json5 import Duplicate

__all__ = ["AuditContext", "AuditPaths", "AuthOverride", "with_profile"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AuthOverride:
    """``--auth`` (mode) with ``--token`` / ``--password``: a runtime override of gateway.auth."""

    mode: str | None = None
    token: str | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class AuditContext:
    """The loaded inputs of one audit. Checks read only this; they never touch os.environ."""

    paths: AuditPaths
    config: ConfigView  # resolved view (SecretRefs replaced by values where resolvable)
    source: ConfigView  # source view (after $include and ${VAR}, before SecretRef resolution)
    env: Mapping[str, str]
    state: StateView = field(default_factory=StateView)
    config_exists: bool = False
    raw_root: Any = None  # the main config file as parsed, before $include (None if absent)
    include_files: tuple[str, ...] = ()  # lenient include scan (checks-filesystem.md §1.5)
    auth_override: AuthOverride | None = None
    deep: bool = False
    platform: str = sys.platform
    # Paths whose ${VAR} could not be substituted; absent in both views.
    unresolved_paths: frozenset[tuple[str, ...]] = frozenset()
    # OSV advisories for openclaw.version.* (None: this run has no advisory data).
    advisories: AdvisoryDb | None = None
    # ``report.deep`` as the live probes left it, for the checks that run after them.
    live: Mapping[str, Any] | None = None
    schema_file: str | None = None  # --config-schema (None: the bundled OpenClaw schema)
    duplicates: tuple[
        Duplicate, ...
    ] = ()  # keys written twice in one object (JSON5 keeps the last)
    # Unset ${VAR} references: config path -> variable name (facts.gateway explains them).
    unresolved_vars: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    # Derived facts (roster, tool policies…) computed once per audit; see memo().
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a derived fact once per audit. The views are immutable for the whole run,
        so a check can call shared helpers (roster, default agent…) in loops without turning
        a 10,000-agent config quadratic."""
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    @property
    def profile(self) -> str | None:
        p = self.env.get("OPENCLAW_PROFILE", "").strip()
        return p or None

    def cmd(self, command: str) -> str:
        """An ``openclaw ...`` command string with ``--profile`` inserted when a profile is set."""
        return with_profile(command, self.profile)


def with_profile(text: str, profile: str | None) -> str:
    """Insert ``--profile <name>`` after every ``openclaw `` command in ``text`` (report.md §6)."""
    if not profile:
        return text
    out: list[str] = []
    i = 0
    needle = "openclaw "
    while True:
        j = text.find(needle, i)
        if j < 0:
            out.append(text[i:])
            break
        before_ok = j == 0 or not (text[j - 1].isalnum() or text[j - 1] in "-_/.")
        rest = text[j + len(needle) :]
        if before_ok and not rest.startswith(("--profile", "--dev")):
            out.append(text[i : j + len(needle)])
            out.append(f"--profile {profile} ")
        else:
            out.append(text[i : j + len(needle)])
        i = j + len(needle)
    return "".join(out)
