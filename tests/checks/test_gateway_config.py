"""Gateway configuration group (checks-gateway.md §3), row by row."""

from __future__ import annotations

from typing import Any

import pytest

from builders import by_id, ids, make_ctx, one, run_checks
from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.engine.registry import Stage
from openclaw_audit.report.model import Finding, Severity

TOKEN = "tok-" + "a" * 40
RATE = {"maxAttempts": 10, "windowMs": 60000, "lockoutMs": 300000}


def gw(cfg: dict[str, Any] | None = None, **kw: Any) -> list[Finding]:
    return run_checks(make_ctx(cfg, **kw), stages=[Stage.GATEWAY])


def lan(**gateway: Any) -> dict[str, Any]:
    """A hardened LAN gateway; keyword overrides replace top-level gateway keys."""
    base: dict[str, Any] = {
        "bind": "lan",
        "auth": {"mode": "token", "token": TOKEN, "rateLimit": RATE},
        "controlUi": {"allowedOrigins": ["https://ui.example.com"]},
    }
    base.update(gateway)
    return {"gateway": base}


def local(**gateway: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"auth": {"token": TOKEN}, "trustedProxies": ["127.0.0.1"]}
    base.update(gateway)
    return {"gateway": base}


def test_hardened_configs_are_quiet() -> None:
    assert gw(lan()) == []
    assert gw(local()) == []


# --- tools_invoke_http.dangerous_allow --------------------------------------------------------


def test_dangerous_allow_lists_names_in_deny_order_and_escalates() -> None:
    cfg = local(tools={"allow": ["GATEWAY", " exec", "cron", "read"]})
    f = one(gw(cfg), "gateway.tools_invoke_http.dangerous_allow")
    assert f.severity is Severity.WARN
    assert "exec, gateway" in f.detail
    assert "cron" not in f.detail
    assert f.remediation and "gateway.tools.allow" in f.remediation
    assert one(gw(lan(tools={"allow": ["exec"]})), f.check_id).severity is Severity.CRITICAL
    funnel = local(tools={"allow": ["exec"]}, tailscale={"mode": "funnel"})
    assert one(gw(funnel), f.check_id).severity is Severity.CRITICAL
    serve = local(tools={"allow": ["exec"]}, tailscale={"mode": "serve"})
    assert one(gw(serve), f.check_id).severity is Severity.WARN


def test_dangerous_allow_near_miss_cron_is_not_automations() -> None:
    assert not by_id(
        gw(local(tools={"allow": ["cron", "read"]})), "gateway.tools_invoke_http.dangerous_allow"
    )


# --- bind_no_auth ----------------------------------------------------------------------------


def test_bind_no_auth() -> None:
    f = one(gw({"gateway": {"bind": "lan"}}), "gateway.bind_no_auth")
    assert f.severity is Severity.CRITICAL
    assert '"lan"' in f.detail
    assert f.remediation
    assert not by_id(gw(lan()), "gateway.bind_no_auth")
    # Tailscale identity is not auth for a LAN bind; trusted-proxy is.
    assert by_id(
        gw({"gateway": {"bind": "lan", "tailscale": {"mode": "serve"}}}), "gateway.bind_no_auth"
    )
    tp = {"gateway": {"bind": "lan", "auth": {"mode": "trusted-proxy"}}}
    assert not by_id(gw(tp), "gateway.bind_no_auth")


def test_bind_no_auth_env_token_and_override() -> None:
    bare = {"gateway": {"bind": "lan"}}
    assert not by_id(gw(bare, env={"OPENCLAW_GATEWAY_TOKEN": "x"}), "gateway.bind_no_auth")
    override = AuthOverride(mode="none")
    assert by_id(gw(lan(), auth_override=override), "gateway.bind_no_auth")
    pw = AuthOverride(mode="password", password="cli-password")
    assert not by_id(gw(bare, auth_override=pw), "gateway.bind_no_auth")


def test_bind_no_auth_unresolved_secret_ref_counts_as_configured() -> None:
    src = {"gateway": {"bind": "lan", "auth": {"token": {"source": "env", "id": "GONE"}}}}
    assert not by_id(gw({"gateway": {"bind": "lan"}}, source=src), "gateway.bind_no_auth")


