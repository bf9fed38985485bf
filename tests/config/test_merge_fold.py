"""MergeInto (the linear fold of many include files) against deep_merge applied pairwise, and
the include walk's shortcut for files it would only copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from openclaw_audit.config.includes import IncludeResolver, IncludeRoots
from openclaw_audit.config.json5 import parse
from openclaw_audit.config.merge import MergeInto, deep_merge
from openclaw_audit.config.provenance import ProvNode

keys = st.sampled_from(["a", "b", "c", "__proto__", "list"])
values = st.recursive(
    st.none() | st.integers(0, 3) | st.text(max_size=2),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)


def parsed(value: Any, name: str) -> tuple[Any, ProvNode]:
    return parse(json.dumps(value), f"/cfg/{name}.json")


def pairwise(items: list[tuple[Any, ProvNode]]) -> tuple[Any, ProvNode | None]:
    acc: Any = {}
    prov: ProvNode | None = ProvNode(None, {})
    for value, p in items:
        acc, prov = deep_merge(acc, prov, value, p)
    return acc, prov


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(keys, values, max_size=4) | values, max_size=6))
def test_fold_equals_pairwise_deep_merge(docs: list[Any]) -> None:
    items = [parsed(d, str(i)) for i, d in enumerate(docs)]
    before = [json.dumps(v) for v, _ in items]
    fold = MergeInto()
    for value, p in items:
        fold.add(value, p)
    want_value, want_prov = pairwise(items)
    assert json.dumps(fold.value) == json.dumps(want_value)
    assert fold.prov == want_prov
    # The inputs (cached include parses in real use) are never changed by the fold.
    assert [json.dumps(v) for v, _ in items] == before


def test_same_plain_file_included_twice_is_two_trees(tmp_path: Path) -> None:
    (tmp_path / "part.json").write_text('{"agents": {"list": [{"id": "a"}]}}')
    root = tmp_path / "openclaw.json"
    raw, prov = parse('{"$include": ["part.json", "part.json"]}', str(root))
    resolver = IncludeResolver(str(root), IncludeRoots.for_config(str(root), {}))
    merged, mprov = resolver.resolve(raw, prov)
    assert merged == {"agents": {"list": [{"id": "a"}, {"id": "a"}]}}
    first, second = merged["agents"]["list"]
    assert first is not second  # no aliasing between the two inclusions
    assert mprov is not None and mprov.lookup(("agents", "list", "1", "id")) is not None
    assert resolver.files == [str(tmp_path / "part.json")]
