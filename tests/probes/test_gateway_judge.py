"""Gateway probe: target/credential rules (§2-§3) and the judge (§4.3-§4.4), on recorded facts."""

from __future__ import annotations

from typing import Any

import pytest

from builders import make_ctx
from openclaw_audit.probes.base import ProbeOptions
from openclaw_audit.probes.gateway_judge import (
    GatewayFacts,
    effective_error,
    gateway_findings,
    gateway_section,
)
from openclaw_audit.probes.gateway_target import (
    SRC_ENV,
    SRC_LOCAL,
    SRC_REMOTE,
    SRC_REMOTE_MISSING,
    resolve_credentials,
    resolve_target,
)
from openclaw_audit.report.model import Severity

WARN_TOKEN = (
    "gateway.auth.token SecretRef is unresolved in this command path; "
    "probing without configured auth credentials."
)


def facts(**kw: Any) -> GatewayFacts:
    base: dict[str, Any] = {
        "url": "ws://127.0.0.1:18789",
        "url_source": SRC_LOCAL,
        "attempted": True,
        "ok": True,
    }
    base.update(kw)
    return GatewayFacts(**base)


# -- location (§2) ---------------------------------------------------------------------------


def test_default_local_url() -> None:
    t = resolve_target(make_ctx({}))
    assert (t.url, t.url_source, t.mode, t.port, t.refused) == (
        "ws://127.0.0.1:18789",
        SRC_LOCAL,
        "local",
        18789,
        None,
    )


def test_port_env_beats_config_and_bind_never_changes_host() -> None:
    ctx = make_ctx(
        {"gateway": {"port": 1111, "bind": "lan", "tls": {"enabled": True}}},
        env={"OPENCLAW_GATEWAY_PORT": "2222"},
    )
    assert resolve_target(ctx).url == "wss://127.0.0.1:2222"


@pytest.mark.parametrize("bad", ["abc", "0", "-5", " ", "12ab"])
def test_bad_env_port_falls_back_to_config(bad: str) -> None:
    ctx = make_ctx({"gateway": {"port": 3333}}, env={"OPENCLAW_GATEWAY_PORT": bad})
    assert resolve_target(ctx).port == 3333


def test_legacy_port_env_and_odd_config_port() -> None:
    assert resolve_target(make_ctx({}, env={"CLAWDBOT_GATEWAY_PORT": "4444"})).port == 4444
    assert resolve_target(make_ctx({"gateway": {"port": "5555"}})).port == 18789
    assert resolve_target(make_ctx({"gateway": {"port": -1}})).port == 18789
    assert resolve_target(make_ctx({"gateway": "weird"})).port == 18789


def test_tls_enabled_must_be_true_exactly() -> None:
    assert resolve_target(make_ctx({"gateway": {"tls": {"enabled": "true"}}})).url.startswith(
        "ws://"
    )


def test_remote_mode_url() -> None:
    ctx = make_ctx({"gateway": {"mode": "remote", "remote": {"url": " wss://gw.example:443 "}}})
    t = resolve_target(ctx)
    assert (t.url, t.url_source, t.mode, t.is_remote_url) == (
        "wss://gw.example:443",
        SRC_REMOTE,
        "remote",
        True,
    )
    assert t.verify_tls is True


def test_remote_mode_without_url_falls_back_local() -> None:
    t = resolve_target(make_ctx({"gateway": {"mode": "remote", "remote": {"url": "  "}}}))
    assert (t.url, t.url_source, t.mode) == ("ws://127.0.0.1:18789", SRC_REMOTE_MISSING, "local")


def test_env_url_wins_over_remote() -> None:
    ctx = make_ctx(
        {"gateway": {"mode": "remote", "remote": {"url": "wss://gw.example"}}},
        env={"OPENCLAW_GATEWAY_URL": " ws://localhost:9 "},
    )
    t = resolve_target(ctx)
    assert (t.url, t.url_source, t.is_remote_url) == ("ws://localhost:9", SRC_ENV, False)


def test_remote_url_ignored_in_local_mode() -> None:
    t = resolve_target(make_ctx({"gateway": {"remote": {"url": "wss://gw.example"}}}))
    assert t.url == "ws://127.0.0.1:18789"


def test_plaintext_non_loopback_refused_with_redacted_url() -> None:
    ctx = make_ctx({}, env={"OPENCLAW_GATEWAY_URL": "ws://u:p@gw.example:18789/?token=zz"})
    t = resolve_target(ctx)
    assert t.refused is not None
    assert t.refused.startswith(
        'SECURITY ERROR: Gateway URL "ws://<redacted>:<redacted>@gw.example:18789/?token=<redacted>" uses plaintext '
        "ws:// to a non-loopback address."
    )
    assert "zz" not in t.refused


