"""A gateway credential that is an unset ``${VAR}`` (trust.md §4, output-ux.md §2): facts.gateway
says which and where to put it; the checks say it with a stable identity; live evidence that the
running gateway enforces auth is added to the static findings it contradicts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from builders import make_ctx, run_checks
from openclaw_audit.engine.live_evidence import auth_proven, with_live_evidence
from openclaw_audit.facts.gateway import (
    explain_absent,
    resolve_gateway_auth,
    unset_credentials,
    unset_note,
)
from openclaw_audit.report.fingerprint import fingerprint

TOKEN = ("gateway", "auth", "token")
PASSWORD = ("gateway", "auth", "password")
NOTE = "${GW_TOKEN} is unset in this environment (gateway.auth.token); put it in /sd/.env or pass --token-file."
CONFIG = {"gateway": {"bind": "loopback", "auth": {"mode": "token"}}}
HTTP_ENFORCED = {
    "baseUrl": "http://127.0.0.1:18789",
    "endpoints": {"/tools/invoke": {"status": 401, "result": "enforced"}},
    "credentialAccepted": None,
}


def ctx_with(unset: dict[tuple[str, ...], str], config: Any = CONFIG, **kw: Any) -> Any:
    return replace(make_ctx(config, state_dir="/sd", **kw), unresolved_vars=unset)


def test_unset_credentials_and_note() -> None:
    assert unset_credentials(ctx_with({})) == ()
    ctx = ctx_with({TOKEN: "GW_TOKEN", PASSWORD: "GW_PW", ("x",): "OTHER"})
    assert [(c.path, c.var) for c in unset_credentials(ctx)] == [
        (TOKEN, "GW_TOKEN"),
        (PASSWORD, "GW_PW"),
    ]
    assert unset_note(ctx) == (
        f"{NOTE} ${{GW_PW}} is unset in this environment (gateway.auth.password); put it in "
        "/sd/.env or pass --password-file."
    )


def test_the_auth_resolution_reports_it() -> None:
    auth = resolve_gateway_auth(ctx_with({TOKEN: "GW_TOKEN"}))
    assert auth.token is None
    assert [(c.path, c.var, c.kind) for c in auth.unset] == [(TOKEN, "GW_TOKEN", "token")]
    assert resolve_gateway_auth(ctx_with({})).unset == ()


def test_a_credential_from_elsewhere_is_not_absent() -> None:
    ctx = ctx_with({TOKEN: "GW_TOKEN"}, env={"OPENCLAW_GATEWAY_TOKEN": "t" * 40})
    assert unset_credentials(ctx) == () and unset_note(ctx) == ""
    assert resolve_gateway_auth(ctx).unset == ()


def test_remote_credentials_are_read_as_they_are() -> None:
    remote = ("gateway", "remote", "token")
    ctx = ctx_with({remote: "REMOTE_T"})
    assert unset_credentials(ctx) == ()  # not a local credential
    [cred] = unset_credentials(ctx, (remote,))
    assert (cred.path, cred.var) == (remote, "REMOTE_T")


def test_explain_absent_keeps_the_identity() -> None:
    assert explain_absent(ctx_with({}), "no auth.") == ("no auth.", None)
    # No subject either way: the fingerprint reads the checkId and location, never the detail
    # (test below: the same fingerprint with and without the note).
    assert explain_absent(ctx_with({TOKEN: "GW_TOKEN"}), "no auth.") == (f"no auth. {NOTE}", None)


def test_checks_say_it_with_the_identity_they_have_without_it() -> None:
    plain = {f.check_id: f for f in run_checks(ctx_with({}))}
    unset = {f.check_id: f for f in run_checks(ctx_with({TOKEN: "GW_TOKEN"}))}
    for cid in ("gateway.loopback_no_auth", "gateway.http.no_auth"):
        assert unset[cid].detail == f"{plain[cid].detail} {NOTE}"
        assert unset[cid].severity is plain[cid].severity
        assert fingerprint(unset[cid]) == fingerprint(plain[cid])
    lan = {"gateway": {"bind": "lan", "auth": {"mode": "token"}}}
    [bind] = [f for f in run_checks(ctx_with({TOKEN: "GW_TOKEN"}, lan)) if f.check_id ==
              "gateway.bind_no_auth"]  # fmt: skip
    assert bind.detail.endswith(NOTE)


def test_auth_proven_by_http_or_by_the_gateway_refusal() -> None:
    assert auth_proven({}) is None
    assert auth_proven({"http": HTTP_ENFORCED}) == (
        "the running gateway at http://127.0.0.1:18789 refused an unauthenticated "
        "POST /tools/invoke (401)"
    )
    opened = {**HTTP_ENFORCED, "endpoints": {"/tools/invoke": {"status": 400, "result": "open"}}}
    assert auth_proven({"http": opened}) is None
    refused = {"url": "ws://127.0.0.1:1", "helloOk": False, "error": "device identity required"}
    assert "refused the probe's connection" in (auth_proven({"gateway": refused}) or "")
    assert auth_proven({"gateway": {**refused, "error": "timeout"}}) is None
    assert auth_proven({"http": {"attempted": False, "skipped": "x"}}) is None


def test_with_live_evidence_annotates_only_what_carries_the_note() -> None:
    ctx = ctx_with({TOKEN: "GW_TOKEN"})
    findings = run_checks(ctx)
    live = with_live_evidence(findings, replace(ctx, live={"http": HTTP_ENFORCED}))
    assert [f.check_id for f in live] == [f.check_id for f in findings]
    changed = {new.check_id: new for old, new in zip(findings, live, strict=True) if old is not new}
    assert set(changed) == {"gateway.loopback_no_auth", "gateway.http.no_auth"}
    for f in changed.values():
        assert "Live evidence contradicts this: the running gateway at http://127.0.0.1:18789" in (
            f.detail
        )
        assert f.detail.endswith(NOTE)
    # Without evidence, or without an unset credential, nothing changes.
    assert with_live_evidence(findings, replace(ctx, live={})) == findings
    plain = run_checks(ctx_with({}))
    assert with_live_evidence(plain, replace(ctx_with({}), live={"http": HTTP_ENFORCED})) == plain
