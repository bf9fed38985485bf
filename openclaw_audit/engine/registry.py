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
from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import TYPE_CHECKING

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


@dataclass(frozen=True, slots=True)
class CheckMeta(Rule):
    """A catalog entry (the report model's :class:`Rule`) plus what checks do with it: build
    findings, match a family id such as ``tools.elevated.allowFrom.<p>.wildcard``.

    ``docs`` is markdown with ``What``/``Why``/``Fix`` sections, shown by ``explain``.
    ``severity`` is the default; escalating checks pass the actual one to :meth:`finding`.
    """

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


@dataclass(frozen=True, slots=True)
class RegisteredCheck:
    fn: CheckFn
    stage: Stage
    order: int
    seq: int
    emits: tuple[str, ...]
    needs_deep: bool = False

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


@dataclass
class Registry:
    metas: dict[str, CheckMeta] = field(default_factory=dict)
    checks: list[RegisteredCheck] = field(default_factory=list)

    def define(self, meta: CheckMeta) -> CheckMeta:
        if meta.id in self.metas:
            raise ValueError(f"checkId defined twice: {meta.id}")
        self.metas[meta.id] = meta
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


def load_catalog() -> Registry:
    """Import every module of the static check and probe-judge packages (registration by import)."""
    global _loaded
    if not _loaded:
        for pkg_name in ("openclaw_audit.static_checks", "openclaw_audit.probes"):
            pkg = importlib.import_module(pkg_name)
            for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
                if mod.name.startswith("_"):
                    continue
                # Probe collectors import heavy libraries lazily; only their judges register here.
                if pkg_name.endswith("probes") and not mod.name.endswith("_judge"):
                    continue
                importlib.import_module(f"{pkg_name}.{mod.name}")
        _loaded = True
    return REGISTRY
