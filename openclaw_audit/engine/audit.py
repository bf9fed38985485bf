"""run_audit: load → static checks → (deep probes) → post-processing → Report.

Static checks run synchronously in Stage order. A check that raises is a bug in us, not in
the user's config: it becomes an ``audit.check_failed`` finding instead of a crash.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from openclaw_audit.config.loader import LoadedConfig, load_config
from openclaw_audit.config.locate import state_dir_source
from openclaw_audit.engine.anchors import anchored
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.gcpause import gc_paused
from openclaw_audit.engine.live_evidence import with_live_evidence
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.engine.registry import RegisteredCheck, Stage, define, runnable_checks
from openclaw_audit.errors import ConfigInvalid
from openclaw_audit.facts.agents import sandbox_configured
from openclaw_audit.facts.config_schema import schema_for, schema_issues
from openclaw_audit.report.model import Finding, Report, Severity
from openclaw_audit.report.postprocess import PostProcess
from openclaw_audit.report.target_info import TARGET_META
from openclaw_audit.state.view import StateView

if TYPE_CHECKING:  # the probes (and their heavy imports) load only under --deep
    from openclaw_audit.probes.base import ProbeOptions
    from openclaw_audit.probes.shared import SharedFacts

log = logging.getLogger(__name__)

CHECK_FAILED = define(
    "audit.check_failed",
    Severity.WARN,
    "A check could not complete",
    remediation="Please report this as a bug in openclaw-audit, with the check name.",
    docs="""
## What
A check of openclaw-audit raised an unexpected error on this config.

## Why
The audit keeps going so that one broken check does not hide every other finding, but the
area that check covers was not audited.

