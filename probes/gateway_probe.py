"""Gateway WebSocket probe (deep-probes.md §2-§4): connect, hello, four read-only calls.

The collector gathers facts; :mod:`gateway_judge` turns them into findings. websockets is
imported here only, and this module is loaded lazily by the runner.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import anyio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.gateway_judge import (
    CHECK_IDS,
    GatewayFacts,
    gateway_findings,
    gateway_section,
)
from openclaw_audit.probes.gateway_target import (
    GatewayTarget,
    ProbeCredentials,
    resolve_credentials,
    resolve_target,
    tunnel_url,
)
from openclaw_audit.probes.gateway_wire import (
    READ_METHODS,
    Closed,
    ProbeClosed,
    connect_frame,
    describe_transport_error,
    error_message,
)
from openclaw_audit.probes.tls_pin import tls_context
from openclaw_audit.redaction import safe_text

MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # hello-ok snapshots and config.get can be large, not huge
CHALLENGE_WAIT_S = 1.0
CLOSE_GRACE_S = 0.25  # polite close after success; never spent on a timed-out socket


class _NoRedirectConnect(connect):
    """Never follow an HTTP redirect during the upgrade: the probe talks to one URL only."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


@dataclass(slots=True)
class WsOutcome:
    """Raw (unredacted) result of one WebSocket probe."""

    ok: bool = False
    error: str | None = None
    close: tuple[int, str] | None = None
    hello_ok: bool = False
    protocol: int | None = None
    server_version: str | None = None
    scopes: tuple[str, ...] | None = None
    latency_ms: int | None = None
    frames_seen: list[str] = field(default_factory=list)  # frame types, for tests


async def _recv_json(ws: ClientConnection, outcome: WsOutcome) -> dict[str, Any] | None:
    """One frame as a JSON object; anything else (binary, non-JSON, arrays) reads as None."""
    try:
        raw = await ws.recv()
    except ConnectionClosed as exc:
        rcvd, sent = exc.rcvd, exc.sent
        if rcvd is None and sent is not None and sent.code != 1000:
            raise ProbeClosed(sent.code, sent.reason) from None
        raise Closed(rcvd.code if rcvd else 1006, rcvd.reason if rcvd else "") from None
    if isinstance(raw, bytes):
        outcome.frames_seen.append("binary")
        return None
    try:
        frame = json.loads(raw)
    except ValueError:
        outcome.frames_seen.append("garbage")
        return None
    if not isinstance(frame, dict):
        outcome.frames_seen.append("garbage")
        return None
    outcome.frames_seen.append(str(frame.get("type")))
    return frame


async def _read_until_closed(ws: ClientConnection, outcome: WsOutcome) -> None:
    while True:
        await _recv_json(ws, outcome)


def _record_hello(outcome: WsOutcome, payload: dict[str, Any], started: float) -> None:
    outcome.hello_ok = True
    outcome.latency_ms = int((time.monotonic() - started) * 1000)
    proto = payload.get("protocol")
    outcome.protocol = proto if isinstance(proto, int) and not isinstance(proto, bool) else None
    server = payload.get("server")
    version = server.get("version") if isinstance(server, dict) else None
    outcome.server_version = version if isinstance(version, str) else None
    auth = payload.get("auth")
    scopes = auth.get("scopes") if isinstance(auth, dict) else None
    if isinstance(scopes, list):
        outcome.scopes = tuple(s for s in scopes if isinstance(s, str))


