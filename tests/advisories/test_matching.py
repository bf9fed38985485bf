"""OSV ranges, versions lists, withdrawn records, severities and the lowest fixing release."""

from __future__ import annotations

import pytest
from osv_records import affected, record

from openclaw_audit.advisories import severity as sev
from openclaw_audit.advisories.osv import (
    AdvisoryDataError,
    lowest_safe_version,
    parse_record,
)
from openclaw_audit.advisories.severity import cvss3_base_score
from openclaw_audit.advisories.versions import parse_version


def v(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_version(text)
    assert parsed is not None
    return parsed


def adv(*entries, **kw):  # type: ignore[no-untyped-def]
    parsed = parse_record(record("GHSA-test", *entries, **kw), "test")
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("version", "hit"),
    [
        ("2026.1.1", False),  # before introduced
        ("2026.1.5", True),  # introduced is inclusive
        ("2026.1.24-3", True),
        ("2026.1.29-beta.1", True),  # a beta of the fix predates it
        ("2026.1.29", False),  # fixed is exclusive
        ("2026.1.29-1", False),  # a correction of the fixed release has the fix
        ("2026.2.1", False),
    ],
)
def test_introduced_fixed_range(version: str, hit: bool) -> None:
    a = adv(affected(introduced="2026.1.5", fixed="2026.1.29"))
    assert a.affects(v(version)) is hit


@pytest.mark.parametrize(
    ("version", "hit"),
    [("2026.1.24", True), ("2026.1.24-3", True), ("2026.1.24-4", False), ("2026.1.29", False)],
)
def test_last_affected_is_inclusive(version: str, hit: bool) -> None:
    a = adv(affected(last_affected="2026.1.24-3"))
    assert a.affects(v(version)) is hit
    assert a.fixed_for(v(version)) is None


def test_semver_ranges_count_too() -> None:
    a = adv(affected(fixed="2026.1.29", range_type="SEMVER"))
    assert a.affects(v("2026.1.24"))


def test_versions_list_matches_exact_versions_only() -> None:
    a = adv(affected(versions=["2026.1.24-3", "v2026.1.23"]))
    assert a.affects(v("2026.1.24-3")) and a.affects(v("2026.1.23"))
    assert not a.affects(v("2026.1.24"))


def test_several_ranges_and_backported_fixes() -> None:
    entry = affected(fixed="2026.1.29")
    entry["ranges"][0]["events"] = [
        {"introduced": "0"},
        {"fixed": "2026.1.24-2"},
        {"introduced": "2026.1.25"},
        {"fixed": "2026.1.29"},
    ]
    a = adv(entry)
    assert a.affects(v("2026.1.24-1")) and a.fixed_for(v("2026.1.24-1")) == v("2026.1.24-2")
    assert not a.affects(v("2026.1.24-2"))
    assert a.affects(v("2026.1.26")) and a.fixed_for(v("2026.1.26")) == v("2026.1.29")


def test_legacy_package_names_count_and_others_do_not() -> None:
    assert adv(affected("clawdbot", fixed="2026.1.29")).affects(v("2026.1.24"))
    assert adv(affected("moltbot", fixed="2026.1.29")).packages == ("moltbot",)
    assert parse_record(record("X", affected("openclaw-helper", fixed="9")), "t") is None
    assert parse_record(record("X", affected(ecosystem="PyPI", fixed="9")), "t") is None


def test_git_ranges_are_ignored() -> None:
    entry = affected(fixed="2026.1.29")
    entry["ranges"] = [
        {
            "type": "GIT",
            "repo": "https://example.invalid/r",
            "events": [{"introduced": "0"}, {"fixed": "abc123"}],
        }
    ]
    entry["versions"] = []
    assert not adv(entry).affects(v("2026.1.1"))


def test_withdrawn_records_are_ignored() -> None:
    rec = record("GHSA-gone", withdrawn="2026-11-21T00:00:00Z")
    assert parse_record(rec, "t") is None


def test_unreadable_event_version_drops_that_range_only() -> None:
    entry = affected(fixed="2026.1.29")
    entry["ranges"].append({"type": "ECOSYSTEM", "events": [{"introduced": "next"}]})
    assert adv(entry).affects(v("2026.1.1"))


@pytest.mark.parametrize("bad", [[], "x", {"modified": "2026-11-20T10:00:00Z"}, {"id": ""}])
def test_not_osv_is_an_error(bad: object) -> None:
    with pytest.raises(AdvisoryDataError):
        parse_record(bad, "file.json")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("CRITICAL", sev.CRITICAL),
        ("HIGH", sev.HIGH),
        ("MODERATE", sev.MODERATE),
        ("medium", sev.MODERATE),
        ("LOW", sev.LOW),
    ],
)
def test_github_severity_wins(word: str, expected: str) -> None:
    assert (
        adv(severity=word, cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").severity == expected
    )


@pytest.mark.parametrize(
    ("vector", "score", "expected"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, sev.CRITICAL),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, sev.CRITICAL),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N", 8.1, sev.HIGH),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4, sev.MODERATE),
        ("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8, sev.LOW),
    ],
)
def test_cvss3_vector_is_the_fallback(vector: str, score: float, expected: str) -> None:
    assert cvss3_base_score(vector) == score
    assert adv(severity=None, cvss=vector).severity == expected


def test_no_severity_at_all_is_unknown() -> None:
    assert adv(severity=None).severity == sev.UNKNOWN
    assert (
        cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") is None
    )
    assert cvss3_base_score("CVSS:3.1/AV:N") is None


def test_lowest_safe_version_skips_a_fix_that_another_advisory_affects() -> None:
    a = adv(affected(fixed="2026.1.29"))
    b = parse_record(record("GHSA-b", affected(introduced="2026.1.25", fixed="2026.2.3")), "t")
    assert b is not None
    assert lowest_safe_version([a, b], [v("2026.1.24")]) == v("2026.2.3")
    assert lowest_safe_version([a], [v("2026.1.24")]) == v("2026.1.29")


def test_lowest_safe_version_unknown_without_a_fix() -> None:
    a = adv(affected(last_affected="2026.1.24"))
    assert lowest_safe_version([a], [v("2026.1.24")]) is None