def test_plaintext_exceptions() -> None:
    ssh = make_ctx(
        {"gateway": {"mode": "remote", "remote": {"url": "ws://gw.example", "transport": "ssh"}}}
    )
    assert resolve_target(ssh).refused is None
    private = {"OPENCLAW_GATEWAY_URL": "ws://192.168.1.9:18789"}
    assert resolve_target(make_ctx({}, env=private)).refused is not None
    allowed = {**private, "OPENCLAW_ALLOW_INSECURE_PRIVATE_WS": "1"}
    assert resolve_target(make_ctx({}, env=allowed)).refused is None
    public = {"OPENCLAW_GATEWAY_URL": "ws://8.8.8.8", "OPENCLAW_ALLOW_INSECURE_PRIVATE_WS": "1"}
    assert resolve_target(make_ctx({}, env=public)).refused is not None
    assert (
        resolve_target(make_ctx({}, env={"OPENCLAW_GATEWAY_URL": "ws://[::1]:9"})).refused is None
    )


def test_pin_and_edge_headers_only_for_remote_url() -> None:
    cfg = {
        "gateway": {
            "mode": "remote",
            "remote": {
                "url": "wss://gw.example",
                "tlsFingerprint": "AB:CD:EF",
                "edgeAuth": {"X-Edge": "edge-secret", "Bad": 5},
            },
        }
    }
    t = resolve_target(make_ctx(cfg))
    assert t.tls_fingerprint == "abcdef"
    assert dict(t.edge_headers) == {"X-Edge": "edge-secret"}
    other = resolve_target(make_ctx(cfg, env={"OPENCLAW_GATEWAY_URL": "wss://other.example"}))
    assert other.tls_fingerprint is None and not other.edge_headers


def test_loopback_wss_skips_verification() -> None:
    t = resolve_target(make_ctx({"gateway": {"tls": {"enabled": True}}}))
    assert t.secure and t.verify_tls is False


# -- credentials (§3) ------------------------------------------------------------------------


def test_explicit_override_wins_and_never_warns() -> None:
    ctx = make_ctx(
        {"gateway": {"auth": {"token": "cfg-token"}}},
        source={"gateway": {"auth": {"token": {"source": "env", "provider": "d", "id": "X"}}}},
    )
    c = resolve_credentials(ctx, ProbeOptions(token="  cli-token  ", password="pw"))
    assert (c.token, c.password, c.warning) == ("cli-token", "pw", None)


def test_blank_override_ignored() -> None:
    ctx = make_ctx({"gateway": {"auth": {"token": "cfg-token"}}})
    assert resolve_credentials(ctx, ProbeOptions(token="   ")).token == "cfg-token"


def test_local_env_beats_config_and_remote_creds_unused() -> None:
    ctx = make_ctx(
        {"gateway": {"auth": {"token": "cfg"}, "remote": {"token": "remote-tok"}}},
        env={"OPENCLAW_GATEWAY_TOKEN": "env-tok", "OPENCLAW_GATEWAY_PASSWORD": "env-pw"},
    )
    c = resolve_credentials(ctx, ProbeOptions())
    assert (c.token, c.password) == ("env-tok", "env-pw")
    legacy = make_ctx({}, env={"CLAWDBOT_GATEWAY_TOKEN": "legacy"})
    assert resolve_credentials(legacy, ProbeOptions()).token is None


def test_remote_mode_uses_remote_creds_only() -> None:
    ctx = make_ctx(
        {
            "gateway": {
                "mode": "remote",
                "auth": {"token": "local"},
                "remote": {"url": "wss://gw.example", "token": "rt", "password": 7},
            }
        },
        env={"OPENCLAW_GATEWAY_TOKEN": "env-tok"},
    )
    c = resolve_credentials(ctx, ProbeOptions())
    assert (c.token, c.password) == ("rt", None)


REF = {"source": "env", "provider": "default", "id": "MISSING_TOKEN"}


def test_unresolved_token_ref_warns_and_drops_credentials() -> None:
    ctx = make_ctx(
        {"gateway": {"auth": {"mode": "token", "password": "pw"}}},
        source={"gateway": {"auth": {"mode": "token", "token": REF, "password": "pw"}}},
    )
    c = resolve_credentials(ctx, ProbeOptions())
    assert (c.token, c.password, c.warning) == (None, None, WARN_TOKEN)


