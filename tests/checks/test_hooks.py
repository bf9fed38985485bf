"""hooks.* (checks-hooks.md): each row triggers, has a near miss, and escalates when exposed."""

from __future__ import annotations

from typing import Any

import pytest

from builders import by_id, ids, make_ctx, one, run_checks
from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.engine.registry import Stage
from openclaw_audit.report.model import Severity

LONG = "h" * 40
HOOK_IDS = [
    "hooks.token_too_short",
    "hooks.token_reuse_gateway_token",
    "hooks.path_root",
    "hooks.default_session_key_unset",
    "hooks.allowed_agent_ids_unrestricted",
    "hooks.request_session_key_enabled",
    "hooks.request_session_key_prefixes_missing",
]


def hooks(cfg: dict[str, Any], **kw: Any) -> list[Any]:
    return run_checks(make_ctx(cfg, **kw), stages=[Stage.HOOKS])


def hardened(**extra: Any) -> dict[str, Any]:
    """Hooks on, every row satisfied; tests override one key at a time."""
    h: dict[str, Any] = {
        "enabled": True,
        "token": LONG,
        "path": "/hooks",
        "defaultSessionKey": "hook:ingress",
        "allowedAgentIds": ["main"],
    }
    h.update(extra)
    return {"hooks": h}


def test_hardened_config_is_clean() -> None:
    assert hooks(hardened()) == []


@pytest.mark.parametrize("enabled", [None, False, "true", 1])
def test_group_requires_enabled_exactly_true(enabled: Any) -> None:
    cfg = {"hooks": {"enabled": enabled, "token": "x", "path": "/", "allowRequestSessionKey": True}}
    assert hooks(cfg) == []


def test_all_rows_in_spec_order() -> None:
    cfg = {
        "hooks": {"enabled": True, "token": "short", "path": "/", "allowRequestSessionKey": True},
        "gateway": {"auth": {"mode": "token", "token": "short"}},
    }
    assert ids(hooks(cfg)) == HOOK_IDS


# --- token_too_short -------------------------------------------------------------------------


def test_short_token_warns_with_length_and_no_remediation() -> None:
    f = one(hooks(hardened(token="  abcdefghij  ")), "hooks.token_too_short")
    assert f.severity is Severity.WARN
    assert f.remediation is None
    assert "10" in f.detail
    assert "abcdefghij" not in f.detail


def test_token_of_24_chars_is_long_enough() -> None:
    assert not by_id(hooks(hardened(token="x" * 24)), "hooks.token_too_short")
    assert by_id(hooks(hardened(token="x" * 23)), "hooks.token_too_short")


@pytest.mark.parametrize("token", [None, "", "   ", 12345, {"source": "env", "id": "X"}])
def test_no_token_no_token_findings(token: Any) -> None:
    out = ids(hooks(hardened(token=token)))
    assert "hooks.token_too_short" not in out
    assert "hooks.token_reuse_gateway_token" not in out


# --- token_reuse_gateway_token ---------------------------------------------------------------


def test_reuse_of_gateway_token_is_critical() -> None:
    cfg = {**hardened(), "gateway": {"auth": {"mode": "token", "token": f" {LONG} "}}}
    f = one(hooks(cfg), "hooks.token_reuse_gateway_token")
    assert f.severity is Severity.CRITICAL
    assert "token" in f.title.lower() and "password" not in f.title.lower()
    assert "hooks.token" in (f.remediation or "")


def test_reuse_remediation_carries_profile() -> None:
    cfg = {**hardened(), "gateway": {"auth": {"token": LONG}}}
    f = one(hooks(cfg, env={"OPENCLAW_PROFILE": "ops"}), "hooks.token_reuse_gateway_token")
    assert "openclaw --profile ops doctor --fix" in (f.remediation or "")


def test_reuse_of_env_gateway_token_with_inferred_mode() -> None:
    f = one(
        hooks(hardened(), env={"OPENCLAW_GATEWAY_TOKEN": LONG}), "hooks.token_reuse_gateway_token"
    )
    assert "token" in f.title


def test_reuse_of_gateway_password_names_password() -> None:
    cfg = {**hardened(), "gateway": {"auth": {"mode": "password", "password": LONG}}}
    f = one(hooks(cfg), "hooks.token_reuse_gateway_token")
    assert "password" in f.title


def test_reuse_password_via_env_and_trusted_proxy() -> None:
    cfg = {**hardened(), "gateway": {"auth": {"mode": "trusted-proxy"}}}
    f = one(hooks(cfg, env={"OPENCLAW_GATEWAY_PASSWORD": LONG}), "hooks.token_reuse_gateway_token")
    assert "password" in f.title


def test_inferred_password_mode_when_only_password_set() -> None:
    cfg = {**hardened(), "gateway": {"auth": {"password": LONG}}}
    assert by_id(hooks(cfg), "hooks.token_reuse_gateway_token")


def test_reuse_near_misses() -> None:
    # Different value, different case, mode none, and a password when mode is token.
    for auth in (
        {"mode": "token", "token": LONG + "x"},
        {"mode": "token", "token": LONG.upper()},
        {"mode": "none", "token": LONG},
        {"mode": "token", "token": "other-token-value-long-enough", "password": LONG},
    ):
        cfg = {**hardened(), "gateway": {"auth": auth}}
        assert not by_id(hooks(cfg), "hooks.token_reuse_gateway_token"), auth


def test_config_token_wins_over_env_token() -> None:
    cfg = {**hardened(), "gateway": {"auth": {"token": "config-token-different-value"}}}
    assert not by_id(
        hooks(cfg, env={"OPENCLAW_GATEWAY_TOKEN": LONG}), "hooks.token_reuse_gateway_token"
    )


