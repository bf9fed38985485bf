"""Which drift qualifies, the drift JSON's shape, and which webhook URLs are allowed."""

from __future__ import annotations

import pytest

from openclaw_audit.errors import UsageError
from openclaw_audit.notify.payload import DEFAULT_EVENTS, drift_doc, parse_events, qualifies
from openclaw_audit.notify.send import check_webhook, is_loopback, parse_command, where
from openclaw_audit.report.model import Summary
from openclaw_audit.report.trend import DriftItem, RunDrift

ITEM = DriftItem("a.b", "critical", "Title", "f" * 64, "warn")


@pytest.mark.parametrize(
    ("drift", "events", "expected"),
    [
        (RunDrift("t"), DEFAULT_EVENTS, False),
        (RunDrift("t"), frozenset({"always"}), True),
        (RunDrift("t", new=(ITEM,)), DEFAULT_EVENTS, True),
        (RunDrift("t", escalated=(ITEM,)), frozenset({"new"}), False),
        (RunDrift("t", escalated=(ITEM,)), DEFAULT_EVENTS, True),
        (RunDrift("t", resolved=(ITEM,)), DEFAULT_EVENTS, False),
        (RunDrift("t", resolved=(ITEM,)), frozenset({"resolved"}), True),
        (RunDrift("t", probe_failed=(("http", "x"),)), DEFAULT_EVENTS, True),
    ],
)
def test_qualifies(drift: RunDrift, events: frozenset[str], expected: bool) -> None:
    assert qualifies(drift, events) is expected


def test_parse_events() -> None:
    assert parse_events([]) == DEFAULT_EVENTS
    assert parse_events(["new, Resolved", "always"]) == {"new", "resolved", "always"}
    with pytest.raises(UsageError, match="unknown event 'news'"):
        parse_events(["news"])


def test_drift_doc_shape() -> None:
    drift = RunDrift(
        "/t", 7, new=(ITEM,), escalated=(ITEM,), probe_failed=(("gateway", "bad s3cr3t"),)
    )
    doc = drift_doc(drift, Summary(1, 2, 3), lambda s: s.replace("s3cr3t", "<redacted>"))
    finding = {"checkId": "a.b", "severity": "critical", "title": "Title", "fingerprint": "f" * 64}
    assert doc == {
        "target": "/t",
        "run": 7,
        "new": [finding],
        "escalated": [{"finding": finding, "from": "warn"}],
        "resolved": [],
        "probeFailed": [{"probe": "gateway", "error": "bad <redacted>"}],
        "summary": {
            "new": 1, "escalated": 1, "resolved": 0, "probeFailed": 1,
            "critical": 1, "warn": 2, "info": 3,
        },
    }  # fmt: skip


@pytest.mark.parametrize(
    ("url", "insecure", "ok"),
    [
        ("https://hooks.example.org/x", False, True),
        ("http://127.0.0.1:9/x", False, True),
        ("http://[::1]:9/x", False, True),
        ("http://localhost/x", False, True),
        ("http://hooks.example.org/x", False, False),
        ("http://hooks.example.org/x", True, True),
        ("http://127.0.0.1.example.org/x", False, False),
        ("file:///etc/passwd", True, False),
        ("https://", False, False),
        ("https://h:notaport/", False, False),
    ],
)
def test_check_webhook(url: str, insecure: bool, ok: bool) -> None:
    if ok:
        assert check_webhook(url, insecure=insecure) == url
    else:
        with pytest.raises(UsageError):
            check_webhook(url, insecure=insecure)


def test_helpers() -> None:
    assert is_loopback("127.8.9.1") and not is_loopback("10.0.0.1")
    assert where("https://user:pw@hooks.example.org:8443/secret/path?k=v") == (
        "https://hooks.example.org:8443"
    )
    assert parse_command("notify --to 'on call'") == ("notify", "--to", "on call")
    with pytest.raises(UsageError):
        parse_command("   ")