@pytest.mark.parametrize("shorthand", ["${MISSING_TOKEN}", "$MISSING_TOKEN", "secretref-env:X"])
def test_unresolved_string_shorthand_refs(shorthand: str) -> None:
    ctx = make_ctx({"gateway": {}}, source={"gateway": {"auth": {"token": shorthand}}})
    assert resolve_credentials(ctx, ProbeOptions()).warning == WARN_TOKEN


def test_env_token_supplies_the_credential_no_warning() -> None:
    ctx = make_ctx(
        {"gateway": {}},
        source={"gateway": {"auth": {"token": REF}}},
        env={"OPENCLAW_GATEWAY_TOKEN": "env-tok"},
    )
    c = resolve_credentials(ctx, ProbeOptions())
    assert (c.token, c.warning) == ("env-tok", None)


def test_password_mode_makes_unresolved_token_irrelevant() -> None:
    ctx = make_ctx(
        {"gateway": {"auth": {"mode": "password", "password": "pw"}}},
        source={"gateway": {"auth": {"mode": "password", "token": REF, "password": "pw"}}},
    )
    c = resolve_credentials(ctx, ProbeOptions())
    assert (c.password, c.warning) == ("pw", None)


def test_unset_mode_with_resolved_password_does_not_warn_on_token() -> None:
    ctx = make_ctx(
        {"gateway": {"auth": {"password": "pw"}}},
        source={"gateway": {"auth": {"token": REF, "password": "pw"}}},
    )
    assert resolve_credentials(ctx, ProbeOptions()).warning is None


def test_unresolved_password_ref_in_password_mode() -> None:
    ctx = make_ctx(
        {"gateway": {"auth": {"mode": "password"}}},
        source={"gateway": {"auth": {"mode": "password", "password": REF}}},
    )
    assert resolve_credentials(ctx, ProbeOptions()).warning == (
        "gateway.auth.password SecretRef is unresolved in this command path; "
        "probing without configured auth credentials."
    )


def test_none_mode_never_warns() -> None:
    ctx = make_ctx(
        {"gateway": {"auth": {"mode": "none"}}},
        source={"gateway": {"auth": {"mode": "none", "token": REF}}},
    )
    assert resolve_credentials(ctx, ProbeOptions()).warning is None


def test_remote_ref_warning_path() -> None:
    cfg = {"gateway": {"mode": "remote", "remote": {"url": "wss://gw.example"}}}
    src = {"gateway": {"mode": "remote", "remote": {"url": "wss://gw.example", "token": REF}}}
    c = resolve_credentials(make_ctx(cfg, source=src), ProbeOptions())
    assert c.warning is not None and c.warning.startswith("gateway.remote.token SecretRef")


def test_plain_string_is_not_a_ref() -> None:
    ctx = make_ctx({"gateway": {}}, source={"gateway": {"auth": {"token": "lower$case"}}})
    assert resolve_credentials(ctx, ProbeOptions()).warning is None


# -- judge (§4.3-§4.4) ---------------------------------------------------------------------


def test_ok_probe_no_findings_and_full_section() -> None:
    f = facts(hello_ok=True, protocol=3, server_version="v", scopes=("operator.read",))
    assert gateway_findings(make_ctx({}), f) == []
    assert gateway_section(f) == {
        "attempted": True,
        "url": "ws://127.0.0.1:18789",
        "ok": True,
        "error": None,
        "close": None,
        "urlSource": SRC_LOCAL,
        "helloOk": True,
        "protocol": 3,
        "serverVersion": "v",
        "scopes": ["operator.read"],
        "latencyMs": None,
    }


def test_failed_probe_finding() -> None:
    f = facts(ok=False, error="device identity required", close=(1008, "device identity required"))
    [finding] = gateway_findings(make_ctx({}), f)
    assert finding.check_id == "gateway.probe_failed"
    assert finding.severity is Severity.WARN
    # output-ux.md §2: the URL, then what happened, with the gateway's own words kept.
    assert finding.detail == (
        "ws://127.0.0.1:18789: no credential was sent and the gateway requires one "
        "(gateway: device identity required)"
    )
    assert finding.subject == "ws://127.0.0.1:18789"  # identity: the URL, not the wording
    assert "openclaw status --all" in (finding.remediation or "")
    assert gateway_section(f)["close"] == {"code": 1008, "reason": "device identity required"}
    assert gateway_section(f)["error"] == "device identity required"  # upstream's exact error


