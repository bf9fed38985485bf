"""The LIVE PROBES block (output-ux.md §2) as a pure renderer over ``report.deep``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openclaw_audit.render import text
from openclaw_audit.render.live_probes import HEADING, live_probe_lines
from openclaw_audit.report.model import Report

GATEWAY_OK = {
    "attempted": True,
    "url": "ws://127.0.0.1:18789",
    "ok": True,
    "error": None,
    "close": None,
    "urlSource": "local loopback",
    "helloOk": True,
    "protocol": 3,
    "serverVersion": "2026.9.6",
    "scopes": ["operator.read"],
    "latencyMs": 12,
    "timeoutMs": 5000,
}
GATEWAY_FAILED = {
    **GATEWAY_OK,
    "ok": False,
    "error": "unauthorized: gateway token mismatch",
    "close": {"code": 1008, "reason": "unauthorized"},
    "helloOk": False,
    "protocol": None,
    "serverVersion": None,
    "scopes": None,
    "latencyMs": None,
    "via": "ssh ops@bastion",
}
HTTP_ENFORCED = {
    "baseUrl": "http://127.0.0.1:18789",
    "endpoints": {
        "/tools/invoke": {"status": 401, "result": "enforced"},
        "/v1/chat/completions": {"status": 429, "result": "enforced"},
        "/v1/responses": {"status": 404, "result": "not_served"},
    },
    "credentialAccepted": True,
}
HTTP_OPEN = {
    "baseUrl": "http://127.0.0.1:18789",
    "endpoints": {
        "/tools/invoke": {"status": 400, "result": "open"},
        "/v1/chat/completions": {"status": 400, "result": "open"},
        "/v1/responses": {"status": 404, "result": "not_served"},
    },
    "credentialAccepted": None,
}
HTTP_TIMEOUT = {
    "baseUrl": "http://127.0.0.1:18789",
    "endpoints": {p: {"status": None, "result": "timeout"} for p in ("/tools/invoke", "/v1/x")},
    "credentialAccepted": None,
}
DOCKER = {
    "attempted": True,
    "host": "DOCKER_HOST",
    "ok": True,
    "skipped": None,
    "timedOut": False,
    "timeoutMs": 5000,
    "expectedEpoch": "2026-05-12-cdp-relay-auth",
    "elapsedMs": 41,
    "containers": [
        {
            "name": "sb-exposed",
            "state": "running",
            "inspected": True,
            "configHash": None,
            "browserConfigEpoch": "2026-04-05-cdp-source-range",
            "ports": ["6080/tcp -> 0.0.0.0:16080", "9222/tcp -> 127.0.0.1:19222"],
            "exposed": ["6080/tcp -> 0.0.0.0:16080"],
        },
        {
            "name": "sb-gone",
            "state": "exited",
            "inspected": False,
            "configHash": None,
            "browserConfigEpoch": None,
            "ports": [],
            "exposed": [],
        },
    ],
}
DOCKER_SKIPPED = {
    "attempted": True,
    "host": "default (unix:///var/run/docker.sock)",
    "ok": False,
    "skipped": "no Docker socket at the configured endpoint (is Docker installed and running?)",
    "timedOut": False,
    "timeoutMs": 5000,
    "expectedEpoch": "2026-05-12-cdp-relay-auth",
    "elapsedMs": 337,
    "containers": [],
}
MDNS = {
    "attempted": True,
    "browseMs": 2004,
    "error": None,
    "instances": [
        {
            "name": "box (OpenClaw)",
            "host": "box.local.",
            "port": 18789,
            "addresses": ["127.0.0.1", "192.0.2.4"],
            "local": True,
            "txt": {"cliPath": "~/bin/openclaw", "sshPort": "22"},
            "possibleSpoof": True,
        },
        {
            "name": "far (OpenClaw)",
            "host": "far.local.",
            "port": 18789,
            "addresses": ["198.51.100.7"],
            "local": False,
            "txt": None,
        },
    ],
    "dropped": 3,
}
SKIPPED = {"attempted": False, "skipped": "left out by --probe/--skip-probe"}


def block(deep: dict[str, Any] | None) -> list[str]:
    return [t for t, _ in live_probe_lines(Report(ts=0, findings=(), deep=deep))]


def row(lines: list[str], name: str) -> str:
    [found] = [line for line in lines if line.startswith(f"  {name} ")]
    return found


def outcome(lines: list[str], name: str) -> str:
    return row(lines, name)[11:21].strip()


def leaves(value: Any) -> Iterator[Any]:
    """Every scalar value of a deep section (not the keys)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value


