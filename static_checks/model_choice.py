"""Which models drive the agents (checks-tools-sandbox.md §1.7, §4; report.md groups 17-18)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agents
from openclaw_audit.facts.models import resolve_model_id
from openclaw_audit.facts.tool_policy import (
    ToolContext,
    sandbox_mode,
    tool_allowed,
    tool_contexts,
)
from openclaw_audit.report.model import Finding, Severity

SMALL_LIMIT_B = 300
MAX_LINES = 12

LEGACY = define(
    "models.legacy",
    Severity.WARN,
    "Legacy models are configured",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation="Prefer modern, instruction-hardened models for bots that use tools.",
    docs="""
## What
A configured model ref is GPT-3.5, Claude 2 / Claude Instant, or a 2023 GPT-4 snapshot
(`gpt-4-0314`, `gpt-4-0613`).

## Why
Older models follow injected instructions far more readily, which matters as soon as they can
call tools.

## Fix
Move to current models.
""",
)

WEAK_TIER = define(
    "models.weak_tier",
    Severity.WARN,
    "Lower-tier models are configured",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation="Use top-tier models for tool-using bots: avoid Haiku, prefer GPT-5 or newer and "
    "Claude 4.5 or newer.",
    docs="""
## What
A configured model ref is a Haiku model, a GPT model below GPT-5, or a Claude model below
4.5. Several reasons for one model are joined with `; `.

## Why
Smaller and older tiers resist prompt injection less well.

## Fix
Use a top-tier model where untrusted text reaches the agent.
""",
)

SMALL_PARAMS = define(
    "models.small_params",
    Severity.INFO,
    "Small models are configured",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation='Sandbox all sessions (`agents.defaults.sandbox.mode="all"`) and deny `group:web` '
    'and `browser`, globally or via `tools.byProvider["<provider>/<model>"].deny`.',
    escalates=True,
    docs="""
## What
A non-image model ref whose id names a parameter count of at most 300B (`llama-3.1-70b`,
`qwen2.5:7b`, `mixtral-8x7b` → 7B). Critical when any such model's agent can use
`web_search`, `web_fetch` or `browser` after the whole policy stack (profiles, allow/deny,
the sandbox tool policy for sandbox mode `all`, `tools.byProvider`); otherwise info.
An alias from `agents.defaults.models` is resolved first, and ids are shown as
`provider/model` (`tiny` → `ollama/mistral-8b`, `mistral-8b` → `openai/mistral-8b`).

Decision: ids in the `NxMb` expert form count by the per-expert size `M`, as the spec's example
says, although upstream's pattern does not match them.

## Why
Small models are the easiest to steer with injected web content.