# --- env_token_overrides_config --------------------------------------------------------------


ENV = {"OPENCLAW_GATEWAY_TOKEN": "env-token-value"}
CONFLICT = "gateway.env_token_overrides_config"


def test_env_token_conflict_fires_for_different_plain_token() -> None:
    f = one(gw(local(), env=ENV), CONFLICT)
    assert f.severity is Severity.WARN
    assert "OPENCLAW_GATEWAY_TOKEN" in f.title and "gateway.auth.token" in f.title
    assert f.remediation and "${OPENCLAW_GATEWAY_TOKEN}" in f.remediation


def test_env_token_conflict_fires_for_other_secret_ref() -> None:
    src = local(auth={"token": {"source": "env", "id": "OTHER_TOKEN"}})
    assert by_id(gw(local(), source=src, env=ENV), CONFLICT)
    src = local(auth={"token": {"source": "file", "provider": "vault", "id": "/gw"}})
    assert by_id(gw(local(), source=src, env=ENV), CONFLICT)


@pytest.mark.parametrize(
    ("cfg", "env"),
    [
        (local(), {}),
        (local(), {"OPENCLAW_GATEWAY_TOKEN": "  "}),
        (local(auth={"token": "env-token-value"}), ENV),
        (local(auth={"token": " env-token-value "}), ENV),
        (local(), {**ENV, "OPENCLAW_SERVICE_KIND": " gateway "}),
        (local(mode="remote"), ENV),
        (local(auth={"mode": "password", "token": TOKEN}), ENV),
        (local(auth={"mode": "none", "token": TOKEN}), ENV),
        (local(auth={"mode": "trusted-proxy", "token": TOKEN}), ENV),
        (local(auth={}), ENV),
        (local(auth={"token": "   "}), ENV),
        (local(auth={"token": {"source": "env", "id": "OPENCLAW_GATEWAY_TOKEN"}}), ENV),
        (local(auth={"token": "${OPENCLAW_GATEWAY_TOKEN}"}), ENV),
    ],
)
def test_env_token_conflict_near_misses(cfg: dict[str, Any], env: dict[str, str]) -> None:
    assert not by_id(gw(cfg, env=env), CONFLICT)


def test_env_token_conflict_fires_with_other_service_kind() -> None:
    assert by_id(gw(local(), env={**ENV, "OPENCLAW_SERVICE_KIND": "node"}), CONFLICT)


# --- trusted_proxies_missing / loopback_no_auth ----------------------------------------------


def test_near_empty_config_fires_both_loopback_checks() -> None:
    found = gw({})
    assert ids(found) == ["gateway.trusted_proxies_missing", "gateway.loopback_no_auth"]
    assert found[0].severity is Severity.WARN and found[0].remediation
    assert found[1].severity is Severity.CRITICAL and found[1].remediation


def test_trusted_proxies_missing_near_misses() -> None:
    assert not by_id(
        gw(local(controlUi={"enabled": False}, trustedProxies=[])),
        "gateway.trusted_proxies_missing",
    )
    assert not by_id(gw(local()), "gateway.trusted_proxies_missing")
    assert not by_id(gw(lan(trustedProxies=[])), "gateway.trusted_proxies_missing")
    assert by_id(gw(local(trustedProxies=["", "  "])), "gateway.trusted_proxies_missing")


@pytest.mark.parametrize(
    "gateway",
    [
        {"auth": {"token": TOKEN}},
        {"auth": {"mode": "trusted-proxy"}},
        {"tailscale": {"mode": "serve"}},
        {"controlUi": {"enabled": False}},
    ],
)
def test_loopback_no_auth_near_misses(gateway: dict[str, Any]) -> None:
    assert not by_id(gw({"gateway": gateway}), "gateway.loopback_no_auth")


def test_loopback_no_auth_with_override_none_and_missing_env_var() -> None:
    assert by_id(gw(local(), auth_override=AuthOverride(mode="none")), "gateway.loopback_no_auth")
    # ${MISSING} leaves the path absent in both views.
    assert by_id(gw({"gateway": {"auth": {}}}), "gateway.loopback_no_auth")
    assert not by_id(gw({}, env={"OPENCLAW_GATEWAY_PASSWORD": "pw"}), "gateway.loopback_no_auth")


