"""Sandbox browser containers: turn what Docker reported into findings (deep-probes.md §5, §10).

Pure: the collector (``docker_probe``) gathers :class:`DockerFacts`; :func:`judge` decides.
Upstream runs this check on every audit; we run it only under ``--deep`` so a static audit
never touches the Docker socket.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, define
from openclaw_audit.probes.base import ProbeResult
from openclaw_audit.report.model import Finding, Severity

# Must equal upstream's SANDBOX_BROWSER_SECURITY_HASH_EPOCH for the release we target
# (src/agents/sandbox/constants.ts, OpenClaw 2026.9.x). Bump it when upstream does.
SANDBOX_BROWSER_SECURITY_HASH_EPOCH = "2026-05-12-cdp-relay-auth"

STAGE = Stage.DEEP_DOCKER
SECTION_KEY = "docker"

LABEL_BROWSER = "openclaw.sandboxBrowser"
LABEL_CONFIG_HASH = "openclaw.configHash"
LABEL_EPOCH = "openclaw.browserConfigEpoch"
BROWSER_FILTER = f"{LABEL_BROWSER}=1"

RECREATE = "openclaw sandbox recreate --browser --all"
_LOOPBACK_PUBLISH_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})

HASH_LABEL_MISSING = define(
    "sandbox.browser_container.hash_label_missing",
    Severity.WARN,
    "Sandbox browser container has no config hash label",
    remediation=f"{RECREATE} (add --force to skip the confirmation prompt).",
    deep=True,
    docs="""
## What
A Docker container labelled `openclaw.sandboxBrowser=1` carries no usable
`openclaw.configHash` label (absent, blank or `<no value>`).

## Why
OpenClaw compares that hash with the current browser sandbox settings to notice drift. A
container without it was created before drift checks existed, so later security fixes to the
browser sandbox never reach it until it is recreated.

## Fix
Run `openclaw sandbox recreate --browser --all` (add `--force` to skip the prompt).
Only checked with `--deep`: the static audit never contacts Docker.
""",
)

HASH_EPOCH_STALE = define(
    "sandbox.browser_container.hash_epoch_stale",
    Severity.WARN,
    "Sandbox browser container was built for an older security epoch",
    remediation=f"{RECREATE} (add --force to skip the confirmation prompt).",
    deep=True,
    docs=f"""
## What
The `openclaw.browserConfigEpoch` label of a sandbox browser container differs from the
epoch this auditor expects (`{SANDBOX_BROWSER_SECURITY_HASH_EPOCH}`), or is missing.

## Why
OpenClaw bumps the epoch whenever the browser sandbox gains a security fix that an existing
container cannot pick up by itself (for example authentication of the CDP relay). A container
from an older epoch still runs without that fix.

## Fix
Run `openclaw sandbox recreate --browser --all` (add `--force` to skip the prompt).
""",
)

NON_LOOPBACK_PUBLISH = define(
    "sandbox.browser_container.non_loopback_publish",
    Severity.CRITICAL,
    "Sandbox browser container publishes ports beyond loopback",
    remediation=(
        f"{RECREATE} (add --force to skip the confirmation prompt), then check that every "
        "published port is bound to 127.0.0.1."
    ),
    deep=True,
    docs="""
## What
A running sandbox browser container has a published port bound to an address other than
`127.0.0.1`, `::1` or `localhost` (for example `0.0.0.0` or `::`).

## Why
The browser container's ports are its remote-control surface (Chrome DevTools, VNC/noVNC
observer). Published on every interface, anyone who can reach the host can watch or drive
the agent's browser.

## Fix
Recreate the containers with `openclaw sandbox recreate --browser --all` and confirm with
`docker port <name>` that each binding shows `127.0.0.1`.
""",
)

DOCKER_PROBE_TIMEOUT = define(
    "sandbox.browser_container.docker_probe_timeout",
    Severity.WARN,
    "Docker did not answer in time during the sandbox browser check",
    remediation=(
        "Retry once Docker responds again, or recreate the sandbox browser containers if you "
        "suspect they drifted."
    ),
    deep=True,
    docs="""
