"""What the network really sees over mDNS: verdicts on browsed gateway records
(deep-probes.md §6, §9).

Pure: the collector (``mdns_probe``) hands over :class:`MdnsFacts`; this module decides which
instances are this host's gateway and whether their TXT records leak host metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, define
from openclaw_audit.facts.gateway import (
    bind_mode,
    bonjour_disabled_by_env,
    gateway_port,
    local_mdns_hostname,
    mdns_mode,
)
from openclaw_audit.probes.base import ProbeResult
from openclaw_audit.redaction import REDACTED, SENSITIVE_NAME_PARTS
from openclaw_audit.report.model import Finding, Severity

STAGE = Stage.DEEP_MDNS
SECTION_KEY = "mdns"
SERVICE_TYPE = "_openclaw-gw._tcp.local."
# TXT keys only full mode publishes (deep-probes.md §6).
LEAK_KEYS: tuple[str, ...] = ("cliPath", "sshPort", "tailnetDns")
_PORT_TEXT = re.compile(r"^\d+$")
_SENSITIVE_KEY = re.compile("|".join(SENSITIVE_NAME_PARTS), re.I)

TXT_LEAK = define(
    "discovery.mdns.txt_leak",
    Severity.WARN,
    "The gateway's mDNS records reveal host details",
    remediation='Set discovery.mdns.mode to "minimal" or "off" and restart the gateway.',
    deep=True,
    escalates=True,
    docs="""
## What
With `--deep` the auditor listens for `_openclaw-gw._tcp` announcements on the local network.
This fires when an instance that belongs to this host's gateway publishes any of the
full-mode TXT keys `cliPath`, `sshPort` or `tailnetDns`. Severity is critical when
`gateway.bind` is not `loopback`, warn otherwise (as for `discovery.mdns_full_mode`).

## Why
Anyone on the LAN can read mDNS records without credentials. The CLI path reveals the user
name and install layout, the SSH port and Tailscale name tell an attacker where to knock next.
If the config says `minimal` but the records still carry these keys, the running gateway is
not the one the config describes (not restarted, or started with another config).

## Fix
Set `discovery.mdns.mode` to `"minimal"` (or `"off"`) and restart the gateway; rerun with
`--deep` to confirm what is advertised. Home directories are shown as `~` in the detail.
""",
)

ADVERTISING_WHILE_OFF = define(
    "discovery.mdns.advertising_while_off",
    Severity.WARN,
    "This host advertises a gateway over mDNS although advertising is off",
    remediation=(
        "Restart the gateway so the setting takes effect, or find the other process that "
        "advertises a gateway for this host."
    ),
    deep=True,
    docs="""
## What
An `_openclaw-gw._tcp` instance that belongs to this host's gateway (same port, and a local
address or this host's mDNS name) was heard while advertising should be off:
`discovery.mdns.mode` is `"off"` or `OPENCLAW_DISABLE_BONJOUR` is set to a true value.

## Why
You turned discovery off to stay invisible on the network, yet the gateway (or another
process claiming to be it) is still announcing itself.

## Fix
Restart the gateway after changing the setting. If the records persist, look for a second
gateway or an old process on this host that still advertises.
""",
)

POSSIBLE_SPOOF = define(
    "discovery.mdns.possible_spoof",
    Severity.WARN,
    "An mDNS record names this host but comes from elsewhere",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation=(
        "Find the machine at the listed addresses; if it is not yours, treat it as an "
        "impersonation attempt and keep clients from trusting discovered gateways."
    ),
    deep=True,
    docs="""
