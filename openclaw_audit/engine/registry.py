"""The check catalog: metadata for every checkId plus the functions that emit them.

A check module declares its checkIds with :func:`define` (severity, title, remediation, docs)
and registers pure functions with :func:`check`. The runner calls the functions in
:class:`Stage` order; ``openclaw-audit checks`` and ``explain`` read the metadata.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import fields
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from openclaw_audit.report.model import Finding, Location, Rule, Severity

if TYPE_CHECKING:
    from openclaw_audit.engine.context import AuditContext


class Stage(IntEnum):
    """Emission order of check groups (spec: report.md §4). Gaps leave room for new groups."""

    SUMMARY = 10
    # report.md §4 has no slot for config validity; it comes right after the summary, since an
    # invalid config means the gateway would not run at all (trust.md §3).
    CONFIG_SCHEMA = 12
    AGENT_ROSTER = 15
    SYNCED_DIR = 20
    GATEWAY = 30
    PLUGIN_COLLECTORS = 40
    LOGGING = 50
    ELEVATED = 60
    EXEC = 70
    HOOKS = 80
    HTTP_NO_AUTH = 90
    HTTP_SESSION_KEY = 100
    SANDBOX_MODE_OFF = 110
    SANDBOX_DANGEROUS = 120
    NODES_DENY = 130
    NODES_ALLOW = 140
    TOOLS_PROFILE = 150
    CONFIG_SECRETS = 160
    MODELS_LEGACY = 170
    MODELS_SMALL = 180
    EXPOSURE = 190
    TRUST_MODEL = 200
    FILESYSTEM = 210
    SKILLS_WORKSPACE = 212
    PLUGIN_TRUST = 214
    CODE_SCAN = 216  # --deep only (static code scan of installed plugins/skills)
    CHANNELS = 220
    DEEP_GATEWAY = 230
    DEEP_DOCKER = 240
    DEEP_MDNS = 250
    VERSIONS = 255  # runs after the live probes: it reads the live gateway's version
    SUPPRESSIONS = 260


_UNSET: object = object()


class CheckMeta(Rule):
    """A catalog entry (the report model's :class:`Rule`) plus what checks do with it: build
    findings, match a family id such as ``tools.elevated.allowFrom.<p>.wildcard``.

    ``docs`` is markdown with ``What``/``Why``/``Fix`` sections, shown by ``explain``.
    ``severity`` is the default; escalating checks pass the actual one to :meth:`finding`.

    Rule's generated methods serve as they are (same fields; ``__repr__``, ``__eq__`` and
    ``replace`` use the instance's class): decorating again would only rebuild them at import.
    """

    __slots__ = ()

    @property
    def is_family(self) -> bool:
        return "<" in self.id

    def rule(self) -> Rule:
        """This entry as plain report data (what renderers may know of the catalog)."""
        return Rule(**{f.name: getattr(self, f.name) for f in fields(Rule)})

    def matches(self, check_id: str) -> bool:
        if not self.is_family:
            return check_id == self.id
        # The literal head rules out almost every id before a regex is compiled.
        if not check_id.startswith(self.id.partition("<")[0]):
            return False
        return _family_regex(self.id).fullmatch(check_id) is not None

    def finding(
        self,
        detail: str,
        *,
        severity: Severity | None = None,
        title: str | None = None,
        remediation: object = _UNSET,
        check_id: str | None = None,
        subject: str | None = None,
        location: Location | None = None,
    ) -> Finding:
        """Build a finding for this check; ``check_id`` fills in a family id's placeholders."""
        if self.is_family and check_id is None:
            raise ValueError(f"{self.id} is a family: pass the concrete check_id")
        return Finding(
            check_id=check_id or self.id,
            severity=severity or self.severity,
            title=title or self.title,
            detail=detail,
            remediation=self.remediation if remediation is _UNSET else remediation,  # type: ignore[arg-type]
            subject=subject,
            location=location,
        )


@functools.cache
def _family_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"<[^>]+>", pattern)
    return re.compile(r"[^\s]+?".join(re.escape(p) for p in parts))


CheckFn = Callable[["AuditContext"], Iterable[Finding]]


class RegisteredCheck(NamedTuple):
    fn: CheckFn
    stage: Stage
    order: int
    seq: int
    emits: tuple[str, ...]
    needs_deep: bool = False

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


class Registry:
    def __init__(
        self,
        metas: dict[str, CheckMeta] | None = None,
        checks: list[RegisteredCheck] | None = None,
    ) -> None:
        self.metas: dict[str, CheckMeta] = {} if metas is None else metas
        self.checks: list[RegisteredCheck] = [] if checks is None else checks
        # checkIds defined by code (the rest of ``metas`` may come from the catalog index).
        self.defined: set[str] = set()

    def define(self, meta: CheckMeta) -> CheckMeta:
        if meta.id in self.defined:
            raise ValueError(f"checkId defined twice: {meta.id}")
        self.defined.add(meta.id)
        self.metas[meta.id] = meta  # replaces the index's copy in place (same position)
        return meta

    def add(self, check: RegisteredCheck) -> None:
        self.checks.append(check)

    def ordered(self) -> list[RegisteredCheck]:
        return sorted(self.checks, key=lambda c: (c.stage, c.order, c.seq))

    def meta_for(self, check_id: str) -> CheckMeta | None:
        meta = self.metas.get(check_id)
        if meta is not None:
            return meta
        for m in self.metas.values():
            if m.is_family and m.matches(check_id):
                return m
        return None