def test_no_block_without_deep() -> None:
    assert block(None) == []
    report = Report(ts=0, findings=())
    assert HEADING not in text.render(report)


def test_one_row_per_probe_in_canonical_order_with_outcomes() -> None:
    lines = block({"mdns": MDNS, "docker": DOCKER, "http": HTTP_ENFORCED, "gateway": GATEWAY_OK})
    assert lines[1] == HEADING
    rows = [line.split()[0] for line in lines if line.startswith("  ") and line[2] != " "]
    assert rows == ["gateway", "http", "docker", "mdns"]
    assert [outcome(lines, n) for n in rows] == ["ok", "enforced", "ok", "ok"]


@pytest.mark.parametrize(
    ("name", "section", "expected"),
    [
        ("gateway", GATEWAY_FAILED, "failed"),
        ("gateway", {**GATEWAY_FAILED, "error": "timeout"}, "timed out"),
        ("gateway", SKIPPED, "skipped"),
        ("http", HTTP_OPEN, "open"),
        ("http", HTTP_TIMEOUT, "timed out"),
        ("http", {**HTTP_TIMEOUT, "endpoints": {"/x": {"status": None, "result": "unreachable"}}},
         "failed"),
        ("http", {**HTTP_OPEN, "endpoints": {"/x": {"status": 404, "result": "not_served"}}}, "ok"),
        ("docker", DOCKER_SKIPPED, "skipped"),
        ("docker", {**DOCKER, "timedOut": True, "ok": False}, "timed out"),
        ("docker", {**DOCKER_SKIPPED, "skipped": "probe failed: RuntimeError"}, "failed"),
        ("mdns", {**MDNS, "error": "could not open the mDNS socket"}, "failed"),
        ("mdns", {**MDNS, "error": "timeout"}, "timed out"),
        ("mdns", SKIPPED, "skipped"),
    ],
)  # fmt: skip
def test_outcomes(name: str, section: dict[str, Any], expected: str) -> None:
    assert outcome(block({name: section}), name) == expected


def test_gateway_row_facts() -> None:
    ok = row(block({"gateway": GATEWAY_OK}), "gateway")
    assert ok == (
        "  gateway  ok         ws://127.0.0.1:18789 (local loopback) · hello ok in 12 ms · "
        "server 2026.9.6 · protocol 3 · scopes operator.read · timeout 5000 ms"
    )
    failed = row(block({"gateway": GATEWAY_FAILED}), "gateway")
    assert "via ssh ops@bastion" in failed
    assert "error: unauthorized: gateway token mismatch" in failed
    assert "closed 1008 unauthorized" in failed


def test_http_row_says_status_verdict_and_credential() -> None:
    enforced = row(block({"http": HTTP_ENFORCED}), "http")
    assert "POST /tools/invoke → 401 enforced" in enforced
    assert "POST /v1/chat/completions → 429 enforced" in enforced
    assert "POST /v1/responses → 404 not_served" in enforced
    assert enforced.endswith("credential accepted")
    assert row(block({"http": {**HTTP_ENFORCED, "credentialAccepted": False}}), "http").endswith(
        "credential rejected"
    )
    timed_out = row(block({"http": HTTP_TIMEOUT}), "http")
    assert "POST /tools/invoke → timeout" in timed_out
    assert "credential" not in timed_out  # nothing to say about a credential never tested
    no_credential = {**HTTP_ENFORCED, "credentialAccepted": None}
    assert row(block({"http": no_credential}), "http").endswith("no credential to test")


