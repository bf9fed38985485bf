"""HTTP exposure judge (§8) on recorded observations."""

from __future__ import annotations

import pytest

from openclaw_audit.probes.http_judge import (
    CHAT_COMPLETIONS,
    ENDPOINTS,
    RESPONSES,
    TOOLS_INVOKE,
    EndpointResult,
    HttpFacts,
    classify,
    http_findings,
    http_section,
)
from openclaw_audit.report.model import Severity

BASE = "http://127.0.0.1:18789"


@pytest.mark.parametrize(
    ("status", "allow", "failure", "expected"),
    [
        (401, None, None, "enforced"),
        (429, None, None, "enforced"),
        (400, None, None, "open"),
        (403, None, None, "open"),
        (200, None, None, "open"),
        (204, None, None, "open"),
        (404, None, None, "not_served"),
        (405, None, None, "not_served"),
        (405, "GET, HEAD", None, "not_served"),
        (405, "GET, post", None, "unknown:405"),
        (500, None, None, "unknown:500"),
        (302, None, None, "unknown:302"),
        (None, None, "timeout", "timeout"),
        (None, None, "unreachable", "unreachable"),
        (None, None, None, "unreachable"),
    ],
)
def test_classify(
    status: int | None, allow: str | None, failure: str | None, expected: str
) -> None:
    assert classify(status, allow, failure) == expected


def facts(
    tools: tuple[int | None, str], chat: tuple[int | None, str], resp: tuple[int | None, str], **kw
) -> HttpFacts:
    eps = {
        TOOLS_INVOKE: EndpointResult(*tools),
        CHAT_COMPLETIONS: EndpointResult(*chat),
        RESPONSES: EndpointResult(*resp),
    }
    return HttpFacts(base_url=BASE, endpoints=eps, **kw)


def test_bodies_never_name_a_tool_or_carry_input() -> None:
    bodies = dict(ENDPOINTS)
    assert bodies == {TOOLS_INVOKE: b"{}", CHAT_COMPLETIONS: b"{}", RESPONSES: b"{"}


def test_open_endpoints_are_critical_with_evidence() -> None:
    f = facts((400, "open"), (400, "open"), (404, "not_served"))
    [finding] = http_findings(f)
    assert finding.check_id == "gateway.http.unauthenticated_reachable"
    assert finding.severity is Severity.CRITICAL
    assert "POST /tools/invoke -> 400" in finding.detail
    assert "POST /v1/chat/completions -> 400" in finding.detail
    assert "/v1/responses ->" not in finding.detail
    assert "run the agent's tools" in finding.detail


def test_open_chat_only_does_not_mention_tools() -> None:
    [finding] = http_findings(facts((401, "enforced"), (200, "open"), (404, "not_served")))
    assert finding.check_id == "gateway.http.unauthenticated_reachable"
    assert "run the agent's tools" not in finding.detail


def test_enforced_is_info() -> None:
    f = facts((401, "enforced"), (401, "enforced"), (404, "not_served"), credential_accepted=True)
    [finding] = http_findings(f)
    assert finding.check_id == "gateway.http.auth_enforced"
    assert finding.severity is Severity.INFO
    assert finding.remediation is None
    assert "/v1/responses not_served" in finding.detail
    assert "accepted" in finding.detail


def test_rejected_credential_mentioned() -> None:
    f = facts(
        (429, "enforced"), (404, "not_served"), (404, "not_served"), credential_accepted=False
    )
    [finding] = http_findings(f)
    assert "rejected" in finding.detail


@pytest.mark.parametrize(
    "tools",
    [(None, "unreachable"), (None, "timeout"), (404, "not_served"), (500, "unknown:500")],
)
def test_no_finding_without_enforced_tools_invoke(tools: tuple[int | None, str]) -> None:
    assert http_findings(facts(tools, (401, "enforced"), (404, "not_served"))) == []


def test_all_unreachable_no_finding() -> None:
    u = (None, "unreachable")
    assert http_findings(facts(u, u, u)) == []


def test_section_shape() -> None:
    f = facts((401, "enforced"), (401, "enforced"), (404, "not_served"))
    assert http_section(f) == {
        "baseUrl": BASE,
        "endpoints": {
            TOOLS_INVOKE: {"status": 401, "result": "enforced"},
            CHAT_COMPLETIONS: {"status": 401, "result": "enforced"},
            RESPONSES: {"status": 404, "result": "not_served"},
        },
        "credentialAccepted": None,
    }
