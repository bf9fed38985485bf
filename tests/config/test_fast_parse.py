"""The plain-JSON fast path (config/jsonfast.py) against the JSON5 parser it stands in for.

Values and every value position must be identical, and the whole audit's output bytes in every
format must not change: each config here is audited twice in-process, with the fast path and
with it switched off (the JSON5 parser, the include walk and the pairwise include merge).
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from openclaw_audit.config import includes, json5, reader
from openclaw_audit.config.jsonfast import parse_plain_json
from openclaw_audit.config.merge import deep_merge
from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.face.cli import app

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import genconfigs  # noqa: E402

COMPARE = sorted((ROOT / "fixtures" / "compare").glob("*.json5"))


def materialize(prov: ProvNode | None) -> ProvNode | None:
    """A plain ProvNode tree with every lazily found span filled in."""
    if prov is None:
        return None
    kids = prov.children
    if isinstance(kids, dict):
        return ProvNode(prov.origin, {k: materialize(v) for k, v in kids.items()})  # type: ignore[misc]
    if isinstance(kids, list):
        return ProvNode(prov.origin, [materialize(v) for v in kids])  # type: ignore[misc]
    return ProvNode(prov.origin, kids)


def assert_same_parse(text: str) -> None:
    fast = parse_plain_json(text, "/x/openclaw.json")
    assert fast is not None, text[:200]
    slow_value, slow_prov = json5.parse(text, "/x/openclaw.json")
    value, prov = fast
    assert json.dumps(value, sort_keys=False) == json.dumps(slow_value, sort_keys=False)
    assert materialize(prov) == slow_prov


@pytest.mark.parametrize("case", COMPARE, ids=lambda p: p.name)
@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_compare_fixtures_as_json(case: Path, indent: Any) -> None:
    value = json5.loads(case.read_text())
    assert_same_parse(json.dumps(value, indent=indent, ensure_ascii=False))
    assert_same_parse(json.dumps(value, indent=indent).replace("\n", "\r\n"))


@pytest.mark.parametrize("kind", sorted(genconfigs.KINDS))
def test_generated_configs(kind: str) -> None:
    assert_same_parse(json.dumps(genconfigs.KINDS[kind](50), indent=2))


@pytest.mark.parametrize(
    "text",
    [
        '  {"a":1,\r\n"b":\r[2, {"c" : "\\u2028 \\ud83d\\ude00"}], "d": "x\u2028y"}  \n',
        '{"n": [0, -0, 1.5, -2e3, 1E400, NaN, -Infinity, 12345678901234567890], "e": {}}',
        '[[], {}, [[{}]], "", null, true, false]',
        '"just a string"',
        "\n\n  42 \r\n",
        '{"k\\"ey": {"\\u0041": ["\\/", "\\b\\f\\n\\r\\t"]}}',
    ],
)
def test_edge_texts(text: str) -> None:
    assert_same_parse(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',  # duplicates: the JSON5 parser reports them
        '{"a": {"b": 1, "b": 2}}',
        "[" * 201 + "]" * 201,  # deeper than the JSON5 parser allows: its error
        "\ufeff{}",  # BOM
        "{a: 1}",
        '{"a": 1,}',
        "// c\n{}",
        '{"a": "tab\there"}',  # raw control character: JSON5 reads it, json does not
        "",
    ],
)
def test_left_to_json5(text: str) -> None:
    assert parse_plain_json(text, "f") is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 0, 1, 3, "\t"]), st.booleans())
def test_random_json(value: Any, indent: Any, ascii_only: bool) -> None:
    assert_same_parse(json.dumps(value, indent=indent, ensure_ascii=ascii_only))


# --- the whole audit: same bytes with and without the fast path ------------------------------


class _PairwiseMerge:
    """The fold as it was: deep_merge per include file."""

    def __init__(self) -> None:
        self.value: Any = {}
        self.prov: ProvNode | None = ProvNode(None, {})

    def add(self, value: Any, prov: ProvNode | None) -> None:
        self.value, self.prov = deep_merge(self.value, self.prov, value, prov)


@contextlib.contextmanager
def fast_path_off() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reader, "parse_plain_json", lambda text, path: None)
        mp.setattr(includes, "_WALK_WORDS", ("",))  # every file is walked again
        mp.setattr(includes, "MergeInto", _PairwiseMerge)
        yield


# Run-specific values (times, durations) differ between any two runs.
_TS = re.compile(
    r'"(ts|generatedAt|startTimeUtc|endTimeUtc|durationMs|duration)": ?("[^"]*"|[\d.]+)'
)


def audit(state: Path, home: Path, fmt: str) -> tuple[int, str]:
    env = {"HOME": str(home), "NO_COLOR": "1", "OPENCLAW_STATE_DIR": None}
    with contextlib.chdir(home):
        res = CliRunner().invoke(app, ["--format", fmt, "--state-dir", str(state)], env=env)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, _TS.sub(r'"\1": 0', res.stdout)


def write_case(tmp: Path, name: str, config: dict[str, Any], includes_n: int = 0) -> Path:
    state = tmp / name
    genconfigs.write_state(state, config, includes_n)
    return state


def cases(tmp: Path) -> list[Path]:
    out = [ROOT / "openclaw_audit" / "demo"]
    for case in COMPARE:
        text = case.read_text()
        if "@" in text.split("{", 1)[0]:
            continue  # needs the comparison script's environment set-up
        out.append(write_case(tmp, case.stem, json5.loads(text)))
    for kind, build in genconfigs.KINDS.items():
        out.append(write_case(tmp, kind, build(40)))
        out.append(write_case(tmp, f"{kind}-inc", build(40), includes_n=7))
    return out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_audit_output_unchanged(tmp_path: Path, fmt: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for state in cases(tmp_path):
        fast = audit(state, home, fmt)
        with fast_path_off():
            slow = audit(state, home, fmt)
        assert fast == slow, state.name
        assert fast[1], state.name
