"""The load pipeline on real files: locate, $include, ${VAR}, SecretRefs, provenance, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from openclaw_audit.config.loader import load_config
from openclaw_audit.config.locate import resolve_paths
from openclaw_audit.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def load(cfg: Path, env: dict[str, str] | None = None, **kw: object):
    return load_config(env={"HOME": str(cfg.parent), **(env or {})}, config_path=str(cfg), **kw)


# --- locating -------------------------------------------------------------------------------


def test_state_dir_and_config_path_precedence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".moltbot").mkdir(parents=True)
    write(home / ".moltbot" / "clawdbot.json", "{}")
    paths = resolve_paths({"HOME": str(home)})
    assert paths.state_dir == str(home / ".moltbot")
    assert paths.config_path == str(home / ".moltbot" / "clawdbot.json")
    assert paths.creds_dir == str(home / ".moltbot" / "credentials")

    (home / ".openclaw").mkdir()
    assert resolve_paths({"HOME": str(home)}).state_dir == str(home / ".openclaw")
    env = {"HOME": str(home), "OPENCLAW_STATE_DIR": "~/custom", "OPENCLAW_OAUTH_DIR": "~/oauth"}
    paths = resolve_paths(env)
    assert paths.state_dir == str(home / "custom")
    assert paths.config_path == str(home / "custom" / "openclaw.json")
    assert paths.creds_dir == str(home / "oauth")
    env["OPENCLAW_CONFIG_PATH"] = "~/elsewhere.json"
    assert resolve_paths(env).config_path == str(home / "elsewhere.json")
    assert resolve_paths(env, config_path="/x/y.json").config_path == "/x/y.json"


def test_openclaw_home_overrides_home(tmp_path: Path) -> None:
    paths = resolve_paths({"HOME": "/nope", "OPENCLAW_HOME": str(tmp_path)})
    assert paths.state_dir == str(tmp_path / ".openclaw")


def test_missing_config_audits_defaults(tmp_path: Path) -> None:
    loaded = load_config(env={"HOME": str(tmp_path)}, state_dir=str(tmp_path / "state"))
    assert loaded.exists is False
    assert dict(loaded.source.data) == {}
    assert loaded.include_files == ()


# --- $include -------------------------------------------------------------------------------


def test_include_string_replaces_and_list_merges(tmp_path: Path) -> None:
    write(tmp_path / "gw.json5", "{bind: 'lan', auth: {mode: 'token'}}")
    write(tmp_path / "a.json5", "{list: [1], x: {a: 1}}")
    write(tmp_path / "b.json5", "{list: [2], x: {b: 2}}")
    cfg = write(
        tmp_path / "openclaw.json",
        "{gateway: {$include: './gw.json5', bind: 'loopback'}, merged: {$include: ['a.json5', 'b.json5']}}",
    )
    loaded = load(cfg)
    assert loaded.source.get("gateway.bind") == "loopback"  # sibling wins
    assert loaded.source.get("gateway.auth.mode") == "token"
    assert loaded.source.get("merged") == {"list": [1, 2], "x": {"a": 1, "b": 2}}


def test_nested_include_is_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "inner.json5", "{deep: true}")
    write(tmp_path / "sub" / "outer.json5", "{inner: {$include: './inner.json5'}}")
    cfg = write(tmp_path / "openclaw.json", "{outer: {$include: 'sub/outer.json5'}}")
    assert load(cfg).source.get("outer.inner.deep") is True


def test_provenance_points_into_the_include_file(tmp_path: Path) -> None:
    inc = write(tmp_path / "gw.json5", "{\n  // comment\n  bind: 'lan',\n}")
    cfg = write(tmp_path / "openclaw.json", "{\n gateway: {$include: './gw.json5'}, logging: {}\n}")
    loaded = load(cfg)
    loc = loaded.source.location("gateway.bind")
    assert (loc.file, loc.line, loc.column) == (str(inc), 3, 9)
    assert loaded.source.location("logging").file == str(cfg)
    node = loaded.source.provenance("gateway.bind")
    assert node is not None and node.origin is not None
    assert node.origin.local_path == ("bind",)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"openclaw.json": "{$include: 'a.json5'}", "a.json5": "{$include: 'openclaw.json'}"},
            "circular include detected",
        ),
        ({"openclaw.json": "{$include: 5}"}, "expected string or array of strings, got number"),
        (
            {"openclaw.json": "{$include: ['a.json5', 3]}", "a.json5": "{}"},
            "got array containing number",
        ),
        ({"openclaw.json": "{$include: 'missing.json5'}"}, "include file not found"),
        ({"openclaw.json": "{$include: '../outside.json5'}"}, "escapes config directory"),
        (
            {"openclaw.json": "{x: {$include: 'arr.json5', y: 1}}", "arr.json5": "[1]"},
            "must include an object",
        ),
        ({"openclaw.json": "{$include: 'a.json5'}", "a.json5": "{a: }"}, "invalid JSON5"),
    ],
)
def test_include_errors(tmp_path: Path, files: dict[str, str], message: str) -> None:
    root = tmp_path / "cfg"
    for name, text in files.items():
        write(root / name, text)
    write(tmp_path / "outside.json5", "{}")
    with pytest.raises(ConfigError) as err:
        load(root / "openclaw.json")
    assert message in err.value.message
    assert err.value.file is not None


def test_include_depth_limit(tmp_path: Path) -> None:
    for i in range(12):
        write(tmp_path / f"l{i}.json5", f"{{next: {{$include: 'l{i + 1}.json5'}}}}")
    write(tmp_path / "l12.json5", "{}")
    cfg = write(tmp_path / "openclaw.json", "{$include: 'l0.json5'}")
    with pytest.raises(ConfigError, match=r"maximum include depth \(10\) exceeded"):
        load(cfg)


def test_include_symlink_escape_and_hard_link_rejected(tmp_path: Path) -> None:
    root = tmp_path / "cfg"
    secret = write(tmp_path / "secret.json5", "{}")
    root.mkdir()
    os.symlink(secret, root / "link.json5")
    cfg = write(root / "openclaw.json", "{$include: 'link.json5'}")
    with pytest.raises(ConfigError, match="escapes config directory"):
        load(cfg)
    os.link(write(root / "one.json5", "{}"), root / "two.json5")
    write(root / "openclaw.json", "{$include: 'one.json5'}")
    with pytest.raises(ConfigError, match="more than one hard link"):
        load(cfg)
    # an extra include root makes the outside file acceptable
    write(root / "openclaw.json", "{$include: '../secret.json5'}")
    assert load(cfg, env={"OPENCLAW_INCLUDE_ROOTS": str(tmp_path)}).exists


def test_include_size_cap_and_directory(tmp_path: Path) -> None:
    write(tmp_path / "big.json5", "{a: '" + "x" * (2 * 1024 * 1024) + "'}")
    (tmp_path / "dir.json5").mkdir()
    cfg = write(tmp_path / "openclaw.json", "{$include: 'big.json5'}")
    with pytest.raises(ConfigError, match="too large"):
        load(cfg)
    write(tmp_path / "openclaw.json", "{$include: 'dir.json5'}")
    with pytest.raises(ConfigError, match="directory"):
        load(cfg)


def test_prototype_keys_are_dropped(tmp_path: Path) -> None:
    write(tmp_path / "a.json5", "{__proto__: {polluted: true}, ok: 1}")
    cfg = write(tmp_path / "openclaw.json", "{x: {$include: 'a.json5'}}")
    assert load(cfg).source.get("x") == {"ok": 1}


# --- ${VAR} and env ------------------------------------------------------------------------


def test_env_substitution_escape_and_lowercase(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "openclaw.json",
        "{a: 'Bearer ${TOK}-${TOK}', b: '$${TOK}', c: '${lower}', n: 5}",
    )
    loaded = load(cfg, env={"TOK": "v1"})
    assert loaded.source.get("a") == "Bearer v1-v1"
    assert loaded.source.get("b") == "${TOK}"
    assert loaded.source.get("c") == "${lower}"
    assert loaded.source.get("n") == 5


def test_missing_variable_leaves_path_unset_with_diagnostics(tmp_path: Path) -> None:
    cfg = write(tmp_path / "openclaw.json", "{gateway: {auth: {token: '${NOPE}'}}, x: '${ALSO}'}")
    loaded = load(cfg, env={"ALSO": ""})
    assert not loaded.source.has("gateway.auth.token")
    assert not loaded.resolved.has("gateway.auth.token")
    # x is no SecretRef field: OpenClaw 2026.9.6 keeps the reference as literal text there.
    assert loaded.source.get("x") == "${ALSO}"
    assert loaded.unresolved_paths == {("gateway", "auth", "token")}
    assert loaded.secret_diagnostics == (
        'security audit: failed to resolve gateway.auth.token locally (Environment variable "NOPE" '
        "is missing or empty.).",
        "security audit: gateway.auth.token is unavailable in this command path; continuing with "
        "degraded read-only config.",
    )
    assert any("NOPE" in w and "gateway.auth.token" in w for w in loaded.warnings)
    assert any("ALSO" in w and w.startswith("warning: x: ") for w in loaded.warnings)


def test_unset_variable_is_literal_outside_secret_ref_fields(tmp_path: Path) -> None:
    text = (
        "{hooks: {token: '${OC_HOOK_TOKEN}', path: '/h/${SET}/${UNSET}/$${SET}'},"
        " channels: {telegram: {botToken: '${UNSET}', accounts: {a: {botToken: 'x-${UNSET}'}}}},"
        " models: {providers: {p: {apiKey: '${UNSET}'}}}}"
    )
    loaded = load(write(tmp_path / "openclaw.json", text), env={"SET": "v"})
    assert loaded.source.get("hooks.token") == "${OC_HOOK_TOKEN}"
    assert loaded.resolved.get("hooks.token") == "${OC_HOOK_TOKEN}"  # not read as a SecretRef
    assert loaded.source.get("hooks.path") == "/h/v/${UNSET}/${SET}"
    assert loaded.unresolved_paths == {
        ("channels", "telegram", "botToken"),
        ("channels", "telegram", "accounts", "a", "botToken"),
        ("models", "providers", "p", "apiKey"),
    }
    assert not any("hooks.token" in d for d in loaded.secret_diagnostics)
    assert any(w.startswith("warning: hooks.token: ") for w in loaded.warnings)


def test_env_block_fills_unset_variables_only(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "openclaw.json",
        "{env: {vars: {A: 'from-vars'}, B: 'short', C: 'ignored'}, a: '${A}', b: '${B}', c: '${C}'}",
    )
    loaded = load(cfg, env={"C": "process"})
    assert loaded.source.get("a") == "from-vars"
    assert loaded.source.get("b") == "short"
    assert loaded.source.get("c") == "process"


# --- SecretRefs ----------------------------------------------------------------------------


def test_env_secret_ref_resolves_into_resolved_view_only(tmp_path: Path) -> None:
    ref = {"source": "env", "provider": "default", "id": "GW_TOKEN"}
    cfg = write(tmp_path / "openclaw.json", json.dumps({"gateway": {"auth": {"token": ref}}}))
    loaded = load(cfg, env={"GW_TOKEN": "resolved-secret-value"})
    assert loaded.source.get("gateway.auth.token") == ref
    assert loaded.resolved.get("gateway.auth.token") == "resolved-secret-value"
    assert "resolved-secret-value" in loaded.secrets
    assert loaded.secret_diagnostics == ()


def test_unresolvable_ref_is_removed_from_resolved_view(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "openclaw.json",
        json.dumps({"hooks": {"token": {"source": "env", "id": "MISSING_HOOK"}}}),
    )
    loaded = load(cfg)
    assert loaded.source.has("hooks.token")
    assert not loaded.resolved.has("hooks.token")
    assert loaded.secret_diagnostics[0].startswith(
        "security audit: failed to resolve hooks.token locally ("
    )
    assert "is unavailable in this command path" in loaded.secret_diagnostics[1]


def test_file_provider_json_pointer_and_single_value(tmp_path: Path) -> None:
    write(tmp_path / "secrets.json", json.dumps({"gw": {"a/b": "from-file-json"}}))
    write(tmp_path / "single.txt", "single-value-secret\n")
    config = {
        "secrets": {
            "providers": {
                "vault": {"source": "file", "path": str(tmp_path / "secrets.json")},
                "one": {
                    "source": "file",
                    "path": str(tmp_path / "single.txt"),
                    "mode": "singleValue",
                },
            }
        },
        "gateway": {
            "auth": {"token": {"source": "file", "provider": "vault", "id": "/gw/a~1b"}},
            "remote": {
                "url": "wss://gw.example",
                "token": {"source": "file", "provider": "one", "id": "value"},
            },
        },
    }
    loaded = load(write(tmp_path / "openclaw.json", json.dumps(config)))
    assert loaded.resolved.get("gateway.auth.token") == "from-file-json"
    assert loaded.resolved.get("gateway.remote.token") == "single-value-secret"


def test_exec_provider_never_runs_without_allow_exec(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = write(
        tmp_path / "provider.sh",
        f'#!/bin/sh\ntouch {marker}\necho \'{{"protocolVersion":1,"values":{{"tok":"exec-secret"}}}}\'\n',
    )
    script.chmod(0o755)
    config = {
        "secrets": {"providers": {"sh": {"source": "exec", "command": str(script)}}},
        "gateway": {"auth": {"token": {"source": "exec", "provider": "sh", "id": "tok"}}},
    }
    cfg = write(tmp_path / "openclaw.json", json.dumps(config))
    loaded = load(cfg)
    assert not marker.exists()
    assert not loaded.resolved.has("gateway.auth.token")
    assert any("--allow-exec" in d for d in loaded.secret_diagnostics)
    loaded = load(cfg, allow_exec=True)
    assert marker.exists()
    assert loaded.resolved.get("gateway.auth.token") == "exec-secret"
    assert any(
        "resolved exec SecretRefs locally at gateway.auth.token" in d
        for d in loaded.secret_diagnostics
    )


def test_inactive_surfaces(tmp_path: Path) -> None:
    config = {
        "gateway": {
            "auth": {"token": {"source": "env", "id": "CFG_TOKEN"}},
            "remote": {"token": {"source": "env", "id": "REMOTE_TOKEN"}},
        }
    }
    loaded = load(
        write(tmp_path / "openclaw.json", json.dumps(config)),
        env={
            "OPENCLAW_GATEWAY_TOKEN": "env-token-value",
            "CFG_TOKEN": "x" * 30,
            "REMOTE_TOKEN": "y" * 30,
        },
    )
    # The local token surface stays active although OPENCLAW_GATEWAY_TOKEN is set (2026.9.6).
    assert not any(d.startswith("gateway.auth.token") for d in loaded.secret_diagnostics)
    assert loaded.resolved.get("gateway.auth.token") == "x" * 30
    assert any(
        d.startswith("gateway.remote.token: secret ref is configured on an inactive")
        for d in loaded.secret_diagnostics
    )


# --- errors --------------------------------------------------------------------------------


def test_parse_error_has_position(tmp_path: Path) -> None:
    cfg = write(tmp_path / "openclaw.json", "{\n  a: 1,\n  b: ]\n}")
    with pytest.raises(ConfigError) as err:
        load(cfg)
    assert (err.value.line, err.value.column) == (3, 6)
    assert err.value.render().startswith(f"error: {cfg}:3:6: ")


def test_invalid_utf8_and_non_object_root(tmp_path: Path) -> None:
    cfg = tmp_path / "openclaw.json"
    cfg.write_bytes(b'{\n "a": "\xff"}')
    with pytest.raises(ConfigError, match="not valid UTF-8") as err:
        load(cfg)
    assert err.value.line == 2
    cfg.write_text('"just a string"')
    with pytest.raises(ConfigError, match="must be an object"):
        load(cfg)


def test_fifo_and_oversized_config(tmp_path: Path) -> None:
    fifo = tmp_path / "openclaw.json"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        load(fifo)
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(9 * 1024 * 1024)
    with pytest.raises(ConfigError, match="too large"):
        load(big)


def test_escaped_include_key_and_reference_are_still_resolved(tmp_path: Path) -> None:
    # "\u0024include" is "$include" after JSON5 unescaping; the fast path must not skip it.
    write(tmp_path / "gw.json5", "{bind: 'lan'}")
    cfg = write(
        tmp_path / "openclaw.json", '{gateway: {"\\u0024include": "./gw.json5"}, t: "\\x24{TOK}"}'
    )
    loaded = load(cfg, env={"TOK": "value"})
    assert loaded.source.get("gateway.bind") == "lan"
    assert loaded.source.get("t") == "value"