REGISTRY = Registry()


def define(
    check_id: str,
    severity: Severity,
    title: str,
    *,
    remediation: str | None,
    docs: str,
    group: str = "",
    deep: bool = False,
    escalates: bool = False,
    precision: str = "high",
    anchor: str | None = None,
) -> CheckMeta:
    """Declare a checkId in the catalog. ``remediation=None`` means "no remediation" in JSON.
    ``precision="medium"`` marks a heuristic; ``anchor`` is the config path a finding without
    a config location is about."""
    return REGISTRY.define(
        CheckMeta(
            id=check_id,
            severity=severity,
            title=title,
            remediation=remediation,
            docs=docs.strip(),
            group=group or check_id.split(".")[0],
            deep=deep,
            escalates=escalates,
            precision=precision,
            anchor=anchor,
        )
    )


def check(
    stage: Stage, *, emits: Iterable[CheckMeta] = (), order: int = 0, needs_deep: bool = False
) -> Callable[[CheckFn], CheckFn]:
    """Register a check function to run at ``stage`` (ties broken by ``order``, then definition)."""

    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY.add(
            RegisteredCheck(
                fn=fn,
                stage=stage,
                order=order,
                seq=len(REGISTRY.checks),
                emits=tuple(m.id for m in emits),
                needs_deep=needs_deep,
            )
        )
        return fn

    return deco


_loaded = False
CATALOG_PACKAGES = ("openclaw_audit.static_checks", "openclaw_audit.probes")


def catalog_modules() -> list[str]:
    """The modules that make up the catalog, in the order :func:`load_catalog` imports them."""
    out = []
    for pkg_name in CATALOG_PACKAGES:
        pkg = importlib.import_module(pkg_name)
        for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if mod.name.startswith("_"):
                continue
            # Probe collectors import heavy libraries lazily; only their judges register here.
            if pkg_name.endswith("probes") and not mod.name.endswith("_judge"):
                continue
            out.append(f"{pkg_name}.{mod.name}")
    return out


def load_catalog() -> Registry:
    """Import every module of the static check and probe-judge packages (registration by import)."""
    global _loaded
    if not _loaded:
        _merge_index()
        for name in catalog_modules():
            importlib.import_module(name)
        _loaded = True
    return REGISTRY


# --- the catalog index: the catalog without importing it ---------------------------------------
#
# ``catalog_index.py`` (generated by ``python scripts/gen_catalog_index.py`` from the define()
# and @check data; tests/test_catalog_index.py fails when it is stale) holds every catalog
# entry and where each check function lives. Listing or selecting checks, and finding the
# rules of a report, then needs no check module; an audit imports only the modules whose
# checks can run (a static audit skips the deep-only ones and the probe judges).

_index_merged = False


def _merge_index() -> None:
    """Put every indexed entry into ``REGISTRY.metas``, in the index's order; entries that
    code has already defined keep their own object."""
    global _index_merged
    if _index_merged:
        return
    _index_merged = True
    idx = _index()
    if idx is None:
        return
    metas = REGISTRY.metas
    ordered: dict[str, CheckMeta] = {}
    for row in idx.RULES:
        meta = CheckMeta(**dict(zip(idx.FIELDS, row, strict=True)))
        ordered[meta.id] = metas.get(meta.id, meta)
    for cid, meta in metas.items():
        ordered.setdefault(cid, meta)  # defined in code, not (yet) in the index
    metas.clear()
    metas.update(ordered)


def _index() -> Any:
    try:
        from openclaw_audit.engine import catalog_index
    except ImportError:  # not generated yet (scripts/gen_catalog_index.py makes it)
        return None
    return catalog_index


def catalog() -> Registry:
    """The registry with every catalog entry's metadata (from the index: no check module is
    imported for this). Its ``checks`` hold only what has been imported so far."""
    _merge_index()
    return REGISTRY


def runnable_checks(deep: bool, wants: Callable[[str], bool]) -> list[RegisteredCheck]:
    """The checks an audit may run, in emission order, importing only their modules: not the
    deep-only ones without ``deep``, not those whose every checkId ``wants`` rules out."""
    if _loaded:
        return REGISTRY.ordered()
    idx = _index()
    if idx is None or tuple(catalog_modules()) != idx.MODULES:
        return load_catalog().ordered()  # a module was added or removed: index is stale
    _merge_index()
    needed = {
        module
        for module, _qualname, _stage, _order, emits, needs_deep in idx.CHECKS
        if (deep or not needs_deep) and (not emits or any(_family_wanted(e, wants) for e in emits))
    }
    for name in idx.MODULES:
        if name in needed:
            importlib.import_module(name)
    # Order by the index's registration sequence: importing a subset of the modules must not
    # change the emission order of checks that share a stage and order.
    seq = {(module, qualname): i for i, (module, qualname, *_rest) in enumerate(idx.CHECKS)}
    known = [c for c in REGISTRY.checks if (c.fn.__module__, c.fn.__qualname__) in seq]
    if len(known) != len(REGISTRY.checks):
        return load_catalog().ordered()  # a check the index does not know: index is stale
    return sorted(
        known, key=lambda c: (c.stage, c.order, seq[(c.fn.__module__, c.fn.__qualname__)])
    )


def _family_wanted(check_id: str, wants: Callable[[str], bool]) -> bool:
    # A family id like "tools.elevated.allowFrom.<provider>.wildcard" cannot be matched
    # literally; run it and filter its concrete findings instead.
    return "<" in check_id or wants(check_id)
