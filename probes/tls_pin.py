"""TLS for the gateway probes: certificate pinning checked inside every TLS handshake.

trust.md §5: a credential goes only over a connection whose peer was verified for that very
connection, before the credential is written. The pin therefore lives in the ``SSLContext``
itself (``sslobject_class``): asyncio (websockets) and anyio (httpx) both build their TLS
objects with ``wrap_bio``, so a connection whose certificate does not match fails its
handshake and no request, header or credential is ever written to it. No preflight
connection, no check on a later response.
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass

PIN_MISMATCH = (
    "TLS fingerprint mismatch: the gateway certificate does not match gateway.remote.tlsFingerprint"
)


class PinMismatch(ssl.SSLError):
    """The peer's certificate is not the pinned one (raised from the TLS handshake)."""

    def __init__(self) -> None:
        # (errno, strerror) like every SSLError: anyio reads ``strerror``.
        super().__init__(1, PIN_MISMATCH)

    def __str__(self) -> str:
        return PIN_MISMATCH


@dataclass(slots=True)
class PinRecord:
    """How many handshakes of one context matched or failed the pin (shared by connections)."""

    verified: int = 0
    mismatched: int = 0


def fingerprint(der: bytes | None) -> str | None:
    return hashlib.sha256(der).hexdigest() if der else None


def tls_context(pin: str | None, *, verify: bool) -> tuple[ssl.SSLContext, PinRecord]:
    """A client context; with ``pin`` every handshake checks the certificate's SHA-256.

    ``verify=False`` (loopback gateways with self-signed certificates) skips CA and host name
    checks; a pinned peer is checked by hash instead of by CA.
    """
    ctx = ssl.create_default_context()
    record = PinRecord()
    if pin or not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if pin:
        expected = pin

        class _PinnedObject(ssl.SSLObject):
            def do_handshake(self) -> None:
                super().do_handshake()
                if fingerprint(self.getpeercert(binary_form=True)) != expected:
                    record.mismatched += 1
                    raise PinMismatch()
                record.verified += 1

        ctx.sslobject_class = _PinnedObject
    return ctx, record


def is_pin_mismatch(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it wraps) is a pin failure."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, PinMismatch):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
