"""``$include`` resolution (config-model.md §3): relative paths, directory boundary, merge
rules, cycle detection, depth limit. Errors name the include path, never file content."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openclaw_audit.config.json5 import MAX_DEPTH, Duplicate, nesting
from openclaw_audit.config.jsonfast import JsonProv
from openclaw_audit.config.merge import BLOCKED_KEYS, MergeInto, deep_merge
from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.config.reader import MAX_INCLUDE_BYTES, parse_text, read_text
from openclaw_audit.errors import ConfigError

MAX_INCLUDE_DEPTH = 10
# Depth alone does not bound the work: four $include entries per file, ten files deep, is a
# million loads from a few hundred bytes. These cap the loads and the bytes they bring in
# (counted per inclusion, since each one is walked and merged again) per audit (trust.md §7).
MAX_INCLUDE_LOADS = 512
MAX_INCLUDE_TOTAL_BYTES = 16 << 20
MAX_INCLUDE_PATH = 4096
INCLUDE_KEY = "$include"
# Text that may make the walk change a tree: an include, a key the merge drops, or an escape
# (JSON5's \u/\x) that could spell either.
_WALK_WORDS = (INCLUDE_KEY, *BLOCKED_KEYS)
_ESCAPE = re.compile(r"\\[uUxX]")


class IncludeRoots:
    __slots__ = ("roots",)

    def __init__(self, roots: tuple[str, ...]) -> None:
        self.roots = roots  # real paths of allowed directories

    @classmethod
    def for_config(cls, config_path: str, env: Mapping[str, str]) -> IncludeRoots:
        roots = [os.path.dirname(os.path.abspath(config_path))]
        extra = env.get("OPENCLAW_INCLUDE_ROOTS", "")
        roots.extend(p for p in extra.split(os.pathsep) if p.strip())
        return cls(tuple(os.path.realpath(os.path.abspath(r)) for r in roots))

    def allows(self, path: str) -> bool:
        for candidate in (os.path.abspath(path), os.path.realpath(path)):
            if not any(_inside(candidate, root) for root in self.roots):
                return False
        return True


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


class IncludeResolver:
    def __init__(
        self, root_file: str, roots: IncludeRoots, texts: Mapping[str, str] | None = None
    ) -> None:
        self.root_file = os.path.abspath(root_file)
        self.roots = roots
        # path -> replacement text: --fix verifies its patched files before writing them,
        # through exactly the same checks and merge rules as a real load.
        self.texts = texts or {}
        self.files: list[str] = []  # include files actually loaded, in order
        self.duplicates: list[Duplicate] = []  # keys repeated inside include files
        self.loads = 0
        self.bytes_loaded = 0
        # Each distinct file is read and parsed once; later inclusions reuse the parse (the
        # walk builds new containers, so the cached tree is never mutated).
        self._parsed: dict[str, tuple[Any, ProvNode | None, int]] = {}
        # Files whose text holds no $include, no blocked key and no escape that could spell
        # one: path -> nesting levels of their tree. The walk of such a tree is a plain copy.
        self._plain: dict[str, int] = {}
        self._handed_out: set[str] = set()
        self.may_substitute = False  # some include file's text could hold a ${VAR}

    def resolve(self, value: Any, prov: ProvNode | None) -> tuple[Any, ProvNode | None]:
        return self._walk(value, prov, self.root_file, (self.root_file,), 0)

    def _walk(
        self, value: Any, prov: ProvNode | None, file: str, chain: tuple[str, ...], depth: int
    ) -> tuple[Any, ProvNode | None]:
        # Each file is capped at MAX_DEPTH by the parser, but ten nested includes could stack
        # ten such files; the merged tree gets the same cap so every later recursive walk
        # (merge, ${VAR}, checks) stays far from Python's recursion limit.
        if depth >= MAX_DEPTH and isinstance(value, dict | list):
            where = prov if prov is not None and prov.origin is not None else None
            raise self._error(
                f"config nests more than {MAX_DEPTH} levels deep through $include", file, where
            )
        if isinstance(value, dict):
            if INCLUDE_KEY in value:
                return self._include(value, prov, file, chain, depth)
            out: dict[str, Any] = {}
            kids: dict[str, ProvNode] = {}
            for key, child in value.items():
                if key in BLOCKED_KEYS:
                    continue
                cprov = prov.child(key) if prov is not None else None
                out[key], p = self._walk(child, cprov, file, chain, depth + 1)
                if p is not None:
                    kids[key] = p
            return out, ProvNode(prov.origin if prov else None, kids)
        if isinstance(value, list):
            items: list[Any] = []
            plist: list[ProvNode] = []
            for i, child in enumerate(value):
                cprov = prov.child(i) if prov is not None else None
                v, p = self._walk(child, cprov, file, chain, depth + 1)
                items.append(v)
                plist.append(p or ProvNode(None))
            return items, ProvNode(prov.origin if prov else None, plist)
        return value, prov

    def _include(
        self,
        obj: dict[str, Any],
        prov: ProvNode | None,
        file: str,
        chain: tuple[str, ...],
        depth: int,
    ) -> tuple[Any, ProvNode | None]:
        spec = obj[INCLUDE_KEY]
        where = prov.child(INCLUDE_KEY) if prov is not None else None
        if isinstance(spec, str):
            included, iprov = self._load(spec, file, chain, where, depth)
        elif isinstance(spec, list):
            fold = MergeInto()
            for item in spec:
                if not isinstance(item, str):
                    raise self._error(
                        f"invalid $include value, expected string or array of strings, "
                        f"got array containing {js_type(item)}",
                        file,
                        where,
                    )
                fold.add(*self._load(item, file, chain, where, depth))
            included, iprov = fold.value, fold.prov
        else:
            raise self._error(
                f"invalid $include value, expected string or array of strings, got {js_type(spec)}",
                file,
                where,
            )
        siblings = {k: v for k, v in obj.items() if k != INCLUDE_KEY}
        if not siblings:
            return included, iprov
        if not isinstance(included, dict):
            raise self._error(
                f"$include with sibling keys must include an object, got {js_type(included)}",
                file,
                where,
            )
        sib_prov = ProvNode(
            prov.origin if prov else None,
            {k: p for k, p in (prov.children or {}).items() if k != INCLUDE_KEY}  # type: ignore[union-attr]
            if prov is not None and isinstance(prov.children, dict)
            else {},
        )
        sv, sp = self._walk(siblings, sib_prov, file, chain, depth)
        return deep_merge(included, iprov, sv, sp)

    def _load(
        self, spec: str, file: str, chain: tuple[str, ...], where: ProvNode | None, depth: int
    ) -> tuple[Any, ProvNode | None]:
        if not spec.strip():
            raise self._error("empty $include path", file, where)
        if len(spec) > MAX_INCLUDE_PATH or "\x00" in spec:
            raise self._error("invalid $include path (too long or contains NUL)", file, where)
        base = os.path.dirname(file)
        path = os.path.normpath(spec if os.path.isabs(spec) else os.path.join(base, spec))
        if len(chain) > MAX_INCLUDE_DEPTH:
            raise self._error(
                f"maximum include depth ({MAX_INCLUDE_DEPTH}) exceeded at {path}", file, where
            )
        real_chain = [os.path.realpath(c) for c in chain]
        if os.path.realpath(path) in real_chain:
            cycle = " -> ".join([*chain, path])
            raise self._error(f"circular include detected: {cycle}", file, where)
        if not self.roots.allows(path):
            raise self._error(
                f"include path escapes config directory: {spec} ({path})", file, where
            )
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise self._error(f"include file not found: {spec} ({path})", file, where) from None
        except OSError as exc:
            raise self._error(
                f"cannot read include {spec} ({path}): {exc.strerror or exc}", file, where
            ) from None
        if st.st_nlink > 1 and not os.path.isdir(path):
            raise self._error(
                f"include file has more than one hard link: {spec} ({path})", file, where
            )
        value, iprov, size = self._parse(spec, path, file, where)
        self.loads += 1
        self.bytes_loaded += size
        if self.loads > MAX_INCLUDE_LOADS or self.bytes_loaded > MAX_INCLUDE_TOTAL_BYTES:
            raise self._error(
                f"$include fan-out too large: more than {MAX_INCLUDE_LOADS} include loads or "
                f"{MAX_INCLUDE_TOTAL_BYTES >> 20} MiB of included text per config, at {path}",
                file,
                where,
            )
        if path not in self.files:
            self.files.append(path)
        levels = self._plain.get(path)
        if levels is not None and depth + levels <= MAX_DEPTH:
            # Nothing in this file for the walk to change: it would only copy the tree.
            if path in self._handed_out:
                return _copy_tree(value), iprov
            self._handed_out.add(path)
            return value, iprov
        return self._walk(value, iprov, path, (*chain, path), depth)

    def _parse(
        self, spec: str, path: str, file: str, where: ProvNode | None
    ) -> tuple[Any, ProvNode | None, int]:
        cached = self._parsed.get(path)
        if cached is not None:
            return cached
        try:
            if path in self.texts:
                text = self.texts[path]
                size = len(text)
            else:
                text, st = read_text(path, max_bytes=MAX_INCLUDE_BYTES, what="include file")
                size = st.st_size
            value, iprov = parse_text(text, path, what="include file", duplicates=self.duplicates)
        except ConfigError as exc:
            if exc.line is not None:
                raise
            raise self._error(f"{exc.message}: {spec} ({path})", file, where) from None
        escaped = _ESCAPE.search(text) is not None
        if escaped or "${" in text:
            self.may_substitute = True
        if not escaped and not any(word in text for word in _WALK_WORDS):
            known = iprov.levels if isinstance(iprov, JsonProv) else -1
            self._plain[path] = known if known >= 0 else nesting(value, MAX_DEPTH)
        self._parsed[path] = (value, iprov, size)
        return value, iprov, size

    def reader(self, fallback: Callable[[str], Any]) -> Callable[[str], Any]:
        """``fallback`` (a path -> parsed value reader) that first reuses this resolver's
        parses, so the include scan opens no file twice."""

        def read(path: str) -> Any:
            cached = self._parsed.get(path)
            if cached is None or path in self.texts:
                return fallback(path)
            # A file whose text cannot hold an $include has nothing for the scan to find.
            return {} if path in self._plain else cached[0]

        return read

    @staticmethod
    def _error(message: str, file: str, where: ProvNode | None) -> ConfigError:
        origin = where.origin if where is not None else None
        return ConfigError(
            message,
            file=file,
            line=origin.line if origin else None,
            column=origin.column if origin else None,
            kind="include_error",
        )


def _copy_tree(value: Any) -> Any:
    """A copy of a parsed tree with new containers (the same file included twice)."""
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_tree(v) for v in value]
    return value


def js_type(value: Any) -> str:
    """The JavaScript name of a parsed JSON5 value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Sequence):
        return "array"
    return "object"
