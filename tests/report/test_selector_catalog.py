"""A selector counts as matching a family id when some concrete id matches both (trust.md §2)."""

from __future__ import annotations

import pytest

from openclaw_audit.report.selectors import can_match, problem

FAMILY = "tools.elevated.allowFrom.<provider>.wildcard"


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("tools.elevated.allowFrom.telegram.*", True),
        ("tools.elevated.allowFrom.telegram.wildcard", True),
        ("tools.elevated.*", True),
        ("*.wildcard", True),
        ("tools.*.allowFrom.?.wildcard", True),
        ("tools.elevated.allowFrom.[a-z]*.wildcard", True),
        ("tools.elevated.allowFrom..wildcard", False),  # the placeholder is never empty
        ("tools.elevated.allowFrom.a b.wildcard", False),  # nor holds a space
        ("tools.elevated.allowFrom.[ ].wildcard", False),
        ("tools.elevated.allowFrom.*.wildcardx", False),
        ("tools.elevated.allowFrom.telegram.large", False),
    ],
)
def test_selector_against_a_family(selector: str, expected: bool) -> None:
    assert can_match(selector, FAMILY) is expected


def test_problem_names_the_nearest_id_or_group() -> None:
    ids = ["gateway.bind_no_auth", "gateway.http.no_auth", "fs.config.perms_world_readable", FAMILY]
    assert problem("gateway.*", ids) is None
    assert problem("tools.elevated.allowFrom.slack.wildcard", ids) is None
    assert problem("gateway.bind_no_auht", ids) == (
        "matches no check; did you mean 'gateway.bind_no_auth'?"
    )
    assert problem("gatway.*", ids) == "matches no check; did you mean 'gateway.*'?"
    assert problem("zzz", ids) == "matches no check"
    assert problem(" ", ids) is not None and "empty pattern" in problem(" ", ids)  # type: ignore[operator]
