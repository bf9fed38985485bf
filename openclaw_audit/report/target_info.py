"""What was audited, as the engine records it in ``Report.meta`` (output-ux.md §1).

The target line of the text report and the JSON ``audit`` object read this one view, so both
say the same thing. Imports nothing but the model, like the rest of ``report``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from openclaw_audit.report.model import Report

TARGET_META = "target"  # the Report.meta key the engine fills


@dataclass(frozen=True, slots=True)
class TargetInfo:
    config: str | None  # the config file audited; None when none existed (defaults audited)
    config_path: str  # where the config was looked for
    includes: tuple[str, ...]
    state_dir: str
    # flag / env / home / legacy; "config" for a fleet target (its config's directory)
    state_dir_source: str
    home: str
    deep: bool
    duration_ms: int
    host: str
    version: str | None  # the OpenClaw version, when known
    version_source: str | None  # live / installed / config
    demo: bool = False  # --demo: the bundled demo gateway (a temporary copy)

    @classmethod
    def of(cls, report: Report) -> TargetInfo | None:
        meta = report.meta.get(TARGET_META)
        if not isinstance(meta, dict):
            return None
        version = meta.get("openclawVersion") or {}
        return cls(
            config=meta.get("config"),
            config_path=str(meta.get("configPath") or report.config_path or ""),
            includes=tuple(meta.get("includes") or ()),
            state_dir=str(meta.get("stateDir") or report.state_dir or ""),
            state_dir_source=str(meta.get("stateDirSource") or "home"),
            home=str(meta.get("home") or ""),
            deep=bool(meta.get("deep")),
            duration_ms=int(meta.get("durationMs") or 0),
            host=str(meta.get("host") or ""),
            version=version.get("version"),
            version_source=version.get("source"),
            demo=bool(meta.get("demo")),
        )


def with_target(report: Report, **changes: Any) -> Report:
    """A copy of ``report`` whose target record has ``changes`` applied (e.g. ``demo=True``)."""
    meta = dict(report.meta)
    meta[TARGET_META] = {**(meta.get(TARGET_META) or {}), **changes}
    return replace(report, meta=meta)
