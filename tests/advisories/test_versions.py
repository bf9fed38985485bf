"""OpenClaw's version order: calendar releases, betas before, correction releases after."""

from __future__ import annotations

import pytest

from openclaw_audit.advisories.versions import compare, parse_version

ASCENDING = [
    "0",
    "2026.1.5",
    "2026.1.24-beta.1",
    "2026.1.24-beta.2",
    "2026.1.24-beta.10",
    "2026.1.24",
    "2026.1.24-1",
    "2026.1.24-3",
    "2026.1.24-10",
    "2026.1.29",
    "2026.2.2",
    "2026.10.1",
    "2027.1.1",
]


@pytest.mark.parametrize("i", range(len(ASCENDING) - 1))
def test_each_version_sorts_before_the_next(i: int) -> None:
    assert compare(ASCENDING[i], ASCENDING[i + 1]) == -1
    assert compare(ASCENDING[i + 1], ASCENDING[i]) == 1


def test_sorting_a_shuffled_list_gives_the_ascending_order() -> None:
    parsed = [parse_version(v) for v in reversed(ASCENDING)]
    assert [str(v) for v in sorted(parsed)] == ASCENDING  # type: ignore[type-var]


def test_correction_release_is_newer_than_its_release_unlike_npm_semver() -> None:
    # npm semver would call 2026.2.2-3 a prerelease of 2026.2.2; OpenClaw publishes it after.
    assert compare("2026.2.2-3", "2026.2.2") == 1
    assert compare("2026.2.2-3", "2026.2.3") == -1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("v2026.1.29", "2026.1.29"),
        ("2026.01.05", "2026.1.5"),
        ("2026.1.29+build.7", "2026.1.29"),
        ("2026.2.6.beta.1", "2026.2.6-beta.1"),  # legacy dotted beta
        ("2026", "2026.0.0"),
        (" 2026.1.29 ", "2026.1.29"),
        ("2026.1.24-BETA.1", "2026.1.24-beta.1"),
    ],
)
def test_equal_spellings(a: str, b: str) -> None:
    assert compare(a, b) == 0
    assert parse_version(a) == parse_version(b)
    assert hash(parse_version(a)) == hash(parse_version(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2026.1.24-alpha", "2026.1.24-beta"),
        ("2026.1.24-beta", "2026.1.24-beta.1"),  # a prefix sorts first
        ("2026.1.24-beta.2", "2026.1.24-beta.x"),  # numeric before alphanumeric
        ("2026.1.24-rc.1", "2026.1.24"),
    ],
)
def test_prerelease_identifiers_follow_semver(a: str, b: str) -> None:
    assert compare(a, b) == -1


@pytest.mark.parametrize(
    "text",
    ["", "dev", "latest", "1.2.3.4.5", "abc1234", "2026.1.x", "1.2.3-", "-1", "9" * 80],
)
def test_not_versions(text: str) -> None:
    assert parse_version(text) is None
    assert compare(text, "2026.1.1") is None


def test_two_parts_pad_with_zero() -> None:
    assert compare("2026.1", "2026.1.0") == 0


def test_non_strings_are_not_versions() -> None:
    assert parse_version(None) is None
    assert parse_version(2026) is None