## Fix
Sandbox everything and deny web and browser tools for those models.
""",
)


@dataclass(frozen=True, slots=True)
class ModelRef:
    ref: str
    source: str
    context: ToolContext


def _primary_and_fallbacks(value: Any, base: str, string_label: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(value, str):
        if value.strip():
            out.append((value.strip(), string_label))
        return out
    if not isinstance(value, Mapping):
        return out
    primary = value.get("primary")
    if isinstance(primary, str) and primary.strip():
        out.append((primary.strip(), f"{base}.primary"))
    fallbacks = value.get("fallbacks")
    if isinstance(fallbacks, list):
        out += [
            (f.strip(), f"{base}.fallbacks") for f in fallbacks if isinstance(f, str) and f.strip()
        ]
    return out


def model_refs(ctx: AuditContext) -> list[ModelRef]:
    """Configured refs in spec order, each resolved through the aliases to ``provider/model``."""
    contexts = tool_contexts(ctx)
    dflt = contexts[0]
    defaults = ctx.config.get_dict("agents.defaults")
    out: list[ModelRef] = []
    for key in ("model", "imageModel"):
        base = f"agents.defaults.{key}"
        for ref, src in _primary_and_fallbacks(defaults.get(key), base, f"{base}.primary"):
            out.append(ModelRef(resolve_model_id(ctx, ref), src, dflt))
    by_label = {c.label: c for c in contexts[1:]}
    for a in agents(ctx):
        c = by_label[a.label]
        base = f"{a.label}.model"
        for ref, src in _primary_and_fallbacks(a.config.get("model"), base, base):
            out.append(ModelRef(resolve_model_id(ctx, ref), src, c))
    return out


_LEGACY = (
    (re.compile(r"\bgpt-3\.5\b", re.I), "GPT-3.5 family"),
    (re.compile(r"\bclaude-(instant|2)\b", re.I), "Claude 2/Instant family"),
    (re.compile(r"\bgpt-4-(0314|0613)\b", re.I), "legacy GPT-4 snapshot"),
)
_HAIKU = lazyre.compile(r"\bhaiku\b", re.I)
_GPT = lazyre.compile(r"\bgpt-", re.I)
_GPT5 = lazyre.compile(r"\bgpt-5(\b|[.-])", re.I)
_CLAUDE = lazyre.compile(r"\bclaude-", re.I)
_CLAUDE_45 = lazyre.compile(
    r"\bclaude-[^\s/]*?(-4-?([5-9]|[1-9]\d)\b|4\.([5-9]|[1-9]\d)\b|-[5-9](\b|[.-]))", re.I
)


def weak_reasons(ref: str) -> list[str]:
    reasons = []
    if _HAIKU.search(ref):
        reasons.append("Haiku tier (smaller model)")
    if _GPT.search(ref) and not _GPT5.search(ref):
        reasons.append("below GPT-5 family")
    if _CLAUDE.search(ref) and not _CLAUDE_45.search(ref):
        reasons.append("below Claude 4.5")
    return reasons


def _lines(items: list[str]) -> str:
    shown = items[:MAX_LINES]
    if len(items) > MAX_LINES:
        shown.append(f"…{len(items) - MAX_LINES} more")
    return "\n".join(shown)


@check(Stage.MODELS_LEGACY, emits=[LEGACY], order=0)
def legacy(ctx: AuditContext) -> Iterator[Finding]:
    lines: list[str] = []
    for m in model_refs(ctx):
        for pattern, reason in _LEGACY:
            if pattern.search(m.ref):
                lines.append(f"- {m.ref} ({reason}) @ {m.source}")
                break
    if lines:
        yield LEGACY.finding(
            "Older models are easier to steer with injected text:\n" + _lines(lines)
        )


@check(Stage.MODELS_LEGACY, emits=[WEAK_TIER], order=1)
def weak_tier(ctx: AuditContext) -> Iterator[Finding]:
    weak: dict[tuple[str, str], list[str]] = {}
    for m in model_refs(ctx):
        for reason in weak_reasons(m.ref):
            bucket = weak.setdefault((m.ref, m.source), [])
            if reason not in bucket:
                bucket.append(reason)
    if weak:
        lines = [f"- {ref} ({'; '.join(rs)}) @ {src}" for (ref, src), rs in weak.items()]
        yield WEAK_TIER.finding(
            "These models are below the recommended tier for tool-using bots:\n" + _lines(lines)
        )


_PARAM_B = lazyre.compile(r"(?:^|(?<=[^a-z0-9]))(?:\d+x)?[a-z]?(\d+(?:\.\d+)?)b(?=[^a-z0-9]|$)")


def param_count_b(model_id: str) -> float | None:
    """Largest ``<number>b`` parameter count named in the id, or None."""
    best: float | None = None
    for m in _PARAM_B.finditer(model_id.lower()):
        try:
            value = float(m.group(1))
        except ValueError:
            continue
        if value > 0 and (best is None or value > best):
            best = value
    return best


def _web_search_enabled(ctx: AuditContext) -> bool:
    cfg = ctx.config
    if cfg.is_true("tools.web.search.enabled"):
        return True
    if cfg.is_false("tools.web.search.enabled"):
        return False
    keys = [cfg.get("tools.web.search.apiKey"), cfg.get("tools.web.search.perplexity.apiKey")]
    if any(k is not None and k != "" for k in keys):
        return True
    env_keys = ("BRAVE_API_KEY", "PERPLEXITY_API_KEY", "OPENROUTER_API_KEY")
    return any(ctx.env.get(k, "").strip() for k in env_keys)


def exposed_web_tools(ctx: AuditContext, m: ModelRef) -> list[str]:
    enabled = {
        "web_search": _web_search_enabled(ctx),
        "web_fetch": not ctx.config.is_false("tools.web.fetch.enabled"),
        "browser": not ctx.config.is_false("browser.enabled"),
    }
    return [t for t, on in enabled.items() if on and tool_allowed(ctx, m.context, t, m.ref)]


@check(Stage.MODELS_SMALL, emits=[SMALL_PARAMS])
def small_params(ctx: AuditContext) -> Iterator[Finding]:
    lines: list[str] = []
    exposed_union: list[str] = []
    unsafe = False
    for m in model_refs(ctx):
        if "imageModel" in m.source:
            continue
        size = param_count_b(m.ref)
        if size is None or size > SMALL_LIMIT_B:
            continue
        exposed = exposed_web_tools(ctx, m)
        unsafe = unsafe or bool(exposed)
        exposed_union += [t for t in exposed if t not in exposed_union]
        verdict = "unsafe" if exposed else "ok"
        web = f"web=[{', '.join(exposed)}]" if exposed else "web=[off]"
        mode = sandbox_mode(ctx, m.context)
        lines.append(f"- {m.ref} ({size:g}B) @ {m.source} ({verdict}; sandbox={mode}; {web})")
    if not lines:
        return
    tools = ", ".join(exposed_union) if exposed_union else "none detected"
    detail = "\n".join(
        [
            f"Small models (≤{SMALL_LIMIT_B}B parameters) detected:",
            *lines,
            f"Web/browser tools exposed to them: {tools}",
            "Small models are not recommended for untrusted inputs.",
        ]
    )
    yield SMALL_PARAMS.finding(detail, severity=Severity.CRITICAL if unsafe else Severity.INFO)
