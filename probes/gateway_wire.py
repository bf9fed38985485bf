"""The gateway's wire protocol as the probe speaks it (deep-probes.md §4): the connect frame,
the read-only calls, and the stable error strings of §4.1."""

from __future__ import annotations

import socket
import ssl
import uuid
from typing import Any
from urllib.parse import urlsplit

from websockets.exceptions import InvalidHandshake, InvalidMessage, InvalidStatus, InvalidURI

from openclaw_audit.probes.gateway_target import ProbeCredentials
from openclaw_audit.probes.tls_pin import PIN_MISMATCH, is_pin_mismatch

READ_METHODS: tuple[tuple[str, dict[str, Any] | None], ...] = (
    ("health", None),
    ("status", None),
    ("system-presence", None),
    ("config.get", {}),
)
_PLATFORMS = {"linux": "linux", "darwin": "darwin", "win32": "win32"}


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"gateway closed ({code}): {reason}")
        self.code = code
        self.reason = reason


class ProbeClosed(Exception):
    """We failed the connection ourselves: the gateway broke the protocol (an oversized or
    malformed frame). Not reported as "gateway closed": the gateway sent no close frame."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"probe closed the connection ({code}): {reason}")


def connect_frame(req_id: str, creds: ProbeCredentials, platform: str) -> dict[str, Any]:
    """The connect request of §4 step 3: exactly these keys (the server rejects unknown ones)."""
    params: dict[str, Any] = {
        "minProtocol": 3,
        "maxProtocol": 4,
        "client": {
            "id": "cli",
            "version": "dev",
            "platform": _PLATFORMS.get(platform, "linux"),
            "mode": "cli",
            "instanceId": str(uuid.uuid4()),
        },
        "caps": [],
        "role": "operator",
        "scopes": ["operator.read"],
    }
    auth = {k: v for k, v in (("token", creds.token), ("password", creds.password)) if v}
    if auth:
        params["auth"] = auth
    return {"type": "req", "id": req_id, "method": "connect", "params": params}


def describe_transport_error(exc: BaseException, url: str) -> str:
    """Stable, human-readable text for a failure to open the socket (§4.1)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port or (443 if parts.scheme in ("wss", "https") else 80)
    except ValueError:
        host, port = "?", 0
    if isinstance(exc, ConnectionRefusedError):
        return f"connect ECONNREFUSED {host}:{port}"
    if isinstance(exc, socket.gaierror):
        return f"getaddrinfo failed for {host}: {exc.strerror or exc}"
    if is_pin_mismatch(exc):
        return PIN_MISMATCH
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed: {exc.verify_message or exc}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, ProbeClosed):
        return str(exc)
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if 300 <= status < 400:  # never followed: the probe talks to one URL only
            return f"WebSocket upgrade refused: HTTP {status} redirect (not followed)"
        return f"WebSocket upgrade refused: HTTP {status}"
    if isinstance(exc, InvalidMessage):
        return "invalid WebSocket handshake: the server did not send a valid HTTP response"
    if isinstance(exc, InvalidURI):
        return f"invalid gateway URL: {url}"
    if isinstance(exc, InvalidHandshake):
        return f"WebSocket handshake failed: {exc}"
    if isinstance(exc, ConnectionResetError):
        return f"connect ECONNRESET {host}:{port}"
    if isinstance(exc, OSError):
        return f"connect failed {host}:{port}: {exc.strerror or exc.__class__.__name__}"
    text = str(exc).strip()
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def error_message(frame: dict[str, Any]) -> str:
    err = frame.get("error")
    if isinstance(err, dict):
        msg = err.get("message")
        if isinstance(msg, str) and msg.strip():
            return msg
        code = err.get("code")
        if isinstance(code, str) and code.strip():
            return code
    return "request failed"