## Fix
Report the bug (the detail names the check). Nothing in your config needs to change.
""",
    group="audit",
)


@dataclass(frozen=True, slots=True)
class AuditRun:
    """A finished audit: the report plus what the face needs around it. ``secrets`` are the
    secret values the run saw (config credentials, resolved SecretRefs, probe credentials);
    the face builds the one redactor from them at output time."""

    report: Report
    loaded: LoadedConfig
    ctx: AuditContext
    secrets: frozenset[str]


ProgressFn = Callable[[str, str], None]


def build_context(loaded: LoadedConfig, options: AuditOptions) -> AuditContext:
    return AuditContext(
        paths=loaded.paths,
        config=loaded.resolved,
        source=loaded.source,
        env=loaded.env,
        state=StateView(),
        config_exists=loaded.exists,
        raw_root=loaded.raw_root,
        include_files=loaded.include_files,
        auth_override=options.auth_override,
        deep=options.deep,
        unresolved_paths=loaded.unresolved_paths,
        unresolved_vars=loaded.unresolved_vars,
        advisories=options.advisories,
        schema_file=options.config_schema,
        duplicates=loaded.duplicates,
    )


def before_live(stage: Stage) -> bool:
    return stage < Stage.DEEP_GATEWAY


def after_live(stage: Stage) -> bool:
    """Checks that read what the live probes saw (``ctx.live``) run after them."""
    return stage > Stage.DEEP_MDNS


def run_static(
    ctx: AuditContext,
    wants: Callable[[str], bool],
    stages: Callable[[Stage], bool] | None = None,
) -> list[Finding]:
    return _run_checks(ctx, select_checks(ctx.deep, wants, stages), wants)


def select_checks(
    deep: bool, wants: Callable[[str], bool], stages: Callable[[Stage], bool] | None = None
) -> tuple[RegisteredCheck, ...]:
    """The checks a run executes, in emission order. It depends on the options only, so a
    fleet computes it once for every target."""
    return tuple(
        chk
        for chk in runnable_checks(deep, wants)  # imports only the modules that can run
        if (deep or not chk.needs_deep)
        and (stages is None or stages(chk.stage))
        and (not chk.emits or any(_family_wanted(e, wants) for e in chk.emits))
    )


def _run_checks(
    ctx: AuditContext, checks: Sequence[RegisteredCheck], wants: Callable[[str], bool] | None
) -> list[Finding]:
    """Run ``checks`` in order; ``wants`` filters their findings (None: keep all)."""
    findings: list[Finding] = []
    for chk in checks:
        try:
            produced = list(chk.fn(ctx))  # all or nothing: a check that raises adds none
        except Exception as exc:  # a bug in a check must not hide the rest of the audit
            log.debug("check %s failed", chk.name, exc_info=True)
            produced = [
                CHECK_FAILED.finding(
                    f"{chk.name} raised {type(exc).__name__}; its area was not audited.",
                    subject=chk.name,
                )
            ]
        findings.extend(produced if wants is None else (f for f in produced if wants(f.check_id)))
    return findings


def _family_wanted(check_id: str, wants: Callable[[str], bool]) -> bool:
    # A family id like "tools.elevated.allowFrom.<provider>.wildcard" cannot be matched
    # literally; run it and filter its concrete findings instead.
    return "<" in check_id or wants(check_id)


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """The checks before and after the live phase, chosen once from the options."""

    before: tuple[RegisteredCheck, ...]
    after: tuple[RegisteredCheck, ...]
    wants: Callable[[str], bool] | None  # the finding filter; None when every id is wanted


def plan_checks(options: AuditOptions) -> CheckPlan:
    return CheckPlan(
        before=select_checks(options.deep, options.wants, before_live),
        after=select_checks(options.deep, options.wants, after_live),
        wants=options.wants if options.checks or options.skip_checks else None,
    )


@dataclass(slots=True)
class Prepared:
    """One target after loading and the checks that run before the live probes."""

    options: AuditOptions
    loaded: LoadedConfig
    ctx: AuditContext
    findings: list[Finding]
    secrets: set[str]
    started: float  # time.monotonic() when loading began (the report's durationMs)


# What the live phase hands back: findings in canonical order, ``report.deep``, secrets.
LiveResult = tuple[list[Finding], dict[str, object], set[str]]


def prepare(options: AuditOptions, plan: CheckPlan | None = None) -> Prepared:
    """Phase 1: load the target and run the checks that come before the live probes. A
    config that cannot be loaded raises (an input error)."""
    started = time.monotonic()
    loaded = load_config(
        env=options.env,
        config_path=options.config_path,
        state_dir=options.state_dir,
        allow_exec=options.allow_exec,
        cwd_dotenv_locations=options.cwd_dotenv_locations,
    )
    ctx = build_context(loaded, options)
    if options.config_schema:
        schema_for(ctx)  # a bad --config-schema file is an input error before any check runs
    if options.strict_config:
        _refuse_invalid(ctx)
    plan = plan or plan_checks(options)
    return Prepared(
        options=options,
        loaded=loaded,
        ctx=ctx,
        findings=_run_checks(ctx, plan.before, plan.wants),
        secrets={*loaded.secrets, *(s for s in _option_secrets(options) if s)},
        started=started,
    )


def probe_options(options: AuditOptions, shared: SharedFacts | None = None) -> ProbeOptions:
    """What the probes need of the options; ``shared``: a fleet's facts gathered once."""
    from openclaw_audit.probes.base import ProbeOptions

    return ProbeOptions(
        timeout=options.timeout,
        token=options.probe_token,
        password=options.probe_password,
        wants=options.wants,
        probes=options.probes,
        shared=shared,
    )


def finish(
    prep: Prepared,
    post: PostProcess | None = None,
    live: LiveResult | None = None,
    plan: CheckPlan | None = None,
) -> AuditRun:
    """Phase 3: fold in what the live phase saw (``None``: a static run), run the checks
    that read it, and post-process."""
    options, loaded, ctx = prep.options, prep.loaded, prep.ctx
    findings = list(prep.findings)
    secrets = set(prep.secrets)
    deep_section: dict[str, object] | None = None
    if live is not None:
        deep_findings, deep_section, probe_secrets = live
        deep_section = with_skipped(deep_section, options)
        secrets |= probe_secrets
        ctx = replace(ctx, live=deep_section)
        # Static findings the probes contradict say so (the live ones speak for themselves).
        findings = with_live_evidence(findings, ctx)
        findings.extend(f for f in deep_findings if options.wants(f.check_id))
    plan = plan or plan_checks(options)
    findings.extend(_run_checks(ctx, plan.after, plan.wants))
    findings = anchored(findings, ctx.config)
    raw = Report(
        ts=int(time.time() * 1000),
        findings=tuple(findings),
        deep=deep_section,
        secret_diagnostics=loaded.secret_diagnostics,
        config_path=loaded.paths.config_path,
        state_dir=loaded.paths.state_dir,
        meta={TARGET_META: target_meta(loaded, options, ctx, prep.started)},
    )
    if post is None:
        post = PostProcess(min_severity=options.min_severity, wants=options.wants)
    report = post.apply(raw, ctx.config)
    return AuditRun(
        report=report, loaded=loaded, ctx=ctx, secrets=frozenset(s for s in secrets if s)
    )


