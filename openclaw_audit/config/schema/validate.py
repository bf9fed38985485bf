"""A small JSON Schema (draft-07) validator that explains problems to people.

It implements the keywords OpenClaw's config schema uses (type, properties,
additionalProperties, patternProperties, required, const, enum, pattern, minLength/maxLength,
minimum/maximum/exclusive*, multipleOf, items/additionalItems, min/maxItems, uniqueItems,
propertyNames, min/maxProperties, anyOf/oneOf/allOf/not, if/then/else, local ``$ref``) and ignores
annotations (default, format, title...). Results agree with ``jsonschema``'s Draft7Validator
on valid/invalid (tested differentially); the messages are ours: each names the config path,
what is wrong and what would be accepted, and never quotes the config's own value (it may be a
secret): a value is described by its type only.

Where JavaScript and Python disagree, OpenClaw (JavaScript) wins: patterns follow ECMAScript
(:mod:`jsregex`) and string lengths count UTF-16 code units.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from openclaw_audit.config.schema.describe import (
    allowed_list,
    js_type_name,
    json_equal,
    type_phrase,
    unique_key,
)
from openclaw_audit.config.schema.jsregex import UnsupportedPattern, compile_js

Path = tuple[str | int, ...]
MAX_DEPTH = 512  # the schema is far shallower; a deeper walk can only be a $ref loop

UNKNOWN_KEY = "unknown key"
WRONG_TYPE = "wrong type"
NOT_ALLOWED = "value not allowed"
OUT_OF_RANGE = "out of range"
MISSING = "missing required key"
LENGTH = "wrong length"
PATTERN = "does not match the expected format"
ITEMS = "wrong number of items"
NO_MATCH = "matches none of the accepted forms"
AMBIGUOUS = "matches more than one accepted form"


class Problem(NamedTuple):
    """One validation failure. ``path`` is where it shows (an unknown key's own path);
    ``at`` is the instance path JSON Schema would report (the object, for a key problem)."""

    path: Path
    kind: str
    message: str
    at: Path
    weight: int = 1  # how strongly this rules out an anyOf branch (see _best_branch)


_patterns: dict[str, re.Pattern[str] | None] = {}


def _pattern(source: str) -> re.Pattern[str] | None:
    try:
        return _patterns[source]
    except KeyError:
        try:
            compiled: re.Pattern[str] | None = compile_js(source)
        except UnsupportedPattern:
            compiled = None  # a pattern we cannot evaluate faithfully is not enforced
        _patterns[source] = compiled
        return compiled


def _utf16_len(s: str) -> int:
    n = len(s)
    if not s.isascii():
        n += sum(1 for ch in s if ord(ch) > 0xFFFF)
    return n


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "number":
        return isinstance(value, int | float)
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return True  # an unknown type name constrains nothing


class Validator:
    """Validate values against one schema. ``deref`` expands lazily loaded chunks."""

    def __init__(self, root: Any, deref: Callable[[Any], Any] = lambda n: n) -> None:
        self.root = root
        self.deref = deref
        # id(branches) -> (branches, the strings a bare-const branch of them accepts)
        self._consts: dict[int, tuple[list[Any], frozenset[str]]] = {}

    def validate(self, value: Any) -> list[Problem]:
        out: list[Problem] = []
        self._check(value, self.root, (), self.deref(self.root), out, 0)
        return out

    # --- dispatch ---------------------------------------------------------------------------

    def _check(
        self, value: Any, schema: Any, path: Path, base: Any, out: list[Problem], depth: int
    ) -> None:
        schema = self.deref(schema)
        if schema is False:
            out.append(Problem(path, NOT_ALLOWED, "no value is allowed here", path))
            return
        if depth > MAX_DEPTH or not isinstance(schema, dict):
            return  # True, {} or (past the depth guard) anything: no constraint
        if "$defs" in schema or "definitions" in schema or "$id" in schema:
            base = schema  # "#/..." references resolve inside the nearest such resource
        ref = schema.get("$ref")
        if isinstance(ref, str):  # draft-07: keywords next to $ref are ignored
            target = self._resolve(ref, base)
            if target is not None:
                self._check(value, target, path, base, out, depth + 1)
            return
        t = schema.get("type")
        if t is not None:
            names = t if isinstance(t, list) else [t]
            if not any(_is_type(value, n) for n in names):
                msg = f"expected {type_phrase(names)}, got {js_type_name(value)}"
                out.append(Problem(path, WRONG_TYPE, msg, path, weight=100))
                return  # every other keyword would only restate this
            if len(schema) == 1:
                return  # the commonest leaf, {"type": ...}: nothing more to check
        if "const" in schema and not json_equal(value, schema["const"]):
            out.append(_not_allowed(value, [schema["const"]], path))
        enum = schema.get("enum")
        if isinstance(enum, list) and not any(json_equal(value, e) for e in enum):
            out.append(_not_allowed(value, enum, path))
        if isinstance(value, str):
            self._string(value, schema, path, out)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._number(value, schema, path, out)
        elif isinstance(value, dict):
            self._object(value, schema, path, base, out, depth)
        elif isinstance(value, list):
            self._array(value, schema, path, base, out, depth)
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                self._alternatives(value, branches, key == "oneOf", path, base, out, depth)
        for sub in schema.get("allOf") or ():
            self._check(value, sub, path, base, out, depth + 1)
        if "not" in schema:
            inner: list[Problem] = []
            self._check(value, schema["not"], path, base, inner, depth + 1)
            if not inner:
                out.append(Problem(path, NOT_ALLOWED, "this value is explicitly not allowed", path))
        if "if" in schema:
            self._conditional(value, schema, path, base, out, depth)

    def _resolve(self, ref: str, base: Any) -> Any:
        if not ref.startswith("#"):
            return None  # remote references: not used by OpenClaw, not followed
        node = base if base is not None else self.deref(self.root)
        for raw in ref[1:].split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            node = self.deref(node)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    # --- scalars ----------------------------------------------------------------------------

    def _string(self, value: str, schema: dict[str, Any], path: Path, out: list[Problem]) -> None:
        lo, hi = schema.get("minLength"), schema.get("maxLength")
        if lo is not None or hi is not None:
            n = _utf16_len(value)
            if lo is not None and n < lo:
                what = "must not be empty" if lo == 1 else f"must be at least {lo} characters"
                out.append(Problem(path, LENGTH, what, path))
            if hi is not None and n > hi:
                out.append(Problem(path, LENGTH, f"must be at most {hi} characters", path))
        source = schema.get("pattern")
        if isinstance(source, str):
            rx = _pattern(source)
            if rx is not None and rx.search(value) is None:
                out.append(Problem(path, PATTERN, f"must match the pattern {source}", path))

    def _number(
        self, value: int | float, schema: dict[str, Any], path: Path, out: list[Problem]
    ) -> None:
        if isinstance(value, float) and math.isnan(value):
            return  # NaN compares false with every bound, as in JSON Schema validators
        bounds = (
            ("minimum", lambda b: value < b, "must be at least {}"),
            ("exclusiveMinimum", lambda b: value <= b, "must be greater than {}"),
            ("maximum", lambda b: value > b, "must be at most {}"),
            ("exclusiveMaximum", lambda b: value >= b, "must be less than {}"),
        )
        for key, fails, text in bounds:
            bound = schema.get(key)
            if isinstance(bound, int | float) and not isinstance(bound, bool) and fails(bound):
                out.append(Problem(path, OUT_OF_RANGE, text.format(_num(bound)), path))
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and step > 0 and not math.isinf(value):
            q = value / step
            if not (math.isfinite(q) and q == int(q)):
                out.append(Problem(path, OUT_OF_RANGE, f"must be a multiple of {_num(step)}", path))

    # --- containers -------------------------------------------------------------------------

    def _object(
        self,
        value: dict[str, Any],
        schema: dict[str, Any],
        path: Path,
        base: Any,
        out: list[Problem],
        depth: int,
    ) -> None:
        props = self.deref(schema.get("properties")) or {}
        for key in schema.get("required") or ():
            # OpenClaw fills keys that have a default before it validates (zod's output
            # schema lists them as required); only a key without one is really missing.
            if key not in value and not _has_default(self.deref(props.get(key))):
                out.append(Problem(path, MISSING, f'missing required key "{key}"', path, 20))
        lo, hi = schema.get("minProperties"), schema.get("maxProperties")
        if lo is not None and len(value) < lo:
            out.append(Problem(path, ITEMS, f"must have at least {lo} keys", path))
        if hi is not None and len(value) > hi:
            out.append(Problem(path, ITEMS, f"must have at most {hi} keys", path))
        patterns = schema.get("patternProperties") or {}
        extra = schema.get("additionalProperties", True)
        names = schema.get("propertyNames")
        for key, item in value.items():
            sub_path = (*path, key)
            if names is not None:
                self._key_name(key, names, sub_path, path, base, out, depth)
            matched = False
            if key in props:
                matched = True
                self._check(item, props[key], sub_path, base, out, depth + 1)
            for source, sub in patterns.items():
                rx = _pattern(source)
                if rx is not None and rx.search(key):
                    matched = True
                    self._check(item, sub, sub_path, base, out, depth + 1)
            if matched:
                continue
            if extra is False:
                out.append(Problem(sub_path, UNKNOWN_KEY, _unknown(key, props), path, weight=5))
            elif extra is not True:
                self._check(item, extra, sub_path, base, out, depth + 1)

    def _key_name(
        self,
        key: str,
        names: Any,
        sub_path: Path,
        path: Path,
        base: Any,
        out: list[Problem],
        d: int,
    ) -> None:
        inner: list[Problem] = []
        self._check(key, names, sub_path, base, inner, d + 1)
        for p in inner:
            out.append(Problem(sub_path, p.kind, f"key not allowed here: {p.message}", path, 5))

    def _array(
        self,
        value: list[Any],
        schema: dict[str, Any],
        path: Path,
        base: Any,
        out: list[Problem],
        depth: int,
    ) -> None:
        lo, hi = schema.get("minItems"), schema.get("maxItems")
        if lo is not None and len(value) < lo:
            what = "must not be empty" if lo == 1 else f"must have at least {lo} items"
            out.append(Problem(path, ITEMS, what, path))
        if hi is not None and len(value) > hi:
            out.append(Problem(path, ITEMS, f"must have at most {hi} items", path))
        items = schema.get("items")
        if isinstance(items, list):  # tuple form: one schema per position, then additionalItems
            rest = schema.get("additionalItems", True)
            for i, item in enumerate(value):
                sub = items[i] if i < len(items) else rest
                if sub is False:
                    msg = f"at most {len(items)} items are allowed"
                    out.append(Problem((*path, i), ITEMS, msg, path))
                    break
                self._check(item, sub, (*path, i), base, out, depth + 1)
        elif items is not None:
            for i, item in enumerate(value):
                self._check(item, items, (*path, i), base, out, depth + 1)
        if schema.get("uniqueItems") is True:
            seen: set[str] = set()
            for i, item in enumerate(value):
                k = unique_key(item)
                if k in seen:
                    out.append(Problem((*path, i), NOT_ALLOWED, "repeats an earlier item", path))
                    break
                seen.add(k)
        if "contains" in schema and not any(
            not self._errors(item, schema["contains"], (*path, i), base, depth)
            for i, item in enumerate(value)
        ):
            out.append(Problem(path, ITEMS, "no item has the required form", path))

    # --- alternatives -----------------------------------------------------------------------

    def _conditional(
        self, value: Any, schema: dict[str, Any], path: Path, base: Any, out: list[Problem], d: int
    ) -> None:
        """if/then/else: ``if`` itself never fails; it picks ``then`` or ``else``."""
        holds = not self._errors(value, schema["if"], path, base, d)
        branch = schema.get("then" if holds else "else")
        if branch is None:
            return
        found = self._errors(value, branch, path, base, d)
        when = _condition(self.deref(schema["if"])) if holds else None
        for p in found:
            out.append(p._replace(message=f"{p.message} ({when})") if when else p)

    def _errors(self, value: Any, schema: Any, path: Path, base: Any, depth: int) -> list[Problem]:
        out: list[Problem] = []
        self._check(value, schema, path, base, out, depth + 1)
        return out

    def _alternatives(
        self,
        value: Any,
        branches: list[Any],
        exactly_one: bool,
        path: Path,
        base: Any,
        out: list[Problem],
        depth: int,
    ) -> None:
        if not exactly_one and type(value) is str and value in self._string_consts(branches):
            return  # anyOf: a branch that is just this constant accepts (the usual enum form)
        results: list[list[Problem]] = []
        for b in branches:
            errors = self._errors(value, b, path, base, depth)
            if not errors and not exactly_one:
                return  # anyOf: the first accepting branch settles it
            results.append(errors)
        passing = sum(1 for r in results if not r)
        if passing == 1 or (passing > 1 and not exactly_one):
            return
        if passing > 1:
            out.append(Problem(path, NO_MATCH, AMBIGUOUS, path))
            return
        out.extend(_explain_failure(value, self._flatten(branches), results, path))

    def _string_consts(self, branches: list[Any]) -> frozenset[str]:
        """The strings that a branch of ``branches`` made of just ``{"const": s}`` (with
        annotations, and a type that admits strings) accepts without a word; computed once
        per list of branches."""
        known = self._consts.get(id(branches))
        if known is not None and known[0] is branches:
            return known[1]
        found: set[str] = set()
        for branch in branches:
            b = self.deref(branch)
            if not (isinstance(b, dict) and "const" in b and b.keys() <= _CONST_ONLY):
                continue
            const, t = b["const"], b.get("type")
            names = t if isinstance(t, list) else [t]
            # _is_type answers alike for every string, so "" stands for the value.
            if type(const) is str and (t is None or any(_is_type("", n) for n in names)):
                found.add(const)
        self._consts[id(branches)] = (branches, frozenset(found))
        return frozenset(found)

    def _flatten(self, branches: list[Any]) -> list[Any]:
        """The branches, with nested anyOf/oneOf branches lifted up (for naming types)."""
        flat: list[Any] = []
        for b in branches:
            b = self.deref(b)
            nested = b.get("anyOf") or b.get("oneOf") if isinstance(b, dict) else None
            if isinstance(nested, list) and "type" not in b:
                flat.extend(self._flatten(nested))
            else:
                flat.append(b)
        return flat


# A branch made of ``const``, ``type`` and these annotations accepts exactly that constant
# (when its type matches): no other keyword of it constrains a value.
_CONST_ONLY = frozenset({"const", "type", "description", "title", "$comment"})


def _explain_failure(
    value: Any, branches: list[Any], results: list[list[Problem]], path: Path
) -> list[Problem]:
    """What to tell a person when no branch of an anyOf/oneOf accepts ``value``."""
    # Every branch rejects the type: say which types would do.
    if all(any(p.kind == WRONG_TYPE and p.path == path for p in r) for r in results):
        names: list[str] = []
        for b in branches:
            t = b.get("type") if isinstance(b, dict) else None
            for n in t if isinstance(t, list) else [t] if isinstance(t, str) else []:
                if n not in names:
                    names.append(n)
        what = type_phrase(names) if names else "another type"
        return [Problem(path, WRONG_TYPE, f"expected {what}, got {js_type_name(value)}", path, 100)]
    # Only constants would do (an enum written as anyOf of const): list them all.
    consts = [b["const"] for b in branches if isinstance(b, dict) and "const" in b]
    if (consts and len(consts) == len(branches)) or all(
        len(r) == 1 and r[0].kind in (NOT_ALLOWED, WRONG_TYPE) and r[0].path == path
        for r in results
    ):
        allowed = consts + [e for b in branches if isinstance(b, dict) for e in b.get("enum", [])]
        if allowed and len(allowed) >= len(branches):
            return [_not_allowed(value, allowed, path)]
    best = min(results, key=lambda r: (sum(p.weight for p in r), -max(len(p.path) for p in r)))
    return best


def _condition(schema: Any) -> str | None:
    """Why a ``then`` applies, in words, for the common ``{"required": [...]}`` condition."""
    if isinstance(schema, dict) and set(schema) == {"required"} and schema["required"]:
        keys = [k for k in schema["required"] if isinstance(k, str)]
        if len(keys) == len(schema["required"]):
            names = " and ".join(f'"{k}"' for k in keys)
            return f"needed when {names} {'is' if len(keys) == 1 else 'are'} set"
    return None


def _has_default(schema: Any) -> bool:
    return isinstance(schema, dict) and "default" in schema


def _not_allowed(value: Any, allowed: list[Any], path: Path) -> Problem:
    msg = f"allowed: {allowed_list(allowed)}"
    if isinstance(value, str):
        close = _closest(value, allowed, 0.75)
        if close:
            msg += f' (did you mean "{close[0]}"?)'
    return Problem(path, NOT_ALLOWED, msg, path, weight=10)


# Suggestions repeat (the same misspelt key in every account): remember the recent ones.
_suggestions: dict[tuple[str, tuple[str, ...]], list[str]] = {}


def _closest(word: str, candidates: Any, cutoff: float) -> list[str]:
    key = (word, tuple(c for c in candidates if isinstance(c, str)))
    found = _suggestions.get(key)
    if found is None:
        if len(_suggestions) > 4096:
            _suggestions.clear()
        found = _suggestions[key] = difflib.get_close_matches(word, key[1], n=1, cutoff=cutoff)
    return found


def _unknown(key: str, props: dict[str, Any]) -> str:
    close = _closest(key, props, 0.75)
    if close:
        return f'unknown key "{key}" (did you mean "{close[0]}"?)'
    if 0 < len(props) <= 8:
        return f'unknown key "{key}" (allowed: {", ".join(sorted(props))})'
    return f'unknown key "{key}"'


def _num(n: int | float) -> str:
    return str(int(n)) if isinstance(n, float) and n.is_integer() and abs(n) < 1e16 else str(n)