def test_loopback_tailscale_serve_without_tailscale_auth_fires() -> None:
    cfg = {"gateway": {"tailscale": {"mode": "serve"}, "auth": {"allowTailscale": False}}}
    assert by_id(gw(cfg), "gateway.loopback_no_auth")


# --- Control UI origins ----------------------------------------------------------------------


def test_allowed_origins_required() -> None:
    f = one(gw(lan(controlUi={})), "gateway.control_ui.allowed_origins_required")
    assert f.severity is Severity.CRITICAL and f.remediation
    assert not by_id(gw(lan()), f.check_id)
    assert not by_id(gw(lan(controlUi={"enabled": False})), f.check_id)
    assert not by_id(gw(local(controlUi={})), f.check_id)
    fallback = lan(controlUi={"dangerouslyAllowHostHeaderOriginFallback": True})
    assert not by_id(gw(fallback), f.check_id)
    assert by_id(gw(lan(controlUi={"allowedOrigins": ["", " "]})), f.check_id)


def test_allowed_origins_wildcard_escalation() -> None:
    cid = "gateway.control_ui.allowed_origins_wildcard"
    assert one(gw(lan(controlUi={"allowedOrigins": [" * "]})), cid).severity is Severity.CRITICAL
    f = one(gw(local(controlUi={"allowedOrigins": ["*"]})), cid)
    assert f.severity is Severity.WARN and f.remediation
    assert not by_id(gw(local(controlUi={"allowedOrigins": ["https://*.example.com"]})), cid)


def test_host_header_fallback_escalation() -> None:
    cid = "gateway.control_ui.host_header_origin_fallback"
    on = {"dangerouslyAllowHostHeaderOriginFallback": True}
    assert one(gw(lan(controlUi=on)), cid).severity is Severity.CRITICAL
    f = one(gw(local(controlUi=on)), cid)
    assert f.severity is Severity.WARN and f.remediation
    assert not by_id(gw(local(controlUi={"dangerouslyAllowHostHeaderOriginFallback": "true"})), cid)


# --- real IP fallback ------------------------------------------------------------------------

REAL_IP = "gateway.real_ip_fallback_enabled"


def test_real_ip_fallback_escalation() -> None:
    assert one(gw(local(allowRealIpFallback=True)), REAL_IP).severity is Severity.WARN
    assert one(gw(lan(allowRealIpFallback=True)), REAL_IP).severity is Severity.CRITICAL
    tp_remote = local(
        allowRealIpFallback=True,
        auth={"mode": "trusted-proxy"},
        trustedProxies=["127.0.0.1", "10.0.0.5"],
    )
    assert one(gw(tp_remote), REAL_IP).severity is Severity.CRITICAL
    tp_local = local(
        allowRealIpFallback=True, auth={"mode": "trusted-proxy"}, trustedProxies=["::1/128"]
    )
    assert one(gw(tp_local), REAL_IP).severity is Severity.WARN
    # A remote proxy without trusted-proxy mode stays warn on loopback.
    assert (
        one(gw(local(allowRealIpFallback=True, trustedProxies=["10.0.0.5"])), REAL_IP).severity
        is Severity.WARN
    )
    # The --auth override decides the mode.
    over = gw(
        local(allowRealIpFallback=True, trustedProxies=["10.0.0.5"]),
        auth_override=AuthOverride("trusted-proxy"),
    )
    assert one(over, REAL_IP).severity is Severity.CRITICAL


def test_real_ip_fallback_near_miss() -> None:
    assert not by_id(gw(local(allowRealIpFallback="yes")), REAL_IP)


# --- mDNS / Tailscale / MCP ------------------------------------------------------------------


def test_mdns_full_mode() -> None:
    full = {"discovery": {"mdns": {"mode": "full"}}}
    f = one(gw({**local(), **full}), "discovery.mdns_full_mode")
    assert f.severity is Severity.WARN and f.remediation and "minimal" in f.remediation
    assert one(gw({**lan(), **full}), f.check_id).severity is Severity.CRITICAL
    assert not by_id(gw({**local(), "discovery": {"mdns": {"mode": "minimal"}}}), f.check_id)


