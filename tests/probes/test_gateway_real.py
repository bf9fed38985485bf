"""Gateway WS + HTTP probes against the real stand-in gateway on loopback (a subprocess)."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import RunningGateway
from gateway_fixture import Cert, make_cert

from builders import make_ctx
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.gateway_probe import PROBE as GATEWAY
from openclaw_audit.probes.http_probe import PROBE as HTTP
from openclaw_audit.probes.runner import run_probes
from openclaw_audit.report.model import Finding

pytestmark = [pytest.mark.anyio, pytest.mark.real]

TOKEN = "tok-" + uuid.uuid4().hex
READ_METHODS = ["health", "status", "system-presence", "config.get"]
Start = Callable[..., RunningGateway]


def ctx_for(
    gw: RunningGateway | int, extra: dict[str, Any] | None = None, **kw: Any
) -> AuditContext:
    port = gw if isinstance(gw, int) else gw.port
    cfg: dict[str, Any] = {"gateway": {"port": port, **(extra or {})}}
    return make_ctx(cfg, **kw)


async def deep(
    ctx: AuditContext, timeout: float = 3.0, probes: Sequence[Any] = (GATEWAY, HTTP), **opts: Any
) -> tuple[list[Finding], dict[str, Any], float]:
    started = time.monotonic()
    findings, section, _secrets = await run_probes(
        ctx, ProbeOptions(timeout=timeout, **opts), probes=list(probes)
    )
    return findings, section, time.monotonic() - started


def ids(findings: list[Finding]) -> list[str]:
    return [f.check_id for f in findings]


async def test_token_ok(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    findings, d, _ = await deep(ctx_for(gw, {"auth": {"mode": "token", "token": TOKEN}}))
    g = d["gateway"]
    assert (g["ok"], g["error"], g["helloOk"], g["scopes"]) == (True, None, True, ["operator.read"])
    assert g["url"] == gw.ws_url and g["attempted"] is True and g["close"] is None
    assert g["serverVersion"] == "2026.9.6-test" and g["protocol"] == 3
    assert d["http"]["credentialAccepted"] is True
    assert {p: e["result"] for p, e in d["http"]["endpoints"].items()} == {
        "/tools/invoke": "enforced",
        "/v1/chat/completions": "enforced",
        "/v1/responses": "not_served",
    }
    assert ids(findings) == ["gateway.http.auth_enforced"]
    log = gw.log()
    [ws] = [e for e in log if e["kind"] == "ws"]
    assert ws["connect"]["keys"] == sorted(
        ["minProtocol", "maxProtocol", "client", "caps", "role", "scopes", "auth"]
    )
    assert ws["connect"]["client"]["id"] == "cli" and ws["connect"]["client"]["mode"] == "cli"
    assert ws["connect"]["scopes"] == ["operator.read"]
    assert ws["connect"]["hasToken"] and not ws["connect"]["hasPassword"]
    assert sorted(ws["methods"]) == sorted(READ_METHODS)
    assert not ws["hasOrigin"] and not ws["forwarded"]
    http = [e for e in log if e["kind"] == "http"]
    assert [e for e in http if e["hasAuthorization"]] == [
        next(e for e in http if e["hasAuthorization"])
    ]  # exactly one authenticated request: the credential check
    assert all(not e["hasOrigin"] and not e["scopesHeader"] for e in http)
    assert all(e["method"] == "POST" and e["body"] in ("{}", "{") for e in http)
    assert not [e for e in log if e["kind"] == "VIOLATION"]


async def test_password_via_env(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "password", "--password", "pw-" + TOKEN)
    ctx = ctx_for(gw, env={"OPENCLAW_GATEWAY_PASSWORD": "pw-" + TOKEN})
    _findings, d, _ = await deep(ctx)
    assert d["gateway"]["ok"] is True


async def test_wrong_token(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    findings, d, elapsed = await deep(ctx_for(gw), token="wrong-" + TOKEN)
    g = d["gateway"]
    assert g["ok"] is False
    assert g["error"].startswith("unauthorized: gateway token mismatch")
    assert g["close"] == {"code": 1008, "reason": "unauthorized"}
    assert ids(findings) == ["gateway.probe_failed", "gateway.http.auth_enforced"]
    assert d["http"]["credentialAccepted"] is False
    assert elapsed < 2.0


async def test_no_credentials(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    findings, d, _ = await deep(ctx_for(gw))
    assert d["gateway"]["error"] == "device identity required"
    assert d["gateway"]["close"] == {"code": 1008, "reason": "device identity required"}
    # output-ux.md §2: the finding names the URL and what happened, in the gateway's words too.
    assert findings[0].detail == (
        f"{gw.ws_url}: no credential was sent and the gateway requires one "
        "(gateway: device identity required)"
    )
    assert d["http"]["credentialAccepted"] is None


async def test_auth_none_is_open(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "none")
    findings, d, _ = await deep(ctx_for(gw))
    assert d["gateway"]["ok"] is True
    assert ids(findings) == ["gateway.http.unauthenticated_reachable"]
    assert "POST /tools/invoke -> 400" in findings[0].detail
    assert "POST /v1/chat/completions -> 400" in findings[0].detail
    assert d["http"]["endpoints"]["/v1/responses"] == {"status": 404, "result": "not_served"}
    assert not [e for e in gw.log() if e["kind"] == "VIOLATION"]


async def test_http_open_behind_token_ws(start_gateway: Start) -> None:
    gw = start_gateway(
        "--auth", "token", "--token", TOKEN, "--http-open", "--endpoints", "tools,chat,responses"
    )
    findings, d, _ = await deep(ctx_for(gw), token=TOKEN)
    assert ids(findings) == ["gateway.http.unauthenticated_reachable"]
    assert d["http"]["endpoints"]["/v1/responses"] == {"status": 400, "result": "open"}
    assert d["http"]["credentialAccepted"] is None  # never sent when already open


async def test_rate_limited_counts_as_enforced(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--http-status", "429")
    findings, _d, _ = await deep(ctx_for(gw), token=TOKEN)
    assert "gateway.http.auth_enforced" in ids(findings)


async def test_hang_finishes_within_timeout_plus_margin(start_gateway: Start) -> None:
    gw = start_gateway("--mode", "hang")
    findings, d, elapsed = await deep(ctx_for(gw), timeout=0.5, token=TOKEN)
    assert d["gateway"]["error"] == "timeout"
    assert all(e["result"] == "timeout" for e in d["http"]["endpoints"].values())
    assert ids(findings) == ["gateway.probe_failed"]  # no HTTP verdict on timeouts
    assert elapsed < 0.5 + 0.3, elapsed


async def test_hang_after_hello_uses_rearmed_timer(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "hang-after-hello")
    _f, d, elapsed = await deep(ctx_for(gw), timeout=0.5, token=TOKEN, probes=(GATEWAY,))
    g = d["gateway"]
    assert (g["ok"], g["error"], g["helloOk"]) == (False, "timeout", True)
    assert 0.5 <= elapsed < 1.0 + 0.3


async def test_slow_gateway_within_timeout(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "slow", "--delay", "0.2")
    findings, d, _ = await deep(ctx_for(gw), timeout=2.0, token=TOKEN)
    assert d["gateway"]["ok"] is True
    assert ids(findings) == ["gateway.http.auth_enforced"]


async def test_garbage_instead_of_http(start_gateway: Start) -> None:
    gw = start_gateway("--mode", "garbage")
    _f, d, elapsed = await deep(ctx_for(gw), timeout=2.0, probes=(GATEWAY,))
    assert d["gateway"]["error"].startswith("invalid WebSocket handshake")
    assert elapsed < 1.0


async def test_garbage_frames_are_skipped(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "garbage-frames")
    _f, d, _ = await deep(ctx_for(gw), token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["ok"] is True


async def test_close_mid_handshake(start_gateway: Start) -> None:
    gw = start_gateway("--mode", "close-mid-handshake")
    _f, d, _ = await deep(ctx_for(gw), token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["error"] == "gateway closed (1012): service restart"
    assert d["gateway"]["close"] == {"code": 1012, "reason": "service restart"}


async def test_drop_mid_handshake(start_gateway: Start) -> None:
    gw = start_gateway("--mode", "drop-mid-handshake")
    _f, d, _ = await deep(ctx_for(gw), token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["error"] == "gateway closed (1006): "
    assert d["gateway"]["close"] == {"code": 1006, "reason": ""}


async def test_drip_times_out(start_gateway: Start) -> None:
    gw = start_gateway("--mode", "drip", "--delay", "0.2")
    _f, d, elapsed = await deep(ctx_for(gw), timeout=0.5, token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["error"] == "timeout"
    assert elapsed < 0.5 + 0.3


async def test_reject_without_close_reports_connect_failed(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "reject-no-close")
    _f, d, elapsed = await deep(ctx_for(gw), timeout=0.5, token="nope-" + TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["error"].startswith("connect failed: unauthorized: gateway token mismatch")
    assert elapsed < 0.5 + 0.3


async def test_retry_while_starting(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "retry", "--retries", "2")
    _f, d, _ = await deep(ctx_for(gw), timeout=3.0, token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["ok"] is True
    assert len([e for e in gw.log() if e["kind"] == "ws"]) == 3


async def test_retry_until_deadline_reports_gateway_message(start_gateway: Start) -> None:
    gw = start_gateway("--mode", "retry", "--retries", "1000")
    _f, d, _ = await deep(ctx_for(gw), timeout=0.6, token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["error"] == "connect failed: gateway starting; retry shortly"


async def test_call_fails_after_hello(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "probe-scopes")
    findings, d, _ = await deep(ctx_for(gw), token=TOKEN, probes=(GATEWAY,))
    g = d["gateway"]
    assert (g["ok"], g["helloOk"], g["scopes"], g["error"]) == (
        False,
        True,
        [],
        "missing scope: operator.read",
    )
    assert "authentication succeeded" in findings[0].detail


async def test_legacy_gateway_without_challenge(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "legacy")
    _f, d, _ = await deep(ctx_for(gw), token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["ok"] is True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_gateway_down() -> None:
    port = free_port()
    findings, d, elapsed = await deep(ctx_for(port), token=TOKEN)
    assert d["gateway"]["error"] == f"connect ECONNREFUSED 127.0.0.1:{port}"
    assert all(e["result"] == "unreachable" for e in d["http"]["endpoints"].values())
    assert ids(findings) == ["gateway.probe_failed"]
    assert elapsed < 1.0


async def test_plaintext_remote_refused_without_contact() -> None:
    ctx = ctx_for(free_port(), env={"OPENCLAW_GATEWAY_URL": "ws://203.0.113.9:18789"})
    findings, d, elapsed = await deep(ctx, token=TOKEN, probes=(GATEWAY,))
    assert d["gateway"]["attempted"] is False
    assert d["gateway"]["error"].startswith('SECURITY ERROR: Gateway URL "ws://203.0.113.9:18789"')
    assert ids(findings) == ["gateway.probe_failed"]
    assert elapsed < 0.2


# -- TLS ---------------------------------------------------------------------------------------


@pytest.fixture
def self_signed(tmp_path: Path) -> Cert:
    return make_cert(tmp_path, "c")


async def test_loopback_wss_self_signed(start_gateway: Start, self_signed: Cert) -> None:
    gw = start_gateway(
        "--auth", "token", "--token", TOKEN,
        "--tls-cert", str(self_signed.cert), "--tls-key", str(self_signed.key),
    )  # fmt: skip
    findings, d, _ = await deep(ctx_for(gw, {"tls": {"enabled": True}}), token=TOKEN)
    assert d["gateway"]["url"] == f"wss://127.0.0.1:{gw.port}" and d["gateway"]["ok"] is True
    assert d["http"]["baseUrl"] == f"https://127.0.0.1:{gw.port}"
    assert ids(findings) == ["gateway.http.auth_enforced"]


@pytest.mark.parametrize("pin_ok", [True, False])
async def test_remote_tls_pin(start_gateway: Start, self_signed: Cert, pin_ok: bool) -> None:
    gw = start_gateway(
        "--auth", "token", "--token", TOKEN,
        "--tls-cert", str(self_signed.cert), "--tls-key", str(self_signed.key),
    )  # fmt: skip
    fp = self_signed.sha256 if pin_ok else "00" * 32
    pretty = ":".join(fp[i : i + 2] for i in range(0, len(fp), 2)).upper()
    remote = {"url": f"wss://localhost:{gw.port}", "token": TOKEN, "tlsFingerprint": pretty}
    ctx = make_ctx({"gateway": {"mode": "remote", "remote": remote}})
    _f, d, _ = await deep(ctx)
    if pin_ok:
        assert d["gateway"]["ok"] is True
        assert d["http"]["credentialAccepted"] is True
    else:
        assert d["gateway"]["error"].startswith("TLS fingerprint mismatch")
        assert d["http"]["credentialAccepted"] is None  # no credential to an unverified peer
        # An unverified peer's statuses are no evidence about the gateway: no HTTP verdict.
        assert {e["result"] for e in d["http"]["endpoints"].values()} == {"unreachable"}
        assert d["http"]["error"].startswith("TLS fingerprint mismatch")
        assert not [e for e in gw.log() if e["kind"] == "ws"]  # nothing sent before the pin check


# -- runner isolation and the canary ---------------------------------------------------------


@dataclass(frozen=True)
class Raising:
    name: str = "boom"
    section_key: str = "boom"
    check_ids: tuple[str, ...] = ("boom.probe_failed",)

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        await anyio.sleep(0.05)
        raise RuntimeError(f"kaboom with {opts.token}")

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        return ProbeResult(section={"error": error})


@dataclass(frozen=True)
class Hanging:
    name: str = "stuck"
    section_key: str = "stuck"
    check_ids: tuple[str, ...] = ("stuck.x",)

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        await anyio.sleep(3600)
        raise AssertionError("unreachable")

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        return ProbeResult(section={"error": error})


async def test_runner_isolation(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    probes = (Hanging(), Raising(), GATEWAY, HTTP)
    findings, d, elapsed = await deep(ctx_for(gw), timeout=0.5, token=TOKEN, probes=probes)
    assert d["gateway"]["ok"] is True
    assert d["boom"] == {"error": "RuntimeError: kaboom with <redacted>"}
    assert d["stuck"] == {"error": "timeout"}
    assert list(d) == ["stuck", "boom", "gateway", "http"]  # the order the probes were given
    assert ids(findings) == ["gateway.http.auth_enforced"]
    assert elapsed < 0.5 + 0.2 + 0.3


async def test_canary_token_never_in_output(start_gateway: Start) -> None:
    canary = "canary-" + uuid.uuid4().hex
    outputs: list[str] = []
    for args, opts in [
        (("--auth", "token", "--token", canary), {"token": canary}),
        (("--auth", "token", "--token", TOKEN), {"token": canary}),
        (("--mode", "echo-auth"), {"token": canary}),
        (("--mode", "echo-auth"), {"password": canary}),
        (("--mode", "hang"), {"token": canary}),
    ]:
        gw = start_gateway(*args)
        env = {"OPENCLAW_GATEWAY_URL": f"ws://x:{canary}@127.0.0.1:{gw.port}/?token={canary}"}
        for ctx in (ctx_for(gw), ctx_for(gw, env=env)):
            findings, d, _ = await deep(ctx, timeout=0.5, probes=(GATEWAY, HTTP, Raising()), **opts)
            outputs.append(json.dumps(d) + json.dumps([f.to_json() for f in findings]))
            outputs.append(repr(findings))
    blob = "\n".join(outputs)
    assert canary not in blob
    assert "bad credential <redacted>" in blob  # the hostile echo was scrubbed, not dropped


async def test_benchmark_wall_time_vs_slowest_probe(start_gateway: Start) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "slow", "--delay", "0.15")
    ctx = ctx_for(gw)
    solo = []
    for probe in (GATEWAY, HTTP):
        _f, _d, t = await deep(ctx, token=TOKEN, probes=(probe,))
        solo.append(t)
    _f, d, together = await deep(ctx, token=TOKEN)
    assert d["gateway"]["ok"] is True
    ratio = together / max(solo)
    print(f"\nbench: gateway {solo[0]:.3f}s http {solo[1]:.3f}s", end=" ")
    print(f"together {together:.3f}s ratio {ratio:.2f}")
    assert ratio < 1.5
