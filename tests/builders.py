"""Builders so a test reads as the situation it sets up.

``make_ctx`` builds an AuditContext straight from a dict (no files needed) for pure check
tests; ``run_checks`` runs the whole static catalog over it and returns the findings;
``ids`` / ``by_id`` pick findings apart.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from typing import Any

from openclaw_audit.config.view import ConfigView
from openclaw_audit.engine.context import AuditContext, AuditPaths, AuthOverride
from openclaw_audit.engine.registry import load_catalog
from openclaw_audit.report.model import Finding
from openclaw_audit.state.view import StateView


def make_ctx(
    config: Mapping[str, Any] | None = None,
    *,
    source: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    state_dir: str | os.PathLike[str] = "/nonexistent/openclaw-state",
    config_path: str | os.PathLike[str] | None = None,
    creds_dir: str | os.PathLike[str] | None = None,
    home: str = "/nonexistent/home",
    auth_override: AuthOverride | None = None,
    deep: bool = False,
    config_exists: bool | None = None,
    include_files: Iterable[str] = (),
    platform: str = "linux",
) -> AuditContext:
    cfg = copy.deepcopy(dict(config or {}))
    src = copy.deepcopy(dict(source)) if source is not None else copy.deepcopy(cfg)
    sd = os.fspath(state_dir)
    cp = os.fspath(config_path) if config_path is not None else os.path.join(sd, "openclaw.json")
    cd = os.fspath(creds_dir) if creds_dir is not None else os.path.join(sd, "credentials")
    return AuditContext(
        paths=AuditPaths(home=home, state_dir=sd, config_path=cp, creds_dir=cd),
        config=ConfigView(cfg),
        source=ConfigView(src),
        env=dict(env or {}),
        state=StateView(),
        config_exists=os.path.exists(cp) if config_exists is None else config_exists,
        raw_root=src,
        include_files=tuple(include_files),
        auth_override=auth_override,
        deep=deep,
        platform=platform,
    )


def run_checks(ctx: AuditContext, *, stages: Iterable[int] | None = None) -> list[Finding]:
    """Run every registered static check (optionally only some stages) in emission order."""
    wanted = set(stages) if stages is not None else None
    out: list[Finding] = []
    for chk in load_catalog().ordered():
        if chk.needs_deep and not ctx.deep:
            continue
        if wanted is not None and chk.stage not in wanted:
            continue
        out.extend(chk.fn(ctx))
    return out


def audit(config: Mapping[str, Any] | None = None, **kwargs: Any) -> list[Finding]:
    return run_checks(make_ctx(config, **kwargs))


def ids(findings: Iterable[Finding]) -> list[str]:
    return [f.check_id for f in findings]


def by_id(findings: Iterable[Finding], check_id: str) -> list[Finding]:
    return [f for f in findings if f.check_id == check_id]


def one(findings: Iterable[Finding], check_id: str) -> Finding:
    found = by_id(findings, check_id)
    assert len(found) == 1, f"expected exactly one {check_id}, got {len(found)}: {ids(findings)}"
    return found[0]