def test_tailscale_funnel_and_serve_are_exclusive() -> None:
    funnel = gw(local(tailscale={"mode": "funnel"}))
    f = one(funnel, "gateway.tailscale_funnel")
    assert f.severity is Severity.CRITICAL and f.remediation
    assert not by_id(funnel, "gateway.tailscale_serve")
    serve = gw(local(tailscale={"mode": "serve"}))
    s = one(serve, "gateway.tailscale_serve")
    assert s.severity is Severity.INFO and s.remediation is None
    assert not by_id(serve, "gateway.tailscale_funnel")
    quiet = gw(local(tailscale={"mode": "off"}))
    assert not by_id(quiet, "gateway.tailscale_serve") and not by_id(
        quiet, "gateway.tailscale_funnel"
    )


def test_mcp_apps_enabled() -> None:
    f = one(gw({**local(), "mcp": {"apps": {"enabled": True}}}), "mcp.apps.enabled")
    assert f.severity is Severity.WARN and f.remediation
    assert not by_id(gw({**local(), "mcp": {"apps": {"enabled": "true"}}}), "mcp.apps.enabled")


# --- placeholder / too short -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "  ", "undefined", " null "])
def test_token_placeholder(value: str) -> None:
    f = one(gw(local(auth={"token": value})), "gateway.token_placeholder_value")
    assert f.severity is Severity.CRITICAL
    assert f.remediation and "openclaw doctor --fix --generate-gateway-token" in f.remediation
    assert not by_id(gw(local(auth={"token": value})), "gateway.token_too_short")


def test_token_placeholder_remediation_names_profile() -> None:
    f = one(
        gw(local(auth={"token": "null"}), env={"OPENCLAW_PROFILE": "work"}),
        "gateway.token_placeholder_value",
    )
    assert f.remediation and "openclaw --profile work doctor" in f.remediation


def test_password_placeholder_and_override() -> None:
    f = one(
        gw(local(auth={"mode": "password", "password": "undefined"})),
        "gateway.password_placeholder_value",
    )
    assert f.severity is Severity.CRITICAL
    assert f.remediation and "OPENCLAW_GATEWAY_PASSWORD" in f.remediation
    over = gw(local(), auth_override=AuthOverride(mode="password", password=" "))
    assert by_id(over, "gateway.password_placeholder_value")


def test_placeholder_near_misses() -> None:
    assert not by_id(
        gw(local(auth={"token": "nullish-but-long-enough-token-1234"})),
        "gateway.token_placeholder_value",
    )
    # Only the credential of the active mode is checked.
    assert not [
        f
        for f in gw(local(auth={"mode": "password", "password": "p" * 30, "token": "null"}))
        if "placeholder" in f.check_id or "short" in f.check_id
    ]
    # Env token wins over a blank config token.
    assert not by_id(
        gw(local(auth={"token": ""}), env={"OPENCLAW_GATEWAY_TOKEN": "e" * 30}),
        "gateway.token_placeholder_value",
    )
    # A SecretRef that resolved to nothing, or is still unresolved, is absent.
    src = local(auth={"token": {"source": "env", "id": "EMPTY"}})
    assert not by_id(gw(local(auth={"token": ""}), source=src), "gateway.token_placeholder_value")
    assert not by_id(gw(src), "gateway.token_placeholder_value")
    assert not by_id(gw({}), "gateway.token_placeholder_value")
    assert not by_id(
        gw(local(auth={"mode": "none", "token": ""})), "gateway.token_placeholder_value"
    )


def test_token_too_short_gives_length_not_value() -> None:
    f = one(gw(local(auth={"token": "  short-token-123  "})), "gateway.token_too_short")
    assert f.severity is Severity.WARN and f.remediation is None
    assert "15" in f.detail and "short-token-123" not in f.detail
    assert not by_id(gw(local(auth={"token": "x" * 24})), "gateway.token_too_short")
    assert by_id(gw(local(auth={"token": "x" * 23})), "gateway.token_too_short")


