"""Shared gateway auth definitions (checks-gateway.md §1, config-model.md §5)."""

from __future__ import annotations

import pytest

from builders import make_ctx
from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.facts import gateway as ga
from openclaw_audit.facts import secret_refs

TOKEN = "t" * 32


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"source": "env", "provider": "default", "id": "TOK"}, True),
        ({"source": "file", "id": "/a/b"}, True),
        ({"source": "exec", "id": "x", "extra": 1}, False),
        ({"source": "vault", "id": "x"}, False),
        ({"source": "env", "id": " "}, False),
        ("${MY_TOKEN}", True),
        ("$MY_TOKEN", True),
        ("secretref-env:MY_TOKEN", True),
        ("__env__:MY_TOKEN", True),
        ("${lowercase}", False),
        ("plain-secret", False),
        (5, False),
        (None, False),
    ],
)
def test_is_secret_ref(value: object, expected: bool) -> None:
    assert secret_refs.is_secret_ref(value) is expected


def test_configured_secret_input() -> None:
    assert secret_refs.is_configured_secret_input("x")
    assert secret_refs.is_configured_secret_input({"source": "env", "id": "X"})
    assert not secret_refs.is_configured_secret_input("  ")
    assert not secret_refs.is_configured_secret_input(7)


def test_mode_inference_config_first_and_env() -> None:
    assert ga.resolve_gateway_auth(make_ctx({})).mode == "token"
    assert ga.resolve_gateway_auth(make_ctx({})).mode_source == "default"
    pw = ga.resolve_gateway_auth(make_ctx({"gateway": {"auth": {"password": "p" * 30}}}))
    assert (pw.mode, pw.password_source) == ("password", "config")
    env = ga.resolve_gateway_auth(make_ctx({}, env={"OPENCLAW_GATEWAY_PASSWORD": "pw"}))
    assert (env.mode, env.password_source) == ("password", "env")
    both = ga.resolve_gateway_auth(
        make_ctx({"gateway": {"auth": {"token": " cfg "}}}, env={"OPENCLAW_GATEWAY_TOKEN": "e"})
    )
    assert both.token == "cfg"
    assert both.token_source == "config"


def test_secret_ref_left_in_resolved_view_is_not_a_credential() -> None:
    ctx = make_ctx({"gateway": {"auth": {"token": {"source": "env", "id": "T"}}}})
    assert ga.resolve_gateway_auth(ctx).token is None
    ctx = make_ctx({"gateway": {"auth": {"token": "secretref-env:T"}}})
    assert ga.resolve_gateway_auth(ctx).token is None


def test_override_replaces_mode_and_credentials_field_by_field() -> None:
    cfg = {"gateway": {"auth": {"mode": "token", "token": TOKEN}}}
    none = ga.resolve_gateway_auth(make_ctx(cfg, auth_override=AuthOverride(mode="none")))
    assert (none.mode, none.mode_source) == ("none", "override")
    assert none.token == TOKEN  # token field not overridden
    pw = ga.resolve_gateway_auth(
        make_ctx(cfg, auth_override=AuthOverride(mode="password", password="cli-pw"))
    )
    assert (pw.mode, pw.password, pw.password_source) == ("password", "cli-pw", "override")
    tok = ga.resolve_gateway_auth(make_ctx({}, auth_override=AuthOverride(token="cli-tok")))
    assert (tok.mode, tok.mode_source, tok.token_source) == ("token", "token", "override")


def test_resolved_auth_repr_hides_secrets() -> None:
    auth = ga.resolve_gateway_auth(make_ctx({"gateway": {"auth": {"token": "SECRET-VALUE"}}}))
    assert "SECRET-VALUE" not in repr(auth)


def test_allow_tailscale_default_and_explicit() -> None:
    serve = {"gateway": {"tailscale": {"mode": "serve"}}}
    assert ga.resolve_gateway_auth(make_ctx(serve)).allow_tailscale
    assert ga.has_tailscale_auth(make_ctx(serve))
    pw = {"gateway": {"tailscale": {"mode": "serve"}, "auth": {"mode": "password"}}}
    assert not ga.resolve_gateway_auth(make_ctx(pw)).allow_tailscale
    off = {"gateway": {"tailscale": {"mode": "serve"}, "auth": {"allowTailscale": False}}}
    assert not ga.has_tailscale_auth(make_ctx(off))
    funnel = {"gateway": {"tailscale": {"mode": "funnel"}, "auth": {"allowTailscale": True}}}
    assert ga.resolve_gateway_auth(make_ctx(funnel)).allow_tailscale
    assert not ga.has_tailscale_auth(make_ctx(funnel))


def test_token_can_win_sources() -> None:
    assert not ga.token_can_win(make_ctx({}))
    assert ga.token_can_win(make_ctx({}, env={"OPENCLAW_GATEWAY_TOKEN": "x"}))
    assert not ga.token_can_win(make_ctx({}, env={"OPENCLAW_GATEWAY_TOKEN": "  "}))
    ref = {"gateway": {"auth": {"token": {"source": "env", "id": "GONE"}}}}
    # Unresolvable ref: removed in the resolved view but configured in the source view.
    assert ga.token_can_win(make_ctx({}, source=ref))
    remote = {"gateway": {"remote": {"token": "r"}}}
    assert ga.token_can_win(make_ctx(remote))


