"""Known vulnerabilities of the OpenClaw that runs: OSV advisories matched to its versions.

Both rows run at Stage.VERSIONS, after the live probes, so one function sees every version
source (the live gateway's handshake under ``--deep``, the installed package, the config hint).
Without advisory data (no ``--advisories``, no ``advisories update`` cache) they emit nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from openclaw_audit.advisories import severity as sev
from openclaw_audit.advisories.osv import Advisory, lowest_safe_version
from openclaw_audit.advisories.store import AdvisoryDb
from openclaw_audit.advisories.versions import Version, parse_version
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.openclaw_version import (
    CONFIG,
    LIVE,
    VersionSource,
    version_sources,
)
from openclaw_audit.report.model import Finding, Location, Severity

log = logging.getLogger(__name__)

STALE_AFTER_DAYS = 30
_OUR_SEVERITY = {
    sev.CRITICAL: Severity.CRITICAL,
    sev.HIGH: Severity.CRITICAL,
    sev.MODERATE: Severity.WARN,
    sev.UNKNOWN: Severity.WARN,
    sev.LOW: Severity.INFO,
}

VULNERABLE = define(
    "openclaw.version.vulnerable",
    Severity.CRITICAL,
    "This OpenClaw version has published security advisories",
    remediation=(
        "Upgrade OpenClaw to a release that fixes every listed advisory, restart the "
        "gateway, then rerun the audit."
    ),
    group="openclaw",
    docs="""
## What
Matches the OpenClaw versions found on this machine against OSV advisory data (the format
osv.dev and GitHub's advisory database publish) for the npm packages `openclaw`, `clawdbot`
and `moltbot`. Version sources, each named in the detail:
- the live gateway's `serverVersion` from the `--deep` handshake (what actually runs);
- the installed package: the `package.json` behind the `openclaw` (or `clawdbot`, `moltbot`)
  executable first on `PATH`, found by following its symlinks, without running Node;
- the config's `meta.lastTouchedVersion`, a hint used only when neither of the others gives a
  version.

The data comes from `--advisories PATH` (a directory of OSV JSON files, osv.dev's npm
`all.zip`, or one JSON file) or from the cache `openclaw-audit advisories update` fills. The
audit itself never downloads anything; without data this check is silent (`-v` says so).

## Why
A gateway running a release with a published vulnerability (for example the Control UI
`gatewayUrl` token exfiltration, CVE-2026-25253, fixed in 2026.1.29) can be attacked with a
public recipe, whatever its configuration says.

## Fix
Upgrade to the release the remediation names (the lowest one the data names as a fix that is
affected by no known advisory), restart the gateway, and rerun the audit (with `--deep` to
confirm the running version).

Decisions: severity per advisory is GitHub's `database_specific.severity`, else the highest
CVSS v3 base score in `severity[]`, else unknown (reported as moderate); critical and high
give a critical finding, moderate and unknown warn, low info; the highest wins. Versions are
compared in OpenClaw's order: `2026.2.2-beta.1` < `2026.2.2` < `2026.2.2-3` (a correction
release published after `2026.2.2`), not npm semver's, which would put `-3` first. Withdrawn
advisories are ignored.
""",
)

STALE = define(
    "openclaw.version.advisories_stale",
    Severity.INFO,
    "Advisory data is more than 30 days old",
    remediation=(
        "Run `openclaw-audit advisories update` (or fetch a fresh OSV export) and rerun the audit."
    ),
    group="openclaw",
    docs="""
## What
The advisory data used for `openclaw.version.vulnerable` was fetched more than 30 days ago:
the date `advisories update` recorded in its cache, or, for `--advisories PATH`, the
modification time of the zip or JSON file (of the newest JSON file in a directory).

## Why
Advisories published since then are unknown to the audit, so a clean result may be out of date.

