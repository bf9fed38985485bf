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