## What
An `_openclaw-gw._tcp` instance names this host (its TXT `lanHost` or its SRV target is this
host's mDNS name) but none of its addresses belongs to this host. Anyone on the LAN can
publish such a record, so it is not judged as this gateway: its TXT keys do not produce
`discovery.mdns.txt_leak` or `discovery.mdns.advertising_while_off`.

## Why
Clients that pick a gateway by name from mDNS can be steered to the listed addresses and hand
their credentials to whoever runs them. A record that claims this host's name from another
address is either a misconfigured second machine or an impersonation.

## Fix
Look at the machine behind the addresses in the detail. If it is not yours, investigate the
network; configure clients with an explicit gateway URL (and `gateway.remote.tlsFingerprint`)
instead of trusting discovery.
""",
)

FINDINGS_CAPPED = define(
    "discovery.mdns.findings_capped",
    Severity.WARN,
    "More mDNS findings than the report lists",
    remediation="Read deep.mdns.instances for every instance heard, and find who advertises them.",
    deep=True,
    escalates=True,
    docs="""
## What
A live peer decides how many mDNS records we hear, so the mDNS probe reports at most 20
findings; this one summarises the rest: how many of each checkId were left out, and for which
instances. Its severity is the highest of the findings it stands for.

## Why
A responder on the LAN must not be able to bury the rest of the report (or a CI log) under
hundreds of findings. Nothing is hidden: the summary counts every omitted finding and its
severity still counts for `--fail-on`.

## Fix
Look at `deep.mdns.instances` in the JSON report, and at whatever advertises that many
gateways claiming this host.
""",
)

CHECK_IDS: tuple[str, ...] = (
    TXT_LEAK.id,
    ADVERTISING_WHILE_OFF.id,
    POSSIBLE_SPOOF.id,
    FINDINGS_CAPPED.id,
)
MAX_FINDINGS = 20  # trust.md §7: per probe, then one summarising finding


@dataclass(frozen=True, slots=True)
class Instance:
    """One browsed service instance. ``txt`` is None when resolving it failed."""

    name: str  # instance label, without the service type
    host: str | None = None  # SRV target
    port: int | None = None  # SRV port
    addresses: tuple[str, ...] = ()
    txt: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class MdnsFacts:
    browse_ms: int
    instances: tuple[Instance, ...] = ()
    local_addresses: frozenset[str] = frozenset()
    system_hostname: str | None = None
    error: str | None = None
    dropped: int = 0  # instances beyond the collector's cap


def _strip_dot(name: str | None) -> str:
    return (name or "").strip().removesuffix(".").lower()


def _has_local_address(inst: Instance, facts: MdnsFacts) -> bool:
    return any(a in facts.local_addresses for a in inst.addresses)


def is_local(inst: Instance, ctx: AuditContext, facts: MdnsFacts) -> bool:
    """Same port as our gateway AND one of its addresses is this host's (trust.md §7).

    A name alone (TXT ``lanHost``, SRV target) proves nothing: anyone on the LAN can publish
    it. Such records are :func:`names_this_host` instead, reported as a possible spoof."""
    port = gateway_port(ctx)
    txt = inst.txt or {}
    txt_port = str(txt.get("gatewayPort", "")).strip()
    port_matches = inst.port == port or (bool(_PORT_TEXT.match(txt_port)) and int(txt_port) == port)
    return port_matches and _has_local_address(inst, facts)


def names_this_host(inst: Instance, ctx: AuditContext, facts: MdnsFacts) -> bool:
    """Claims this host's mDNS name, but no address of it is ours: a possible spoof."""
    if _has_local_address(inst, facts):
        return False
    me = f"{local_mdns_hostname(ctx, facts.system_hostname)}.local".lower()
    lan_host = str((inst.txt or {}).get("lanHost", ""))
    return _strip_dot(lan_host) == me or _strip_dot(inst.host) == me


def tilde(value: str, home: str) -> str:
    """Show the home directory as ``~``."""
    home = home.rstrip("/")
    if not home:
        return value
    if value == home:
        return "~"
    return re.sub(rf"(?<![\w.-]){re.escape(home)}(?=/|$)", "~", value)


def shown_txt(txt: Mapping[str, str], home: str) -> dict[str, str]:
    """TXT as we report it: secret-looking keys redacted, home directory as ``~``."""
    out: dict[str, str] = {}
    for k, v in txt.items():
        out[k] = REDACTED if _SENSITIVE_KEY.search(k) and v else tilde(v, home)
    return out


def _config_note(ctx: AuditContext) -> str:
    mode = mdns_mode(ctx)
    if mode == "minimal":
        how = "sets" if ctx.config.get_str("discovery.mdns.mode") is not None else "defaults to"
        return (
            f' The config {how} discovery.mdns.mode "minimal", so the running gateway does not '
            "match its config (restart it, or look for another gateway on this host)."
        )
    if mode == "off":
        return ' The config sets discovery.mdns.mode "off".'
    return f' discovery.mdns.mode is "{mode}".'


def findings(ctx: AuditContext, facts: MdnsFacts) -> list[Finding]:
    if facts.error is not None:
        return []
    local = sorted((i for i in facts.instances if is_local(i, ctx, facts)), key=_name)
    home = ctx.paths.home
    location = (
        ctx.config.location("discovery.mdns.mode")
        if ctx.config.get("discovery.mdns.mode") is not None
        else None
    )
    out: list[Finding] = []
    severity = Severity.WARN if bind_mode(ctx) == "loopback" else Severity.CRITICAL
    for inst in local:
        txt = shown_txt(inst.txt or {}, home)
        leaked = [f"{k}={txt[k]}" for k in LEAK_KEYS if k in txt]
        if leaked:
            out.append(
                TXT_LEAK.finding(
                    f"Instance {inst.name!r} publishes {', '.join(leaked)} in its TXT record."
                    + _config_note(ctx),
                    severity=severity,
                    subject=inst.name,
                    location=location,
                )
            )
    reasons: list[str] = []
    if mdns_mode(ctx) == "off":
        reasons.append('discovery.mdns.mode is "off"')
    if bonjour_disabled_by_env(ctx):
        reasons.append("OPENCLAW_DISABLE_BONJOUR is set")
    if reasons:
        for inst in local:
            where = ", ".join(inst.addresses) or "no address"
            out.append(
                ADVERTISING_WHILE_OFF.finding(
                    f"Instance {inst.name!r} (port {inst.port}, {where}) is advertised although "
                    f"{' and '.join(reasons)}.",
                    subject=inst.name,
                    location=location if mdns_mode(ctx) == "off" else None,
                )
            )
    for inst in sorted((i for i in facts.instances if names_this_host(i, ctx, facts)), key=_name):
        where = ", ".join(inst.addresses) or "no address"
        out.append(
            POSSIBLE_SPOOF.finding(
                f"Instance {inst.name!r} names this host but announces {where} (port "
                f"{inst.port}), no address of this host: possibly another machine impersonating "
                "this gateway. Its TXT record was not judged as this gateway's.",
                subject=inst.name,
            )
        )
    return out


def _name(inst: Instance) -> str:
    return inst.name


def cap_findings(found: list[Finding]) -> list[Finding]:
    """At most :data:`MAX_FINDINGS`, then one finding that counts the rest (trust.md §7)."""
    if len(found) <= MAX_FINDINGS:
        return found
    kept, omitted = found[:MAX_FINDINGS], found[MAX_FINDINGS:]
    counts: dict[str, int] = {}
    for f in omitted:
        counts[f.check_id] = counts.get(f.check_id, 0) + 1
    subjects = sorted({f.subject for f in omitted if f.subject})
    shown = ", ".join(repr(s) for s in subjects[:5]) + (", ..." if len(subjects) > 5 else "")
    severity = max((f.severity for f in omitted), key=lambda s: s.rank)
    detail = (
        f"{len(omitted)} more mDNS findings were left out of this report ("
        + ", ".join(f"{cid}: {n}" for cid, n in counts.items())
        + f") for {len(subjects)} more instances: {shown}. deep.mdns.instances lists them all."
    )
    return [*kept, FINDINGS_CAPPED.finding(detail, severity=severity)]


def section(ctx: AuditContext, facts: MdnsFacts) -> dict[str, Any]:
    """``report.deep.mdns`` (§9): TXT only for this host's instances."""
    instances = []
    for inst in sorted(facts.instances, key=lambda i: i.name):
        local = facts.error is None and is_local(inst, ctx, facts)
        entry: dict[str, Any] = {
            "name": inst.name,
            "host": inst.host,
            "port": inst.port,
            "addresses": list(inst.addresses),
            "local": local,
            "txt": shown_txt(inst.txt, ctx.paths.home) if local and inst.txt is not None else None,
        }
        if facts.error is None and names_this_host(inst, ctx, facts):
            entry["possibleSpoof"] = True
        instances.append(entry)
    out: dict[str, Any] = {
        "attempted": True,
        "browseMs": facts.browse_ms,
        "error": facts.error,
        "instances": instances,
    }
    if facts.dropped:
        out["dropped"] = facts.dropped
    return out


def judge(
    ctx: AuditContext, facts: MdnsFacts, wants: Callable[[str], bool] = lambda _id: True
) -> ProbeResult:
    """Findings the run wants (``--check``/``--skip-check``), capped, and the section."""
    wanted = [f for f in findings(ctx, facts) if wants(f.check_id)]
    return ProbeResult(findings=cap_findings(wanted), section=section(ctx, facts))


def failure_result(ctx: AuditContext, error: str) -> ProbeResult:
    """The runner's deadline hit (``error == "timeout"``) or the collector raised."""
    return judge(ctx, MdnsFacts(browse_ms=0, error=error))
