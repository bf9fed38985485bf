"""icacls output parsing and principal classification (checks-filesystem.md §1.4)."""

from __future__ import annotations

import subprocess

import pytest

from openclaw_audit.state import winacl

ENV = {"USERNAME": "tester", "USERDOMAIN": "DESKTOP-T", "USERSID": "S-1-5-21-111-222-333-1001"}
DIR = "C:\\Users\\tester\\.openclaw"

PRIVATE_DIR = f"""{DIR} NT AUTHORITY\\SYSTEM:(OI)(CI)(F)
                         BUILTIN\\Administrators:(OI)(CI)(F)
                         DESKTOP-T\\tester:(OI)(CI)(F)

Successfully processed 1 files; Failed processing 0 files
"""

INHERITED_USERS = f"""{DIR} NT AUTHORITY\\SYSTEM:(I)(OI)(CI)(F)
                         BUILTIN\\Administrators:(I)(OI)(CI)(F)
                         BUILTIN\\Users:(I)(OI)(CI)(RX)
                         NT AUTHORITY\\Authenticated Users:(I)(M)
                         CREATOR OWNER:(OI)(CI)(IO)(F)
                         Everyone:(DENY)(W)
Successfully processed 1 files; Failed processing 0 files
"""


def summary(output: str, target: str = DIR, env: dict[str, str] = ENV) -> winacl.AclSummary:
    return winacl.inspect_acl(target, env, lambda _t: output)


def test_private_acl_is_trusted_only() -> None:
    s = summary(PRIVATE_DIR)
    assert s.ok and len(s.entries) == 3 and len(s.trusted) == 3
    assert not (s.world_readable or s.world_writable or s.group_readable or s.group_writable)
    assert winacl.format_acl_summary(s) == "trusted-only"


def test_inherited_world_entries_and_deny_skipped() -> None:
    s = summary(INHERITED_USERS)
    assert [e.principal for e in s.world] == ["BUILTIN\\Users", "NT AUTHORITY\\Authenticated Users"]
    users, auth = s.world
    assert users.rights == ("RX",) and users.can_read and not users.can_write
    assert auth.can_write and auth.can_read
    assert s.world_writable and s.world_readable
    assert not s.group
    assert all(e.principal != "Everyone" for e in s.entries)  # DENY entry ignored
    assert winacl.format_acl_summary(s) == (
        "BUILTIN\\Users:(I)(OI)(CI)(RX), NT AUTHORITY\\Authenticated Users:(I)(M)"
    )


def test_quoted_target_prefix_is_stripped() -> None:
    target = "C:\\Program Data\\oc"
    s = summary(f'"{target}" Everyone:(R)\n', target=target)
    assert [e.principal for e in s.world] == ["Everyone"]
    assert s.world_readable and not s.world_writable


def test_case_insensitive_target_prefix() -> None:
    s = summary(f"{DIR.upper()} Everyone:(F)\n")
    assert s.world_writable


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("NT AUTHORITY\\SYSTEM", "trusted"),
        ("SYSTEM", "trusted"),
        ("BUILTIN\\Administrators", "trusted"),
        ("CREATOR OWNER", "trusted"),
        ("NT SERVICE\\TrustedInstaller", "trusted"),
        ("AUTORITE NT\\Système", "trusted"),
        ("NT-AUTORITÄT\\SYSTEM", "trusted"),
        ("DESKTOP-T\\tester", "trusted"),
        ("tester", "trusted"),
        ("*S-1-5-18", "trusted"),
        ("S-1-5-32-544", "trusted"),
        ("*S-1-5-21-111-222-333-1001", "trusted"),  # USERSID
        ("*S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464", "trusted"),
        ("Everyone", "world"),
        ("BUILTIN\\Users", "world"),
        ("Users", "world"),
        ("NT AUTHORITY\\Authenticated Users", "world"),
        ("OTHERDOM\\Users", "world"),
        ("*S-1-1-0", "world"),
        ("*S-1-5-11", "world"),
        ("S-1-5-32-545", "world"),
        ("*S-1-5-7", "world"),
        ("NT AUTHORITY\\ANONYMOUS LOGON", "world"),
        ("DESKTOP-T\\alice", "group"),
        ("alice", "group"),
        ("*S-1-5-21-999-1", "group"),
        ("EVIL\\tester2", "group"),
    ],
)
def test_classify_principal(principal: str, expected: str) -> None:
    trusted = winacl.trusted_principals(ENV)
    assert winacl.classify_principal(principal, trusted) == expected


def test_usersid_naming_a_world_sid_is_not_trusted() -> None:
    trusted = winacl.trusted_principals({"USERSID": "S-1-1-0"})
    assert winacl.classify_principal("*S-1-1-0", trusted) == "world"


def test_without_username_only_builtins_are_trusted() -> None:
    trusted = winacl.trusted_principals({})
    assert winacl.classify_principal("DESKTOP-T\\tester", trusted) == "group"
    assert winacl.classify_principal("SYSTEM", trusted) == "trusted"


@pytest.mark.parametrize(
    ("rights", "read", "write"),
    [
        ("(F)", True, True),
        ("(M)", True, True),
        ("(RX)", True, False),
        ("(R)", True, False),
        ("(W)", False, True),
        ("(D)", False, True),
        ("(OI)(CI)(IO)(GR)", True, False),
        ("(X)", False, False),
    ],
)
def test_rights_flags(rights: str, read: bool, write: bool) -> None:
    s = summary(f"{DIR} DESKTOP-T\\alice:{rights}\n")
    if not read and not write:
        assert not s.group_readable and not s.group_writable
        return
    (entry,) = s.group
    assert (entry.can_read, entry.can_write) == (read, write)


def test_inheritance_only_tokens_make_no_entry() -> None:
    assert winacl.parse_icacls_output(f"{DIR} Everyone:(OI)(CI)\n", DIR) == []


def test_status_and_junk_lines_skipped() -> None:
    out = (
        "No mapping between account names and security IDs was done.\n"
        "Processed file: x\nrandom text without rights\nFailed processing 1 files\n"
    )
    assert winacl.parse_icacls_output(out, DIR) == []


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError("icacls"),
        subprocess.CalledProcessError(5, ["icacls"]),
        subprocess.TimeoutExpired(["icacls"], 15),
    ],
)
def test_runner_failure_is_unknown_and_flagless(error: Exception) -> None:
    def run(_t: str) -> str:
        raise error

    s = winacl.inspect_acl(DIR, ENV, run)
    assert not s.ok
    assert not (s.world_readable or s.world_writable or s.group_readable or s.group_writable)
    assert winacl.format_acl_summary(s) == "unknown"


def test_reset_commands() -> None:
    assert winacl.icacls_reset_command(DIR, is_dir=True, env=ENV) == (
        f'icacls "{DIR}" /inheritance:r /grant:r "DESKTOP-T\\tester:(OI)(CI)F" '
        '/grant:r "*S-1-5-18:(OI)(CI)F"'
    )
    assert winacl.icacls_reset_command("C:\\f.json", is_dir=False, env={"USERNAME": "bob"}) == (
        'icacls "C:\\f.json" /inheritance:r /grant:r "bob:F" /grant:r "*S-1-5-18:F"'
    )
    assert '"%USERNAME%:F"' in winacl.icacls_reset_command("C:\\f", is_dir=False, env={})