## What
A Docker API call made while checking sandbox browser containers exceeded the probe timeout
(`--timeout`). The check stopped there; containers not yet examined were skipped.

## Why
A wedged daemon hides the state of the containers, so missing hash labels, stale epochs or
exposed ports may go unreported.

## Fix
Make Docker responsive (check `docker ps`), then rerun the audit with `--deep`.
""",
)

CHECK_IDS: tuple[str, ...] = (
    HASH_LABEL_MISSING.id,
    HASH_EPOCH_STALE.id,
    NON_LOOPBACK_PUBLISH.id,
    DOCKER_PROBE_TIMEOUT.id,
)


@dataclass(frozen=True, slots=True)
class ContainerFacts:
    """One container from the label-filtered list, after its inspect call."""

    name: str
    state: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    ports: tuple[str, ...] = ()  # `docker port` style lines
    inspected: bool = True  # False: inspect failed, the container is skipped


@dataclass(frozen=True, slots=True)
class DockerFacts:
    """Everything the collector learned. ``skipped`` says why Docker could not be asked."""

    timeout_ms: int
    host: str  # where we looked, without any value taken from the environment
    containers: tuple[ContainerFacts, ...] = ()
    skipped: str | None = None
    timed_out: bool = False
    elapsed_ms: int | None = None


def label_value(labels: Mapping[str, Any], key: str) -> str | None:
    """A label's trimmed value, or None when absent, blank or Docker's ``<no value>``."""
    raw = labels.get(key)
    if not isinstance(raw, str):
        return None
    value = raw.strip()
    if not value or value == "<no value>":
        return None
    return value


def port_lines(ports: Any) -> tuple[str, ...]:
    """``NetworkSettings.Ports`` rendered like ``docker port``: ``6080/tcp -> 0.0.0.0:16080``."""
    if not isinstance(ports, Mapping):
        return ()
    lines: list[tuple[tuple[int, str], str]] = []
    for key, bindings in ports.items():
        if not isinstance(key, str) or not isinstance(bindings, list):
            continue
        port = key.partition("/")[0]
        sort_key = (int(port) if port.isdigit() else 0, key)
        for b in bindings:
            if not isinstance(b, Mapping):
                continue
            host_ip = b.get("HostIp") if isinstance(b.get("HostIp"), str) else ""
            host_port = b.get("HostPort")
            host_port = str(host_port) if isinstance(host_port, str | int) else ""
            host = host_ip or "0.0.0.0"
            if ":" in host:
                host = f"[{host}]"
            lines.append((sort_key, f"{key} -> {host}:{host_port}"))
    return tuple(line for _, line in sorted(lines, key=lambda item: item[0]))


_BRACKET_HOST = re.compile(r"^\[([^\]]+)\]:\d+$")
_PLAIN_HOST = re.compile(r"^([^:]+):\d+$")


def published_host(line: str) -> str | None:
    """The host part after the last ``->`` of a ``docker port`` line (None if unparsable)."""
    rhs = line.strip()
    if "->" in rhs:
        rhs = rhs.split("->")[-1].strip()
    if not rhs:
        return None
    m = _BRACKET_HOST.match(rhs) or _PLAIN_HOST.match(rhs)
    return m.group(1) if m else None


def is_exposed(line: str) -> bool:
    host = published_host(line)
    return host is not None and host.strip().lower() not in _LOOPBACK_PUBLISH_HOSTS


def _containers_section(facts: DockerFacts) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in facts.containers:
        out.append(
            {
                "name": c.name,
                "state": c.state,
                "inspected": c.inspected,
                "configHash": label_value(c.labels, LABEL_CONFIG_HASH),
                "browserConfigEpoch": label_value(c.labels, LABEL_EPOCH),
                "ports": list(c.ports),
                "exposed": [line for line in c.ports if is_exposed(line)],
            }
        )
    return out


def section(facts: DockerFacts) -> dict[str, Any]:
    """``report.deep.docker``: where we looked, why we stopped early, what we saw."""
    return {
        "attempted": True,
        "host": facts.host,
        "ok": facts.skipped is None and not facts.timed_out,
        "skipped": facts.skipped,
        "timedOut": facts.timed_out,
        "timeoutMs": facts.timeout_ms,
        "expectedEpoch": SANDBOX_BROWSER_SECURITY_HASH_EPOCH,
        "elapsedMs": facts.elapsed_ms,
        "containers": _containers_section(facts),
    }


def _timeout_finding(timeout_ms: int, host: str | None = None) -> Finding:
    # The endpoint label, never DOCKER_HOST's value (it may carry credentials).
    where = f" at {host}" if host else ""
    return DOCKER_PROBE_TIMEOUT.finding(
        f"Docker{where} did not answer within {timeout_ms}ms; the remaining sandbox browser "
        "container checks were skipped."
    )


def findings(ctx: AuditContext, facts: DockerFacts) -> list[Finding]:
    """Findings in the order of deep-probes.md §5.3."""
    if facts.skipped is not None:
        return []
    recreate = ctx.cmd(RECREATE)
    missing: list[str] = []
    stale: list[str] = []
    exposed: list[str] = []
    for c in sorted(facts.containers, key=lambda c: c.name):
        if not c.inspected:
            continue
        if label_value(c.labels, LABEL_CONFIG_HASH) is None:
            missing.append(c.name)
        if label_value(c.labels, LABEL_EPOCH) != SANDBOX_BROWSER_SECURITY_HASH_EPOCH:
            stale.append(c.name)
        bad = [line for line in c.ports if is_exposed(line)]
        if bad:
            exposed.append(f"{c.name} ({'; '.join(bad)})")

    out: list[Finding] = []
    if missing:
        out.append(
            HASH_LABEL_MISSING.finding(
                f"Containers: {', '.join(missing)}. They were created before OpenClaw tracked "
                "their configuration by hash, so security fixes to the browser sandbox may not "
                "have reached them; recreate them.",
                remediation=f"{recreate} (add --force to skip the confirmation prompt).",
            )
        )
    if stale:
        out.append(
            HASH_EPOCH_STALE.finding(
                f"Containers: {', '.join(stale)}. "
                f"Expected {LABEL_EPOCH}={SANDBOX_BROWSER_SECURITY_HASH_EPOCH}.",
                remediation=f"{recreate} (add --force to skip the confirmation prompt).",
            )
        )
    if exposed:
        out.append(
            NON_LOOPBACK_PUBLISH.finding(
                f"Containers: {', '.join(exposed)}. The browser's observer and control ports "
                "should be reachable from loopback only.",
                remediation=(
                    f"{recreate} (add --force to skip the confirmation prompt), then check that "
                    "every published port is bound to 127.0.0.1."
                ),
            )
        )
    if facts.timed_out:
        out.append(_timeout_finding(facts.timeout_ms, facts.host))
    return out


def judge(ctx: AuditContext, facts: DockerFacts) -> ProbeResult:
    return ProbeResult(findings=findings(ctx, facts), section=section(facts))


def timeout_ms(timeout_s: float) -> int:
    return round(timeout_s * 1000)


def failure_result(ctx: AuditContext, timeout_s: float, host: str, error: str) -> ProbeResult:
    """The runner's deadline hit (``error == "timeout"``) or the collector raised."""
    ms = timeout_ms(timeout_s)
    if error == "timeout":
        facts = DockerFacts(timeout_ms=ms, host=host, timed_out=True)
    else:
        facts = DockerFacts(timeout_ms=ms, host=host, skipped=f"probe failed: {error}")
    return judge(ctx, facts)
