"""Tests for our JSON5 parser: values (differential against the `json5` package), errors,
provenance spans and hostile input."""

from __future__ import annotations

import json
import math
import pickle
import re
import time
from typing import Any

import json5 as oracle
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_audit.config.json5 import MAX_DEPTH, JSON5Error, loads, parse, scan_spans
from openclaw_audit.config.json5 import UNQUOTED_WORD as UNQUOTED
from openclaw_audit.config.provenance import ProvNode

# --- helpers ----------------------------------------------------------------------------------


def _norm_str(s: str) -> str:
    """Combine UTF-16 surrogate pairs (the oracle keeps them as two code points; we join them)."""
    try:
        return s.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return s  # a lone surrogate stays as is


def same(a: Any, b: Any) -> bool:
    """Deep equality where NaN equals NaN, -0.0 differs from 0.0, and int/float types must match."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def norm_oracle(v: Any) -> Any:
    if isinstance(v, str):
        return _norm_str(v)
    if isinstance(v, dict):
        return {_norm_str(k): norm_oracle(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm_oracle(x) for x in v]
    return v


def err(text: str) -> JSON5Error:
    with pytest.raises(JSON5Error) as info:
        loads(text)
    with pytest.raises(JSON5Error):
        parse(text, "f.json5")
    return info.value


def all_nodes(node: ProvNode) -> list[ProvNode]:
    out = [node]
    kids = node.children
    if isinstance(kids, dict):
        kids = list(kids.values())
    for kid in kids or []:
        out.extend(all_nodes(kid))
    return out


# --- valid inputs, compared against the oracle ------------------------------------------------

VALID = [
    # plain JSON
    "{}",
    "[]",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "123",
    "-45",
    "1.5",
    "-1.5e3",
    "1E-2",
    "1e+2",
    '"hello"',
    '""',
    '{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
    "[1, [2, [3, [4]]]]",
    # comments
    "// leading\n{a: 1}",
    "{a: 1} // trailing",
    "/* block */ [1, /* inner */ 2]",
    "/**/[/***/1/* * / */]/* ** */",
    "{a: /* c */ 1 /* d */, // e\n b: 2}",
    "[1 // c\r\n, 2]",
    "/* multi\nline\ncomment */ 5",
    # trailing commas
    "[1, 2, 3,]",
    "{a: 1, b: 2,}",
    "[[],]",
    "{a: {},}",
    # keys
    "{a: 1}",
    "{$include: 'x.json5'}",
    "{_private: 1, $: 2, _: 3, a1b2: 4}",
    "{'single': 1}",
    '{"double": 1}',
    "{true: 1, false: 2, null: 3, Infinity: 4, NaN: 5, if: 6}",
    "{été: 1, ключ: 2, 鍵: 3}",
    "{\\u0061bc: 1}",
    "{a\\u0062c: 1}",
    "{\\u0024include: 1}",
    "{a\u200cb: 1}",
    "{ʰ: 1}",
    "{'': 1}",
    # strings
    "'single'",
    "'it\\'s'",
    '"say \\"hi\\""',
    "'\"'",
    '"\'"',
    '"\\n\\t\\r\\b\\f\\v\\0\\/\\\\"',
    '"\\x41\\x7e"',
    '"\\u00e9\\u4e2d"',
    '"\\ud83d\\ude00"',
    '"a\\\nb"',
    '"a\\\r\nb"',
    '"a\\\rb"',
    '"a\\\u2028b"',
    '"a\\\u2029b"',
    '"a\u2028b\u2029c"',
    '"\\a\\c\\d\\q"',
    '"tab\there"',
    '"é中😀"',
    # numbers
    "0x1F",
    "0XABCDEF",
    "-0x10",
    "+0x10",
    "0x0",
    ".5",
    "5.",
    "-.5",
    "+.5",
    "+5.",
    "+1",
    "1.e3",
    ".5e-3",
    "Infinity",
    "-Infinity",
    "+Infinity",
    "NaN",
    "-NaN",
    "+NaN",
    "12345678901234567890123",
    "1e400",
    "[1,-1,+1,.1,1.,0x1,-0x1]",
    "[1234567890123456, 12345678901234567, -9999999999999999999]",
    '[-0, 0, "", "a", 1//c\n]',
    "[1\u00a0, 2\u2028, 3\ufeff]",
    # whitespace
    "\ufeff{a: 1}",
    "\ufeff\ufeff[1]",
    "\u00a0[\u00a01\u00a0]\u00a0",
    "\u2028\u2029[1,\u20282]",
    "\u3000\u2003\u1680\u202f\u205f1",
    "\t\v\f\r\n 1 \t\v\f\r\n",
    "[1\u00a0,2]",
    # duplicates
    "{a: 1, b: 2, a: 3}",
    "{a: {x: 1}, a: [2]}",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_matches_oracle(text: str) -> None:
    expected = norm_oracle(oracle.loads(text))
    got = loads(text)
    assert same(got, expected), (got, expected)
    value, node = parse(text, "f.json5")
    assert same(value, expected)
    assert node.origin is not None and node.origin.file == "f.json5"


def test_value_types() -> None:
    v = loads("[1, 1.0, 1e2, 0x10, -0, true, null, 'x', Infinity, NaN]")
    types = [int, float, float, int, int, bool, type(None), str, float, float]
    assert [type(x) for x in v] == types
    assert v[3] == 16 and v[8] == math.inf and math.isnan(v[9])


def test_surrogate_pairs_are_combined() -> None:
    assert loads('"\\ud83d\\ude00"') == "😀"
    assert loads('"\\uD83D\\uDE00x"') == "😀x"
    # A lone surrogate is kept (as JavaScript does) rather than rejected.
    assert loads('"\\ud83d"') == "\ud83d"
    assert loads('"\\ud83dx"') == "\ud83dx"
    assert loads('"\\ude00\\ud83d"') == "\ude00\ud83d"


def test_infinity_and_nan_signs() -> None:
    assert loads("-Infinity") == -math.inf
    assert loads("+Infinity") == math.inf
    assert math.isnan(loads("-NaN"))


def test_duplicate_keys_last_wins_keeping_first_position() -> None:
    text = "{a: 1, b: 2, a: 'last'}"
    value, node = parse(text)
    assert value == {"a": "last", "b": 2}
    assert list(value) == ["a", "b"]
    a = node.lookup(("a",))
    assert a is not None and a.origin is not None
    assert text[a.origin.start : a.origin.end] == "'last'"


def test_include_key_and_escaped_identifier() -> None:
    assert loads("{$include: './a.json5', nested: [{$include: ['b', 'c']}]}") == {
        "$include": "./a.json5",
        "nested": [{"$include": ["b", "c"]}],
    }
    assert loads("{\\u0024include: 1}") == {"$include": 1}


def test_bom_only_before_value() -> None:
    assert loads("\ufeff{}") == {}
    assert loads("\ufeff  // c\n[]") == []


def test_huge_integer_is_a_clean_error() -> None:
    e = err("1" * 5000)
    assert e.offset == 0 and len(e.message) < 60
    # Hex is bounded too, so every parsed int stays printable with str().
    assert str(loads("0x" + "f" * 3500)) == str(int("f" * 3500, 16))
    assert err("0x" + "f" * 5000).message == "integer literal too long"


# --- hypothesis: round trips through json.dumps and json5.dumps -------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(), kids, max_size=5),
    max_leaves=30,
)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.booleans(), st.sampled_from([None, 0, 2, "\t"]))
def test_roundtrip_json_dumps(value: Any, ascii_only: bool, indent: Any) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    assert same(loads(text), value)
    parsed, _node = parse(text)
    assert same(parsed, value)
    assert same(loads(text), norm_oracle(oracle.loads(text)))


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.booleans(), st.booleans(), st.sampled_from([None, 0, 2]))
def test_roundtrip_json5_dumps(value: Any, quote_keys: bool, trailing: bool, indent: Any) -> None:
    text = oracle.dumps(value, quote_keys=quote_keys, trailing_commas=trailing, indent=indent)
    if "\\0" in text and oracle_rejects(text):
        # json5.dumps writes "\0" before a digit for "\x00" + digit, which JSON5 (and its own
        # loads) rejects; we must reject it too.
        with pytest.raises(JSON5Error, match="invalid escape"):
            loads(text)
        return
    assert same(loads(text), value)
    assert same(parse(text)[0], value)


# --- hypothesis: arbitrary text only ever raises JSON5Error -----------------------------------

JSON5_ALPHABET = [
    *"{}[]:,\"'\\/*\n\r \t0123456789abcefnrtuvxIN+-.eE$_",
    "\u2028",
    "\ufeff",
    "\u00a0",
    "é",
    "\ud800",
    "\x00",
]


def _parse_or_error(text: str) -> None:
    for fn in (loads, lambda t: parse(t, "f")):
        try:
            fn(text)
        except JSON5Error as e:
            assert 0 <= e.offset <= len(text)
            assert e.line >= 1 and e.column >= 1
            assert len(e.message) <= 80
            assert str(e) == f"{e.line}:{e.column}: {e.message}"


@settings(deadline=None, max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(JSON5_ALPHABET), max_size=60))
def test_random_json5_ish_text_raises_only_json5error(text: str) -> None:
    _parse_or_error(text)


@settings(deadline=None, max_examples=500)
@given(st.text(max_size=80))
def test_random_unicode_text_raises_only_json5error(text: str) -> None:
    _parse_or_error(text)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.data())
def test_mutated_documents_raise_only_json5error(value: Any, data: st.DataObject) -> None:
    text = oracle.dumps(value, indent=1)
    cut = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.text(alphabet=st.sampled_from(JSON5_ALPHABET), max_size=3))
    mutated = text[:cut] + insert + text[cut + data.draw(st.integers(0, 3)) :]
    _parse_or_error(mutated)


# Token soup: short sequences of JSON5 fragments are valid often enough (~4%) to compare values,
# and hit the boundaries (signs, exponents, escapes, comments) far more often than plain text.
TOKENS = [
    *"{}[]:,'\"\\\n\r ._+-",
    "//c\n",
    "/**/",
    "/*",
    '"a"',
    "'b'",
    "a",
    "$x",
    "1",
    "0",
    "00",
    "5",
    "0x",
    "e",
    "E+",
    "Infinity",
    "NaN",
    "null",
    "true",
    '"\\u',
    "\\u0061",
    "\\ud83d",
    "\\ude00",
    '"\\x4',
    "é",
    "\u2028",
    "\ufeff",
    "\u00a0",
    "\\\n",
    "\u200c",
    "\u0301",
]


@settings(deadline=None, max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=10).map("".join))
def test_token_soup_agrees_with_oracle(text: str) -> None:
    try:
        expected = norm_oracle(oracle.loads(text))
    except ValueError:
        with pytest.raises(JSON5Error):
            loads(text)
        return
    assert same(loads(text), expected)
    assert same(parse(text)[0], expected)


# --- errors: messages and exact locations -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("", 1, 1, "unexpected end of input"),
        ("   ", 1, 4, "unexpected end of input"),
        ("{a: 1}}", 1, 7, "trailing data after value"),
        ("{\n  a: 1,\n  b 2\n}", 3, 5, "expected ':' after key"),
        ("[1, 2", 1, 6, "unexpected end of input"),
        ("{\n  a: }", 2, 6, "unexpected character '}'"),
        ("[\n  'abc\n]", 2, 3, "unterminated string"),
        ('{a: "abc', 1, 5, "unterminated string"),
        ("[1] /* open", 1, 5, "unterminated comment"),
        ("{a /* open", 1, 4, "unterminated comment"),
        ('"a\\1"', 1, 3, "invalid escape"),
        ('"a\\01"', 1, 3, "invalid escape"),
        ('"\\xZZ"', 1, 2, "invalid escape"),
        ('"\\u12"', 1, 2, "invalid escape"),
        ("[1 2]", 1, 4, "unexpected character '2', expected ',' or ']'"),
        ("{a: 1 b: 2}", 1, 7, "unexpected character 'b', expected ',' or '}'"),
        ("{1: 2}", 1, 2, "unexpected character '1', expected a key"),
        ("[,]", 1, 2, "unexpected character ','"),
        ("{,}", 1, 2, "unexpected character ',', expected a key"),
        ("[1,,2]", 1, 4, "unexpected character ','"),
        ("01", 1, 1, "invalid number"),
        ("[-01]", 1, 2, "invalid number"),
        ("[1a]", 1, 2, "invalid number"),
        ("[1\u00e9]", 1, 2, "invalid number"),
        ("[1\U0001d44e]", 1, 2, "invalid number"),
        ("[12345678901234567x]", 1, 2, "invalid number"),
        ("0x", 1, 1, "invalid number"),
        ("1.2.3", 1, 1, "invalid number"),
        ("5px", 1, 1, "invalid number"),
        ("[-]", 1, 3, "unexpected character ']'"),
        ("undefined", 1, 1, UNQUOTED),
        ("{a: tru}", 1, 5, UNQUOTED),
        ("[\\u0074rue]", 1, 2, UNQUOTED),
        ("/", 1, 1, "unexpected character '/'"),
        ("\r\n\r\n  ]", 3, 3, "unexpected character ']'"),
        ("\r\r]", 3, 1, "unexpected character ']'"),
        ("\u2028]", 2, 1, "unexpected character ']'"),
        ("é\n", 1, 1, UNQUOTED),
        ("[\x00]", 1, 2, "unexpected character U+0000"),
        ("{\\u0031: 1}", 1, 2, "invalid escape in identifier"),
        ("{a\\x41: 1}", 1, 3, "invalid escape"),
    ],
)
def test_error_locations(text: str, line: int, column: int, message: str) -> None:
    e = err(text)
    assert (e.line, e.column, e.message) == (line, column, message)
    assert str(e) == f"{line}:{column}: {message}"


def test_error_is_a_value_error_and_pickles() -> None:
    e = err("[1,")
    assert isinstance(e, ValueError)
    copy = pickle.loads(pickle.dumps(e))
    assert (copy.message, copy.line, copy.column, copy.offset) == (
        e.message,
        e.line,
        e.column,
        e.offset,
    )
    assert str(copy) == str(e)


def test_error_message_never_echoes_long_input() -> None:
    secret = "sk-" + "A" * 200
    for text in (secret, "{a: " + secret + "}", "[" + secret + "]", "{" + secret + " 1}"):
        e = err(text)
        assert "A" * 30 not in str(e)
    # An unquoted secret is not echoed at all, not even a prefix.
    for text in ("{token: sk_live_abc123}", "{token: Bearer_abc}"):
        e = err(text)
        assert "sk_" not in str(e) and "Bearer" not in str(e)


# --- nesting depth ----------------------------------------------------------------------------


def test_max_depth_allowed() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    value = loads(text)
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []
    parse(text)


@pytest.mark.parametrize("opener", ["[", "{a:", "{'a': [", "[{b:"])
def test_too_deep_is_a_clean_error(opener: str) -> None:
    e = err(opener * 10_000)
    assert e.message == f"nesting too deep (more than {MAX_DEPTH} levels)"


def test_one_level_too_deep_points_at_the_bracket() -> None:
    e = err("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert (e.line, e.column) == (1, MAX_DEPTH + 1)


# --- provenance -------------------------------------------------------------------------------

PROV_TEXT = """\ufeff// gateway config
{
  gateway: { port: 18789, bind: 'lan' },   // inline
  "channels": {
    telegram: {
      accounts: [
        { token: "a\\u0062c", allowFrom: ['*', "+1555"], },
        { $include: "./accounts/b.json5" },
      ],
    },
  },
  limits: [0x1F, -Infinity, .5, NaN, true, null],
  /* trailing */
}
"""


def test_spans_slice_back_to_source_text() -> None:
    value, node = parse(PROV_TEXT, "/etc/openclaw.json5")

    def src(path: tuple[str, ...]) -> str:
        n = node.lookup(path)
        assert n is not None and n.origin is not None
        return PROV_TEXT[n.origin.start : n.origin.end]

    assert src(("gateway",)) == "{ port: 18789, bind: 'lan' }"
    assert src(("gateway", "port")) == "18789"
    assert src(("gateway", "bind")) == "'lan'"
    assert src(("channels", "telegram", "accounts", "0", "token")) == '"a\\u0062c"'
    assert src(("channels", "telegram", "accounts", "0", "allowFrom", "1")) == '"+1555"'
    assert src(("channels", "telegram", "accounts", "1", "$include")) == '"./accounts/b.json5"'
    assert src(("limits", "0")) == "0x1F"
    assert src(("limits", "1")) == "-Infinity"
    assert src(("limits", "2")) == ".5"
    assert src(("limits", "5")) == "null"
    assert src(()).startswith("{") and src(()).endswith("}")
    assert value["channels"]["telegram"]["accounts"][0]["token"] == "abc"


def test_every_node_span_reparses_to_its_value() -> None:
    value, node = parse(PROV_TEXT, "f")
    for n in all_nodes(node):
        o = n.origin
        assert o is not None and o.file == "f"
        sub = value
        for part in o.local_path:
            sub = sub[int(part)] if isinstance(sub, list) else sub[part]
        assert same(loads(PROV_TEXT[o.start : o.end]), sub)
        # line/column agree with the offset
        before = PROV_TEXT[: o.start]
        assert o.line == before.count("\n") + 1
        assert o.column == o.start - (before.rfind("\n") + 1) + 1


def _check_tree(text: str, value: Any, node: ProvNode) -> None:
    line_starts = [0] + [m.end() for m in re.finditer("\r\n|[\n\r\u2028\u2029]", text)]
    for n in all_nodes(node):
        o = n.origin
        assert o is not None
        sub = value
        for part in o.local_path:
            sub = sub[int(part)] if isinstance(sub, list) else sub[part]
        assert node.lookup(o.local_path) is n
        assert same(loads(text[o.start : o.end]), sub)
        assert isinstance(n.children, dict) == isinstance(sub, dict)
        assert isinstance(n.children, list) == isinstance(sub, list)
        line_start = line_starts[o.line - 1]
        assert line_start <= o.start and o.column == o.start - line_start + 1
        assert o.line == len(line_starts) or o.start < line_starts[o.line]


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from([None, 2, "\r\n", "\u2028"]), st.booleans())
def test_provenance_property(value: Any, indent: Any, comments: bool) -> None:
    seps = (", /* , */", ": // :\n") if comments else None
    text = oracle.dumps(value, indent=1 if indent else None, quote_keys=False, separators=seps)
    if isinstance(indent, str):  # other line-break styles; only structural newlines are bare
        text = text.replace("\n", indent)
    if comments:
        text = "/* head */\n" + text + " // tail"
    if text.count("\\0") and oracle_rejects(text):
        return  # see test_roundtrip_json5_dumps
    parsed, node = parse(text, "p.json5")
    assert same(parsed, value)
    _check_tree(text, parsed, node)


def oracle_rejects(text: str) -> bool:
    try:
        oracle.loads(text)
    except ValueError:
        return True
    return False


def test_local_paths_and_line_columns() -> None:
    _, node = parse(PROV_TEXT, "f")
    port = node.lookup(("gateway", "port"))
    assert port is not None and port.origin is not None
    assert port.origin.local_path == ("gateway", "port")
    assert (port.origin.line, port.origin.column) == (3, 20)
    inc = node.lookup(("channels", "telegram", "accounts", "1", "$include"))
    assert inc is not None and inc.origin is not None
    assert inc.origin.local_path == ("channels", "telegram", "accounts", "1", "$include")
    assert (inc.origin.line, inc.origin.column) == (8, 21)
    root = node.origin
    assert root is not None and (root.line, root.column, root.local_path) == (2, 1, ())


def test_children_mirror_the_value() -> None:
    value, node = parse("{a: [1, {b: 2}], c: {}, d: []}")
    assert isinstance(node.children, dict) and list(node.children) == ["a", "c", "d"]
    a = node.child("a")
    assert a is not None and isinstance(a.children, list) and len(a.children) == 2
    assert node.lookup(("a", "1", "b")) is not None
    c, d = node.child("c"), node.child("d")
    assert c is not None and c.children == {}
    assert d is not None and d.children == []
    assert node.lookup(("a", "0")) is not None and node.lookup(("a", "0")).children is None  # type: ignore[union-attr]
    assert value == {"a": [1, {"b": 2}], "c": {}, "d": []}


def test_scalar_root_and_crlf_lines() -> None:
    _, node = parse("\r\n\r\n  'x'  ", "g")
    o = node.origin
    assert o is not None and (o.line, o.column, o.start, o.end) == (3, 3, 6, 9)
    _, node = parse("{\r\n a: 1,\r\n b: 2\r\n}")
    b = node.lookup(("b",))
    assert b is not None and b.origin is not None and (b.origin.line, b.origin.column) == (3, 5)


def test_scan_spans_matches_parse() -> None:
    assert scan_spans(PROV_TEXT, "f") == parse(PROV_TEXT, "f")[1]


def test_default_file_name() -> None:
    _, node = parse("1")
    assert node.origin is not None and node.origin.file == "<string>"


# --- performance ------------------------------------------------------------------------------


def _big_config() -> str:
    accounts = {
        f"acct{i}": {
            "enabled": i % 2 == 0,
            "token": f"tok-{i:08d}",
            "allowFrom": [f"+1555{i:07d}", "*"],
            "dmPolicy": "pairing",
        }
        for i in range(10_000)
    }
    return "// big\n" + json.dumps({"channels": {"telegram": {"accounts": accounts}}}, indent=2)


def test_large_config_parses_quickly() -> None:
    text = _big_config()
    assert len(text) > 1_000_000
    t0 = time.process_time()
    value, node = parse(text, "big.json5")
    elapsed = time.process_time() - t0
    assert len(value["channels"]["telegram"]["accounts"]) == 10_000
    leaf = node.lookup(("channels", "telegram", "accounts", "acct9999", "allowFrom", "1"))
    assert leaf is not None and leaf.origin is not None
    assert text[leaf.origin.start : leaf.origin.end] == '"*"'
    # Generous bound so slow CI machines pass; the target on a dev machine is well under 1 s.
    assert elapsed < 5.0