def test_password_too_short_env_and_override() -> None:
    cfg = local(auth={"mode": "password"})
    f = one(gw(cfg, env={"OPENCLAW_GATEWAY_PASSWORD": "hunter2"}), "gateway.password_too_short")
    assert "7" in f.detail and f.remediation is None
    over = gw(local(), auth_override=AuthOverride(mode="password", password="abc"))
    assert by_id(over, "gateway.password_too_short")
    assert not by_id(over, "gateway.token_too_short")
    tok = gw(local(), auth_override=AuthOverride(token="short"))
    assert by_id(tok, "gateway.token_too_short")


# --- trusted-proxy family --------------------------------------------------------------------


def tp(**trusted_proxy: Any) -> dict[str, Any]:
    return local(
        auth={"mode": "trusted-proxy", "trustedProxy": trusted_proxy},
        trustedProxies=["10.0.0.2"],
    )


def test_trusted_proxy_minimal_set() -> None:
    found = gw(tp(userHeader="x-forwarded-user", allowUsers=["a@example.com"]))
    assert ids(found) == ["gateway.trusted_proxy_auth"]
    assert found[0].severity is Severity.CRITICAL and found[0].remediation


def test_trusted_proxy_everything_wrong_in_order() -> None:
    cfg = local(
        auth={
            "mode": "trusted-proxy",
            "trustedProxy": {
                "userHeader": "  ",
                "allowLoopback": True,
                "deviceAutoApprove": {"enabled": True, "scopes": [" operator.admin "]},
                "allowUsers": [],
            },
        },
        trustedProxies=[],
    )
    found = [f for f in gw(cfg) if f.check_id.startswith("gateway.trusted_proxy_")]
    assert ids(found) == [
        "gateway.trusted_proxy_auth",
        "gateway.trusted_proxy_no_proxies",
        "gateway.trusted_proxy_no_user_header",
        "gateway.trusted_proxy_allow_loopback",
        "gateway.trusted_proxy_device_auto_approve",
        "gateway.trusted_proxy_device_auto_approve_admin",
        "gateway.trusted_proxy_no_allowlist",
    ]
    sev = {f.check_id: f.severity for f in found}
    assert sev["gateway.trusted_proxy_no_proxies"] is Severity.CRITICAL
    assert sev["gateway.trusted_proxy_no_user_header"] is Severity.CRITICAL
    assert sev["gateway.trusted_proxy_allow_loopback"] is Severity.WARN
    assert sev["gateway.trusted_proxy_device_auto_approve"] is Severity.WARN
    assert sev["gateway.trusted_proxy_device_auto_approve_admin"] is Severity.CRITICAL
    assert sev["gateway.trusted_proxy_no_allowlist"] is Severity.WARN
    assert all(f.remediation for f in found)


def test_trusted_proxy_near_misses() -> None:
    base = {"userHeader": "x-user", "allowUsers": ["a"]}
    auto = {**base, "deviceAutoApprove": {"enabled": True, "scopes": ["operator.read"]}}
    found = ids(gw(tp(**auto)))
    assert "gateway.trusted_proxy_device_auto_approve" in found
    assert "gateway.trusted_proxy_device_auto_approve_admin" not in found
    admin_off = {**base, "deviceAutoApprove": {"enabled": False, "scopes": ["operator.admin"]}}
    assert "gateway.trusted_proxy_device_auto_approve_admin" not in ids(gw(tp(**admin_off)))
    assert "gateway.trusted_proxy_allow_loopback" not in ids(gw(tp(**base, allowLoopback="true")))
    # Not in trusted-proxy mode: nothing from the family, even with proxy settings present.
    cfg = local(auth={"token": TOKEN, "trustedProxy": {"allowLoopback": True}})
    assert not [i for i in ids(gw(cfg)) if i.startswith("gateway.trusted_proxy_")]


def test_trusted_proxy_via_override() -> None:
    found = ids(gw(local(), auth_override=AuthOverride(mode="trusted-proxy")))
    assert "gateway.trusted_proxy_auth" in found
    assert "gateway.trusted_proxy_no_user_header" in found
    assert "gateway.loopback_no_auth" not in found


# --- rate limit ------------------------------------------------------------------------------


