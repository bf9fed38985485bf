"""Plugin and hook-pack install records (checks-plugins-skills.md §1.3, §2).

Runs after the plugin allowlist rows: plugin install records, then hook install records. Each
row lists every offending record in one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import CheckMeta, Stage, check, define
from openclaw_audit.facts.files import extensions_dir, hooks_dir
from openclaw_audit.facts.install_records import (
    InstallRecord,
    drifted,
    hook_install_records,
    missing_integrity,
    plugin_install_records,
    unpinned,
)
from openclaw_audit.redaction import REDACTED
from openclaw_audit.report.model import Finding, Severity

_USERINFO = re.compile(r"//[^/@\s]+@")


def _install_docs(kind: str, what: str, why: str, fix: str) -> str:
    return f"""
## What
{what} Only npm install records are judged ({kind}).

## Why
{why}

## Fix
{fix}
"""


_PLUGIN_RECORDS = "`<stateDir>/plugins/installs.json`, then the legacy `plugins.installs`"
_HOOK_RECORDS = "`hooks.internal.installs`"
_UNPINNED_WHAT = (
    "Lists npm install records whose `spec` is not an exact version (`name@1.2.3`); tags "
    "like `latest` and ranges like `^1.2.3` are not pinned."
)
_UNPINNED_WHY = (
    "An unpinned spec lets the next update pull whatever the registry serves, including a "
    "hijacked release."
)
_INTEGRITY_WHAT = "Lists npm install records without an `integrity` hash."
_INTEGRITY_WHY = "Without a recorded hash a swapped package cannot be told from the original."
_DRIFT_WHAT = (
    "Lists npm install records whose recorded version (`resolvedVersion`, else `version`) "
    "differs from the `version` in the installed `package.json`. The comparison is exact "
    "text, so `v1.2.3` and `1.2.3` differ."
)
_DRIFT_WHY = (
    "The code on disk is not what was installed and recorded: it was changed or updated "
    "outside the normal flow."
)

PLUGINS_UNPINNED = define(
    "plugins.installs_unpinned_npm_specs",
    Severity.WARN,
    "Plugin installs use unpinned npm specs",
    remediation="Pin plugin installs to exact versions, e.g. @scope/pkg@1.2.3.",
    docs=_install_docs(_PLUGIN_RECORDS, _UNPINNED_WHAT, _UNPINNED_WHY, "Reinstall pinned."),
)
PLUGINS_INTEGRITY = define(
    "plugins.installs_missing_integrity",
    Severity.WARN,
    "Plugin installs have no integrity hash",
    remediation="Reinstall or update the plugins so their integrity hashes are recorded.",
    docs=_install_docs(_PLUGIN_RECORDS, _INTEGRITY_WHAT, _INTEGRITY_WHY, "Reinstall."),
)
PLUGINS_DRIFT = define(
    "plugins.installs_version_drift",
    Severity.WARN,
    "Installed plugin versions differ from their install records",
    remediation="Run `openclaw plugins update --all`, or reinstall the affected plugins.",
    docs=_install_docs(_PLUGIN_RECORDS, _DRIFT_WHAT, _DRIFT_WHY, "Update or reinstall."),
)
HOOKS_UNPINNED = define(
    "hooks.installs_unpinned_npm_specs",
    Severity.WARN,
    "Hook pack installs use unpinned npm specs",
    remediation="Pin hook pack installs to exact versions, e.g. @scope/hooks@1.2.3.",
    docs=_install_docs(_HOOK_RECORDS, _UNPINNED_WHAT, _UNPINNED_WHY, "Reinstall pinned."),
)
HOOKS_INTEGRITY = define(
    "hooks.installs_missing_integrity",
    Severity.WARN,
    "Hook pack installs have no integrity hash",
    remediation="Reinstall or update the hook packs so their integrity hashes are recorded.",
    docs=_install_docs(_HOOK_RECORDS, _INTEGRITY_WHAT, _INTEGRITY_WHY, "Reinstall."),
)
HOOKS_DRIFT = define(
    "hooks.installs_version_drift",
    Severity.WARN,
    "Installed hook pack versions differ from their install records",
    remediation="Run `openclaw hooks update --all`, or reinstall the affected hook packs.",
    docs=_install_docs(_HOOK_RECORDS, _DRIFT_WHAT, _DRIFT_WHY, "Update or reinstall."),
)


def _redact_userinfo(spec: str) -> str:
    """A URL-style spec may carry credentials (``https://user:token@host/...``): hide them."""
    return _USERINFO.sub(f"//{REDACTED}@", spec)


def _unpinned_finding(
    meta: CheckMeta, records: list[InstallRecord], noun: str
) -> Iterator[Finding]:
    loose = unpinned(records)
    if loose:
        lines = [f"{noun} install records with an npm spec that is not an exact version:"]
        lines.extend(f"- {rid} ({_redact_userinfo(spec)})" for rid, spec in loose)
        yield meta.finding("\n".join(lines))


def _integrity_finding(
    meta: CheckMeta, records: list[InstallRecord], noun: str
) -> Iterator[Finding]:
    no_hash = missing_integrity(records)
    if no_hash:
        lines = [f"{noun} npm install records without an integrity hash:"]
        lines.extend(f"- {rid}" for rid in no_hash)
        yield meta.finding("\n".join(lines))


def _drift_finding(
    ctx: AuditContext, meta: CheckMeta, records: list[InstallRecord], root: str, noun: str
) -> Iterator[Finding]:
    drift = drifted(ctx, records, root)
    if drift:
        lines = [f"{noun} packages on disk differ from the recorded install version:"]
        lines.extend(f"- {d.id} (recorded {d.recorded}, installed {d.installed})" for d in drift)
        yield meta.finding("\n".join(lines), remediation=ctx.cmd(meta.remediation))


# Orders continue after the allowlist rows in plugins.py (same stage).


@check(Stage.PLUGIN_TRUST, emits=[PLUGINS_UNPINNED], order=3)
def plugins_installs_unpinned(ctx: AuditContext) -> Iterator[Finding]:
    yield from _unpinned_finding(PLUGINS_UNPINNED, plugin_install_records(ctx), "Plugin")


@check(Stage.PLUGIN_TRUST, emits=[PLUGINS_INTEGRITY], order=4)
def plugins_installs_missing_integrity(ctx: AuditContext) -> Iterator[Finding]:
    yield from _integrity_finding(PLUGINS_INTEGRITY, plugin_install_records(ctx), "Plugin")


@check(Stage.PLUGIN_TRUST, emits=[PLUGINS_DRIFT], order=5)
def plugins_installs_version_drift(ctx: AuditContext) -> Iterator[Finding]:
    root = extensions_dir(ctx.paths.state_dir)
    yield from _drift_finding(ctx, PLUGINS_DRIFT, plugin_install_records(ctx), root, "Plugin")


@check(Stage.PLUGIN_TRUST, emits=[HOOKS_UNPINNED], order=6)
def hooks_installs_unpinned(ctx: AuditContext) -> Iterator[Finding]:
    yield from _unpinned_finding(HOOKS_UNPINNED, hook_install_records(ctx), "Hook pack")


@check(Stage.PLUGIN_TRUST, emits=[HOOKS_INTEGRITY], order=7)
def hooks_installs_missing_integrity(ctx: AuditContext) -> Iterator[Finding]:
    yield from _integrity_finding(HOOKS_INTEGRITY, hook_install_records(ctx), "Hook pack")


@check(Stage.PLUGIN_TRUST, emits=[HOOKS_DRIFT], order=8)
def hooks_installs_version_drift(ctx: AuditContext) -> Iterator[Finding]:
    root = hooks_dir(ctx.paths.state_dir)
    yield from _drift_finding(ctx, HOOKS_DRIFT, hook_install_records(ctx), root, "Hook pack")
