from __future__ import annotations

import pytest

from openclaw_audit.facts.hosts import is_loopback_host, is_private_ip_host
from openclaw_audit.redaction import (
    redact_url_or_text,
    safe_text,
    scrub_secrets,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ws://127.0.0.1:18789", "ws://127.0.0.1:18789"),
        ("wss://user:pw@gw.example:443/x", "wss://<redacted>:<redacted>@gw.example:443/x"),
        ("wss://user@gw.example/", "wss://<redacted>@gw.example/"),
        ("wss://:pw@gw.example/", "wss://:<redacted>@gw.example/"),
        ("wss://gw.example/?token=abc&x=1", "wss://gw.example/?token=<redacted>&x=1"),
        (
            "https://h/p?X-Api-Key=k&Signature=s&page=2",
            "https://h/p?X-Api-Key=<redacted>&Signature=<redacted>&page=2",
        ),
        ("https://h/?authorization=a#frag", "https://h/?authorization=<redacted>#frag"),
        ("https://h/?passwd=&q=1", "https://h/?passwd=&q=1"),  # empty value: nothing to hide
        (
            "connect failed to wss://a:b@h:1/?secret=zz then retried",
            "connect failed to wss://<redacted>:<redacted>@h:1/?secret=<redacted> then retried",
        ),
        ("plain error text", "plain error text"),
        ("", ""),
    ],
)
def test_redact_url_or_text(raw: str, expected: str) -> None:
    assert redact_url_or_text(raw) == expected


def test_redact_none_passthrough() -> None:
    assert redact_url_or_text(None) is None
    assert safe_text(None) is None


def test_scrub_known_secrets_whole_tokens_longest_first() -> None:
    text = "token abcdefgh1 and abcd and abcdefgh, abcd-efgh"
    secrets = ["abcd", "abcdefgh", "abcd-efgh", None]
    # trust.md §1: only at token boundaries, so `abcdefgh1` keeps its text.
    assert (
        scrub_secrets(text, secrets) == "token abcdefgh1 and <redacted> and <redacted>, <redacted>"
    )


def test_scrub_ignores_tiny_values() -> None:
    assert scrub_secrets("abc b", ["abc"]) == "abc b"


@pytest.mark.parametrize(
    ("host", "loop"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("[::1]", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("example.com", False),
        ("", False),
        (None, False),
    ],
)
def test_is_loopback_host(host: str | None, loop: bool) -> None:
    assert is_loopback_host(host) is loop


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("10.1.2.3", True),
        ("192.168.1.5", True),
        ("172.16.0.1", True),
        ("100.100.1.1", True),
        ("fd00::1", True),
        ("8.8.8.8", False),
        ("gw.lan", False),  # names are never "private addresses"
    ],
)
def test_is_private_ip_host(host: str, private: bool) -> None:
    assert is_private_ip_host(host) is private
