"""Node command allow/deny lists (checks-tools-sandbox.md §1.6, §4; report.md groups 13-14)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.gateway import remotely_exposed
from openclaw_audit.report.model import Finding, Severity

DANGEROUS_NODE_COMMANDS: tuple[str, ...] = (
    *("camera.snap", "camera.clip", "screen.record", "contacts.add", "calendar.add"),
    *("reminders.add", "sms.send", "sms.search", "health.summary"),
)
BASE_NODE_COMMANDS: tuple[str, ...] = (
    *("canvas.present", "canvas.hide", "canvas.navigate", "canvas.eval", "canvas.snapshot"),
    *("canvas.a2ui.push", "canvas.a2ui.pushJSONL", "canvas.a2ui.reset", "camera.list"),
    *("location.get", "notifications.list", "device.info", "device.status", "contacts.search"),
    *("calendar.events", "reminders.list", "photos.latest", "motion.activity"),
    *("motion.pedometer", "system.run", "system.run.prepare", "system.which", "system.notify"),
    *("browser.proxy", "browser.proxy.upload.v1", "screen.snapshot", "callLog.search"),
    *("talk.ptt.start", "talk.ptt.stop", "talk.ptt.cancel", "talk.ptt.once", "watch.status"),
    "watch.notify",
)

DENY_INEFFECTIVE = define(
    "gateway.nodes.deny_commands_ineffective",
    Severity.WARN,
    "Some node command deny entries can never match",
    remediation="Use exact command names (for example: "
    + ", ".join(BASE_NODE_COMMANDS[:8])
    + "). For broader limits, remove risky commands from the allow list and tighten the exec "
    "policy.",
    docs="""
## What
The node command deny list (`gateway.nodes.commands.deny`, or the older
`gateway.nodes.denyCommands`) holds entries that look like patterns (wildcards, regex
anchors, spaces, `group:`) or exact names no node command has. Unknown names come with up to
three close matches.

## Why
The deny list compares exact command names only. A pattern or a typo blocks nothing while
looking like a restriction.

## Fix
List exact command names; to limit more broadly, shrink the allow list instead.
""",
)

ALLOW_DANGEROUS = define(
    "gateway.nodes.allow_commands_dangerous",
    Severity.WARN,
    "Dangerous node commands are explicitly allowed",
    remediation="Remove these commands from the node allow list. If you keep them, treat gateway "
    "auth as full operator access and keep the gateway on loopback or the tailnet.",
    escalates=True,
    docs="""
## What
The node allow list (`gateway.nodes.commands.allow`, or the older
`gateway.nodes.allowCommands`) enables camera, screen recording, contacts, calendar,
reminders, SMS or health commands that are not also denied. Critical when the gateway is
reachable beyond loopback, else warn. Dangerous commands declared by plugins are not
considered here.

## Why
Whoever can call the gateway can then photograph, record, read messages or add data on the
paired devices.

## Fix
Drop the commands you do not need and keep the gateway local.
""",
)


def _entries(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def node_allow(ctx: AuditContext) -> tuple[str, list[str]]:
    if isinstance(ctx.config.get("gateway.nodes.commands.allow"), list):
        return "gateway.nodes.commands.allow", _entries(
            ctx.config.get("gateway.nodes.commands.allow")
        )
    return "gateway.nodes.allowCommands", _entries(ctx.config.get("gateway.nodes.allowCommands"))


def node_deny(ctx: AuditContext) -> tuple[str, list[str]]:
    if isinstance(ctx.config.get("gateway.nodes.commands.deny"), list):
        return "gateway.nodes.commands.deny", _entries(
            ctx.config.get("gateway.nodes.commands.deny")
        )
    return "gateway.nodes.denyCommands", _entries(ctx.config.get("gateway.nodes.denyCommands"))


_PATTERN_CHARS = lazyre.compile(r"[?*\[\]{}(),|]")


def looks_like_pattern(entry: str) -> bool:
    return bool(
        _PATTERN_CHARS.search(entry)
        or entry.startswith(("/", "^"))
        or entry.endswith(("/", "$"))
        or re.search(r"\s", entry)
        or "group:" in entry
    )


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(entry: str, known: list[str]) -> list[str]:
    prefix = ".".join(entry.split(".")[:2]) if "." in entry else entry
    hits = [k for k in known if k.startswith(prefix)][:3]
    if hits:
        return hits
    ranked = sorted(((levenshtein(entry, k), k) for k in known), key=lambda t: (t[0], t[1]))
    if not ranked:
        return []
    threshold = max(2, min(4, ranked[0][0]))
    return [k for d, k in ranked if d <= threshold][:3]


@check(Stage.NODES_DENY, emits=[DENY_INEFFECTIVE])
def deny_commands_ineffective(ctx: AuditContext) -> Iterator[Finding]:
    deny_key, deny = node_deny(ctx)
    if not deny:
        return
    _, allow = node_allow(ctx)
    known = list(dict.fromkeys([*BASE_NODE_COMMANDS, *DANGEROUS_NODE_COMMANDS, *allow]))
    known_set = set(known)
    patterns = [e for e in deny if looks_like_pattern(e)]
    unknown = [e for e in deny if not looks_like_pattern(e) and e not in known_set]
    if not patterns and not unknown:
        return
    lines = [
        f"{deny_key} matches exact node command names only (such as system.run); it does not "
        "filter the text inside a command."
    ]
    if patterns:
        lines.append(f"- Pattern-like entries (exact matching ignores them): {', '.join(patterns)}")
    if unknown:
        parts = []
        for e in unknown:
            # Capped: a huge entry is no typo and would make the edit distance slow.
            tips = suggest(e[:200], known)
            parts.append(f"{e} (did you mean: {', '.join(tips)})" if tips else e)
        lines.append(f"- Unknown command names (not a known node command): {', '.join(parts)}")
    yield DENY_INEFFECTIVE.finding(
        "\n".join(lines), subject=deny_key, location=ctx.config.location(deny_key)
    )


@check(Stage.NODES_ALLOW, emits=[ALLOW_DANGEROUS])
def allow_commands_dangerous(ctx: AuditContext) -> Iterator[Finding]:
    allow_key, allow = node_allow(ctx)
    if not allow:
        return
    allow_set = set(allow)
    deny_set = set(node_deny(ctx)[1])
    hits = [c for c in DANGEROUS_NODE_COMMANDS if c in allow_set and c not in deny_set]
    if not hits:
        return
    yield ALLOW_DANGEROUS.finding(
        f"{allow_key} includes: {', '.join(hits)}. These let a caller take photos, record the "
        "screen, or read and add contacts, calendar entries, reminders, SMS or health data.",
        severity=Severity.CRITICAL if remotely_exposed(ctx) else Severity.WARN,
        subject=allow_key,
        location=ctx.config.location(allow_key),
    )