async def _handshake(
    target: GatewayTarget,
    creds: ProbeCredentials,
    platform: str,
    outcome: WsOutcome,
    started: float,
    state: dict[str, Any],
    via: str | None = None,
) -> ClientConnection | None:
    """Phase 1 (connect-to-hello). Returns the open socket after hello-ok, else None.

    With a pin, each connection's own TLS handshake checks the certificate (``tls_context``):
    the upgrade request (edge headers) and the connect frame (credentials) are written only
    to a peer verified for that very connection, retries included.
    """
    kwargs: dict[str, Any] = {}
    if target.secure:
        kwargs["ssl"] = tls_context(target.tls_fingerprint, verify=target.verify_tls)[0]
    url = target.url
    if via is not None:  # the SSH tunnel's Unix socket; the gateway sees its own loopback
        kwargs.update(unix=True, path=via)
        url = tunnel_url(target)
        if target.secure:
            kwargs["server_hostname"] = target.host
    while True:
        ws = await _NoRedirectConnect(
            url,
            create_connection=_tracking_connection(state),
            additional_headers=dict(target.edge_headers) or None,
            user_agent_header="openclaw-audit",
            compression=None,
            proxy=None,
            open_timeout=None,  # the probe timer bounds the whole phase
            ping_interval=None,
            close_timeout=CLOSE_GRACE_S,
            max_size=MAX_MESSAGE_BYTES,
            max_queue=16,
            **kwargs,
        )
        state["ws"] = ws
        # Newer gateways send connect.challenge first; wait briefly, ignore its content.
        with anyio.move_on_after(CHALLENGE_WAIT_S):
            while True:
                frame = await _recv_json(ws, outcome)
                if (
                    frame
                    and frame.get("type") == "event"
                    and frame.get("event") == ("connect.challenge")
                ):
                    break
        req_id = str(uuid.uuid4())
        await ws.send(json.dumps(connect_frame(req_id, creds, platform)))
        while True:
            frame = await _recv_json(ws, outcome)
            if frame and frame.get("type") == "res" and frame.get("id") == req_id:
                break
        payload = frame.get("payload")
        ok = frame.get("ok") is True
        if ok and isinstance(payload, dict) and payload.get("type") == "hello-ok":
            _record_hello(outcome, payload, started)
            return ws
        state["connect_error"] = (
            error_message(frame) if frame.get("ok") is not True else "unexpected connect response"
        )
        err = frame.get("error")
        if isinstance(err, dict) and err.get("retryable") is True:
            # Gateway still starting: wait as told and reconnect, within the same timer.
            ws.transport.abort()
            state["ws"] = None
            delay = err.get("retryAfterMs")
            delay_s = delay / 1000 if isinstance(delay, int | float) and delay > 0 else 0.5
            await anyio.sleep(min(delay_s, 5.0))
            continue
        # The gateway closes after a rejected connect: record its close code and reason.
        await _read_until_closed(ws, outcome)


