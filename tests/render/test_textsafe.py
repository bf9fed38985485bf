"""textsafe: every character that could steer a terminal or hide text is shown escaped."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openclaw_audit.textsafe import json_text, one_line, printable

STEERING = [
    ("\x1b[2J", "\\x1b[2J"),  # CSI: clear screen
    ("\x1b]8;;http://x\x07", "\\x1b]8;;http://x\\x07"),  # OSC 8 hyperlink
    ("\x9b31m", "\\x9b31m"),  # 8-bit CSI
    ("\x9d0;title\x9c", "\\x9d0;title\\x9c"),  # 8-bit OSC / ST
    ("\r", "\\x0d"),
    ("\x08", "\\x08"),
    ("\x7f", "\\x7f"),
    ("\u202e", "\\u202e"),  # RIGHT-TO-LEFT OVERRIDE (Trojan Source)
    ("\u2066", "\\u2066"),  # LEFT-TO-RIGHT ISOLATE
    ("\u200b", "\\u200b"),  # zero-width space
    ("\u00ad", "\\xad"),  # soft hyphen
    ("\ufff9", "\\ufff9"),  # interlinear annotation
    ("\U000e0041", "\\U000e0041"),  # tag character (invisible text)
    ("\u2028", "\\u2028"),  # line separator
]


@pytest.mark.parametrize(("raw", "shown"), STEERING)
def test_steering_characters_are_escaped(raw: str, shown: str) -> None:
    assert one_line(f"a{raw}b") == f"a{shown}b"
    assert printable(f"a{raw}b") == f"a{shown}b"


def test_newlines_and_tabs() -> None:
    assert one_line("a\nb\tc") == "a\\x0ab\tc"
    assert printable("a\nb\tc") == "a\nb\tc"
    assert one_line("ünïcødé 状態 ✓") == "ünïcødé 状態 ✓"  # ordinary text stays as it is


@given(st.text())
def test_one_line_is_always_one_printable_encodable_line(text: str) -> None:
    out = one_line(text)
    assert "\n" not in out and "\r" not in out and "\x1b" not in out
    out.encode("utf-8")  # lone surrogates are escaped too


@given(st.text())
def test_json_text_keeps_the_value(text: str) -> None:
    doc = json.dumps({"k": text}, ensure_ascii=False)
    try:
        doc.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates: write_output escapes them separately
    safe = json_text(doc)
    assert json.loads(safe) == {"k": text}
    for raw, _ in STEERING:
        if raw not in ("\r", "\x08"):  # json.dumps escapes C0 itself
            assert raw not in safe