def test_password_can_win_and_configured() -> None:
    src = {"gateway": {"auth": {"password": {"source": "env", "id": "GONE"}}}}
    assert ga.password_configured(make_ctx({}, source=src))
    # A token that can win blocks an unresolved password unless mode is password.
    both = {"gateway": {"auth": {"token": "t", "password": {"source": "env", "id": "X"}}}}
    assert not ga.password_can_win(make_ctx({"gateway": {"auth": {"token": "t"}}}, source=both))
    assert not ga.password_configured(make_ctx({"gateway": {"auth": {"token": "t"}}}, source=both))
    pw_mode = {
        "gateway": {
            "auth": {"mode": "password", "token": "t", "password": {"source": "env", "id": "X"}}
        }
    }
    assert ga.password_can_win(make_ctx({}, source=pw_mode))
    assert ga.password_configured(make_ctx({}, source=pw_mode))
    assert ga.password_configured(make_ctx({}, env={"OPENCLAW_GATEWAY_PASSWORD": "p"}))


def test_explicit_mode_uses_override_then_source() -> None:
    ctx = make_ctx({"gateway": {"auth": {"mode": "token"}}}, source={"gateway": {"auth": {}}})
    assert ga.explicit_mode(ctx) is None
    ctx = make_ctx({}, source={"gateway": {"auth": {"mode": "password"}}})
    assert ga.explicit_mode(ctx) == "password"
    ctx = make_ctx({"gateway": {"auth": {"mode": "token"}}}, auth_override=AuthOverride("none"))
    assert ga.explicit_mode(ctx) == "none"
    assert ga.explicit_mode(make_ctx({"gateway": {"auth": {"mode": 5}}})) is None


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ({"mode": "token", "token": "x"}, True),
        ({"mode": "token"}, False),
        ({"mode": "password", "password": "p"}, True),
        ({"mode": "password", "token": "x"}, False),
        ({"mode": "none", "token": "x"}, False),
        ({"mode": "trusted-proxy"}, False),
        ({"token": "x"}, True),
        ({}, False),
    ],
)
def test_has_shared_secret(auth: dict[str, object], expected: bool) -> None:
    assert ga.has_shared_secret(make_ctx({"gateway": {"auth": auth}})) is expected


def test_gateway_and_loopback_auth() -> None:
    tp = make_ctx({"gateway": {"auth": {"mode": "trusted-proxy"}}})
    assert ga.has_gateway_auth(tp) and ga.has_loopback_auth(tp)
    serve = make_ctx({"gateway": {"tailscale": {"mode": "serve"}}})
    assert not ga.has_gateway_auth(serve)
    assert ga.has_loopback_auth(serve)


def test_provides_http_auth() -> None:
    def http(cfg: dict[str, object], **kw: object) -> bool:
        return ga.provides_http_auth(ga.resolve_gateway_auth(make_ctx(cfg, **kw)))  # type: ignore[arg-type]

    assert http({"gateway": {"auth": {"token": "x"}}})
    assert not http({})
    assert http({}, env={"OPENCLAW_GATEWAY_TOKEN": "x"})
    assert http({"gateway": {"auth": {"mode": "password", "password": "p"}}})
    assert not http({"gateway": {"auth": {"mode": "password", "token": "x"}}})
    assert http({"gateway": {"auth": {"mode": "trusted-proxy"}}})
    assert not http({"gateway": {"auth": {"mode": "none", "token": "x"}}})
    assert not http({"gateway": {"auth": {"token": "x"}}}, auth_override=AuthOverride("none"))


def test_ui_proxy_mdns_and_deny_list_helpers() -> None:
    ctx = make_ctx(
        {
            "gateway": {
                "controlUi": {"enabled": False, "allowedOrigins": [" https://a ", "", 3]},
                "trustedProxies": [" 10.0.0.1 ", ""],
                "tools": {"allow": ["CRON", " Exec ", "sessions_send", "automations "]},
            },
            "discovery": {"mdns": {"mode": "full"}},
        }
    )
    assert not ga.control_ui_enabled(ctx)
    assert ga.allowed_origins(ctx) == ["https://a"]
    assert ga.trusted_proxies(ctx) == ["10.0.0.1"]
    assert ga.mdns_mode(ctx) == "full"
    assert ga.http_tools_reenabled(ctx) == ["exec", "sessions_send", "automations"]
    assert ga.mdns_mode(make_ctx({})) == "minimal"
    for entry in ("127.0.0.1", "::1", "127.0.0.1/32", "::1/128"):
        assert ga.is_strict_loopback_proxy(entry)
    for entry in ("127.0.0.2", "127.0.0.0/8", "::1/64", "10.0.0.1", ""):
        assert not ga.is_strict_loopback_proxy(entry)


def test_env_reference_look() -> None:
    assert secret_refs.looks_like_env_reference("${GW_PASSWORD}")
    assert secret_refs.looks_like_env_reference(" $gw_password ")
    assert not secret_refs.looks_like_env_reference("hunter2")
    assert not secret_refs.looks_like_env_reference("pa$$word")


@pytest.mark.parametrize("mode", ["token", "none", "trusted-proxy"])
def test_explicit_non_password_mode_blocks_password(mode: str) -> None:
    src = {"gateway": {"auth": {"mode": mode, "password": {"source": "env", "id": "X"}}}}
    ctx = make_ctx({}, source=src)
    assert not ga.password_can_win(ctx)
    assert not ga.password_configured(ctx)
