"""Splicing edits into JSON5 text: only the edited span changes (fix.md B1)."""

from __future__ import annotations

import pytest

from openclaw_audit.config import json5
from openclaw_audit.fix.edit import EditError, edit_file, render_literal
from openclaw_audit.fix.plan import InsertConfigValue, SetConfigValue


def set_edit(path: tuple[str, ...], old: object, new: object) -> SetConfigValue:
    return SetConfigValue("/cfg", path, path, old, new, "change")


def insert(obj: tuple[str, ...], key: str, value: object) -> InsertConfigValue:
    return InsertConfigValue("/cfg", obj, key, (*obj, key), value, "change")


def test_scalar_edit_keeps_everything_else_byte_for_byte() -> None:
    text = (
        "// header\r\n{\r\n  /* a */ logging: {redactSensitive:'off'}, // tail\r\n"
        '  "x": 0x1F, y: +Infinity,\r\n}\r\n'
    )
    out = edit_file("/cfg", text, [set_edit(("logging", "redactSensitive"), "off", "tools")])
    start = text.index("'off'")
    assert out.new_text == text[:start] + "'tools'" + text[start + len("'off'") :]
    assert json5.loads(out.new_text)["logging"]["redactSensitive"] == "tools"


def test_quote_style_follows_the_old_literal() -> None:
    assert render_literal("allowlist", "'open'") == "'allowlist'"
    assert render_literal("allowlist", '"open"') == '"allowlist"'
    assert render_literal("it's", "'x'") == '"it\'s"'
    assert render_literal(["a", "b"]) == '["a", "b"]'


def test_insert_after_last_member_with_trailing_comma_and_comment() -> None:
    text = '{\n  wa: {\n    groupPolicy: "open",\n    dmPolicy: "pairing", // note\n  },\n}\n'
    out = edit_file("/cfg", text, [insert(("wa",), "groupAllowFrom", ["+1"])])
    assert out.new_text == (
        '{\n  wa: {\n    groupPolicy: "open",\n    dmPolicy: "pairing", // note\n'
        '    "groupAllowFrom": ["+1"],\n  },\n}\n'
    )


def test_insert_without_trailing_comma_keeps_line_comment_in_place() -> None:
    text = '{\n  wa: {\n    groupPolicy: "open" // why\n  }\n}\n'
    out = edit_file("/cfg", text, [insert(("wa",), "groupAllowFrom", ["+1"])])
    assert out.new_text == (
        '{\n  wa: {\n    groupPolicy: "open", // why\n    "groupAllowFrom": ["+1"]\n  }\n}\n'
    )


def test_insert_into_single_line_and_empty_objects() -> None:
    text = "{\n  a: {x: 1},\n  b: {x: 1,},\n  c: {},\n  d: { /* keep */ },\n}\n"
    edits = [insert((k,), "k", [1]) for k in ("a", "b", "c", "d")]
    out = edit_file("/cfg", text, edits)
    assert out.new_text == (
        '{\n  a: {x: 1, "k": [1]},\n  b: {x: 1, "k": [1],},\n'
        '  c: {\n    "k": [1]\n  },\n  d: {\n    "k": [1], /* keep */ },\n}\n'
    )
    assert json5.loads(out.new_text) == {
        "a": {"x": 1, "k": [1]},
        "b": {"x": 1, "k": [1]},
        "c": {"k": [1]},
        "d": {"k": [1]},
    }


def test_set_and_insert_in_the_same_object() -> None:
    text = "{ wa: { groupPolicy: 'open' } }"
    out = edit_file(
        "/cfg",
        text,
        [set_edit(("wa", "groupPolicy"), "open", "allowlist"), insert(("wa",), "g", ["1"])],
    )
    assert out.new_text == '{ wa: { groupPolicy: \'allowlist\', "g": ["1"] } }'


def test_crlf_file_gets_crlf_for_new_lines() -> None:
    text = '{\r\n  wa: {\r\n    groupPolicy: "open",\r\n  },\r\n}\r\n'
    out = edit_file("/cfg", text, [insert(("wa",), "g", [])])
    assert (
        out.new_text == '{\r\n  wa: {\r\n    groupPolicy: "open",\r\n    "g": [],\r\n  },\r\n}\r\n'
    )


def test_unexpected_old_value_refuses_the_edit() -> None:
    text = "{ a: 'closed' }"
    with pytest.raises(EditError, match="expected value"):
        edit_file("/cfg", text, [set_edit(("a",), "open", "allowlist")])
    with pytest.raises(EditError, match="already present"):
        edit_file("/cfg", "{ a: { k: 1 } }", [insert(("a",), "k", [2])])
    with pytest.raises(EditError, match="no longer parses"):
        edit_file("/cfg", "{ a: ", [set_edit(("a",), "open", "allowlist")])
