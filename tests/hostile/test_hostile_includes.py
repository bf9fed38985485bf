"""Hostile ``$include`` graphs, ``${VAR}`` references and SecretRefs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_harness import (
    CANARY_ENV,
    CANARY_FILE_REF,
    CANARY_TOKEN,
    assert_audit_ran,
    assert_input_error,
    assert_no_canary,
    both_modes,
    cli,
    finding_ids,
    state_dir,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_include_of_itself(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: './openclaw.json'}")
    text_out, json_out = both_modes(tmp_path, sd)
    line = assert_input_error(text_out, "circular include detected")
    assert f"{sd / 'openclaw.json'} -> {sd / 'openclaw.json'}" in line
    assert_input_error(json_out, "circular include detected", json_mode=True)


def test_indirect_include_cycle(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{gateway: {$include: 'a.json5'}}")
    write(sd / "a.json5", "{$include: 'sub/b.json5'}")
    write(sd / "sub" / "b.json5", "{x: {$include: '../a.json5'}}")
    line = assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "circular include")
    assert line.startswith(f"error: {sd / 'sub' / 'b.json5'}:1:")
    assert f"{sd / 'a.json5'} -> {sd / 'sub' / 'b.json5'} -> {sd / 'a.json5'}" in line


def test_cycle_through_a_symlink(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'link.json5'}")
    os.symlink(sd / "openclaw.json", sd / "link.json5")
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "circular include detected")


def test_include_depth_bomb(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'l1.json5'}")
    for i in range(1, 30):
        write(sd / f"l{i}.json5", f"{{$include: 'l{i + 1}.json5'}}")
    line = assert_input_error(
        cli("--state-dir", str(sd), home=tmp_path), "maximum include depth (10)"
    )
    assert line.endswith(f"exceeded at {sd / 'l11.json5'}")


def test_include_fan_out_bomb_is_bounded(tmp_path: Path) -> None:
    # Each file includes the next one ten times: 10**10 loads without a bound.
    sd = state_dir(tmp_path, "{$include: " + json.dumps(["f1.json5"] * 10) + "}")
    for i in range(1, 12):
        write(sd / f"f{i}.json5", "{$include: " + json.dumps([f"f{i + 1}.json5"] * 10) + "}")
    import time

    started = time.monotonic()
    out = cli("--state-dir", str(sd), home=tmp_path)
    assert time.monotonic() - started < 20
    assert_input_error(out, "maximum include depth (10)")


def test_includes_whose_merged_depth_exceeds_the_parser_limit(tmp_path: Path) -> None:
    # Each file is legal (150 levels); stacked through includes they used to overflow Python's
    # recursion limit and crash the loader.
    sd = state_dir(tmp_path, '{"$include": "f0.json5"}')
    for i in range(10):
        inner = f'{{"$include": "f{i + 1}.json5"}}' if i < 9 else '{"x": 1}'
        write(sd / f"f{i}.json5", '{"a":' * 150 + inner + "}" * 150)
    text_out, json_out = both_modes(tmp_path, sd)
    line = assert_input_error(text_out, "config nests more than 200 levels deep through $include")
    assert line.startswith(f"error: {sd / 'f1.json5'}:1:")
    assert_input_error(json_out, "nests more than 200 levels", json_mode=True)


@pytest.mark.parametrize(
    "target", ["../outside.json5", "/etc/hostname", "sub/../../outside.json5", "//etc/passwd"]
)
def test_include_escaping_the_config_dir(tmp_path: Path, target: str) -> None:
    write(tmp_path / "outside.json5", "{}")
    sd = state_dir(tmp_path, json.dumps({"gateway": {"$include": target}}))
    assert_input_error(
        cli("--state-dir", str(sd), home=tmp_path), "include path escapes config directory"
    )


def test_include_escaping_through_a_symlink(tmp_path: Path) -> None:
    write(tmp_path / "secret.json5", "{}")
    sd = state_dir(tmp_path, "{$include: 'inner.json5'}")
    os.symlink(tmp_path / "secret.json5", sd / "inner.json5")
    assert_input_error(
        cli("--state-dir", str(sd), home=tmp_path), "include path escapes config directory"
    )


def test_missing_include(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{\n  gateway: {$include: 'nope.json5'},\n}")
    text_out, json_out = both_modes(tmp_path, sd)
    line = assert_input_error(text_out, f"include file not found: nope.json5 ({sd / 'nope.json5'})")
    assert line.startswith(f"error: {sd / 'openclaw.json'}:2:")
    assert json.loads(json_out.stdout)["error"]["line"] == 2


def test_include_that_is_a_directory(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'dir'}")
    (sd / "dir").mkdir()
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "include file is a directory")


def test_include_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'pipe'}")
    os.mkfifo(sd / "pipe")
    assert_input_error(
        cli("--state-dir", str(sd), home=tmp_path), "include file is not a regular file"
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_include_that_is_a_device(tmp_path: Path, device: str) -> None:
    sd = state_dir(tmp_path, json.dumps({"$include": device}))
    out = cli("--state-dir", str(sd), home=tmp_path, env={"OPENCLAW_INCLUDE_ROOTS": "/dev"})
    assert_input_error(out, "include file is not a regular file")


def test_oversized_include(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'big.json5'}")
    with open(sd / "big.json5", "wb") as fh:
        fh.truncate(50 << 20)
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "include file is too large")


def test_hard_linked_include(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'a.json5'}")
    write(sd / "a.json5", "{}")
    os.link(sd / "a.json5", sd / "b.json5")
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "more than one hard link")


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ("42", "number"),
        ("null", "null"),
        ("{}", "object"),
        ("true", "boolean"),
        ("[1, 'a']", "array containing number"),
    ],
)
def test_include_value_of_the_wrong_type(tmp_path: Path, value: str, got: str) -> None:
    sd = state_dir(tmp_path, f"{{gateway: {{$include: {value}}}}}")
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), f"got {got}")


def test_include_parse_error_points_into_the_included_file(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{$include: 'bad.json5'}")
    write(sd / "bad.json5", "{\n\n  a: [1,,]\n}")
    line = assert_input_error(
        cli("--state-dir", str(sd), home=tmp_path), "invalid JSON5 in include file"
    )
    assert line.startswith(f"error: {sd / 'bad.json5'}:3:9:")


def test_include_path_with_control_characters_stays_one_line(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, json.dumps({"$include": "x\n\x1b[2Jerror: forged"}))
    line = assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "include file not found")
    assert "\\x0a\\x1b[2J" in line


def test_include_path_with_nul_or_too_long(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, json.dumps({"$include": "a\x00b"}))
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "invalid $include path")
    sd = state_dir(tmp_path, json.dumps({"$include": "a" * 5000}), name="long")
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "invalid $include path")


# --- ${VAR} -------------------------------------------------------------------------------


def test_unset_variable_is_a_warning_and_counts_as_absent(tmp_path: Path) -> None:
    sd = state_dir(
        tmp_path, "{gateway: {bind: 'loopback', auth: {mode: 'token', token: '${NOPE_TOKEN}'}}}"
    )
    out = cli("--state-dir", str(sd), "--json", home=tmp_path)
    doc = assert_audit_ran(out)
    assert doc is not None and "gateway.loopback_no_auth" in finding_ids(doc)
    assert out.stderr.splitlines() == [
        "warning: gateway.auth.token: environment variable NOPE_TOKEN is missing or empty; "
        "treating the value as unset"
    ]
    assert doc["secretDiagnostics"][0].startswith(
        "security audit: failed to resolve gateway.auth.token"
    )


def test_recursive_variable_is_substituted_once(tmp_path: Path) -> None:
    # A=${B}: substitution is one pass, so the value is the literal text "${B}"; no loop.
    sd = state_dir(tmp_path, "{gateway: {bind: '${A}'}, hooks: {path: '${A}${A}'}}")
    out = cli("--state-dir", str(sd), "--json", home=tmp_path, env={"A": "${B}", "B": "${A}"})
    assert_audit_ran(out)


def test_env_block_self_reference_does_not_loop(tmp_path: Path) -> None:
    sd = state_dir(
        tmp_path, "{env: {vars: {LOOP: '${LOOP}'}, OTHER: '${OTHER}'}, gateway: {bind: '${LOOP}'}}"
    )
    assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))


def test_variable_value_is_never_printed(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{gateway: {bind: 'lan', auth: {mode: 'token', token: '${GW_TOK}'}}}")
    out = cli("--state-dir", str(sd), "--json", "-v", home=tmp_path, env={"GW_TOK": CANARY_ENV})
    assert_audit_ran(out)
    assert_no_canary(out, (CANARY_ENV,))


# --- SecretRefs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "diag"),
    [
        ({"source": "vault", "provider": "x", "id": "A"}, None),
        (
            {"source": "env", "provider": "nope", "id": "A"},
            'secret provider "nope" is not configured',
        ),
        (
            {"source": "env", "provider": "Bad Name\n\x1b[31m", "id": "A"},
            "invalid secret provider name",
        ),
        ({"source": "env", "id": "lower"}, "invalid env SecretRef id"),
        ({"source": "file", "provider": "f", "id": "/missing"}, 'secret "/missing" not found'),
        (
            {"source": "file", "provider": "gone", "id": "/a"},
            'secret provider "gone" is not configured',
        ),
        ({"source": "env", "provider": "f", "id": "A"}, 'has source "file", not "env"'),
    ],
)
def test_unresolvable_secret_refs_degrade_with_a_diagnostic(
    tmp_path: Path, ref: dict[str, str], diag: str | None
) -> None:
    secret_file = tmp_path / "secrets.json"
    secret_file.write_text(json.dumps({"gw": CANARY_FILE_REF}))
    cfg = {
        "gateway": {"bind": "loopback", "auth": {"mode": "token", "token": ref}},
        "secrets": {"providers": {"f": {"source": "file", "path": str(secret_file)}}},
    }
    sd = state_dir(tmp_path, json.dumps(cfg))
    text_out, json_out = both_modes(tmp_path, sd)
    assert_audit_ran(text_out, json_mode=False)
    assert "\x1b" not in text_out.stdout
    doc = assert_audit_ran(json_out)
    assert doc is not None
    if diag is not None:
        assert any(diag in d for d in doc["secretDiagnostics"]), doc["secretDiagnostics"]
    assert_no_canary(json_out, (CANARY_FILE_REF,))


def test_file_secret_ref_value_is_used_but_never_printed(tmp_path: Path) -> None:
    secret_file = tmp_path / "secrets.json"
    secret_file.write_text(json.dumps({"gw": {"token": CANARY_FILE_REF}}))
    cfg = {
        "gateway": {
            "bind": "lan",
            "auth": {
                "mode": "token",
                "token": {"source": "file", "provider": "f", "id": "/gw/token"},
            },
        },
        "hooks": {"enabled": True, "token": {"source": "file", "provider": "f", "id": "/gw/token"}},
        "secrets": {"providers": {"f": {"source": "file", "path": str(secret_file)}}},
    }
    sd = state_dir(tmp_path, json.dumps(cfg))
    for fmt in (["--json"], [], ["-v"]):
        out = cli("--state-dir", str(sd), *fmt, home=tmp_path)
        assert_audit_ran(out, json_mode=fmt == ["--json"])
        assert_no_canary(out, (CANARY_FILE_REF,))
    doc = json.loads(cli("--state-dir", str(sd), "--json", home=tmp_path).stdout)
    assert "hooks.token_reuse_gateway_token" in finding_ids(doc)  # it was resolved


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "dir", "loop"])
def test_file_secret_provider_pointing_at_odd_files(tmp_path: Path, target: str) -> None:
    special = {"fifo": tmp_path / "fifo", "dir": tmp_path, "loop": tmp_path / "loop"}
    if target == "fifo":
        os.mkfifo(special["fifo"])
    if target == "loop":
        os.symlink(special["loop"], special["loop"])
    path = str(special.get(target, target))
    cfg = {
        "gateway": {
            "auth": {"mode": "token", "token": {"source": "file", "provider": "f", "id": "/a"}}
        },
        "secrets": {"providers": {"f": {"source": "file", "path": path}}},
    }
    out = cli("--state-dir", str(state_dir(tmp_path, json.dumps(cfg))), "--json", home=tmp_path)
    doc = assert_audit_ran(out)
    assert doc is not None and any("missing or not a file" in d for d in doc["secretDiagnostics"])


def exec_config(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "EXECUTED"
    script = tmp_path / "provider.sh"
    script.write_text(
        f"#!/bin/sh\ntouch '{marker}'\n"
        f"""echo '{{"protocolVersion":1,"values":{{"gw":"{CANARY_TOKEN}"}}}}'\n"""
    )
    script.chmod(0o755)
    cfg = {
        "gateway": {
            "bind": "lan",
            "auth": {"mode": "token", "token": {"source": "exec", "provider": "run", "id": "gw"}},
        },
        "secrets": {"providers": {"run": {"source": "exec", "command": str(script)}}},
    }
    return state_dir(tmp_path, json.dumps(cfg)), marker


def test_exec_secret_ref_is_not_run_without_allow_exec(tmp_path: Path) -> None:
    sd, marker = exec_config(tmp_path)
    for fmt in (["--json"], ["-v"]):
        out = cli("--state-dir", str(sd), *fmt, home=tmp_path)
        assert_audit_ran(out, json_mode=fmt == ["--json"])
    assert not marker.exists()
    doc = json.loads(cli("--state-dir", str(sd), "--json", home=tmp_path).stdout)
    assert any("rerun with --allow-exec" in d for d in doc["secretDiagnostics"])
    assert not marker.exists()


def test_exec_secret_ref_runs_with_allow_exec_and_stays_secret(tmp_path: Path) -> None:
    sd, marker = exec_config(tmp_path)
    out = cli("--state-dir", str(sd), "--json", "--allow-exec", home=tmp_path)
    doc = assert_audit_ran(out)
    assert marker.exists()
    assert doc is not None and any(
        "resolved exec SecretRefs locally" in d for d in doc["secretDiagnostics"]
    )
    assert_no_canary(out, (CANARY_TOKEN,))
