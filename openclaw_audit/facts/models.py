"""Model refs as OpenClaw resolves them (checks-tools-sandbox.md §1.7): aliases, then ids."""

from __future__ import annotations

from collections.abc import Mapping

from openclaw_audit.engine.context import AuditContext

DEFAULT_PROVIDER = "openai"


def normalize_model_id(ref: str) -> str:
    """``provider/model``; a ref without a provider gets OpenClaw's default one."""
    text = ref.strip()
    provider, sep, model = text.partition("/")
    if not sep or not provider.strip():
        return f"{DEFAULT_PROVIDER}/{text.lstrip('/')}"
    return f"{provider.strip()}/{model.strip()}"


def alias_index(ctx: AuditContext) -> dict[str, str]:
    """Lower-cased alias -> model id, from ``agents.defaults.models.<id>.alias``."""

    def build() -> dict[str, str]:
        out: dict[str, str] = {}
        for key, entry in ctx.config.get_dict("agents.defaults.models").items():
            alias = entry.get("alias") if isinstance(entry, Mapping) else None
            if isinstance(key, str) and key.strip() and isinstance(alias, str) and alias.strip():
                out[alias.strip().lower()] = normalize_model_id(key)  # a later entry wins
        return out

    return ctx.memo("models.alias_index", build)


def resolve_model_id(ctx: AuditContext, ref: str) -> str:
    """The ``provider/model`` id a configured ref (model id or alias) stands for."""
    hit = alias_index(ctx).get(ref.strip().lower())
    return hit if hit is not None else normalize_model_id(ref)