def test_auth_no_rate_limit() -> None:
    cfg = lan(auth={"token": TOKEN})
    f = one(gw(cfg), "gateway.auth_no_rate_limit")
    assert f.severity is Severity.WARN and f.remediation and "maxAttempts" in f.remediation
    assert not by_id(gw(lan()), f.check_id)
    assert not by_id(gw(local()), f.check_id)
    assert by_id(gw(lan(auth={"token": TOKEN, "rateLimit": 0})), f.check_id)
    tp_lan = lan(auth={"mode": "trusted-proxy"})
    assert not by_id(gw(tp_lan), f.check_id)


# --- group order -----------------------------------------------------------------------------

ROW_ORDER = [
    "gateway.tools_invoke_http.dangerous_allow",
    "gateway.bind_no_auth",
    "gateway.env_token_overrides_config",
    "gateway.trusted_proxies_missing",
    "gateway.loopback_no_auth",
    "gateway.control_ui.allowed_origins_required",
    "gateway.control_ui.allowed_origins_wildcard",
    "gateway.control_ui.host_header_origin_fallback",
    "gateway.real_ip_fallback_enabled",
    "discovery.mdns_full_mode",
    "gateway.tailscale_funnel",
    "gateway.tailscale_serve",
    "mcp.apps.enabled",
    "config.insecure_or_dangerous_flags",
    "gateway.token_placeholder_value",
    "gateway.password_placeholder_value",
    "gateway.token_too_short",
    "gateway.password_too_short",
    "gateway.trusted_proxy_auth",
    "gateway.trusted_proxy_no_proxies",
    "gateway.trusted_proxy_no_user_header",
    "gateway.trusted_proxy_allow_loopback",
    "gateway.trusted_proxy_device_auto_approve",
    "gateway.trusted_proxy_device_auto_approve_admin",
    "gateway.trusted_proxy_no_allowlist",
    "gateway.auth_no_rate_limit",
]


def _assert_in_row_order(found: list[str]) -> None:
    positions = [ROW_ORDER.index(i) for i in found]
    assert positions == sorted(positions), found


def test_group_emits_in_row_order_lan() -> None:
    cfg = {
        "gateway": {
            "bind": "lan",
            "tools": {"allow": ["exec"]},
            "auth": {"token": "short"},
            "controlUi": {
                "allowedOrigins": ["*"],
                "dangerouslyAllowHostHeaderOriginFallback": True,
            },
            "allowRealIpFallback": True,
            "tailscale": {"mode": "funnel"},
        },
        "discovery": {"mdns": {"mode": "full"}},
        "mcp": {"apps": {"enabled": True}},
        "tools": {"fs": {"workspaceOnly": False}},
    }
    found = ids(gw(cfg, env=ENV))
    assert found == [
        "gateway.tools_invoke_http.dangerous_allow",
        "gateway.env_token_overrides_config",
        "gateway.control_ui.allowed_origins_wildcard",
        "gateway.control_ui.host_header_origin_fallback",
        "gateway.real_ip_fallback_enabled",
        "discovery.mdns_full_mode",
        "gateway.tailscale_funnel",
        "mcp.apps.enabled",
        "config.insecure_or_dangerous_flags",
        "config.insecure_or_dangerous_flags",
        "gateway.token_too_short",
        "gateway.auth_no_rate_limit",
    ]
    _assert_in_row_order(found)


def test_group_emits_in_row_order_open_lan_and_trusted_proxy() -> None:
    found = ids(
        gw({"gateway": {"bind": "lan", "tailscale": {"mode": "serve"}, "auth": {"token": "null"}}})
    )
    _assert_in_row_order(found)
    assert "gateway.tailscale_serve" in found and "gateway.token_placeholder_value" in found
    found = ids(gw({"gateway": {"bind": "custom", "auth": {"mode": "trusted-proxy"}}}))
    _assert_in_row_order(found)
    assert found[0] == "gateway.control_ui.allowed_origins_required"


def test_no_auth_details_name_mode_none() -> None:
    f = one(gw({"gateway": {"auth": {"mode": "none"}}}), "gateway.loopback_no_auth")
    assert '"none"' in f.detail
    f = one(gw({"gateway": {"bind": "lan"}}), "gateway.bind_no_auth")
    assert "token or password" in f.detail