def run_audit(
    options: AuditOptions,
    post: PostProcess | None = None,
    progress: ProgressFn | None = None,
) -> AuditRun:
    """Audit one target. ``post`` (default: config suppressions, the default ignore file and
    ``options.min_severity``) is applied to the report before it is returned."""
    with gc_paused():
        plan = plan_checks(options)
        prep = prepare(options, plan)
        live = _run_deep(prep.ctx, options, progress) if options.deep else None
        return finish(prep, post, live, plan)


def target_meta(
    loaded: LoadedConfig, options: AuditOptions, ctx: AuditContext, started: float
) -> dict[str, object]:
    """What the target line and the JSON ``audit`` object say about this run."""
    return {
        "config": loaded.paths.config_path if loaded.exists else None,
        "configPath": loaded.paths.config_path,
        "includes": list(loaded.include_files),
        "stateDir": loaded.paths.state_dir,
        "stateDirSource": state_dir_source(loaded.env, options.state_dir, loaded.paths.state_dir),
        "home": loaded.paths.home,
        "deep": options.deep,
        "durationMs": round((time.monotonic() - started) * 1000),
        "host": _host_name(),
        "openclawVersion": _known_version(ctx),
        # --deep: a Docker that cannot be reached is a probe failure only when sandboxing is
        # on (report/probe_status.py, --fail-on-probe-error)
        **({"sandboxConfigured": sandbox_configured(ctx)} if options.deep else {}),
    }


def _host_name() -> str:
    try:
        return os.uname().nodename  # no socket import on the static path
    except AttributeError:  # Windows
        import socket

        return socket.gethostname()


def _known_version(ctx: AuditContext) -> dict[str, str] | None:
    """The strongest OpenClaw version this run already knows: the live gateway's hello, else
    the config's last-writer hint. The installed package is looked up only when the advisory
    check ran (it is memoised then), so the static path does no extra PATH walk for it."""
    from openclaw_audit.facts import openclaw_version as ov

    found = ov.version_sources(ctx) if ctx.advisories is not None else []
    source = found[0] if found else (ov.live_version(ctx) or ov.config_hint(ctx))
    if source is None:
        return None
    return {"version": source.version, "source": source.kind}


def _refuse_invalid(ctx: AuditContext) -> None:
    """``--strict-config``: do what OpenClaw does with a config its schema rejects."""
    issues = schema_issues(ctx)
    if not issues:
        return
    first = issues[0]
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    raise ConfigInvalid(
        f"config does not validate against the {schema_for(ctx).name} config schema: "
        f"{first.path or '(root)'}: {first.message}{more}",
        issues=[{"path": i.path, "message": i.message} for i in issues],
        file=first.location.file,
        line=first.location.line,
        column=first.location.column,
        hint="fix the config, or drop --strict-config to audit it anyway"
        + ("" if len(issues) == 1 else "; --json lists every problem"),
    )


def _option_secrets(options: AuditOptions) -> list[str | None]:
    override = options.auth_override
    return [
        options.probe_token,
        options.probe_password,
        override.token if override else None,
        override.password if override else None,
    ]


def _run_deep(ctx: AuditContext, options: AuditOptions, progress: ProgressFn | None) -> LiveResult:
    # Imported here so the static path never loads httpx, websockets, docker or zeroconf.
    from openclaw_audit.probes.runner import run_probes_sync

    findings, deep, secrets = run_probes_sync(ctx, probe_options(options), progress=progress)
    return list(findings), dict(deep), set(secrets)


def with_skipped(deep: dict[str, object], options: AuditOptions) -> dict[str, object]:
    """``report.deep`` in canonical order, naming every probe that did not run and why."""
    from openclaw_audit.probes.selection import (
        PROBE_NAMES,
        SKIPPED_BY_NAME,
        UNAVAILABLE,
        skipped_section,
    )

    out: dict[str, object] = {}
    for name in PROBE_NAMES:
        if name in deep:
            out[name] = deep[name]
        elif options.probes is not None and name not in options.probes:
            out[name] = skipped_section(SKIPPED_BY_NAME)
        else:
            out[name] = skipped_section(UNAVAILABLE)
    out.update((k, v) for k, v in deep.items() if k not in out)
    return out
