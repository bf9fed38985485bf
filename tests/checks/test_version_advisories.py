"""openclaw.version.vulnerable and openclaw.version.advisories_stale: version sources,
severity, remediation, staleness; silent without advisory data."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from osv_records import ADMIN_TOOLS, TOKEN_EXFIL, affected, record

from builders import make_ctx
from openclaw_audit.advisories.osv import parse_record
from openclaw_audit.advisories.store import AdvisoryDb
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.openclaw_version import version_sources
from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.static_checks.version_advisories import (
    openclaw_advisories_stale,
    openclaw_version_vulnerable,
)

EXFIL = record(**TOKEN_EXFIL, severity="HIGH")  # fixed in 2026.1.29 (default entry)
ADMIN = record(
    ADMIN_TOOLS["rid"],
    affected(introduced="2026.3.1", fixed="2026.6.5"),
    severity="MODERATE",
    summary=ADMIN_TOOLS["summary"],
)
LOW = record("GHSA-low", affected(fixed="2026.4.1"), severity="LOW", summary="Minor leak.")


def db(*records: dict[str, Any], age_days: float = 1) -> AdvisoryDb:
    parsed = [a for r in records if (a := parse_record(r, "test")) is not None]
    fetched = datetime.now(UTC) - timedelta(days=age_days)
    return AdvisoryDb(tuple(parsed), "test data", fetched)


def ctx_with(
    data: AdvisoryDb | None,
    *,
    config: dict[str, Any] | None = None,
    live: str | None = None,
    env: dict[str, str] | None = None,
) -> AuditContext:
    ctx = make_ctx(config or {}, env=env or {"PATH": ""})
    section = None
    if live is not None:
        section = {"gateway": {"helloOk": True, "serverVersion": live, "url": "ws://127.0.0.1:1"}}
    return replace(ctx, advisories=data, live=section)


def vulnerable(ctx: AuditContext) -> Finding:
    [finding] = openclaw_version_vulnerable(ctx)
    return finding


def install(root: Path, name: str, version: str, *, symlink: bool = True) -> str:
    """An npm global prefix under ``root`` with package ``name``; returns its bin dir."""
    pkg = root / "lib" / "node_modules" / name
    pkg.mkdir(parents=True)
    (pkg / "package.json").write_text(json.dumps({"name": name, "version": version}))
    entry = pkg / f"{name}.mjs"
    entry.write_text("#!/usr/bin/env node\n")
    entry.chmod(0o755)
    bindir = root / "bin"
    bindir.mkdir(exist_ok=True)
    if symlink:
        (bindir / name).symlink_to(os.path.relpath(entry, bindir))
    else:
        (bindir / name).write_text(f'#!/bin/sh\nexec node "{entry}" "$@"\n')
        (bindir / name).chmod(0o755)
    return str(bindir)


def test_no_advisory_data_means_no_findings() -> None:
    ctx = ctx_with(None, config={"meta": {"lastTouchedVersion": "2026.1.1"}})
    assert openclaw_version_vulnerable(ctx) == [] and openclaw_advisories_stale(ctx) == []


def test_live_version_high_advisory_is_critical_and_names_its_source() -> None:
    f = vulnerable(ctx_with(db(EXFIL), live="2026.1.24-3"))
    assert f.severity is Severity.CRITICAL
    assert "GHSA-g8p2-7wf7-98mq (CVE-2026-25253) [high]: Control UI gatewayUrl token" in f.detail
    assert "2026.1.24-3 from live gateway at ws://127.0.0.1:1 (serverVersion)" in f.detail
    assert "fixed in 2026.1.29" in f.detail
    assert "Advisory data: test data" in f.detail
    assert f.remediation is not None and "Upgrade OpenClaw to 2026.1.29 or later" in f.remediation
    assert f.location is not None and f.location.uri == "ws://127.0.0.1:1"


def test_patched_version_is_clean() -> None:
    assert openclaw_version_vulnerable(ctx_with(db(EXFIL), live="2026.1.29")) == []


@pytest.mark.parametrize(
    ("live", "expected"),
    [
        ("2026.1.30", Severity.INFO),  # LOW only
        ("2026.3.2", Severity.WARN),  # LOW + ADMIN (moderate)
        ("2026.1.24", Severity.CRITICAL),  # LOW + EXFIL (high)
        ("2026.6.5", None),
    ],
)
def test_highest_advisory_severity_wins(live: str, expected: Severity | None) -> None:
    findings = openclaw_version_vulnerable(ctx_with(db(LOW, ADMIN, EXFIL), live=live))
    assert [f.severity for f in findings] == ([expected] if expected else [])


def test_unknown_severity_warns_and_says_so() -> None:
    f = vulnerable(ctx_with(db(record("GHSA-x", severity=None)), live="2026.1.1"))
    assert f.severity is Severity.WARN and "[severity not stated]" in f.detail


def test_remediation_names_the_lowest_release_that_fixes_everything() -> None:
    later = record("GHSA-later", affected(introduced="2026.1.25", fixed="2026.2.3"))
    f = vulnerable(ctx_with(db(EXFIL, later), live="2026.1.24"))
    # 2026.1.29 fixes EXFIL but is inside GHSA-later's range: 2026.2.3 is the answer.
    assert f.remediation is not None and "Upgrade OpenClaw to 2026.2.3 or later" in f.remediation
    assert "GHSA-later" not in f.detail  # 2026.1.24 itself is not affected by it


def test_no_fixed_release_known() -> None:
    rec = record("GHSA-open", affected(last_affected="2026.9.9"))
    f = vulnerable(ctx_with(db(rec), live="2026.2.1"))
    assert "no fixed release named" in f.detail
    assert f.remediation is not None and f.remediation.startswith("No release in the advisory data")


def test_remediation_gets_the_profile() -> None:
    ctx = ctx_with(db(EXFIL), live="2026.1.1", env={"PATH": "", "OPENCLAW_PROFILE": "work"})
    assert "`openclaw --profile work gateway restart`" in (vulnerable(ctx).remediation or "")


def test_installed_package_behind_a_symlinked_bin(tmp_path: Path) -> None:
    bindir = install(tmp_path / "prefix", "openclaw", "2026.1.24-3")
    f = vulnerable(ctx_with(db(EXFIL), env={"PATH": bindir}))
    pkg = tmp_path / "prefix" / "lib" / "node_modules" / "openclaw" / "package.json"
    assert f"2026.1.24-3 from installed package openclaw ({pkg})" in f.detail
    assert f.location is None


def test_installed_behind_a_wrapper_script_and_a_legacy_name(tmp_path: Path) -> None:
    bindir = install(tmp_path / "prefix", "clawdbot", "2026.1.23", symlink=False)
    [source] = version_sources(ctx_with(db(EXFIL), env={"PATH": bindir}))
    assert (source.kind, source.version) == ("installed", "2026.1.23")
    assert "installed package clawdbot" in source.label


def test_first_on_path_wins_and_non_executables_do_not_count(tmp_path: Path) -> None:
    first = install(tmp_path / "a", "openclaw", "2026.6.5")
    second = install(tmp_path / "b", "openclaw", "2026.1.1")
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "openclaw").write_text("not executable")
    ctx = ctx_with(db(EXFIL), env={"PATH": os.pathsep.join([str(stray), first, second])})
    assert [s.version for s in version_sources(ctx)] == ["2026.6.5"]
    assert openclaw_version_vulnerable(ctx) == []


def test_live_and_installed_both_listed(tmp_path: Path) -> None:
    bindir = install(tmp_path / "prefix", "openclaw", "2026.1.20")
    f = vulnerable(ctx_with(db(EXFIL), live="2026.1.24-3", env={"PATH": bindir}))
    assert "2026.1.24-3 from live gateway" in f.detail and "2026.1.20 from installed" in f.detail


def test_config_hint_only_when_nothing_better(tmp_path: Path) -> None:
    cfg = {"meta": {"lastTouchedVersion": "2026.1.1"}}
    f = vulnerable(ctx_with(db(EXFIL), config=cfg))
    assert "2026.1.1 from config meta.lastTouchedVersion (a hint)" in f.detail
    assert f.location is not None and f.location.config_path == ("meta", "lastTouchedVersion")
    # A newer live gateway makes the old hint irrelevant.
    assert openclaw_version_vulnerable(ctx_with(db(EXFIL), config=cfg, live="2026.6.5")) == []


def test_live_version_needs_a_hello() -> None:
    ctx = ctx_with(db(EXFIL))
    ctx = replace(ctx, live={"gateway": {"helloOk": False, "serverVersion": "2026.1.1"}})
    assert openclaw_version_vulnerable(ctx) == []


def test_unparseable_version_is_not_matched() -> None:
    assert openclaw_version_vulnerable(ctx_with(db(EXFIL), live="dev")) == []


def test_withdrawn_advisory_never_matches() -> None:
    gone = record("GHSA-gone", withdrawn="2026-11-21T00:00:00Z")
    assert openclaw_version_vulnerable(ctx_with(db(gone), live="2026.1.1")) == []


@pytest.mark.parametrize(("age", "emitted"), [(29.5, False), (31, True)])
def test_stale_after_30_days(age: float, emitted: bool) -> None:
    findings = openclaw_advisories_stale(ctx_with(db(EXFIL, age_days=age)))
    assert bool(findings) is emitted
    if emitted:
        assert findings[0].severity is Severity.INFO and "31 days ago" in findings[0].detail
