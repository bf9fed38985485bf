"""Deep merge of config values together with their provenance trees (config-model.md §3).

Objects merge key by key, lists concatenate, anything else: the later value wins. Prototype
keys are dropped so a config cannot smuggle them into a JavaScript gateway via the merge.
"""

from __future__ import annotations

from typing import Any

from openclaw_audit.config.provenance import ProvNode

BLOCKED_KEYS = frozenset({"__proto__", "constructor", "prototype"})


def _kids(prov: ProvNode | None) -> Any:
    return prov.children if prov is not None else None


def deep_merge(
    a: Any, pa: ProvNode | None, b: Any, pb: ProvNode | None
) -> tuple[Any, ProvNode | None]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: dict[str, Any] = {}
        kids: dict[str, ProvNode] = {}
        ka = _kids(pa) if isinstance(_kids(pa), dict) else {}
        kb = _kids(pb) if isinstance(_kids(pb), dict) else {}
        for key, value in a.items():
            if key in BLOCKED_KEYS:
                continue
            out[key] = value
            if key in ka:
                kids[key] = ka[key]
        for key, value in b.items():
            if key in BLOCKED_KEYS:
                continue
            if key in out:
                merged, mprov = deep_merge(out[key], kids.get(key), value, kb.get(key))
                out[key] = merged
                if mprov is not None:
                    kids[key] = mprov
            else:
                out[key] = value
                if key in kb:
                    kids[key] = kb[key]
        origin = pb.origin if pb is not None else (pa.origin if pa is not None else None)
        return out, ProvNode(origin, kids)
    if isinstance(a, list) and isinstance(b, list):
        la = _kids(pa) if isinstance(_kids(pa), list) else [ProvNode(None)] * len(a)
        lb = _kids(pb) if isinstance(_kids(pb), list) else [ProvNode(None)] * len(b)
        origin = pb.origin if pb is not None else (pa.origin if pa is not None else None)
        return a + b, ProvNode(origin, list(la) + list(lb))
    return b, pb
