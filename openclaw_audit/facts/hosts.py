"""Which hosts count as loopback or private, as OpenClaw decides it for its plaintext-WebSocket
guard (deep-probes.md §1)."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str | None) -> bool:
    """``localhost``, any 127.0.0.0/8 address or ``::1`` (brackets stripped)."""
    if not host:
        return False
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def is_private_ip_host(host: str | None) -> bool:
    """A private, link-local, CGNAT or unique-local IP literal (not a DNS name)."""
    if not host:
        return False
    h = host.strip().strip("[]")
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    if ip.is_private or ip.is_link_local:
        return True
    return ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10")
