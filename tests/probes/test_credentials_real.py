"""Credentials only to a peer verified for that very connection (trust.md §5), against the real
test gateway with TLS and a pin, behind a forwarding man-in-the-middle on loopback.

The man-in-the-middle forwards the first N TCP connections untouched to the gateway (so the
real certificate answers and the pin matches), then terminates TLS itself with another
certificate and records every decrypted byte. No credential may ever reach it: not the token,
not an ``edgeAuth`` header, not the probe's ``Authorization``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import RunningGateway
from gateway_fixture import Cert, make_cert

from builders import make_ctx
from openclaw_audit.probes.base import ProbeOptions
from openclaw_audit.probes.gateway_probe import PROBE as GATEWAY
from openclaw_audit.probes.http_probe import PROBE as HTTP
from openclaw_audit.probes.runner import run_probes

pytestmark = [pytest.mark.anyio, pytest.mark.real]

TOKEN = "tok-" + uuid.uuid4().hex
EDGE = "edge-" + uuid.uuid4().hex


@dataclass
class Mitm:
    """Forwards the first ``forward_first`` connections, then terminates TLS and records."""

    upstream_port: int
    forward_first: int
    cert: Cert
    port: int = 0
    accepted: int = 0
    recorded: list[bytes] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def serve(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            conn, _addr = await loop.sock_accept(listener)
            self.accepted += 1
            task = asyncio.create_task(self.handle(conn, self.accepted <= self.forward_first))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def handle(self, conn: socket.socket, forward: bool) -> None:
        writer: asyncio.StreamWriter | None = None
        try:
            if forward:
                reader, writer = await asyncio.open_connection(sock=conn)
                await self.forward(reader, writer)
            else:
                # TLS from the first byte: the ClientHello must not land in a plain buffer.
                loop = asyncio.get_running_loop()
                reader = asyncio.StreamReader()
                proto = asyncio.StreamReaderProtocol(reader)
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(self.cert.cert, self.cert.key)
                transport, _ = await asyncio.wait_for(
                    loop.connect_accepted_socket(lambda: proto, conn, ssl=ctx), 3
                )
                writer = asyncio.StreamWriter(transport, proto, reader, loop)
                await self.record(reader, writer)
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            if writer is not None:
                writer.close()
            conn.close()

    async def forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(OSError):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def record(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = b""
        with contextlib.suppress(TimeoutError, OSError, ssl.SSLError):
            while chunk := await asyncio.wait_for(reader.read(65536), 0.5):
                data += chunk
                if b"\r\n\r\n" in data:
                    break
        self.recorded.append(data)
        writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()


@contextlib.asynccontextmanager
async def mitm(gw: RunningGateway, forward_first: int, cert: Cert) -> Any:
    m = Mitm(gw.port, forward_first, cert)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.setblocking(False)
    m.port = listener.getsockname()[1]
    server = asyncio.create_task(m.serve(listener))
    try:
        yield m
    finally:
        server.cancel()
        for task in list(m.tasks):
            task.cancel()
        listener.close()


def pinned_ctx(port: int, pin: str) -> Any:
    remote = {
        "url": f"wss://localhost:{port}",
        "token": TOKEN,
        "tlsFingerprint": pin,
        "edgeAuth": {"X-Edge-Key": EDGE},
    }
    return make_ctx({"gateway": {"mode": "remote", "remote": remote}})


@pytest.fixture
def certs(tmp_path: Path) -> tuple[Cert, Cert]:
    return make_cert(tmp_path, "gateway"), make_cert(tmp_path, "mitm")


@pytest.mark.parametrize("forward_first", [0, 1, 2, 3, 4, 8])
@pytest.mark.parametrize("probe", ["gateway", "http"])
async def test_no_credential_reaches_a_mitm_after_forwarded_connections(
    start_gateway: Any, certs: tuple[Cert, Cert], forward_first: int, probe: str
) -> None:
    gw_cert, mitm_cert = certs
    gw = start_gateway(
        "--auth", "token", "--token", TOKEN,
        "--tls-cert", str(gw_cert.cert), "--tls-key", str(gw_cert.key),
    )  # fmt: skip
    async with mitm(gw, forward_first, mitm_cert) as m:
        ctx = pinned_ctx(m.port, gw_cert.sha256)
        chosen = [GATEWAY if probe == "gateway" else HTTP]
        _findings, deep, _s = await run_probes(ctx, ProbeOptions(timeout=2.0), probes=chosen)
    leaked = b"".join(m.recorded)
    assert TOKEN.encode() not in leaked
    assert EDGE.encode() not in leaked
    assert b"authorization" not in leaked.lower() and b"x-edge-key" not in leaked.lower()
    if probe == "gateway":
        g = deep["gateway"]
        if forward_first == 0:
            assert g["ok"] is False and g["error"].startswith("TLS fingerprint mismatch")
        else:  # one connection per probe: the first, forwarded one carries everything
            assert g["ok"] is True
    else:
        h = deep["http"]
        if forward_first >= 4:  # every connection reached the real gateway
            assert h["credentialAccepted"] is True and "error" not in h
        else:
            assert h["credentialAccepted"] is None
            assert h["error"].startswith("TLS fingerprint mismatch")


@pytest.mark.parametrize(
    "edge",
    [
        {"X-Edge\r\nX-Injected": "v"},
        {"X-Edge": "v\r\nX-Injected: 1"},
        {"X-Edge": "v\nX-Injected: 1"},
        {"X-Edge": "v\x00w"},
        {"X-Edge\x00": "v"},
    ],
    ids=["crlf-name", "crlf-value", "lf-value", "nul-value", "nul-name"],
)
async def test_edge_headers_with_cr_lf_nul_are_refused(
    start_gateway: Any, edge: dict[str, str]
) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    remote = {"url": f"ws://127.0.0.1:{gw.port}", "token": TOKEN, "edgeAuth": edge}
    ctx = make_ctx({"gateway": {"mode": "remote", "remote": remote}})
    findings, deep, secrets = await run_probes(
        ctx, ProbeOptions(timeout=1.0), probes=[GATEWAY, HTTP]
    )
    assert {v.strip() for v in edge.values()} <= secrets  # refused values are still redacted
    g = deep["gateway"]
    assert g["attempted"] is False and g["ok"] is False
    assert "gateway.remote.edgeAuth" in g["error"] and "nothing was sent" in g["error"]
    assert "\r" not in g["error"] and "\n" not in g["error"] and "\x00" not in g["error"]
    assert [f.check_id for f in findings] == ["gateway.probe_failed"]
    assert gw.log() == []  # not one request reached the gateway, HTTP included
