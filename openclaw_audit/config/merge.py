"""Deep merge of config values together with their provenance trees (config-model.md §3).

Objects merge key by key, lists concatenate, anything else: the later value wins. Prototype
keys are dropped so a config cannot smuggle them into a JavaScript gateway via the merge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openclaw_audit.config.provenance import ProvNode

BLOCKED_KEYS = frozenset({"__proto__", "constructor", "prototype"})


def _kids(prov: ProvNode | None) -> Any:
    return prov.children if prov is not None else None


def deep_merge(
    a: Any, pa: ProvNode | None, b: Any, pb: ProvNode | None
) -> tuple[Any, ProvNode | None]:
    if isinstance(a, dict) and isinstance(b, dict):
        out, kids = _copy(a, pa)
        _merge_keys(out, kids, b, pb, deep_merge)
        return out, ProvNode(_origin(pa, pb), kids)
    if isinstance(a, list) and isinstance(b, list):
        la = _kids(pa) if isinstance(_kids(pa), list) else [ProvNode(None)] * len(a)
        lb = _kids(pb) if isinstance(_kids(pb), list) else [ProvNode(None)] * len(b)
        return a + b, ProvNode(_origin(pa, pb), list(la) + list(lb))
    return b, pb


Merge = Callable[[Any, "ProvNode | None", Any, "ProvNode | None"], tuple[Any, "ProvNode | None"]]


def _copy(a: dict[str, Any], pa: ProvNode | None) -> tuple[dict[str, Any], dict[str, ProvNode]]:
    """A shallow copy of ``a`` and its provenance children, prototype keys dropped."""
    out: dict[str, Any] = {}
    kids: dict[str, ProvNode] = {}
    ka = _kids(pa) if isinstance(_kids(pa), dict) else {}
    for key, value in a.items():
        if key in BLOCKED_KEYS:
            continue
        out[key] = value
        if key in ka:
            kids[key] = ka[key]
    return out, kids


def _merge_keys(
    out: dict[str, Any], kids: dict[str, ProvNode], b: dict[str, Any], pb: ProvNode | None,
    merge: Merge,
) -> None:  # fmt: skip
    """Merge ``b`` (with provenance ``pb``) into ``out``/``kids`` in place, key by key."""
    kb = _kids(pb) if isinstance(_kids(pb), dict) else {}
    for key, value in b.items():
        if key in BLOCKED_KEYS:
            continue
        if key in out:
            merged, mprov = merge(out[key], kids.get(key), value, kb.get(key))
            out[key] = merged
            if mprov is not None:
                kids[key] = mprov
        else:
            out[key] = value
            if key in kb:
                kids[key] = kb[key]


def _origin(pa: ProvNode | None, pb: ProvNode | None) -> Any:
    return pb.origin if pb is not None else (pa.origin if pa is not None else None)


class MergeInto:
    """Fold many values into one with :func:`deep_merge` semantics, in linear time.

    ``deep_merge`` copies the left side on every call, so folding 100 include files of 100
    accounts each copies the accumulated accounts 100 times. This reuses the containers the
    fold itself created (they are nobody else's) and copies the others once, as deep_merge would.
    """

    def __init__(self) -> None:
        self.value: Any = {}
        self.prov: ProvNode | None = ProvNode(None, {})
        self._owned: set[int] = {id(self.value)}
        self._alive: list[Any] = [self.value]  # keeps ids of owned dicts from being reused

    def add(self, value: Any, prov: ProvNode | None) -> None:
        self.value, self.prov = self._merge(self.value, self.prov, value, prov)

    def _merge(
        self, a: Any, pa: ProvNode | None, b: Any, pb: ProvNode | None
    ) -> tuple[Any, ProvNode | None]:
        if not (isinstance(a, dict) and isinstance(b, dict)):
            return deep_merge(a, pa, b, pb)
        if id(a) in self._owned and pa is not None:
            out, pout = a, pa
            kids: dict[str, ProvNode] = pa.children  # type: ignore[assignment]
        else:
            out, kids = _copy(a, pa)
            pout = ProvNode(None, kids)
            self._owned.add(id(out))
            self._alive.append(out)
        _merge_keys(out, kids, b, pb, self._merge)
        pout.origin = _origin(pa, pb)
        return out, pout