def _tracking_connection(state: dict[str, Any]) -> type[ClientConnection]:
    """A connection class that records itself in ``state["opening"]`` as soon as it exists.

    websockets answers a malformed upgrade response by waiting for the server to close the
    TCP connection; a hostile server that never does (an endless header block) would leave
    ``connect`` pending until our timer fires. Holding the connection lets us report the
    handshake error it already saw, and abort its socket."""

    class _Tracked(ClientConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            state["opening"] = self

    return _Tracked


def _pending_handshake_error(state: dict[str, Any]) -> BaseException | None:
    opening = state.get("opening")
    protocol = getattr(opening, "protocol", None)
    exc = getattr(protocol, "handshake_exc", None)
    return exc if isinstance(exc, BaseException) else None


async def _read_calls(ws: ClientConnection, outcome: WsOutcome) -> str | None:
    """Phase 2: the four read-only calls. Returns the first failure message, or None."""
    pending: set[str] = set()
    for method, params in READ_METHODS:
        req_id = str(uuid.uuid4())
        frame: dict[str, Any] = {"type": "req", "id": req_id, "method": method}
        if params is not None:
            frame["params"] = params
        pending.add(req_id)
        await ws.send(json.dumps(frame))
    while pending:
        res = await _recv_json(ws, outcome)
        if not res or res.get("type") != "res" or res.get("id") not in pending:
            continue
        pending.discard(res["id"])
        if res.get("ok") is not True:
            return error_message(res)
    return None


async def probe_gateway_ws(
    target: GatewayTarget,
    creds: ProbeCredentials,
    timeout: float,
    platform: str,
    via: str | None = None,
) -> WsOutcome:
    """Run the §4 protocol against ``target`` with the §4.2 timers; never raises for I/O.

    ``via``: the Unix socket of an open SSH tunnel (``target.ssh``)."""
    outcome = WsOutcome()
    state: dict[str, Any] = {"ws": None, "connect_error": None}
    started = time.monotonic()
    ws: ClientConnection | None = None
    graceful = False
    try:
        with anyio.move_on_after(timeout) as phase1:
            try:
                ws = await _handshake(target, creds, platform, outcome, started, state, via)
            except Closed as closed:
                outcome.close = (closed.code, closed.reason)
                outcome.error = state["connect_error"] or str(closed)
                return outcome
            except Exception as exc:  # transport: refused, DNS, TLS, bad HTTP
                outcome.error = describe_transport_error(exc, target.url)
                return outcome
        if phase1.cancelled_caught or ws is None:
            err = state["connect_error"]
            stuck = _pending_handshake_error(state)
            if err:
                outcome.error = f"connect failed: {err}"
            elif stuck is not None:
                outcome.error = describe_transport_error(stuck, target.url)
            else:
                outcome.error = "timeout"
            return outcome
        with anyio.move_on_after(timeout) as phase2:  # the timer is re-armed for the calls
            try:
                failure = await _read_calls(ws, outcome)
            except Closed as closed:
                outcome.close = (closed.code, closed.reason)
                outcome.error = str(closed)
                return outcome
            except Exception as exc:
                outcome.error = describe_transport_error(exc, target.url)
                return outcome
        if phase2.cancelled_caught:
            outcome.error = "timeout"
            return outcome
        outcome.ok = failure is None
        outcome.error = failure
        graceful = True
        return outcome
    finally:
        opening = state.get("opening")
        transport = getattr(opening, "transport", None)  # unset before TCP/TLS completes
        if transport is not None and opening is not (state.get("ws") or ws):
            transport.abort()  # a connection still opening when the timer fired
        await _shutdown(state.get("ws") or ws, graceful)


async def _shutdown(ws: ClientConnection | None, graceful: bool) -> None:
    if ws is None:
        return
    if graceful:
        with anyio.move_on_after(CLOSE_GRACE_S, shield=True):
            await ws.close(1000)
    ws.transport.abort()


async def _probe_routed(
    target: GatewayTarget, creds: ProbeCredentials, timeout: float, platform: str
) -> WsOutcome:
    """Directly, or through the SSH tunnel of ``transport: "ssh"``; a failed tunnel sends
    nothing at all."""
    if target.ssh is None:
        return await probe_gateway_ws(target, creds, timeout, platform)
    from openclaw_audit.probes.ssh_tunnel import TunnelError, describe_route, open_tunnel

    try:
        async with open_tunnel(target.ssh, timeout) as path:
            return await probe_gateway_ws(target, creds, timeout, platform, via=path)
    except TunnelError as exc:
        return WsOutcome(
            error=f"SSH tunnel ({describe_route(target.ssh)}) failed: {exc}; nothing was sent "
            "to the gateway"
        )


def _via(target: GatewayTarget) -> str | None:
    if target.ssh is None:
        return None
    from openclaw_audit.probes.ssh_tunnel import describe_route

    return describe_route(target.ssh)


@dataclass(frozen=True, slots=True)
class GatewayProbe:
    name: str = "gateway"
    section_key: str = "gateway"
    check_ids: tuple[str, ...] = CHECK_IDS

    def budget(self, opts: ProbeOptions) -> float:
        """Connect-to-hello timer plus the re-armed timer of the calls (§4.2)."""
        return 3 * opts.timeout  # plus opening an SSH tunnel when the route has one

    def _secrets(self, target: GatewayTarget, creds: ProbeCredentials) -> set[str]:
        return creds.values | set(target.edge_secrets)

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        target = resolve_target(ctx)
        creds = resolve_credentials(ctx, opts)
        secrets = self._secrets(target, creds)
        url = safe_text(target.url, secrets)
        if target.refused:
            facts = GatewayFacts(
                url=url,
                url_source=target.url_source,
                attempted=False,
                ok=False,
                error=safe_text(target.refused, secrets),
                auth_warning=creds.warning,
                timeout_s=opts.timeout,
            )
        else:
            out = await _probe_routed(target, creds, opts.timeout, ctx.platform)
            close = None
            if out.close is not None:
                close = (out.close[0], safe_text(out.close[1], secrets) or "")
            facts = GatewayFacts(
                url=url,
                url_source=target.url_source,
                attempted=True,
                ok=out.ok,
                error=safe_text(out.error, secrets),
                close=close,
                hello_ok=out.hello_ok,
                protocol=out.protocol,
                server_version=safe_text(out.server_version, secrets),
                scopes=out.scopes,
                latency_ms=out.latency_ms,
                auth_warning=creds.warning,
                via=_via(target),
                timeout_s=opts.timeout,
                sent=creds.kinds,
            )
        return ProbeResult(
            findings=gateway_findings(ctx, facts),
            section=gateway_section(facts),
            secrets=secrets,
        )

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        try:
            target = resolve_target(ctx)
            creds = resolve_credentials(ctx, opts)
            secrets = self._secrets(target, creds)
            url, source, warning = safe_text(target.url, secrets), target.url_source, creds.warning
        except Exception:  # config too odd to even locate the gateway
            secrets, url, source, warning = set(), None, "unknown", None
        facts = GatewayFacts(
            url=url,
            url_source=source,
            attempted=True,
            ok=False,
            error=safe_text(error, secrets),
            auth_warning=warning,
            timeout_s=opts.timeout,
        )
        return ProbeResult(
            findings=gateway_findings(ctx, facts), section=gateway_section(facts), secrets=secrets
        )


PROBE = GatewayProbe()