def test_auth_override_is_compared_too() -> None:
    cfg = {**hardened(), "gateway": {"auth": {"mode": "token", "token": "another-long-token-xx"}}}
    over = AuthOverride(mode="password", password=LONG)
    f = one(hooks(cfg, auth_override=over), "hooks.token_reuse_gateway_token")
    assert "password" in f.title
    miss = AuthOverride(mode="password", password="not-the-hooks-token-value")
    assert not by_id(hooks(cfg, auth_override=miss), "hooks.token_reuse_gateway_token")


# --- path_root -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", " / ", "/ "])
def test_root_path_is_critical(path: str) -> None:
    f = one(hooks(hardened(path=path)), "hooks.path_root")
    assert f.severity is Severity.CRITICAL
    assert "/hooks" in (f.remediation or "")


@pytest.mark.parametrize("path", ["//", "/hooks", "", None, 5])
def test_non_root_paths(path: Any) -> None:
    assert not by_id(hooks(hardened(path=path)), "hooks.path_root")


# --- default_session_key_unset ---------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "  ", 7])
def test_default_session_key_unset(key: Any) -> None:
    f = one(hooks(hardened(defaultSessionKey=key)), "hooks.default_session_key_unset")
    assert f.severity is Severity.WARN
    assert "hooks.defaultSessionKey" in (f.remediation or "")


# --- allowed_agent_ids_unrestricted ----------------------------------------------------------


@pytest.mark.parametrize("value", [None, "main", {"a": 1}, ["*"], ["*", "main"], [" * "]])
def test_agent_ids_unrestricted(value: Any) -> None:
    f = one(hooks(hardened(allowedAgentIds=value)), "hooks.allowed_agent_ids_unrestricted")
    assert f.severity is Severity.WARN


@pytest.mark.parametrize("value", [[], ["main"], ["main", "ops"]])
def test_explicit_agent_list_is_restricted(value: Any) -> None:
    assert not by_id(hooks(hardened(allowedAgentIds=value)), "hooks.allowed_agent_ids_unrestricted")


@pytest.mark.parametrize(
    "gateway",
    [
        {"bind": "lan"},
        {"bind": "0.0.0.0"},
        {"tailscale": {"mode": "serve"}},
        {"tailscale": {"mode": "funnel"}},
    ],
)
def test_escalation_when_remotely_exposed(gateway: dict[str, Any]) -> None:
    cfg = {**hardened(allowedAgentIds=None, allowRequestSessionKey=True), "gateway": gateway}
    out = hooks(cfg)
    for cid in (
        "hooks.allowed_agent_ids_unrestricted",
        "hooks.request_session_key_enabled",
        "hooks.request_session_key_prefixes_missing",
    ):
        assert one(out, cid).severity is Severity.CRITICAL


def test_loopback_with_tailscale_off_stays_warn() -> None:
    cfg = {
        **hardened(allowedAgentIds=None),
        "gateway": {"bind": "loopback", "tailscale": {"mode": "off"}},
    }
    assert one(hooks(cfg), "hooks.allowed_agent_ids_unrestricted").severity is Severity.WARN


# --- request session keys --------------------------------------------------------------------


def test_request_session_key_enabled_without_prefixes() -> None:
    out = hooks(hardened(allowRequestSessionKey=True, allowedSessionKeyPrefixes=["  "]))
    assert one(out, "hooks.request_session_key_enabled").severity is Severity.WARN
    f = one(out, "hooks.request_session_key_prefixes_missing")
    assert "hooks.allowedSessionKeyPrefixes" in (f.remediation or "")


def test_request_session_key_with_prefixes() -> None:
    out = ids(hooks(hardened(allowRequestSessionKey=True, allowedSessionKeyPrefixes=["hook:"])))
    assert "hooks.request_session_key_enabled" in out
    assert "hooks.request_session_key_prefixes_missing" not in out


@pytest.mark.parametrize("flag", [False, "true", 1, None])
def test_request_session_key_near_miss(flag: Any) -> None:
    out = ids(hooks(hardened(allowRequestSessionKey=flag)))
    assert "hooks.request_session_key_enabled" not in out
    assert "hooks.request_session_key_prefixes_missing" not in out


# --- robustness and secrets ------------------------------------------------------------------


@pytest.mark.parametrize("hooks_value", ["on", 5, [1, 2], None])
def test_wrong_types_never_raise(hooks_value: Any) -> None:
    assert hooks({"hooks": hooks_value, "gateway": "weird"}) == []
    cfg = {
        "hooks": {
            "enabled": True,
            "token": ["a"],
            "path": {"x": 1},
            "defaultSessionKey": [],
            "allowedAgentIds": [None, 5, {"a": 1}],
            "allowRequestSessionKey": True,
            "allowedSessionKeyPrefixes": "hook:",
        },
        "gateway": {"auth": "token", "bind": 12, "tailscale": "serve"},
    }
    assert "hooks.request_session_key_prefixes_missing" in ids(hooks(cfg))


def test_token_value_never_in_findings() -> None:
    canary = "CANARY-hooks-token-3f9a"
    cfg = {
        "hooks": {"enabled": True, "token": canary, "path": "/", "allowRequestSessionKey": True},
        "gateway": {"auth": {"mode": "token", "token": canary}, "bind": "lan"},
    }
    out = hooks(cfg, auth_override=AuthOverride(mode="password", password=canary))
    assert ids(out) == HOOK_IDS
    for f in out:
        for text in (f.title, f.detail, f.remediation or "", f.subject or ""):
            assert canary not in text
