"""`openclaw-audit checks` and `openclaw-audit explain CHECK_ID`."""

from __future__ import annotations

from openclaw_audit.engine.registry import CheckMeta, Registry, load_catalog
from openclaw_audit.errors import UsageError
from openclaw_audit.render.formats import FORMATS, CatalogOutput, RenderOptions


def _catalog() -> Registry:
    # checkIds defined outside the check packages (audit engine, ignore file, config
    # suppressions) register on import.
    import openclaw_audit.engine.audit
    import openclaw_audit.report.ignore_file  # noqa: F401

    return load_catalog()


def _metas() -> list[CheckMeta]:
    return sorted(_catalog().metas.values(), key=lambda m: m.id)


def list_checks(*, as_json: bool = False) -> str:
    output = CatalogOutput([m.rule() for m in _metas()])
    return FORMATS["json" if as_json else "text"](output, RenderOptions())


def explain(check_id: str) -> str:
    catalog = _catalog()
    meta = catalog.meta_for(check_id.strip())
    if meta is None:
        close = [m.id for m in _metas() if check_id.strip().split(".")[0] == m.id.split(".")[0]]
        hint = (
            f"related: {', '.join(close[:8])}"
            if close
            else "list them with `openclaw-audit checks`"
        )
        raise UsageError(f"unknown checkId {check_id.strip()!r}", hint=hint)
    return FORMATS["text"](CatalogOutput([meta.rule()], explain=check_id.strip()), RenderOptions())
