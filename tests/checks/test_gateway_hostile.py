"""Odd config shapes never raise, and credentials never reach finding text."""

from __future__ import annotations

from typing import Any

import pytest

from builders import audit, by_id, ids
from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.report.model import Finding

CANARY = "CANARY-tok-9f8e7d6c5b4a39281706"


def _text(findings: list[Finding]) -> str:
    return "\n".join(
        f"{f.title}\n{f.detail}\n{f.remediation or ''}\n{f.subject or ''}" for f in findings
    )


@pytest.mark.parametrize(
    "cfg",
    [
        {"gateway": "x"},
        {"gateway": 5},
        {"gateway": None},
        {"gateway": {"bind": 5, "auth": "token", "tailscale": "funnel"}},
        {"gateway": {"controlUi": {"allowedOrigins": "*"}}},
        {"gateway": {"controlUi": "on", "trustedProxies": "127.0.0.1", "tools": {"allow": "exec"}}},
        {"gateway": {"auth": {"mode": ["token"], "token": 12345, "password": {"a": 1}}}},
        {"gateway": {"auth": {"mode": "trusted-proxy", "trustedProxy": "x"}}},
        {
            "gateway": {
                "auth": {
                    "mode": "trusted-proxy",
                    "trustedProxy": {
                        "userHeader": 7,
                        "allowUsers": "all",
                        "deviceAutoApprove": {"enabled": True, "scopes": "operator.admin"},
                    },
                },
                "trustedProxies": [None, 3, {"ip": "x"}],
            }
        },
        {"gateway": {"auth": {"rateLimit": "fast"}, "bind": "lan"}},
        {"gateway": {"http": "on", "tools": {"allow": [None, 1, ["exec"]]}}},
        {"discovery": {"mdns": "full"}, "mcp": "apps", "logging": "off"},
        {"hooks": {"mappings": "x", "gmail": [1], "token": 5, "enabled": True}},
        {"hooks": {"mappings": [None, 1, "s", []]}},
        {"agents": {"list": "x", "defaults": {"sandbox": {"docker": "on"}}}},
        {"agents": {"entries": ["a"]}},
        {"agents": {"entries": {"a": {"sandbox": {"docker": [True]}}}}},
        {"plugins": {"entries": ["acpx"]}},
        {"plugins": {"entries": {"acpx": {"config": "x"}, "": {"config": {}}}}},
        {"security": {"audit": {"suppressions": {"a": 1}}}},
        {"secrets": "x", "gateway": {"auth": {"token": {"source": "env"}}}},
        {"gateway": {"auth": {"token": {"source": "env", "id": ["X"]}}}},
        {"gateway": {"auth": {"allowTailscale": "yes"}, "tailscale": {"mode": ["serve"]}}},
        {
            "gateway": {
                "trustedProxies": ["x" * 10_000] * 1_000,
                "tools": {"allow": ["exec"] * 10_000},
            }
        },
    ],
)
def test_wrong_types_never_raise(cfg: dict[str, Any]) -> None:
    audit(cfg)
    audit({}, source=cfg)


def test_wrong_type_bind_falls_back_to_loopback() -> None:
    found = ids(audit({"gateway": {"bind": 5}}))
    assert "gateway.bind_no_auth" not in found
    assert "gateway.loopback_no_auth" in found


def test_string_allowed_origins_is_not_a_wildcard_list() -> None:
    found = ids(audit({"gateway": {"bind": "lan", "controlUi": {"allowedOrigins": "*"}}}))
    assert "gateway.control_ui.allowed_origins_wildcard" not in found
    assert "gateway.control_ui.allowed_origins_required" in found


def test_odd_override_values_never_raise() -> None:
    audit({}, auth_override=AuthOverride(mode="bogus", token="", password=""))
    audit({"gateway": "x"}, auth_override=AuthOverride(mode="password"))


@pytest.mark.parametrize("length", [5, 20, 60])
def test_canary_never_appears_in_findings(length: int) -> None:
    secret = (CANARY * 3)[:length]
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"gateway": {"bind": "lan", "auth": {"token": secret}}}, {}),
        (
            {"gateway": {"auth": {"token": secret}}},
            {"env": {"OPENCLAW_GATEWAY_TOKEN": secret + "x"}},
        ),
        ({"gateway": {"auth": {"mode": "password", "password": secret}}}, {}),
        (
            {"gateway": {"auth": {"mode": "password"}}},
            {"env": {"OPENCLAW_GATEWAY_PASSWORD": secret}},
        ),
        ({}, {"auth_override": AuthOverride(mode="token", token=secret)}),
        ({}, {"auth_override": AuthOverride(mode="password", password=secret)}),
        ({"hooks": {"enabled": True, "token": secret}}, {}),
        ({"gateway": {"remote": {"token": secret}}, "hooks": {"token": secret}}, {}),
        (
            {"gateway": {"auth": {"token": secret, "mode": "token"}, "bind": "lan"}},
            {"env": {"OPENCLAW_GATEWAY_TOKEN": CANARY, "OPENCLAW_GATEWAY_PASSWORD": CANARY}},
        ),
    ]
    for cfg, kw in cases:
        findings = audit(cfg, **kw)
        assert findings, cfg
        text = _text(findings)
        assert secret not in text
        assert CANARY[:12] not in text


def test_canary_in_plugin_flag_config_is_not_echoed() -> None:
    # Only manifest-declared values are rendered; config strings that do not match stay out.
    cfg = {"plugins": {"entries": {"acpx": {"config": {"permissionMode": CANARY}}}}}
    assert CANARY not in _text(audit(cfg))


def test_wrong_type_token_is_not_a_credential() -> None:
    assert by_id(
        audit({"gateway": {"auth": {"token": 123456789012345678901234567890}}}),
        "gateway.loopback_no_auth",
    )
