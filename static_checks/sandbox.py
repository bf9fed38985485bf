"""Docker sandbox configuration (checks-tools-sandbox.md §3, report.md groups 11-12)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agent_sandbox_mode, agents, defaults_sandbox_mode, sub
from openclaw_audit.report.model import Finding, Severity

DOCKER_MODE_OFF = define(
    "sandbox.docker_config_mode_off",
    Severity.WARN,
    "Docker sandbox settings have no effect while sandbox mode is off",
    remediation='Enable sandbox mode (`agents.defaults.sandbox.mode="non-main"` or "all") where '
    "needed, or remove the unused docker settings.",
    docs="""
## What
`agents.defaults.sandbox.docker` has settings while the default mode is `off` and no agent
enables sandboxing, and/or an agent has its own `sandbox.docker` settings while its resolved
mode is `off`. A key set to `null` counts as a setting; only `{}` does not.

## Why
Docker hardening that never runs gives a false sense of isolation: tools execute on the host.

## Fix
Turn sandbox mode on where you meant it, or delete the dead settings.
""",
)

BIND_NON_ABSOLUTE = define(
    "sandbox.bind_mount_non_absolute",
    Severity.WARN,
    "Sandbox bind mount has a relative source path",
    remediation="Rewrite the bind with an absolute host path "
    "(for example /home/user/project:/project:ro).",
    docs="""
## What
A `binds` entry of a sandbox docker config whose host side is neither a POSIX path
(`/…`) nor a Windows drive path (`C:\\…`, `C:/…`, also behind a `\\\\?\\` prefix), as
OpenClaw 2026.9.6 reads it: a relative path or a named volume.

## Why
Relative sources (and named volumes) cannot be checked against the list of dangerous host
paths and may resolve to something unexpected.

## Fix
Use an absolute host path.
""",
)

DANGEROUS_BIND = define(
    "sandbox.dangerous_bind_mount",
    Severity.CRITICAL,
    "Sandbox bind mount exposes a sensitive host path",
    remediation="Remove the bind from the listed `binds`; mount project-specific paths instead.",
    docs="""
## What
A bind whose host side is `/` (or a whole Windows drive), is or lies under a protected
path (`/etc`, `/proc`, `/sys`, `/dev`, `/root`, `/boot`, `/run`, `/var/run`, the Docker
socket, credential folders such as `~/.ssh`, `~/.aws`, `~/.docker`), or is a parent of one.
Paths are also checked after resolving symlinks of their existing part.

## Why
Such a mount hands host secrets, devices or the Docker socket (root on the host) to code
running in the sandbox.

## Fix
Mount only the project directories the agent needs.
""",
)

DANGEROUS_NETWORK = define(
    "sandbox.dangerous_network_mode",
    Severity.CRITICAL,
    "Sandbox container shares a host or container network namespace",
    remediation='Use "bridge", "none" or a custom bridge network; set '
    "`dangerouslyAllowContainerNamespaceJoin=true` on that docker config only as a break-glass "
    "override.",
    docs="""
## What
A sandbox docker `network` of `host` or `container:<name>`. Reported even when
`dangerouslyAllowContainerNamespaceJoin` is true.

