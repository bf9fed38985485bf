"""Windows ACL inspection through ``icacls`` (spec: checks-filesystem.md §1.4).

POSIX mode bits say nothing on Windows, so the filesystem checks ask ``icacls <path>`` and sort
each allow-ACE into trusted principals (SYSTEM, Administrators, the current user, ...), "world"
principals (Everyone, Users, Authenticated Users, anonymous/guest/network SIDs) and everyone else
("group"). The same read/write flags as on POSIX then drive the same checkIds.

The command runner is a plain callable so tests feed recorded ``icacls`` output; nothing here
reads ``os.environ`` (the caller passes the audit's env).
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

# Runner: target path -> combined icacls output. Raises (OSError, CalledProcessError, timeout)
# when icacls cannot report; the caller then treats the path as "unknown".
IcaclsRunner = Callable[[str], str]

Classification = Literal["trusted", "world", "group"]

_INHERIT_TOKENS = frozenset({"I", "OI", "CI", "IO", "NP"})
_STATUS_PREFIXES = (
    "successfully processed",
    "processed",
    "failed processing",
    "no mapping between account names",
)
_SID_RE = re.compile(r"^\*?s-\d+-\d+(-\d+)+$", re.IGNORECASE)
_TRUSTED_SIDS = frozenset(
    {
        "s-1-5-18",  # LocalSystem
        "s-1-5-32-544",  # BUILTIN\Administrators
        "s-1-3-0",  # CREATOR OWNER
        # NT SERVICE\TrustedInstaller
        "s-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
    }
)
# Well-known SIDs that stand for "anyone on this machine" (icacls prints raw SIDs with a
# leading "*" when it cannot map them, or when run with /sid).
_WORLD_SIDS = frozenset(
    {
        "s-1-1-0",  # Everyone
        "s-1-5-11",  # Authenticated Users
        "s-1-5-32-545",  # BUILTIN\Users
        "s-1-5-7",  # ANONYMOUS LOGON
        "s-1-5-32-546",  # BUILTIN\Guests
        "s-1-5-4",  # INTERACTIVE
        "s-1-5-2",  # NETWORK
        "s-1-2-0",  # LOCAL
    }
)
_TRUSTED_NAMES = frozenset(
    {
        "nt authority\\system",
        "system",
        "builtin\\administrators",
        "administrators",
        "creator owner",
        "nt service\\trustedinstaller",
        # Localised names of the SYSTEM account.
        "autorite nt\\système",
        "nt-autorität\\system",
        "autoridad nt\\system",
        "autoridade nt\\system",
        "nt authority\\система",
    }
)
_WORLD_NAMES = frozenset(
    {
        "everyone",
        "users",
        "builtin\\users",
        "authenticated users",
        "nt authority\\authenticated users",
        "anonymous logon",
        "nt authority\\anonymous logon",
        "guests",
        "builtin\\guests",
        "interactive",
        "nt authority\\interactive",
        "network",
        "nt authority\\network",
        "local",
    }
)
_WORLD_SUFFIXES = ("\\users", "\\authenticated users")
_ACE_TOKEN_RE = re.compile(r"\(([^)]+)\)")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_TRUSTED_NAMES_ASCII = frozenset(_strip_accents(n) for n in _TRUSTED_NAMES)


@dataclass(frozen=True, slots=True)
class AclEntry:
    """One allow-ACE: ``principal:(rights)...`` as icacls printed it."""

    principal: str
    rights: tuple[str, ...]  # right tokens without inheritance flags, e.g. ("RX",) or ("F",)
    raw_rights: str  # the text after the colon, e.g. "(OI)(CI)(F)"
    can_read: bool
    can_write: bool


@dataclass(frozen=True, slots=True)
class AclSummary:
    ok: bool
    entries: tuple[AclEntry, ...] = ()
    trusted: tuple[AclEntry, ...] = ()
    world: tuple[AclEntry, ...] = ()
    group: tuple[AclEntry, ...] = ()
    error: str | None = None

    @property
    def world_writable(self) -> bool:
        return any(e.can_write for e in self.world)

    @property
    def world_readable(self) -> bool:
        return any(e.can_read for e in self.world)

    @property
    def group_writable(self) -> bool:
        return any(e.can_write for e in self.group)

    @property
    def group_readable(self) -> bool:
        return any(e.can_read for e in self.group)


def _norm(value: str) -> str:
    return value.strip().lower()


def _norm_sid(value: str) -> str:
    v = _norm(value)
    return v[1:] if v.startswith("*") else v


def windows_user_principal(env: Mapping[str, str]) -> str | None:
    """``USERDOMAIN\\USERNAME`` (or bare ``USERNAME``) from the audit env; None when unknown."""
    user = (env.get("USERNAME") or "").strip()
    if not user:
        return None
    domain = (env.get("USERDOMAIN") or "").strip()
    return f"{domain}\\{user}" if domain else user


def trusted_principals(env: Mapping[str, str]) -> frozenset[str]:
    """Normalised names/SIDs that count as the operator: built-ins plus the current user."""
    out = set(_TRUSTED_NAMES)
    principal = windows_user_principal(env)
    if principal:
        out.add(_norm(principal))
        out.add(_norm(principal.split("\\")[-1]))
    sid = _norm_sid(env.get("USERSID") or "")
    # A USERSID naming a world SID must not make "Everyone" trusted.
    if sid and _SID_RE.match(sid) and sid not in _WORLD_SIDS:
        out.add(sid)
    return frozenset(out)


def classify_principal(principal: str, trusted: frozenset[str]) -> Classification:
    name = _norm(principal)
    if _SID_RE.match(name):
        sid = _norm_sid(name)
        if sid in _WORLD_SIDS:
            return "world"
        if sid in _TRUSTED_SIDS or sid in trusted:
            return "trusted"
        return "group"
    if name in trusted:
        return "trusted"
    if name in _WORLD_NAMES or name.endswith(_WORLD_SUFFIXES):
        return "world"
    ascii_name = _strip_accents(name)
    if ascii_name != name and ascii_name in _TRUSTED_NAMES_ASCII:
        return "trusted"
    # Unknown users and groups (and unmapped SIDs) may be anyone but the operator.
    return "group"


def _rights_flags(tokens: tuple[str, ...]) -> tuple[bool, bool]:
    joined = "".join(tokens).upper()
    can_write = any(ch in joined for ch in "FMWD")
    can_read = any(ch in joined for ch in "FMR")
    return can_read, can_write


def _parse_ace(text: str) -> AclEntry | None:
    if "(" not in text:
        return None
    colon = text.find(":")
    if colon < 0:
        return None
    principal = text[:colon].strip()
    raw = text[colon + 1 :].strip()
    tokens = [t.strip() for t in _ACE_TOKEN_RE.findall(raw) if t.strip()]
    if any(t.upper() == "DENY" for t in tokens):
        return None  # deny entries never widen access
    rights = tuple(t for t in tokens if t.upper() not in _INHERIT_TOKENS)
    if not principal or not rights:
        return None
    can_read, can_write = _rights_flags(rights)
    return AclEntry(principal, rights, raw, can_read, can_write)


def _strip_target(line: str, target: str) -> str:
    """The first ACE line starts with the target path (bare or quoted); drop it."""
    lower = line.lower()
    for prefix in (target, f'"{target}"'):
        if prefix and lower.startswith(prefix.lower()):
            return line[len(prefix) :].strip()
    return line


def parse_icacls_output(output: str, target: str) -> list[AclEntry]:
    """Allow-ACEs from ``icacls <target>`` output; status lines and DENY entries are skipped."""
    entries: list[AclEntry] = []
    t = target.strip()
    for raw_line in output.splitlines():
        line = raw_line.strip()
        if not line or line.lower().startswith(_STATUS_PREFIXES):
            continue
        ace = _parse_ace(_strip_target(line, t))
        if ace is not None:
            entries.append(ace)
    return entries


def summarize(entries: list[AclEntry], env: Mapping[str, str]) -> AclSummary:
    trusted_names = trusted_principals(env)
    buckets: dict[Classification, list[AclEntry]] = {"trusted": [], "world": [], "group": []}
    for entry in entries:
        buckets[classify_principal(entry.principal, trusted_names)].append(entry)
    return AclSummary(
        ok=True,
        entries=tuple(entries),
        trusted=tuple(buckets["trusted"]),
        world=tuple(buckets["world"]),
        group=tuple(buckets["group"]),
    )


def default_runner(target: str) -> str:
    """Run the real ``icacls`` (bounded); a non-zero exit raises like any other failure."""
    proc = subprocess.run(
        ["icacls", target], capture_output=True, text=True, timeout=15, check=True
    )
    return f"{proc.stdout}\n{proc.stderr}".strip()


def inspect_acl(target: str, env: Mapping[str, str], runner: IcaclsRunner) -> AclSummary:
    """Run ``runner`` on ``target`` and classify its ACEs; failure => ``ok=False``, no flags."""
    try:
        output = runner(target)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return AclSummary(ok=False, error=type(exc).__name__)
    return summarize(parse_icacls_output(output, target), env)


def format_acl_summary(summary: AclSummary) -> str:
    """``trusted-only``, or the untrusted ``principal:rights`` list (world first)."""
    if not summary.ok:
        return "unknown"
    untrusted = summary.world + summary.group
    if not untrusted:
        return "trusted-only"
    return ", ".join(f"{e.principal}:{e.raw_rights}" for e in untrusted)


def icacls_reset_command(target: str, *, is_dir: bool, env: Mapping[str, str]) -> str:
    """The icacls command that leaves only the current user and SYSTEM with full control."""
    user = windows_user_principal(env) or "%USERNAME%"
    grant = "(OI)(CI)F" if is_dir else "F"
    return (
        f'icacls "{target}" /inheritance:r /grant:r "{user}:{grant}" /grant:r "*S-1-5-18:{grant}"'
    )
