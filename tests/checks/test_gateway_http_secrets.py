"""HTTP API checks, logging.redact_off and plaintext secrets in config (checks-gateway.md §5)."""

from __future__ import annotations

from typing import Any

import pytest

from builders import audit, by_id, ids, one
from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.report.model import Severity

TOKEN = "t" * 40
NO_AUTH = "gateway.http.no_auth"
SESSION = "gateway.http.session_key_override_enabled"


def endpoints(chat: bool = False, responses: bool = False) -> dict[str, Any]:
    return {"chatCompletions": {"enabled": chat}, "responses": {"enabled": responses}}


# --- gateway.http.no_auth --------------------------------------------------------------------


def test_http_no_auth_mode_none_lists_endpoints() -> None:
    cfg = {
        "gateway": {"auth": {"mode": "none"}, "http": {"endpoints": endpoints(True, True)}},
        "plugins": {"entries": {"admin-http-rpc": {"enabled": True}}},
    }
    f = one(audit(cfg), NO_AUTH)
    assert f.severity is Severity.WARN
    assert "/tools/invoke, /v1/chat/completions, /v1/responses, /api/v1/admin/rpc" in f.detail
    assert f.remediation


def test_http_no_auth_only_tools_invoke_by_default() -> None:
    f = one(audit({"gateway": {"auth": {"mode": "none"}}}), NO_AUTH)
    assert f.detail.endswith("/tools/invoke.")


@pytest.mark.parametrize(
    "gateway",
    [
        {"bind": "lan", "auth": {"mode": "none"}},
        {"tailscale": {"mode": "serve"}, "auth": {"mode": "none"}},
        {"tailscale": {"mode": "funnel"}},
    ],
)
def test_http_no_auth_critical_when_remotely_exposed(gateway: dict[str, Any]) -> None:
    assert one(audit({"gateway": gateway}), NO_AUTH).severity is Severity.CRITICAL


def test_http_no_auth_without_usable_credential() -> None:
    assert by_id(audit({}), NO_AUTH)
    # Missing ${VAR}: absent in both views.
    assert by_id(audit({"gateway": {"auth": {}}}), NO_AUTH)
    # A SecretRef that could not be resolved (removed from the resolved view).
    src = {"gateway": {"auth": {"token": {"source": "env", "id": "GONE"}}}}
    assert by_id(audit({}, source=src), NO_AUTH)
    # A SecretRef still present in the resolved view is not a credential either.
    assert by_id(audit(src), NO_AUTH)
    assert by_id(audit({"gateway": {"auth": {"mode": "password", "token": TOKEN}}}), NO_AUTH)


@pytest.mark.parametrize(
    ("cfg", "kw"),
    [
        ({"gateway": {"auth": {"token": TOKEN}}}, {}),
        ({}, {"env": {"OPENCLAW_GATEWAY_TOKEN": TOKEN}}),
        ({"gateway": {"auth": {"mode": "password", "password": "p"}}}, {}),
        ({}, {"env": {"OPENCLAW_GATEWAY_PASSWORD": "p"}}),
        ({"gateway": {"auth": {"mode": "trusted-proxy"}}}, {}),
        ({}, {"auth_override": AuthOverride(mode="token", token=TOKEN)}),
    ],
)
def test_http_no_auth_near_misses(cfg: dict[str, Any], kw: dict[str, Any]) -> None:
    assert not by_id(audit(cfg, **kw), NO_AUTH)


def test_http_no_auth_override_none_wins_over_config_token() -> None:
    cfg = {"gateway": {"auth": {"token": TOKEN}}}
    assert by_id(audit(cfg, auth_override=AuthOverride(mode="none")), NO_AUTH)


# --- session key override --------------------------------------------------------------------


def test_session_key_override() -> None:
    cfg = {"gateway": {"auth": {"token": TOKEN}, "http": {"endpoints": endpoints(responses=True)}}}
    f = one(audit(cfg), SESSION)
    assert f.severity is Severity.INFO and f.remediation is None
    assert "/v1/responses" in f.detail and "/v1/chat/completions" not in f.detail
    both = {"gateway": {"http": {"endpoints": endpoints(True, True)}}}
    assert "/v1/chat/completions, /v1/responses" in one(audit(both), SESSION).detail
    assert not by_id(audit({"gateway": {"http": {"endpoints": endpoints()}}}), SESSION)
    truthy = {"gateway": {"http": {"endpoints": {"chatCompletions": {"enabled": "yes"}}}}}
    assert not by_id(audit(truthy), SESSION)


# --- logging.redact_off ----------------------------------------------------------------------


def test_redact_off() -> None:
    f = one(audit({"logging": {"redactSensitive": "off"}}), "logging.redact_off")
    assert f.severity is Severity.WARN and f.remediation and '"tools"' in f.remediation
    for value in ("tools", "OFF", None, False):
        assert not by_id(audit({"logging": {"redactSensitive": value}}), "logging.redact_off")


# --- config.secrets.* ------------------------------------------------------------------------

PW = "config.secrets.gateway_password_in_config"
HOOK = "config.secrets.hooks_token_in_config"


def test_password_in_config() -> None:
    f = one(audit({"gateway": {"auth": {"password": "correct horse"}}}), PW)
    assert f.severity is Severity.WARN and f.remediation
    assert "OPENCLAW_GATEWAY_PASSWORD" in f.remediation


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "${GW_PASSWORD}",
        "$GW_PASSWORD",
        {"source": "env", "id": "GW"},
        "secretref-env:GW",
        42,
    ],
)
def test_password_in_config_near_misses(value: Any) -> None:
    assert not by_id(audit({"gateway": {"auth": {"password": value}}}), PW)


def test_secrets_use_source_view() -> None:
    # Resolved from a SecretRef: the resolved view holds text, the source the ref.
    src = {"gateway": {"auth": {"password": {"source": "env", "id": "GW"}}}}
    assert not by_id(audit({"gateway": {"auth": {"password": "resolved"}}}, source=src), PW)
    # Substituted ${VAR}: plain text in the source view, flagged.
    sub = {"gateway": {"auth": {"password": "from-env-at-load"}}}
    assert by_id(audit(sub, source=sub), PW)


def test_hooks_token_in_config() -> None:
    f = one(audit({"hooks": {"enabled": True, "token": "hook-secret"}}), HOOK)
    assert f.severity is Severity.INFO and f.remediation is None
    assert not by_id(audit({"hooks": {"enabled": False, "token": "hook-secret"}}), HOOK)
    assert not by_id(audit({"hooks": {"token": "hook-secret"}}), HOOK)
    assert not by_id(audit({"hooks": {"enabled": True, "token": "${HOOKS_TOKEN}"}}), HOOK)


def test_password_before_hooks_token_and_stage_positions() -> None:
    cfg = {
        "gateway": {
            "auth": {"mode": "none", "password": "pw"},
            "http": {"endpoints": endpoints(True)},
        },
        "hooks": {"enabled": True, "token": "hook-secret"},
        "logging": {"redactSensitive": "off"},
        "mcp": {"apps": {"enabled": True}},
    }
    found = ids(audit(cfg))
    order = [
        "mcp.apps.enabled",
        "logging.redact_off",
        NO_AUTH,
        SESSION,
        PW,
        HOOK,
    ]
    positions = [found.index(i) for i in order]
    assert positions == sorted(positions), found