## Fix
Run `openclaw-audit advisories update`, or download a fresh export, and rerun the audit.
""",
)


@check(Stage.VERSIONS, emits=[VULNERABLE])
def openclaw_version_vulnerable(ctx: AuditContext) -> list[Finding]:
    db = ctx.advisories
    if db is None:
        return []
    versions: list[tuple[VersionSource, Version]] = []
    for source in version_sources(ctx):
        parsed = parse_version(source.version)
        if parsed is None:
            log.debug("%s: %r is not a release version; not matched", source.label, source.version)
        else:
            versions.append((source, parsed))
    if not versions:
        log.debug("no OpenClaw version found (live, installed or config): nothing to match")
        return []
    hits = [(a, [(s, v) for s, v in versions if a.affects(v)]) for a in db.advisories]
    hits = [(a, affected) for a, affected in hits if affected]
    if not hits:
        return []
    worst = max((a.severity for a, _ in hits), key=lambda s: sev.RANK[s])
    vulnerable = [v for _, affected in hits for _, v in affected]
    return [
        VULNERABLE.finding(
            _detail(db, hits),
            severity=_OUR_SEVERITY[worst],
            remediation=ctx.cmd(_remediation(lowest_safe_version(db.advisories, vulnerable))),
            subject="openclaw",
            location=_location(ctx, [s for _, affected in hits for s, _ in affected]),
        )
    ]


@check(Stage.VERSIONS, emits=[STALE])
def openclaw_advisories_stale(ctx: AuditContext) -> list[Finding]:
    db = ctx.advisories
    if db is None:
        return []
    age = db.age_days(datetime.now(UTC))
    if age is None or age <= STALE_AFTER_DAYS:
        return []
    fetched = db.fetched_at.strftime("%Y-%m-%d") if db.fetched_at else "an unknown date"
    return [
        STALE.finding(
            f"The advisory data ({db.origin}) dates from {fetched}, {int(age)} days ago; "
            "advisories published since then were not checked.",
            subject=db.origin,
        )
    ]


def _detail(
    db: AdvisoryDb, hits: list[tuple[Advisory, list[tuple[VersionSource, Version]]]]
) -> str:
    count = f"{len(hits)} published advisor{'y affects' if len(hits) == 1 else 'ies affect'}"
    lines = [f"{count} this OpenClaw:"]
    for advisory, affected in sorted(hits, key=lambda h: (-sev.RANK[h[0].severity], h[0].id)):
        name = advisory.id + (f" ({', '.join(advisory.aliases)})" if advisory.aliases else "")
        level = advisory.severity if advisory.severity != sev.UNKNOWN else "severity not stated"
        where = "; ".join(f"{v} from {s.label}" for s, v in affected)
        fixes = sorted({f for _, v in affected if (f := advisory.fixed_for(v)) is not None})
        fixed = f"fixed in {', '.join(map(str, fixes))}" if fixes else "no fixed release named"
        summary = f": {advisory.summary.rstrip('.')}." if advisory.summary else "."
        lines.append(f"- {name} [{level}]{summary} Affects {where}; {fixed}.")
    fetched = f", fetched {db.fetched_at:%Y-%m-%d}" if db.fetched_at else ""
    lines.append(f"Advisory data: {db.origin}{fetched}.")
    return "\n".join(lines)


def _remediation(lowest: Version | None) -> str:
    if lowest is None:
        return (
            "No release in the advisory data fixes all of them: apply the advisories' "
            "workarounds, keep the gateway on loopback with strong auth, and upgrade as soon "
            "as a fixed release is published."
        )
    return (
        f"Upgrade OpenClaw to {lowest} or later (for example `npm install -g openclaw@{lowest}`), "
        "restart the gateway with `openclaw gateway restart`, then rerun the audit."
    )


def _location(ctx: AuditContext, sources: list[VersionSource]) -> Location | None:
    kinds = {s.kind for s in sources}
    if LIVE in kinds:
        gateway = (ctx.live or {}).get("gateway")
        url = gateway.get("url") if isinstance(gateway, dict) else None
        return Location(uri=url) if isinstance(url, str) and url else None
    if kinds == {CONFIG}:
        return ctx.config.location("meta.lastTouchedVersion")
    return None
