"""The .env parser follows Node's dotenv (what OpenClaw uses) and agrees with python-dotenv
wherever the two agree (trust.md §4)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import given, settings
from hypothesis import strategies as st

from openclaw_audit.config.dotenv import load_dotenv_into, parse_dotenv, read_dotenv


def python_dotenv(text: str) -> dict[str, str | None]:
    return dict(dotenv_values(stream=io.StringIO(text), interpolate=False))


# Cases where both parsers agree: ours must give exactly this, and python-dotenv too.
COMMON = [
    ("A=b", {"A": "b"}),
    ("export A=b", {"A": "b"}),
    ("  export   A = b  ", {"A": "b"}),
    ("A=", {"A": ""}),
    ("A=''", {"A": ""}),
    ('A=""', {"A": ""}),
    ("A='b c'", {"A": "b c"}),
    ('A="b c"', {"A": "b c"}),
    ('A="x\\ny"', {"A": "x\ny"}),
    ("A='x\\ny'", {"A": "x\\ny"}),
    ("A=b # comment", {"A": "b"}),
    ("A='b' # comment", {"A": "b"}),
    ('A="b"# comment', {"A": "b"}),
    ('A="b # not a comment"', {"A": "b # not a comment"}),
    ("# A=1\nB=2", {"B": "2"}),
    ("A=1\nA=2", {"A": "2"}),
    ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    ('A="multi\nline"', {"A": "multi\nline"}),
    ("A=${B}", {"A": "${B}"}),  # no interpolation: upstream does not expand
    ("A=b=c", {"A": "b=c"}),
    ("\ufeffA=b", {"A": "b"}),
    ("A.B-C=1", {"A.B-C": "1"}),
]

# Where Node's dotenv (upstream) and python-dotenv differ, we follow Node.
NODE_ONLY = [
    ("A=b#c", {"A": "b"}),  # python-dotenv: "b#c"
    ('A="a\\"b"', {"A": 'a\\"b'}),  # python-dotenv decodes \"
    ('A="t\\tx"', {"A": "t\\tx"}),  # only \n and \r are escapes in Node
    ("A='it\\'s'", {"A": "it\\'s"}),
    ("A=`x y`", {"A": "x y"}),  # back quotes
    ("A: b", {"A": "b"}),  # YAML-ish form
    ('A="b" c', {"A": '"b" c'}),  # not a quoted value: the unquoted form, quotes kept
    ("JUSTAKEY", {}),  # python-dotenv: JUSTAKEY=None
]


@pytest.mark.parametrize(("text", "expected"), COMMON)
def test_common_cases_match_python_dotenv(text: str, expected: dict[str, str]) -> None:
    assert parse_dotenv(text) == expected
    assert python_dotenv(text) == expected


@pytest.mark.parametrize(("text", "expected"), NODE_ONLY)
def test_node_dotenv_behaviour_where_python_dotenv_differs(
    text: str, expected: dict[str, str]
) -> None:
    assert parse_dotenv(text) == expected
    assert python_dotenv(text) != expected  # the table documents a real difference


_KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_PLAIN = st.text(st.sampled_from("abcXYZ019_-./:@$%{}+ "), max_size=12)
_SINGLE = st.text(st.sampled_from('abc 019#"$={}-'), max_size=10)
_DOUBLE = st.lists(
    st.sampled_from(["a", "Z", "0", " ", "#", "'", "$", "{", "}", "\\n"]), max_size=8
)
_GAP = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def _line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["blank", "comment", "plain", "single", "double"]))
    if kind == "blank":
        return draw(_GAP)
    if kind == "comment":
        return "#" + draw(_PLAIN)
    head = draw(st.sampled_from(["", "export "])) + draw(_KEY) + draw(_GAP) + "=" + draw(_GAP)
    if kind == "plain":
        value = draw(_PLAIN).strip()
        if value.startswith("#"):
            value = ""
    elif kind == "single":
        value = "'" + draw(_SINGLE) + "'"
    else:
        value = '"' + "".join(draw(_DOUBLE)) + '"'
    tail = draw(st.sampled_from(["", " # note", "  #x"]))
    if kind == "plain" and not value:
        tail = ""  # "A= # x": python-dotenv and Node agree only without the comment
    return draw(_GAP) + head + value + tail


@settings(max_examples=400, deadline=None)
@given(st.lists(_line(), max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_differential_against_python_dotenv(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    assert parse_dotenv(text) == python_dotenv(text)


def test_files_fill_only_unset_names_and_report_them(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("A=from-file\nB=from-file\n")
    env = {"A": "already"}
    assert load_dotenv_into(env, str(path)) == ["B"]
    assert env == {"A": "already", "B": "from-file"}


def test_a_fifo_named_env_is_skipped_without_blocking(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / ".env")
    assert read_dotenv(str(tmp_path / ".env")) == {}