def test_failed_probe_without_error_text() -> None:
    [finding] = gateway_findings(make_ctx({}), facts(ok=False, error=None))
    assert finding.detail == "ws://127.0.0.1:18789: gateway unreachable"
    [finding] = gateway_findings(make_ctx({}), facts(url=None, ok=False, error=None))
    assert finding.detail == "gateway unreachable"


@pytest.mark.parametrize(
    ("kw", "detail"),
    [
        ({"error": "timeout", "timeout_s": 5.0}, "ws://127.0.0.1:18789: no answer within 5 s"),
        ({"error": "timeout", "timeout_s": 0.25}, "ws://127.0.0.1:18789: no answer within 0.25 s"),
        (
            {"error": "timeout", "timeout_s": 2.0, "hello_ok": True},
            "ws://127.0.0.1:18789: authenticated, but no answer to the read-only calls within 2 s",
        ),
        (
            {"error": "connect ECONNREFUSED 127.0.0.1:18789"},
            "ws://127.0.0.1:18789: connection refused (nothing listens there; is the gateway "
            "running?) [connect ECONNREFUSED 127.0.0.1:18789]",
        ),
        (
            {"error": "unauthorized: gateway token mismatch", "sent": ("token",)},
            "ws://127.0.0.1:18789: token rejected (gateway: unauthorized: gateway token mismatch)",
        ),
        (
            {"error": "unauthorized: gateway password mismatch", "sent": ("password",)},
            "ws://127.0.0.1:18789: password rejected (gateway: unauthorized: gateway password "
            "mismatch)",
        ),
        (
            {"error": "unauthorized", "sent": ("token", "password")},
            "ws://127.0.0.1:18789: token and password rejected (gateway: unauthorized)",
        ),
        (
            {"error": "gateway closed (1012): service restart"},
            "ws://127.0.0.1:18789: gateway closed (1012): service restart",
        ),
        (
            {"error": "timeout", "timeout_s": 5.0, "via": "ssh me@host"},
            "ws://127.0.0.1:18789 (via ssh me@host): no answer within 5 s",
        ),
        (
            {"attempted": False, "error": "SECURITY ERROR: plaintext"},
            "ws://127.0.0.1:18789: not contacted: SECURITY ERROR: plaintext",
        ),
    ],
)
def test_failure_detail_names_url_and_what_happened(kw: dict[str, Any], detail: str) -> None:
    [finding] = gateway_findings(make_ctx({}), facts(ok=False, **kw))
    assert finding.detail == detail
    assert finding.subject == "ws://127.0.0.1:18789"


def test_failure_after_hello_says_auth_succeeded() -> None:
    f = facts(ok=False, error="missing scope: operator.read", hello_ok=True, scopes=())
    [finding] = gateway_findings(make_ctx({}), f)
    assert finding.detail.startswith("ws://127.0.0.1:18789: missing scope: operator.read")
    assert "authentication succeeded" in finding.detail


def test_profile_inserted_in_remediation() -> None:
    ctx = make_ctx({}, env={"OPENCLAW_PROFILE": "work"})
    [finding] = gateway_findings(ctx, facts(ok=False, error="timeout"))
    assert "openclaw --profile work status --all" in (finding.remediation or "")
    assert "openclaw --profile work security audit --deep" in (finding.remediation or "")


def test_auth_warning_joins_error_and_fires_even_when_ok() -> None:
    failed = facts(ok=False, error="device identity required", auth_warning=WARN_TOKEN)
    assert effective_error(failed) == f"device identity required; {WARN_TOKEN}"
    assert effective_error(facts(ok=False, error="", auth_warning=WARN_TOKEN)) == WARN_TOKEN
    out = gateway_findings(make_ctx({}), failed)
    assert [x.check_id for x in out] == [
        "gateway.probe_failed",
        "gateway.probe_auth_secretref_unavailable",
    ]
    assert out[1].detail == WARN_TOKEN
    ok = facts(ok=True, auth_warning=WARN_TOKEN)
    assert [x.check_id for x in gateway_findings(make_ctx({}), ok)] == [
        "gateway.probe_auth_secretref_unavailable"
    ]
    assert gateway_section(ok)["error"] is None


def test_checks_are_in_the_catalog() -> None:
    from openclaw_audit.engine.registry import load_catalog

    metas = load_catalog().metas
    assert metas["gateway.probe_failed"].severity is Severity.WARN
    assert metas["gateway.probe_auth_secretref_unavailable"].deep
