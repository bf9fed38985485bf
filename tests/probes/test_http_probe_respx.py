"""HTTP exposure probe edge cases with respx: TLS errors, resets, timeouts, odd statuses."""

from __future__ import annotations

import httpx
import pytest
import respx

from openclaw_audit.probes.gateway_target import GatewayTarget, ProbeCredentials
from openclaw_audit.probes.http_probe import http_base_url, probe_http

pytestmark = pytest.mark.anyio

LOCAL = "http://127.0.0.1:18789"
TOKEN = "canary-token-0123456789abcdef"


def target(url: str = "ws://127.0.0.1:18789") -> GatewayTarget:
    return GatewayTarget(url=url, url_source="test", mode="local", port=18789, is_remote_url=False)


def routes(mock: respx.MockRouter, base: str = LOCAL, **per_path: object) -> dict[str, respx.Route]:
    out = {}
    for path in ("/tools/invoke", "/v1/chat/completions", "/v1/responses"):
        key = path.strip("/").replace("/", "_").replace(".", "_")
        spec = per_path.get(key, httpx.Response(404))
        route = mock.post(base + path)
        if (
            isinstance(spec, BaseException)
            or (isinstance(spec, type) and issubclass(spec, BaseException))
            or isinstance(spec, list)
        ):
            route.side_effect = spec
        else:
            route.return_value = spec
        out[path] = route
    return out


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("ws://127.0.0.1:18789", "http://127.0.0.1:18789"),
        ("wss://gw.example/path?x=1", "https://gw.example"),
        ("wss://u:p@gw.example:8443", "https://gw.example:8443"),
        ("ftp://gw.example", None),
        ("ws://:99999", None),
        ("not a url", None),
    ],
)
def test_base_url(url: str, base: str | None) -> None:
    assert http_base_url(url) == base


async def test_tls_error_reset_and_timeout() -> None:
    with respx.mock(assert_all_called=False) as mock:
        routes(
            mock,
            tools_invoke=httpx.ConnectError(
                "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
            ),
            v1_chat_completions=httpx.ReadError("[Errno 104] Connection reset by peer"),
            v1_responses=httpx.ReadTimeout("timed out"),
        )
        facts, _ = await probe_http(target(), ProbeCredentials(token=TOKEN), 1.0)
    results = {p: e.result for p, e in facts.endpoints.items()}
    assert results == {
        "/tools/invoke": "unreachable",
        "/v1/chat/completions": "unreachable",
        "/v1/responses": "timeout",
    }
    assert facts.credential_accepted is None


async def test_odd_statuses_and_no_redirect_following() -> None:
    with respx.mock(assert_all_called=False) as mock:
        elsewhere = mock.post("https://evil.example/steal")
        rs = routes(
            mock,
            tools_invoke=httpx.Response(302, headers={"Location": "https://evil.example/steal"}),
            v1_chat_completions=httpx.Response(405, headers={"Allow": "GET"}),
            v1_responses=httpx.Response(418),
        )
        facts, _ = await probe_http(target(), ProbeCredentials(), 1.0)
    assert {p: e.result for p, e in facts.endpoints.items()} == {
        "/tools/invoke": "unknown:302",
        "/v1/chat/completions": "not_served",
        "/v1/responses": "unknown:418",
    }
    assert not elsewhere.called
    assert all(r.call_count == 1 for r in rs.values())  # no retries


async def test_requests_carry_no_credentials_origin_or_scopes() -> None:
    with respx.mock(assert_all_called=False) as mock:
        rs = routes(
            mock,
            tools_invoke=[httpx.Response(401), httpx.Response(400)],
            v1_chat_completions=httpx.Response(401),
        )
        facts, _ = await probe_http(target(), ProbeCredentials(token=TOKEN), 1.0)
    tools_calls = rs["/tools/invoke"].calls
    assert len(tools_calls) == 2  # the probe plus exactly one credential check
    unauth = [
        tools_calls[0].request,
        rs["/v1/chat/completions"].calls[0].request,
        rs["/v1/responses"].calls[0].request,
    ]
    for req in unauth:
        assert "authorization" not in req.headers
        assert "origin" not in req.headers
        assert "x-openclaw-scopes" not in req.headers
        assert req.method == "POST"
        assert req.headers["content-type"] == "application/json"
    assert rs["/v1/responses"].calls[0].request.content == b"{"
    cred_req = tools_calls[1].request
    assert cred_req.headers["authorization"] == f"Bearer {TOKEN}"
    assert cred_req.content == b"{}"
    assert facts.credential_accepted is True
    assert TOKEN not in repr(facts)


async def test_credential_rejected_is_false_and_not_retried() -> None:
    with respx.mock(assert_all_called=False) as mock:
        rs = routes(mock, tools_invoke=httpx.Response(401))
        facts, _ = await probe_http(target(), ProbeCredentials(password="pw-secret"), 1.0)
    assert rs["/tools/invoke"].call_count == 2
    assert facts.credential_accepted is False


async def test_no_credential_check_when_open() -> None:
    with respx.mock(assert_all_called=False) as mock:
        rs = routes(mock, tools_invoke=httpx.Response(400))
        facts, _ = await probe_http(target(), ProbeCredentials(token=TOKEN), 1.0)
    assert rs["/tools/invoke"].call_count == 1
    assert facts.credential_accepted is None


async def test_never_sends_credential_over_plaintext_to_remote_host() -> None:
    base = "http://gw.example:18789"
    with respx.mock(assert_all_called=False) as mock:
        rs = routes(mock, base=base, tools_invoke=httpx.Response(401))
        facts, _ = await probe_http(
            target("ws://gw.example:18789"), ProbeCredentials(token=TOKEN), 1.0
        )
    assert rs["/tools/invoke"].call_count == 1
    assert facts.credential_accepted is None


async def test_https_remote_gets_credential_check() -> None:
    base = "https://gw.example"
    with respx.mock(assert_all_called=False) as mock:
        rs = routes(mock, base=base, tools_invoke=[httpx.Response(401), httpx.Response(400)])
        facts, _ = await probe_http(target("wss://gw.example"), ProbeCredentials(token=TOKEN), 1.0)
    assert rs["/tools/invoke"].call_count == 2
    assert facts.credential_accepted is True
    assert facts.base_url == base


async def test_unusable_url_sends_nothing() -> None:
    with respx.mock(assert_all_called=False) as mock:
        facts, base = await probe_http(target("ftp://gw.example"), ProbeCredentials(), 1.0)
        assert not mock.calls
    assert base is None and facts.endpoints == {} and facts.error
