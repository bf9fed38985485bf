"""Hostile config files: malformed, oversized, deeply nested, oddly encoded, odd numbers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_harness import (
    CANARY_TOKEN,
    assert_audit_ran,
    assert_input_error,
    assert_no_canary,
    both_modes,
    cli,
    finding_ids,
    state_dir,
)

VALID = """{
  // a small but real config
  gateway: {
    bind: 'lan',
    auth: { mode: 'token', token: 'CANARYgwTok3n7f3e9a1c5b2d4e6f8a0b' },
  },
  channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } },
}
"""


@pytest.mark.parametrize(
    ("text", "line", "col", "what"),
    [
        ("{", 1, 2, "unexpected end of input"),
        ("{gateway: {bind: 'lan'}", 1, 24, "unexpected end of input"),
        ("{gateway: }", 1, 11, "unexpected character '}'"),
        ("{gateway: {bind: 'lan' auth: {}}}", 1, 24, "expected ',' or '}'"),
        ("{\n  a: 1,\n  b: [1, 2,, 3],\n}", 3, 12, "unexpected character ','"),
        ("{a: 'unterminated}", 1, 5, "unterminated string"),
        ("{a: 1} trailing", 1, 8, "trailing data after value"),
        ("{a: 01}", 1, 5, "invalid number"),
        ("{a: 1 /* never closed", 1, 7, "unterminated comment"),
        ("{a: '\\u12'}", 1, 6, "invalid escape"),
        ("{a: undefined}", 1, 5, "unexpected identifier"),
        ("", 1, 1, "unexpected end of input"),
        ("   // only a comment\n", 2, 1, "unexpected end of input"),
        ("{'a' 1}", 1, 6, "expected ':' after key"),
    ],
)
def test_malformed_json5_points_at_the_position(
    tmp_path: Path, text: str, line: int, col: int, what: str
) -> None:
    sd = state_dir(tmp_path, text)
    text_out, json_out = both_modes(tmp_path, sd)
    first = assert_input_error(text_out, what)
    assert first.startswith(f"error: {sd / 'openclaw.json'}:{line}:{col}: invalid JSON5")
    assert_input_error(json_out, what, json_mode=True)
    err = json.loads(json_out.stdout)["error"]
    assert (err["line"], err["column"]) == (line, col)


def test_every_truncation_of_a_valid_config_is_a_clean_error(tmp_path: Path) -> None:
    # Cut the document at every position: each prefix must fail as one error line, or
    # (for the full text) audit normally; the token on the cut line must never be echoed.
    for cut in range(0, len(VALID) - 2, 9):
        sd = state_dir(tmp_path, VALID[:cut], name=f"cut{cut}")
        out = cli("--state-dir", str(sd), home=tmp_path)
        assert_input_error(out, "invalid JSON5")
        assert_no_canary(out, (CANARY_TOKEN,))
    assert_audit_ran(cli("--state-dir", str(state_dir(tmp_path, VALID)), "--json", home=tmp_path))


@pytest.mark.parametrize("garbage", ["\x00", "@", "\\", "#", "}", "\u202e", "\x1b[2J"])
def test_garbage_injected_anywhere_is_a_clean_error(tmp_path: Path, garbage: str) -> None:
    for at in range(1, len(VALID), 29):
        sd = state_dir(tmp_path, VALID[:at] + garbage + VALID[at:], name=f"g{at}")
        out = cli("--state-dir", str(sd), home=tmp_path)
        if out.code == 0:  # e.g. inside a comment or a string: still a valid config
            assert_audit_ran(out, json_mode=False)
            continue
        line = assert_input_error(out, "invalid JSON5")
        assert "\x1b" not in line and "\x00" not in line
        assert_no_canary(out, (CANARY_TOKEN,))


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, b"\xef\xbb\xbf{gateway: {bind: 'lan'}}")
    doc = assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))
    assert doc is not None and "gateway.bind_no_auth" in finding_ids(doc)


def test_utf16_config_is_an_encoding_error(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{gateway: {}}".encode("utf-16"))
    text_out, json_out = both_modes(tmp_path, sd)
    line = assert_input_error(text_out, "is not valid UTF-8 (byte 0xff)")
    assert line.startswith(f"error: {sd / 'openclaw.json'}:1:1: ")
    assert_input_error(json_out, "not valid UTF-8", json_mode=True)


def test_invalid_utf8_in_the_middle_reports_line_and_column(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, b"{\n  gateway: {bind: 'l\xc3\x28an'}\n}")
    line = assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "not valid UTF-8")
    assert f"{sd / 'openclaw.json'}:2:21:" in line


def test_raw_nul_byte_is_a_parse_error(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, b"{gateway: \x00{bind: 'lan'}}")
    line = assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "U+0000")
    assert ":1:11:" in line


def test_nul_escape_inside_strings_is_harmless(tmp_path: Path) -> None:
    cfg = r"""{agents: {list: [{id: "a", workspace: "/tmp/a\u0000b"}]},
              logging: {file: "/var/log/x\u0000y"}, skills: {load: {extraDirs: ["\u0000"]}}}"""
    assert_audit_ran(cli("--state-dir", str(state_dir(tmp_path, cfg)), "--json", home=tmp_path))


def test_100_mb_config_fails_fast_on_the_size_cap(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{}")
    with open(sd / "openclaw.json", "r+b") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: costs no disk and no time
    import time

    started = time.monotonic()
    text_out, json_out = both_modes(tmp_path, sd)
    assert time.monotonic() - started < 5
    assert_input_error(text_out, "config file is too large (104857600 bytes; the limit is")
    assert_input_error(json_out, "too large", json_mode=True)


def test_10000_deep_nesting_is_refused_by_the_parser(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, '{"a":' * 10_000 + "1" + "}" * 10_000)
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "nesting too deep")
    sd = state_dir(tmp_path, "[" * 10_000 + "]" * 10_000, name="arrays")
    assert_input_error(cli("--state-dir", str(sd), home=tmp_path), "nesting too deep")


def test_deep_but_legal_nesting_everywhere_the_loader_walks(tmp_path: Path) -> None:
    # 190 levels (the parser allows 200) under known sections, with a ${VAR} and a token at
    # the bottom: include resolution, merge, substitution, scrubbing and checks all recurse.
    deep = "{a:" * 180 + "{token: '${DEEP_TOKEN}', list: [[[[[1]]]]]}" + "}" * 180
    cfg = f"{{gateway: {{auth: {{token: '{CANARY_TOKEN}'}}, extra: {deep}}}, tools: {deep}}}"
    sd = state_dir(tmp_path, cfg)
    out = cli("--state-dir", str(sd), "--json", "-v", home=tmp_path, env={"DEEP_TOKEN": "x" * 40})
    assert_audit_ran(out)
    assert_no_canary(out, (CANARY_TOKEN, "x" * 40))


def test_10000_keys_and_10000_credentials_finish_quickly(tmp_path: Path) -> None:
    import time

    many = {f"k{i}": {"token": f"tok{i:08d}-value"} for i in range(10_000)}
    sd = state_dir(tmp_path, json.dumps({"plugins": {"entries": many}}))
    started = time.monotonic()
    out = cli("--state-dir", str(sd), "--json", home=tmp_path)
    assert time.monotonic() - started < 10
    assert_audit_ran(out)
    assert "tok00000042-value" not in out.stdout


def test_huge_strings_do_not_echo_or_stall(tmp_path: Path) -> None:
    big = "A" * (3 << 20)
    sd = state_dir(tmp_path, json.dumps({"gateway": {"bind": big, "auth": {"token": big}}}))
    out = cli("--state-dir", str(sd), "--json", home=tmp_path)
    assert_audit_ran(out)
    assert len(out.stdout) < 1 << 20  # the value is not copied into the report
    assert big[:4096] not in out.stdout


@pytest.mark.parametrize(
    "value",
    [
        "1e400",
        "-1e400",
        "Infinity",
        "-Infinity",
        "NaN",
        "0x" + "f" * 3500,
        "9" * 4300,
        "-0",
        "1e-400",
    ],
    ids=["1e400", "-1e400", "Infinity", "-Infinity", "NaN", "hex3500", "dec4300", "-0", "1e-400"],
)
def test_numbers_out_of_range_are_treated_as_odd_values(tmp_path: Path, value: str) -> None:
    cfg = (
        f"{{gateway: {{port: {value}, bind: 'lan', auth: {{rateLimit: {{maxAttempts: {value}}}}},"
        f" trustedProxies: [{value}]}}, hooks: {{enabled: true, token: {value}}},"
        f" agents: {{list: [{{id: {value}}}], defaults: {{sandbox: {{mode: {value}}}}}}},"
        f" models: {{providers: {{x: {{models: [{{id: 'm', params: {value}}}]}}}}}},"
        f" channels: {{telegram: {{dmPolicy: 'open', allowFrom: [{value}]}}}}}}"
    )
    sd = state_dir(tmp_path, cfg)
    text_out, json_out = both_modes(tmp_path, sd)
    assert_audit_ran(text_out, json_mode=False)
    doc = assert_audit_ran(json_out)
    assert doc is not None and "gateway.bind_no_auth" in finding_ids(doc)
    assert "Infinity" not in json_out.stdout and "NaN" not in json_out.stdout  # strict JSON


@pytest.mark.parametrize("literal", ["9" * 5000, "0x" + "f" * 3600, "-0x" + "F" * 100_000])
def test_integer_literal_too_long_is_a_parse_error(tmp_path: Path, literal: str) -> None:
    # A hex literal once slipped through and crashed a check that formatted it with str().
    sd = state_dir(tmp_path, "{gateway: {port: " + literal + "}}")
    line = assert_input_error(
        cli("--state-dir", str(sd), home=tmp_path), "integer literal too long"
    )
    assert line.endswith(":1:18: invalid JSON5 in config file: integer literal too long")


def test_duplicate_keys_last_one_wins(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{gateway: {bind: 'lan'}, gateway: {bind: 'loopback'}}")
    doc = assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))
    assert doc is not None and "gateway.bind_no_auth" not in finding_ids(doc)
    sd = state_dir(tmp_path, "{gateway: {bind: 'loopback', bind: 'lan'}}", name="s2")
    doc = assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))
    assert doc is not None and "gateway.bind_no_auth" in finding_ids(doc)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("[]", "an array"),
        ("'x'", "a string"),
        ("null", "null"),
        ("42", "a number"),
        ("4.5", "a number"),
        ("true", "a boolean"),
    ],
)
def test_root_that_is_not_an_object(tmp_path: Path, text: str, kind: str) -> None:
    sd = state_dir(tmp_path, text)
    text_out, json_out = both_modes(tmp_path, sd)
    assert_input_error(text_out, f"config root must be an object, got {kind}")
    assert_input_error(json_out, "config root must be an object", json_mode=True)


def test_prototype_keys_are_dropped(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{__proto__: {gateway: {bind: 'lan'}}, constructor: 1, gateway: {}}")
    doc = assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))
    assert doc is not None and "gateway.bind_no_auth" not in finding_ids(doc)


def test_control_characters_in_keys_cannot_forge_report_lines(tmp_path: Path) -> None:
    cfg = json.dumps(
        {"channels": {"tele\x1b[31mgram\rerror: forged": {"dmPolicy": "open", "allowFrom": ["*"]}}}
    )
    sd = state_dir(tmp_path, cfg)
    text_out, json_out = both_modes(tmp_path, sd)
    assert_audit_ran(text_out, json_mode=False)
    assert "\x1b" not in text_out.stdout and "\r" not in text_out.stdout
    assert "\\x1b[31m" in text_out.stdout
    assert_audit_ran(json_out)


def test_lone_surrogates_are_written_escaped(tmp_path: Path) -> None:
    cfg = r'{channels: {"\uD800x": {dmPolicy: "open", allowFrom: ["*"]}}, agents: {list: [{id: "a\uDC00"}]}}'
    sd = state_dir(tmp_path, cfg)
    text_out, json_out = both_modes(tmp_path, sd)
    assert_audit_ran(text_out, json_mode=False)
    assert "\\ud800x" in text_out.stdout
    doc = assert_audit_ran(json_out)
    assert doc is not None and any("\ud800x" in f["detail"] for f in doc["findings"])


def test_config_path_that_does_not_exist_audits_an_empty_config(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, None)
    doc = assert_audit_ran(cli("--state-dir", str(sd), "--json", home=tmp_path))
    assert doc is not None and "summary.attack_surface" in finding_ids(doc)


def test_explicit_config_that_is_an_empty_directory(tmp_path: Path) -> None:
    # --config DIR audits every *.json/*.json5 in it (several targets); none is an input error.
    out = cli("--config", str(tmp_path), "--state-dir", str(tmp_path), home=tmp_path)
    assert_input_error(out, "no *.json or *.json5 configs in directory")


def test_config_path_of_a_directory_from_env(tmp_path: Path) -> None:
    (tmp_path / "openclaw.json").mkdir()
    out = cli("--state-dir", str(tmp_path), home=tmp_path)
    assert_input_error(out, "config file is a directory, not a file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_config_that_is_a_device(tmp_path: Path, device: str) -> None:
    out = cli("--config", device, "--state-dir", str(tmp_path), home=tmp_path)
    assert_input_error(out, "config file is not a regular file")


def test_config_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, None)
    os.mkfifo(sd / "openclaw.json")
    out = cli("--state-dir", str(sd), home=tmp_path)
    assert_input_error(out, "config file is not a regular file")


# Wrong input on the command line (trust.md §2): exit 2, one line, never a green report.
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--check", "gateway.bind_no_auht"], "did you mean 'gateway.bind_no_auth'"),
        (["--skip-check", "[unclosed"], "matches no check"),
        (["--check", ""], "empty pattern"),
        (["--timeout", "nan"], "--timeout must be a finite number"),
        (["--timeout", "1e999"], "--timeout must be a finite number"),
        (["--state-dir", "/nonexistent-dir/state"], "no such directory"),
        (["--config", "/nonexistent-dir/openclaw.json"], "no such file"),
        (["--ignore-file", "/dev/null"], "it is a device"),
        (["--token-file", "/dev/urandom"], "it is a device"),
    ],
)
def test_wrong_command_line_input_is_an_input_error(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    sd = state_dir(tmp_path, "{}")
    extra = [] if "--state-dir" in args else ["--state-dir", str(sd)]
    out = cli(*extra, *args, "--json", home=tmp_path)
    assert_input_error(out, fragment, json_mode=True)


def test_ignore_file_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    sd = state_dir(tmp_path, "{}")
    os.mkfifo(tmp_path / "ignore.toml")
    out = cli("--state-dir", str(sd), "--ignore-file", str(tmp_path / "ignore.toml"), home=tmp_path)
    assert_input_error(out, "ignore file is not a regular file (it is a FIFO)")