def test_docker_rows_list_containers_or_why_skipped() -> None:
    lines = block({"docker": DOCKER})
    assert "endpoint DOCKER_HOST · 2 sandbox browser container(s) checked" in row(lines, "docker")
    subrows = [line.strip() for line in lines[3:5]]
    assert subrows[0] == (
        "sb-exposed (running) · configHash missing · epoch 2026-04-05-cdp-source-range · "
        "ports 6080/tcp -> 0.0.0.0:16080; 9222/tcp -> 127.0.0.1:19222 · "
        "exposed beyond loopback: 6080/tcp -> 0.0.0.0:16080"
    )
    assert subrows[1] == "sb-gone (exited) · not inspected"
    skipped = row(block({"docker": DOCKER_SKIPPED}), "docker")
    assert "skipped: no Docker socket at the configured endpoint" in skipped
    timed = row(block({"docker": {**DOCKER, "timedOut": True}}), "docker")
    assert "no answer within 5000 ms" in timed


def test_mdns_rows_list_instances_and_the_browse_window() -> None:
    lines = block({"mdns": MDNS})
    assert row(lines, "mdns").endswith(
        "browse window 2004 ms · 2 instance(s) seen · 3 more not kept"
    )
    subrows = [line.strip() for line in lines[3:5]]
    assert subrows[0] == (
        "box (OpenClaw) · box.local.:18789 · 127.0.0.1, 192.0.2.4 · this host · "
        "TXT cliPath=~/bin/openclaw, sshPort=22 · possible spoof (names this host)"
    )
    assert subrows[1] == "far (OpenClaw) · far.local.:18789 · 198.51.100.7 · another host"
    empty = row(block({"mdns": {**MDNS, "instances": [], "dropped": None}}), "mdns")
    assert empty.endswith("browse window 2004 ms · no instances seen")


def test_skipped_probe_row_says_why() -> None:
    assert row(block({"mdns": SKIPPED}), "mdns") == (
        "  mdns     skipped    left out by --probe/--skip-probe"
    )


@pytest.mark.parametrize(
    "deep",
    [
        {"gateway": GATEWAY_OK, "http": HTTP_ENFORCED, "docker": DOCKER, "mdns": MDNS},
        {"gateway": GATEWAY_FAILED, "http": HTTP_OPEN, "docker": DOCKER_SKIPPED, "mdns": SKIPPED},
    ],
)
def test_every_fact_in_deep_is_visible(deep: dict[str, Any]) -> None:
    shown = "\n".join(block(deep))
    for value in leaves(deep):
        if isinstance(value, bool) or value is None:
            continue  # booleans are the outcome words ("accepted", "this host", "skipped")
        assert str(value) in shown, value
    # facts a renderer does not know yet are shown too
    assert "newFact=42" in "\n".join(block({"gateway": {**GATEWAY_OK, "newFact": 42}}))
    assert "extra=yes" in "\n".join(block({"radar": {"extra": "yes"}}))


def test_peer_strings_are_neutralised() -> None:
    evil = "2026\x1b]0;owned\x07\x1b[2J\u202egnp.exe\r\nFAKE: ok"
    deep = {
        "gateway": {**GATEWAY_OK, "serverVersion": evil},
        "mdns": {**MDNS, "instances": [{**MDNS["instances"][0], "txt": {"cliPath": evil},
                                        "name": evil}]},
    }  # fmt: skip
    lines = block(deep)
    for line in lines:
        assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line
        assert "\n" not in line and "\r" not in line
    assert r"server 2026\x1b]0;owned\x07\x1b[2J\u202egnp.exe\x0d\x0aFAKE: ok" in row(
        lines, "gateway"
    )


def test_block_sits_between_summary_and_findings() -> None:
    report = Report(ts=0, findings=(), deep={"gateway": GATEWAY_OK})
    out = text.render(report).splitlines()
    assert out[1].startswith("Summary:")
    assert out[2:4] == ["", HEADING]
    assert out[4].startswith("  gateway  ok")
