"""End-to-end corrections that make the audit match OpenClaw 2026.9.6 (issue 13, item 5)."""

from __future__ import annotations

from pathlib import Path

from clirun import ids, run_json, target

LONG = "0123456789abcdef0123456789abcdef0123"


def test_gateway_token_secret_ref_stays_active_with_the_env_token(tmp_path: Path) -> None:
    # 2026.9.6 resolves the config SecretRef although OPENCLAW_GATEWAY_TOKEN is set: the checks
    # judge the config token, and the conflict is its own finding.
    cfg = target(
        tmp_path,
        "gw",
        '{gateway: {mode: "local", bind: "loopback", '
        'auth: {mode: "token", token: {source: "env", provider: "default", id: "GW_CFG"}}}}',
    )
    env = {"OPENCLAW_GATEWAY_TOKEN": "Zq9envTok", "GW_CFG": LONG}
    _, doc = run_json("--config", str(cfg), env=env)
    found = ids(doc)
    assert "gateway.token_too_short" not in found
    assert "gateway.env_token_overrides_config" in found
    assert not any("inactive surface" in d for d in doc["secretDiagnostics"])
    assert LONG not in str(doc) and "Zq9envTok" not in str(doc)


def test_unset_variable_in_hooks_token_is_a_short_literal_token(tmp_path: Path) -> None:
    # hooks.token is a plain string in 2026.9.6: "${OC_HOOK_TOKEN}" stays 16 characters of text.
    cfg = target(
        tmp_path,
        "gw",
        '{gateway: {mode: "local", bind: "loopback", auth: {mode: "token", token: "' + LONG + '"}},'
        ' hooks: {enabled: true, token: "${OC_HOOK_TOKEN}"}}',
    )
    proc_code, doc = run_json("--config", str(cfg))
    assert proc_code == 0
    found = ids(doc)
    assert "hooks.token_too_short" in found
    assert "config.secrets.hooks_token_in_config" not in found
    assert doc["secretDiagnostics"] == []


def test_unset_variable_hint_still_names_secret_ref_fields(tmp_path: Path) -> None:
    cfg = target(
        tmp_path,
        "gw",
        '{gateway: {mode: "local", bind: "loopback", auth: {mode: "token", token: "${GW_T}"}},'
        ' hooks: {enabled: true, token: "${OC_HOOK_TOKEN}"}}',
    )
    _, doc = run_json("--config", str(cfg))
    (f,) = [f for f in doc["findings"] if f["checkId"] == "gateway.loopback_no_auth"]
    assert "${GW_T}" in f["detail"] and "OC_HOOK_TOKEN" not in f["detail"]
