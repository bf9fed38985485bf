"""Secret canaries: values planted in config, env, --token/--password, token files and a
SecretRef file provider never reach stdout, stderr, JSON or -v logs — in fixed cases and over
random configs (hypothesis)."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import (
    CANARIES,
    CANARY_BOT,
    CANARY_CLI_PASSWORD,
    CANARY_CLI_TOKEN,
    CANARY_ENV,
    CANARY_FILE_REF,
    CANARY_HOOK,
    CANARY_PASSWORD,
    CANARY_TOKEN,
    assert_audit_ran,
    assert_input_error,
    assert_no_canary,
    cli,
    state_dir,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.face.app import Invocation, execute
from openclaw_audit.redaction import Scrubber


def loaded_config(tmp_path: Path) -> dict[str, Any]:
    secret_file = tmp_path / "secrets.json"
    secret_file.write_text(json.dumps({"remote": CANARY_FILE_REF}))
    return {
        "gateway": {
            "bind": "lan",
            "mode": "remote",
            "auth": {"mode": "password", "token": CANARY_TOKEN, "password": CANARY_PASSWORD},
            "remote": {
                "url": "wss://gw.test",
                "token": {"source": "file", "provider": "f", "id": "/remote"},
            },
        },
        "hooks": {"enabled": True, "token": CANARY_HOOK, "path": "/"},
        "channels": {"telegram": {"botToken": CANARY_BOT, "dmPolicy": "open", "allowFrom": ["*"]}},
        "models": {"providers": {"x": {"apiKey": "${ENV_KEY}"}}},
        "secrets": {"providers": {"f": {"source": "file", "path": str(secret_file)}}},
    }


@pytest.mark.parametrize(
    "flags",
    [
        ["--json"],
        [],
        ["-v"],
        ["--json", "-v"],
        ["--auth", "token"],
        ["--auth", "password"],
        ["--min-severity", "critical"],
    ],
    ids=["json", "text", "verbose", "json-verbose", "auth-token", "auth-password", "min-severity"],
)
def test_canaries_never_printed(tmp_path: Path, flags: list[str]) -> None:
    sd = state_dir(tmp_path, json.dumps(loaded_config(tmp_path)))
    out = cli(
        "--state-dir",
        str(sd),
        "--token",
        CANARY_CLI_TOKEN,
        "--password",
        CANARY_CLI_PASSWORD,
        *flags,
        home=tmp_path,
        env={"ENV_KEY": CANARY_ENV, "OPENCLAW_GATEWAY_PASSWORD": CANARY_ENV},
    )
    assert_audit_ran(out, json_mode="--json" in flags)
    assert_no_canary(out)


def test_canaries_from_token_files(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, json.dumps({"gateway": {"bind": "lan"}}))
    (tmp_path / "tok").write_text(CANARY_CLI_TOKEN + "\nsecond line\n")
    (tmp_path / "pw").write_text(CANARY_CLI_PASSWORD)
    out = cli(
        "--state-dir",
        str(sd),
        "--token-file",
        str(tmp_path / "tok"),
        "--password-file",
        str(tmp_path / "pw"),
        "--auth",
        "token",
        "--json",
        "-v",
        home=tmp_path,
    )
    assert_audit_ran(out)
    assert_no_canary(out)


def test_canaries_in_the_output_file(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, json.dumps(loaded_config(tmp_path)))
    report = tmp_path / "report.json"
    out = cli(
        "--state-dir",
        str(sd),
        "--json",
        "--output",
        str(report),
        "--token",
        CANARY_CLI_TOKEN,
        home=tmp_path,
    )
    assert out.code == 0 and out.stdout == ""
    text = report.read_text()
    assert json.loads(text)["findings"]
    assert not any(c in text for c in CANARIES)


@pytest.mark.parametrize(
    "broken",
    [
        '{{gateway: {{auth: {{token: "{c}" x}}}}}}',
        "{{gateway: {{auth: {{token: {c}}}}}}}",  # forgot the quotes
        '{{gateway: {{auth: {{token: "{c}}}}}}}',  # unterminated string
    ],
    ids=["junk-after", "unquoted", "unterminated"],
)
def test_canaries_in_configs_that_fail_to_load(tmp_path: Path, broken: str) -> None:
    sd = state_dir(tmp_path, broken.format(c=CANARY_TOKEN.replace("-", "_")))
    for flags in ([], ["--json"]):
        out = cli("--state-dir", str(sd), *flags, home=tmp_path)
        assert_input_error(out, "", json_mode=bool(flags))
        assert CANARY_TOKEN.replace("-", "_")[:8] not in out.everything


def test_escaped_spellings_of_a_secret_are_redacted_too() -> None:
    scrub = Scrubber(['tok"en\\with\u00e9-quotes'])
    rendered = json.dumps({"detail": 'tok"en\\with\u00e9-quotes'})
    assert "quotes" not in scrub(rendered)
    assert "quotes" not in scrub(json.dumps({"d": 'tok"en\\with\u00e9-quotes'}, ensure_ascii=False))
    assert "quotes" not in scrub(repr('tok"en\\with\u00e9-quotes'))


# --- property: random configs with planted canaries --------------------------------------------

CREDENTIAL_PATHS: tuple[tuple[str, ...], ...] = (
    ("gateway", "auth", "token"),
    ("gateway", "auth", "password"),
    ("gateway", "remote", "token"),
    ("gateway", "remote", "password"),
    ("hooks", "token"),
    ("channels", "telegram", "botToken"),
    ("channels", "slack", "signingSecret"),
    ("channels", "discord", "accounts", "a", "token"),
    ("models", "providers", "x", "apiKey"),
    ("tools", "web", "search", "apiKey"),
    ("skills", "entries", "s", "apiKey"),
)
KEYS = (
    "gateway",
    "hooks",
    "channels",
    "tools",
    "agents",
    "sandbox",
    "plugins",
    "skills",
    "logging",
    "discovery",
    "models",
    "secrets",
    "security",
    "browser",
    "mcp",
    "env",
    "auth",
    "mode",
    "bind",
    "token",
    "password",
    "enabled",
    "allowFrom",
    "dmPolicy",
    "groupPolicy",
    "list",
    "id",
    "accounts",
    "telegram",
    "discord",
    "slack",
    "providers",
    "apiKey",
    "entries",
    "allow",
    "deny",
    "profile",
    "exec",
    "elevated",
    "sandbox",
    "docker",
    "path",
    "workspace",
    "$include",
    "source",
    "provider",
    "remote",
    "url",
    "controlUi",
    "allowedOrigins",
    "mdns",
    "redactSensitive",
)
SECRET_KEYS = ("token", "password", "apiKey", "secret", "clientSecret", "botToken", "webhookSecret")
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "*",
            "open",
            "lan",
            "loopback",
            "token",
            "password",
            "full",
            "off",
            "all",
            "/",
            "${MISSING}",
        ]
    ),
    st.text(max_size=12),
)
TREES = st.recursive(
    SCALARS,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.sampled_from(KEYS), kids, max_size=5)
    ),
    max_leaves=30,
)
CANARY_ALPHABET = string.ascii_letters + string.digits + "-_.:/+=@\"\\'é"


def canary_for(n: int, tail: str) -> str:
    return f"CANARY{n:03d}zq{tail}"


@st.composite
def planted(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    config = draw(st.dictionaries(st.sampled_from(KEYS[:16]), TREES, max_size=8))
    canaries: list[str] = []
    paths = draw(st.lists(st.sampled_from(CREDENTIAL_PATHS), max_size=5, unique=True))
    extra = draw(
        st.lists(
            st.tuples(
                st.lists(st.sampled_from(KEYS), min_size=1, max_size=3),
                st.sampled_from(SECRET_KEYS),
            ),
            max_size=4,
        )
    )
    for path in [*paths, *((*p, k) for p, k in extra)]:
        value = canary_for(len(canaries), draw(st.text(CANARY_ALPHABET, min_size=4, max_size=16)))
        node = config
        for part in path[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                node[part] = nxt
            node = nxt
        node[path[-1]] = value
        canaries.append(value)
    return config, canaries


def run_in_process(tmp_path: Path, config: dict[str, Any], fmt: str) -> str:
    import contextlib
    import io
    import sys

    cfg = tmp_path / "openclaw.json"
    cfg.write_text(json.dumps(config, allow_nan=True))
    opts = AuditOptions(
        config_path=str(cfg),
        state_dir=str(tmp_path),
        env={"HOME": str(tmp_path), "OPENCLAW_GATEWAY_TOKEN": "CANARY999zqenv-token"},
        auth_override=AuthOverride(mode="token", token="CANARY998zqcli-token", password=None),
        probe_token="CANARY998zqcli-token",
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        old_out, old_err = sys.stdout, sys.stderr
        try:
            code = execute(Invocation(options=opts, fmt=fmt), Scrubber(["CANARY998zqcli-token"]))
        finally:
            sys.stdout, sys.stderr = old_out, old_err
    assert code == 0
    if fmt == "json":
        json.loads(out.getvalue())
    return out.getvalue() + err.getvalue()


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=planted(), fmt=st.sampled_from(["json", "text"]))
def test_random_configs_never_print_a_planted_canary(
    tmp_path: Path, case: tuple[dict[str, Any], list[str]], fmt: str
) -> None:
    config, canaries = case
    try:
        printed = run_in_process(tmp_path, config, fmt)
    except Exception as exc:  # only the documented input errors may stop an audit
        from openclaw_audit.errors import AuditError

        assert isinstance(exc, AuditError), repr(exc)
        printed = exc.render() + json.dumps(exc.to_json())
    for canary in [*canaries, "CANARY999zqenv-token", "CANARY998zqcli-token"]:
        assert canary not in printed, canary
    assert "audit.check_failed" not in printed


# --- redaction never corrupts (trust.md §1) ----------------------------------------------------


def test_the_net_is_linear_in_the_text_whatever_the_secrets() -> None:
    """Nested and overlapping secrets (`aaaaaaaa`, `aaaaaaaaa`, ...) are the worst case for a
    search that tries each secret at each position; the automaton's step count stays within a
    small constant of the text length."""
    from openclaw_audit.redaction.net import SecretNet

    secrets = ["a" * n for n in range(8, 400)] + ["ab" * n for n in range(4, 200)]
    net = SecretNet(secrets, min_len=8, mask="<redacted>")
    for text in ("a" * 60_000, "ab" * 30_000, "a b " * 15_000, ("a" * 399 + "b") * 150):
        net(text)
        assert net.ops <= 6 * len(text), (net.ops, len(text))


def test_the_net_masks_whole_tokens_of_eight_or_more_only() -> None:
    scrub = Scrubber(["warn", "short", "gateway.token", "s3cr3t-value", "true"])
    text = "warn gateway.token_too_short true: s3cr3t-value, xs3cr3t-value (s3cr3t-value)"
    assert scrub(text) == (
        "warn gateway.token_too_short true: <redacted>, xs3cr3t-value (<redacted>)"
    )


def test_the_net_leaves_word_like_secrets_to_the_interpolation_points() -> None:
    """`disabled` or `hooks.internal` as a token must not rewrite a detail's wording; such a
    value is never quoted in the first place (checks say "8 characters")."""
    scrub = Scrubber(["disabled", "hooks.internal", "openclaw", "Abcdefgh1"])
    text = "hooks.internal: disabled; run openclaw doctor; Abcdefgh1"
    assert scrub(text) == "hooks.internal: disabled; run openclaw doctor; <redacted>"


def test_process_environment_values_are_not_secrets(tmp_path: Path) -> None:
    """`CI=true`, `DEBUG=null`, `FOO_TOKEN=warn` in the process environment: valid JSON and
    SARIF with every severity and summary key intact."""
    sd = state_dir(tmp_path, json.dumps({"gateway": {"bind": "lan", "auth": {"token": "short"}}}))
    env = {"CI": "true", "DEBUG": "null", "FOO_TOKEN": "warn", "BAR_SECRET": "critical"}
    doc = json.loads(cli("--state-dir", str(sd), "--json", home=tmp_path, env=env).stdout)
    assert set(doc["summary"]) == {"critical", "warn", "info"}
    assert "gateway.token_too_short" in {f["checkId"] for f in doc["findings"]}
    assert {f["severity"] for f in doc["findings"]} <= {"critical", "warn", "info"}
    sarif = json.loads(
        cli("--state-dir", str(sd), "--format", "sarif", home=tmp_path, env=env).stdout
    )
    assert sarif["version"] == "2.1.0"


@pytest.mark.parametrize("password", ["p#ss/wo?rd", "pa ss word", "p@ss:w/rd#x", "short"], ids=str)
def test_dry_run_diff_redacts_every_secret_it_shows(tmp_path: Path, password: str) -> None:
    config = {
        "logging": {"redactSensitive": "off"},
        "env": {"vars": {"OPENAI_API_KEY": "sk-live-key1", "GITHUB_TOKEN": "ghp1"}},
        "models": {
            "providers": {
                "x": {
                    "baseUrl": f"postgres://admin:{password}@db.test:5432/app",
                    "headers": {"Authorization": "Bearer hdr-tok", "x-api-key": "xkey9"},
                }
            }
        },
    }
    sd = state_dir(tmp_path, json.dumps(config))  # one line: the diff shows all of it
    for flags in (["--json"], []):
        out = cli("--state-dir", str(sd), "--fix", "--dry-run", *flags, home=tmp_path)
        assert out.code in (0, 1), out.everything
        if flags:
            diff = json.loads(out.stdout)["fix"]["diffs"][0]["diff"]
            assert '"redactSensitive": "tools"' in diff and "OPENAI_API_KEY" in diff
        for secret in (password, "sk-live-key1", "ghp1", "hdr-tok", "xkey9"):
            assert secret not in out.everything, (secret, out.everything)
        assert "db.test:5432/app" in out.everything  # only the credential is masked


def test_describe_secret_never_quotes_a_short_one() -> None:
    from openclaw_audit.redaction import describe_secret

    assert describe_secret("short") == "5 characters"
    long = "abc" + "x" * 45
    assert describe_secret(long) == "abc…(48 chars)"


def test_what_counts_as_a_secret() -> None:
    from openclaw_audit.redaction import collect_secret_values

    config = {
        "gateway": {"auth": {"token": "tok1"}},
        "env": {"vars": {"MY_API_KEY": "k1", "PLAIN": "not-secret"}},
        "x": {"url": "https://u:pw1@h/", "headers": {"Authorization": "Bearer b1"}},
        "y": {"apiKey": "${REF}"},
    }
    env = {"OPENCLAW_GATEWAY_PASSWORD": "gwpw", "REF_TOKEN": "rt", "HOME": "/h", "CI": "true"}
    found = collect_secret_values(config, env, referenced={"REF_TOKEN", "HOME"})
    assert {"tok1", "k1", "pw1", "Bearer b1", "b1", "gwpw", "rt"} <= found
    assert not {"not-secret", "/h", "true", "${REF}"} & found