## Why
The sandbox then sees host (or another container's) network services, including ones bound
to loopback such as the gateway itself.

## Fix
Use an isolated network.
""",
)

DANGEROUS_SECCOMP = define(
    "sandbox.dangerous_seccomp_profile",
    Severity.CRITICAL,
    "Sandbox runs with seccomp unconfined",
    remediation="Remove `seccompProfile` or point it at a custom seccomp profile file.",
    docs="""
## What
A sandbox docker config sets `seccompProfile` to `unconfined`.

## Why
Syscall filtering is one of the layers that keeps a container escape hard.

## Fix
Drop the setting (Docker's default profile applies) or use a custom profile.
""",
)

DANGEROUS_APPARMOR = define(
    "sandbox.dangerous_apparmor_profile",
    Severity.CRITICAL,
    "Sandbox runs with AppArmor unconfined",
    remediation="Remove `apparmorProfile` or use a named AppArmor profile.",
    docs="""
## What
A sandbox docker config sets `apparmorProfile` to `unconfined`.

## Why
It switches off mandatory access control for the sandbox container.

## Fix
Drop the setting or name a real profile.
""",
)


def _has_settings(docker: Any) -> bool:
    # A key whose value is null still counts as configured (upstream tests `!== undefined`).
    return isinstance(docker, Mapping) and len(docker) > 0


@check(Stage.SANDBOX_MODE_OFF, emits=[DOCKER_MODE_OFF])
def docker_config_mode_off(ctx: AuditContext) -> Iterator[Finding]:
    roster_agents = [a for a in agents(ctx) if not a.implicit]
    paths: list[str] = []
    if (
        _has_settings(ctx.config.get("agents.defaults.sandbox.docker"))
        and defaults_sandbox_mode(ctx) == "off"
        and not any(agent_sandbox_mode(ctx, a.config) != "off" for a in roster_agents)
    ):
        paths.append("agents.defaults.sandbox.docker")
    for a in roster_agents:
        docker = sub(a.config, "sandbox", "docker")
        if _has_settings(docker) and agent_sandbox_mode(ctx, a.config) == "off":
            paths.append(f"{a.label}.sandbox.docker")
    if paths:
        yield DOCKER_MODE_OFF.finding(
            "These docker settings are ignored until sandbox mode is enabled:\n"
            + "\n".join(f"- {p}" for p in paths)
        )


_BLOCKED_SYSTEM = (
    "/etc",
    "/private/etc",
    "/proc",
    "/sys",
    "/dev",
    "/root",
    "/boot",
    "/run",
    "/var/run",
    "/private/var/run",
    "/var/run/docker.sock",
    "/private/var/run/docker.sock",
    "/run/docker.sock",
)
_HOME_SECRETS = (".aws", ".cargo", ".config", ".docker", ".gnupg", ".netrc", ".npm", ".ssh")
_WIN_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _strip_namespace(path: str) -> str:
    """Drop a Windows ``\\\\?\\`` or ``//?/`` namespace prefix (``UNC\\`` becomes ``\\\\``)."""
    for prefix, sep in (("\\\\?\\", "\\"), ("//?/", "/")):
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            return sep * 2 + rest[4:] if rest.upper().startswith("UNC" + sep) else rest
    return path


def is_host_path_absolute(path: str) -> bool:
    """Absolute as upstream 2026.9.6 reads a bind source: POSIX or a Windows drive path."""
    text = _strip_namespace(path.strip())
    return text.startswith("/") or bool(_WIN_DRIVE.match(text))


def normalize_host_path(path: str) -> str:
    text = _strip_namespace(path.strip())
    if _WIN_DRIVE.match(text):
        # A drive path keeps its root (`C:/`) and gets an upper-case drive letter, as upstream.
        norm = posixpath.normpath(text.replace("\\", "/")).rstrip("/")
        return norm[0].upper() + norm[1:] + ("/" if len(norm) == 2 else "")
    norm = posixpath.normpath(text)
    norm = "/" + norm.lstrip("/")  # normpath keeps a leading "//"
    return norm.rstrip("/") or "/"


def _is_fs_root(norm: str) -> bool:
    return norm == "/" or (len(norm) == 3 and norm[1:] == ":/")


def _home_roots(ctx: AuditContext) -> list[str]:
    raw = [ctx.env.get("OPENCLAW_HOME"), ctx.env.get("HOME"), ctx.env.get("USERPROFILE")]
    raw.append(ctx.paths.home)
    out: dict[str, None] = {}
    for r in raw:
        if not r or not is_host_path_absolute(r):
            continue
        norm = normalize_host_path(r)
        if _is_fs_root(norm):
            continue
        out[norm] = None
        if not norm.startswith("/"):
            continue  # a drive path cannot be resolved on this host
        real = ctx.state.realpath(norm)
        if real and real != "/":
            out[normalize_host_path(real)] = None
    return list(out)


def blocked_paths(ctx: AuditContext) -> list[str]:
    out = list(_BLOCKED_SYSTEM)
    for home in _home_roots(ctx):
        out.extend(f"{home}/{name}" for name in _HOME_SECRETS)
    return list(dict.fromkeys(out))


def bind_source(bind: str) -> str:
    """Host side of ``source:target[:mode]``; a Windows drive prefix stays with the source."""
    text = bind.strip()
    bare = _strip_namespace(text)
    start = len(text) - len(bare) + 2 if _WIN_DRIVE.match(bare) else 0
    idx = text.find(":", start)
    return text if idx < 0 else text[:idx]


def _match_blocked(source: str, blocked: list[str]) -> tuple[str, str] | None:
    if _is_fs_root(source):
        return "covers", source
    fold = not source.startswith("/")  # Windows paths compare without case
    key = source.lower() if fold else source
    for b in blocked:
        bkey = b.lower() if fold else b
        if key == bkey or key.startswith(bkey + "/"):
            return "targets", b
        if bkey.startswith(key + "/"):
            return "covers", b
    return None


def _resolve_existing(ctx: AuditContext, source: str) -> str:
    """Realpath of the longest existing ancestor plus the remaining segments."""
    parts = source.strip("/").split("/")
    for i in range(len(parts), -1, -1):
        ancestor = "/" + "/".join(parts[:i])
        real = ctx.state.realpath(ancestor)
        if real is not None:
            rest = parts[i:]
            return normalize_host_path(posixpath.join(real, *rest)) if rest else real
    return source


def classify_bind(ctx: AuditContext, bind: str, blocked: list[str]) -> tuple[str, str] | None:
    """("non_absolute", source) | ("covers"|"targets", blocked path) | None."""
    source = bind_source(bind)
    if not is_host_path_absolute(source):
        return "non_absolute", source
    norm = normalize_host_path(source)
    hit = _match_blocked(norm, blocked)
    if hit is None and norm.startswith("/"):
        resolved = _resolve_existing(ctx, norm)
        if resolved != norm:
            hit = _match_blocked(resolved, blocked)
    return hit


def docker_sources(ctx: AuditContext) -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    dflt = ctx.config.get("agents.defaults.sandbox.docker")
    if isinstance(dflt, Mapping):
        out.append(("agents.defaults.sandbox.docker", dflt))
    for a in agents(ctx):
        docker = sub(a.config, "sandbox", "docker")
        if not a.implicit and isinstance(docker, Mapping):
            out.append((f"{a.label}.sandbox.docker", docker))
    return out


def _lower(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


# Row functions, run per Docker config source (and per bind): the spec orders findings by source.


def _bind_non_absolute(label: str, bind: str, hit: tuple[str, str]) -> Iterator[Finding]:
    kind, what = hit
    if kind == "non_absolute":
        yield BIND_NON_ABSOLUTE.finding(
            f'{label}.binds contains "{bind}" whose host source "{what}" is not an absolute path.',
            subject=f"{label}.binds:{bind}",
        )


def _dangerous_bind_mount(label: str, bind: str, hit: tuple[str, str]) -> Iterator[Finding]:
    kind, what = hit
    if kind != "non_absolute":
        yield DANGEROUS_BIND.finding(
            f'{label}.binds contains "{bind}", which {kind} the protected host path "{what}".',
            remediation=f'Remove "{bind}" from {label}.binds; mount project-specific '
            "paths instead.",
            subject=f"{label}.binds:{bind}",
        )


def _dangerous_network_mode(label: str, docker: Mapping[str, Any]) -> Iterator[Finding]:
    network = _lower(docker.get("network"))
    if network == "host" or (network or "").startswith("container:"):
        raw = str(docker.get("network")).strip()
        yield DANGEROUS_NETWORK.finding(
            f'{label}.network is "{raw}": the sandbox shares that network namespace '
            "instead of getting its own.",
            remediation=f'Set {label}.network to "bridge", "none" or a custom bridge '
            f"network; use {label}.dangerouslyAllowContainerNamespaceJoin=true only as a "
            "break-glass override.",
            subject=f"{label}.network",
        )


def _dangerous_seccomp_profile(label: str, docker: Mapping[str, Any]) -> Iterator[Finding]:
    if _lower(docker.get("seccompProfile")) == "unconfined":
        yield DANGEROUS_SECCOMP.finding(
            f'{label}.seccompProfile is "unconfined": syscall filtering is off.',
            remediation=f"Remove {label}.seccompProfile or use a custom seccomp profile file.",
            subject=f"{label}.seccompProfile",
        )


def _dangerous_apparmor_profile(label: str, docker: Mapping[str, Any]) -> Iterator[Finding]:
    if _lower(docker.get("apparmorProfile")) == "unconfined":
        yield DANGEROUS_APPARMOR.finding(
            f'{label}.apparmorProfile is "unconfined": AppArmor enforcement is off.',
            remediation=f"Remove {label}.apparmorProfile or use a named AppArmor profile.",
            subject=f"{label}.apparmorProfile",
        )


_BIND_ROWS = (_bind_non_absolute, _dangerous_bind_mount)
_SOURCE_ROWS = (_dangerous_network_mode, _dangerous_seccomp_profile, _dangerous_apparmor_profile)


@check(
    Stage.SANDBOX_DANGEROUS,
    order=0,
    emits=[
        BIND_NON_ABSOLUTE,
        DANGEROUS_BIND,
        DANGEROUS_NETWORK,
        DANGEROUS_SECCOMP,
        DANGEROUS_APPARMOR,
    ],
)
def dangerous_docker_config(ctx: AuditContext) -> Iterator[Finding]:
    sources = docker_sources(ctx)
    blocked = blocked_paths(ctx) if sources else []
    for label, docker in sources:
        binds = docker.get("binds")
        for bind in binds if isinstance(binds, list) else []:
            if not isinstance(bind, str):
                continue
            hit = classify_bind(ctx, bind, blocked)
            if hit is None:
                continue
            for bind_row in _BIND_ROWS:
                yield from bind_row(label, bind, hit)
        for source_row in _SOURCE_ROWS:
            yield from source_row(label, docker)
