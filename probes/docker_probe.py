"""Collector for the sandbox browser container check (deep-probes.md §5, §10).

Talks to Docker through the Docker SDK (imported lazily, only under ``--deep``). Every SDK
call is blocking, so it runs in a worker thread that is abandoned if our deadline fires; the
client carries the same timeout on its sockets so abandoned threads end on their own.
"""

from __future__ import annotations

import errno
import http.client
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.probes import docker_judge as dj
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.shared import shared_or_own

T = TypeVar("T")

DEFAULT_HOST = "unix:///var/run/docker.sock"
# Our own deadline sits a little after the client's socket timeout, so the SDK normally
# reports the timeout itself; the scope only catches calls that hang somewhere else.
_GRACE_S = 0.1
_DOCKER_ENV_KEYS = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
# A shared query outlives each waiting target's own deadline by this much, so the targets
# report their own timeouts.
SHARED_GRACE_S = 1.0


class _DockerTimeout(Exception):
    pass


def host_label(env: Mapping[str, str]) -> str:
    """Where we connect, for the report. Never the value of DOCKER_HOST (it may hold secrets)."""
    if env.get("DOCKER_HOST", "").strip():
        return "DOCKER_HOST"
    return f"default ({DEFAULT_HOST})"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (requests/urllib3 hide the OSError in args)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        nested = [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
        stack.extend(n for n in nested if isinstance(n, BaseException))


def _os_error_reason(exc: BaseException) -> str | None:
    for e in _causes(exc):
        code = e.errno if isinstance(e, OSError) else None
        if isinstance(e, FileNotFoundError) or code == errno.ENOENT:
            return "no Docker socket at the configured endpoint (is Docker installed and running?)"
        if isinstance(e, ConnectionRefusedError) or code == errno.ECONNREFUSED:
            return "connection to Docker refused (the daemon is not running)"
        if isinstance(e, PermissionError) or code in (errno.EACCES, errno.EPERM):
            return "permission denied on the Docker socket (run as a member of the docker group)"
        if isinstance(e, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
            return "Docker closed the connection without answering"
    return None


def _is_timeout(exc: BaseException) -> bool:
    # Checked after _os_error_reason: urllib3's NewConnectionError (a refused TCP connect)
    # still subclasses ConnectTimeoutError for backwards compatibility.
    for e in _causes(exc):
        if isinstance(e, TimeoutError):
            return True
        names = {cls.__name__ for cls in type(e).__mro__}
        if "NewConnectionError" not in names and any("Timeout" in n for n in names):
            return True
    return False


def skip_reason(exc: BaseException) -> str:
    """Why Docker could not be asked, from the exception types only (their text may carry
    the DOCKER_HOST value)."""
    reason = _os_error_reason(exc)
    if reason is not None:
        return reason
    for e in _causes(exc):
        status = getattr(e, "status_code", None)
        if isinstance(status, int):
            return f"Docker API error (HTTP {status})"
        if isinstance(e, http.client.HTTPException):  # e.g. BadStatusLine
            return "the Docker endpoint did not answer with HTTP (is it a Docker socket?)"
    return f"Docker unreachable ({type(exc).__name__})"


@dataclass
class _Session:
    timeout_s: float

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one blocking SDK call in a worker thread under the per-call deadline."""
        with anyio.move_on_after(self.timeout_s + _GRACE_S):
            try:
                return await anyio.to_thread.run_sync(
                    lambda: fn(*args, **kwargs), abandon_on_cancel=True
                )
            except Exception as exc:
                if _os_error_reason(exc) is None and _is_timeout(exc):
                    raise _DockerTimeout from exc
                raise
        raise _DockerTimeout


def _client_factory(env: Mapping[str, str], timeout_s: float) -> Callable[[], Any]:
    def make() -> Any:
        import docker  # lazy, and in the worker thread: the import itself takes ~0.1 s
        from docker.utils import kwargs_from_env

        picked = {k: env[k] for k in _DOCKER_ENV_KEYS if k in env}
        # kwargs_from_env falls back to os.environ for an empty mapping; we never want that.
        kwargs = kwargs_from_env(environment=picked) if picked else {}
        # version=None negotiates with the daemon (one /version round trip), so both old
        # engines and engines that dropped old API versions work.
        return docker.DockerClient(timeout=timeout_s, version=None, **kwargs)

    return make


def _container_name(summary: Mapping[str, Any]) -> str:
    names = summary.get("Names")
    if isinstance(names, list) and names and isinstance(names[0], str):
        return names[0].lstrip("/")
    cid = summary.get("Id")
    return str(cid)[:12] if cid else "?"


def _facts_from_inspect(name: str, state: str | None, attrs: Any) -> dj.ContainerFacts:
    attrs = attrs if isinstance(attrs, Mapping) else {}
    config = attrs.get("Config") if isinstance(attrs.get("Config"), Mapping) else {}
    labels = config.get("Labels") if isinstance(config.get("Labels"), Mapping) else {}
    net = attrs.get("NetworkSettings")
    ports = net.get("Ports") if isinstance(net, Mapping) else None
    return dj.ContainerFacts(
        name=name,
        state=state,
        labels={k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)},
        ports=dj.port_lines(ports),
    )


async def collect(ctx: AuditContext, timeout_s: float) -> dj.DockerFacts:
    """Ask Docker about sandbox browser containers; never raises for Docker trouble."""
    started = time.monotonic()
    env = ctx.env
    host = host_label(env)
    ms = dj.timeout_ms(timeout_s)
    session = _Session(timeout_s)

    def done(**kw: Any) -> dj.DockerFacts:
        elapsed = int((time.monotonic() - started) * 1000)
        return dj.DockerFacts(timeout_ms=ms, host=host, elapsed_ms=elapsed, **kw)

    client: Any = None
    try:
        try:
            client = await session.call(_client_factory(env, timeout_s))
            summaries = await session.call(
                client.api.containers, all=True, filters={"label": dj.BROWSER_FILTER}
            )
        except _DockerTimeout:
            return done(timed_out=True)
        except ImportError:
            return done(skipped="the Docker SDK for Python is not installed")
        except Exception as exc:
            return done(skipped=skip_reason(exc))

        listed = sorted(
            (s for s in (summaries or []) if isinstance(s, Mapping)), key=_container_name
        )
        containers: list[dj.ContainerFacts] = []
        for summary in listed:
            name = _container_name(summary)
            state = summary.get("State") if isinstance(summary.get("State"), str) else None
            try:
                attrs = await session.call(client.api.inspect_container, summary.get("Id"))
            except _DockerTimeout:
                return done(containers=tuple(containers), timed_out=True)
            except Exception:
                # Gone between list and inspect, or an API error: skip it (§5.2 step 2).
                containers.append(dj.ContainerFacts(name=name, state=state, inspected=False))
                continue
            containers.append(_facts_from_inspect(name, state, attrs))
        return done(containers=tuple(containers))
    finally:
        if client is not None:
            # close() only releases pooled sockets; still keep it off the event loop.
            with anyio.move_on_after(_GRACE_S, shield=True):
                await anyio.to_thread.run_sync(client.close, abandon_on_cancel=True)


@dataclass(frozen=True)
class DockerProbe:
    name: str = "docker"
    section_key: str = dj.SECTION_KEY
    check_ids: tuple[str, ...] = dj.CHECK_IDS
    stage: int = dj.STAGE

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        # One query per run and Docker endpoint: the containers do not depend on the target.
        key = ("docker", tuple(ctx.env.get(k) for k in _DOCKER_ENV_KEYS), opts.timeout)
        facts = await shared_or_own(
            opts.shared, key, lambda: collect(ctx, opts.timeout), opts.timeout + SHARED_GRACE_S
        )
        return dj.judge(ctx, facts)

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        return dj.failure_result(ctx, opts.timeout, host_label(ctx.env), error)


PROBE = DockerProbe()
