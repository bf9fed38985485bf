"""Our validator against jsonschema's Draft7Validator on the real bundled schema.

jsonschema is the reference for JSON Schema semantics. Four documented differences are
applied to the schema it gets, so both sides answer the same question:
- OpenClaw fills keys that have a ``default`` before validating: such keys leave ``required``.
- Patterns follow JavaScript: jsonschema gets our translated regex (jsregex has its own tests).
- ``#/$defs/..`` references in embedded plugin schemas are local to that plugin schema: the
  subschema gets an ``$id`` so jsonschema resolves them there too.
- Embedded channel schemas repeat ``"$schema": draft-07``. jsonschema switches to the stock
  validator class for any subschema that names a ``$schema``, which drops our ``pattern``
  (Python ``re`` on ECMAScript patterns: ``\\p{..}`` raises, ``$`` accepts a final newline).
  The root already says draft-07, so the nested declarations are dropped (any other dialect
  fails the test setup instead of being validated silently by other rules).
Configs are generated from the schema itself (valid-ish by construction, then mutated), so
most reach deep branches; strings are BMP-only (string lengths count UTF-16 units upstream).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_audit.config.schema.jsregex import compile_js
from openclaw_audit.config.schema.store import BUNDLED_FILE
from openclaw_audit.config.schema.validate import UNKNOWN_KEY, Validator

RAW = json.loads(Path(BUNDLED_FILE).read_text())


def _for_jsonschema(schema: Any, counter: list[int], root: bool = True) -> Any:
    if isinstance(schema, list):
        return [_for_jsonschema(s, counter, False) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _for_jsonschema(v, counter, False) for k, v in schema.items()}
    if not root and isinstance(out.get("$schema"), str):  # a string: not a property named so
        assert out.pop("$schema") == RAW["$schema"], "embedded schema of another dialect"
    if isinstance(out.get("required"), list) and isinstance(out.get("properties"), dict):
        out["required"] = [
            r
            for r in out["required"]
            if not (
                isinstance(out["properties"].get(r), dict) and "default" in out["properties"][r]
            )
        ]
    if "$defs" in out:
        counter[0] += 1
        out["$id"] = f"urn:openclaw-audit:embedded:{counter[0]}"
    return out


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if isinstance(instance, str) and compile_js(pattern).search(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


REFERENCE = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})(
    _for_jsonschema(RAW, [0])
)
OURS = Validator(RAW)


def compare(config: Any) -> None:
    theirs = list(REFERENCE.iter_errors(config))
    ours = OURS.validate(config)
    assert bool(theirs) == bool(ours), (config, [e.message for e in theirs], ours)
    if not ours:
        return
    # Where comparable: every error jsonschema reports lies at or above one of ours, and each
    # of ours lies at or below one of jsonschema's (anyOf errors are reported at the union).
    their_paths = {tuple(e.absolute_path) for e in theirs}
    our_paths = {p.at if p.kind == UNKNOWN_KEY else p.path for p in ours}
    for tp in their_paths:
        assert any(op[: len(tp)] == tp for op in our_paths), (config, tp, our_paths)
    for op in our_paths:
        assert any(op[: len(tp)] == tp for tp in their_paths), (config, op, their_paths)


# --- generating configs from the schema --------------------------------------------------------

_text = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=8)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(-2, 2), _text)


@st.composite
def instance(draw: st.DrawFn, schema: Any, depth: int = 0) -> Any:
    if not isinstance(schema, dict) or depth > 6 or draw(st.integers(0, 30)) == 0:
        return draw(_scalar)
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return draw(instance(draw(st.sampled_from(schema[key])), depth + 1))
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list):
        return draw(st.sampled_from(schema["enum"]))
    t = schema.get("type")
    t = draw(st.sampled_from(t)) if isinstance(t, list) else t
    if t == "object":
        props = schema.get("properties") or {}
        out: dict[str, Any] = {}
        if props:
            names = draw(st.lists(st.sampled_from(sorted(props)), max_size=4, unique=True))
            for name in names:
                out[name] = draw(instance(props[name], depth + 1))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and draw(st.booleans()):
            out[draw(st.sampled_from(["a", "main", "Bad Key", "x1"]))] = draw(
                instance(extra, depth + 1)
            )
        return out
    if t == "array":
        items = schema.get("items")
        return [draw(instance(items, depth + 1)) for _ in range(draw(st.integers(0, 2)))]
    if t == "string":
        return draw(st.one_of(_text, st.sampled_from(["main", "lan", "x" * 70, "", "A_B"])))
    if t == "integer":
        return draw(st.integers(-2, 70000))
    if t == "number":
        return draw(st.one_of(st.integers(-2, 10), st.floats(-1, 1e6, allow_nan=False)))
    if t == "boolean":
        return draw(st.booleans())
    return draw(_scalar)


@st.composite
def mutated(draw: st.DrawFn, schema: Any) -> Any:
    value = draw(instance(schema))
    if isinstance(value, dict) and value and draw(st.booleans()):
        value = copy.deepcopy(value)
        node = value
        while True:
            key = draw(st.sampled_from(sorted(node)))
            if isinstance(node[key], dict) and node[key] and draw(st.booleans()):
                node = node[key]
                continue
            node[key + draw(st.sampled_from(["", "x"]))] = draw(_scalar)
            break
    return value


TOP = sorted(RAW["properties"])


@pytest.mark.parametrize("section", TOP)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_agrees_with_jsonschema_per_section(section: str, data: st.DataObject) -> None:
    value = data.draw(mutated(RAW["properties"][section]))
    compare({section: value})


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(config=mutated(RAW))
def test_agrees_with_jsonschema_on_whole_configs(config: Any) -> None:
    compare(config)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"gateway": {"bind": "everywhere", "port": 70000, "bnd": 1}},
        {"gateway": {"auth": {"token": {"source": "file", "provider": "p", "id": 5}}}},
        {"channels": {"telegram": {"accounts": {"a": {"dmPolicy": "nope"}}}}},
        {"plugins": {"entries": {"imap": {"config": {"accounts": {"x": {"host": "h"}}}}}}},
        {"security": {"audit": {"suppressions": [{"reason": 1}]}}},
        {"channels": {"telegram": {"botToken": "x"}}},  # required keys with a default
        {"hooks": {"enabled": True}, "gateway": {"port": 18789, "bind": "lan"}},
        # Inside embedded channel schemas (which name a $schema) patterns are still ECMAScript:
        {"channels": {"feishu": {"stickerSets": {"a": None}}}},  # [^\p{Cs}] in propertyNames
        {"channels": {"a2a": {"peers": {"p\n": {"token": "t", "url": "https://h"}}}}},  # $
        # if/then inside a plugin schema (a vault needs items and the other way round):
        {"plugins": {"entries": {"onepassword": {"config": {"vault": "v"}}}}},
        {"plugins": {"entries": {"onepassword": {"config": {"items": {"k": {"item": "i"}}}}}}},
        {"plugins": {"entries": {"onepassword": {"config": {"vault": "v", "items": {}}}}}},
    ],
)
def test_agrees_with_jsonschema_on_known_cases(config: Any) -> None:
    compare(config)


class _NoShortcut(Validator):
    """Every anyOf branch evaluated in full, as before the bare-const shortcut."""

    def _string_consts(self, branches: list[Any]) -> frozenset[str]:
        return frozenset()


PLAIN = _NoShortcut(RAW)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(config=mutated(RAW))
def test_bare_const_shortcut_changes_no_problem(config: Any) -> None:
    assert OURS.validate(config) == PLAIN.validate(config)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"anyOf": [{"type": "string", "const": "a"}, {"type": "string", "const": "b"}]}, "b"),
        ({"anyOf": [{"type": "string", "const": "a"}, {"type": "string", "const": "b"}]}, "c"),
        ({"anyOf": [{"type": "string", "const": "a"}, {"type": "string", "const": "b"}]}, 1),
        ({"anyOf": [{"type": "integer", "const": 1}, {"type": "string"}]}, 1.0),
        ({"anyOf": [{"type": "string", "const": "1"}, {"const": 1}]}, True),
        ({"anyOf": [{"const": "a", "minLength": 5}, {"const": "b"}]}, "a"),
        ({"oneOf": [{"const": "a"}, {"type": "string"}]}, "a"),
        ({"anyOf": [{"type": ["number", "string"], "const": "a"}, {"const": "b"}]}, "a"),
        ({"anyOf": [{"type": "integer", "const": "a"}, {"const": "b"}]}, "a"),
        ({"anyOf": [{"type": "nonsense", "const": "a"}, {"const": "b"}]}, "a"),
    ],
)
def test_bare_const_shortcut_on_small_schemas(schema: Any, value: Any) -> None:
    assert Validator(schema).validate(value) == _NoShortcut(schema).validate(value)
