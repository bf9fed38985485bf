"""Collector for the live mDNS browse (deep-probes.md §9).

Listens for ``_openclaw-gw._tcp.local.`` with python-zeroconf (asyncio only, imported lazily)
for ``min(2 s, timeout)``, then resolves what it heard within one more timeout. Everything a
stranger on the network can send us is bounded: number of instances, TXT keys and sizes,
addresses per instance.

Interfaces: IPv4 on all interfaces by default. ``OPENCLAW_AUDIT_MDNS_INTERFACES`` (read from
the audit's env, comma or space separated IPv4 addresses) narrows it, e.g. to ``127.0.0.1``.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.probes import mdns_judge as mj
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.shared import shared_or_own

INTERFACES_ENV = "OPENCLAW_AUDIT_MDNS_INTERFACES"
BROWSE_WINDOW_MAX_S = 2.0
MAX_INSTANCES = 256
MAX_OVERFLOW_TRACKED = 4096  # distinct names counted beyond the cap, then we stop counting
MAX_TXT_KEYS = 64
MAX_TXT_KEY_LEN = 64
MAX_TXT_VALUE_LEN = 200  # one TXT string is at most 255 bytes on the wire
MAX_ADDRESSES = 16
MAX_NAME_LEN = 255
RESOLVE_CONCURRENCY = 32
_CLOSE_BUDGET_S = 1.0
# A shared browse outlives each waiting target's own deadline by this much, so the targets
# report their own timeouts.
SHARED_GRACE_S = 1.0


def interfaces_from_env(env: Mapping[str, str]) -> list[str] | None:
    raw = env.get(INTERFACES_ENV, "").strip()
    if not raw:
        return None
    return [p for p in re.split(r"[,\s]+", raw) if p]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Kept whatever the cap: the keys the verdicts read, so padding cannot push them out.
_PRIORITY_KEYS = frozenset({*mj.LEAK_KEYS, "gatewayPort", "lanHost", "role"})


def bounded_txt(props: Mapping[Any, Any]) -> dict[str, str]:
    """Decoded TXT properties, cut to our limits (a hostile responder controls them)."""
    decoded: list[tuple[str, str]] = []
    for key, value in props.items():
        k = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
        if isinstance(value, bytes):
            v = value.decode("utf-8", "replace")
        else:
            v = "" if value is None else str(value)
        decoded.append((_clip(k, MAX_TXT_KEY_LEN), _clip(v, MAX_TXT_VALUE_LEN)))
    keep = [kv for kv in decoded if kv[0] in _PRIORITY_KEYS]
    keep += [kv for kv in decoded if kv[0] not in _PRIORITY_KEYS][: MAX_TXT_KEYS - len(keep)]
    order = {k: i for i, (k, _) in enumerate(decoded)}
    return dict(sorted(keep, key=lambda kv: order[kv[0]]))


def instance_label(name: str) -> str:
    suffix = "." + mj.SERVICE_TYPE
    label = name[: -len(suffix)] if name.endswith(suffix) else name
    return _clip(label, MAX_NAME_LEN)


def local_addresses() -> frozenset[str]:
    """Every address of this host's interfaces (ifaddr ships with zeroconf)."""
    try:
        import ifaddr

        out: set[str] = set()
        for adapter in ifaddr.get_adapters():
            for ip in adapter.ips:
                out.add(ip.ip if isinstance(ip.ip, str) else str(ip.ip[0]))
        return frozenset(out)
    except Exception:
        return frozenset()


def _socket_error(exc: BaseException) -> str:
    # Never echo the configured interface list: it comes from the environment.
    if isinstance(exc, OSError):
        return f"could not open the mDNS socket: {exc.strerror or type(exc).__name__}"
    if isinstance(exc, ValueError):
        return f"could not open the mDNS socket: invalid address in {INTERFACES_ENV}"
    if isinstance(exc, RuntimeError):  # zeroconf: no interface has an IPv4 address
        return "could not open the mDNS socket: no network interface with an IPv4 address"
    return f"could not open the mDNS socket: {type(exc).__name__}"


class _Collector:
    def __init__(self) -> None:
        self.names: dict[str, None] = {}  # insertion-ordered set, at most MAX_INSTANCES
        self.overflow: set[str] = set()

    def on_change(self, zeroconf: Any, service_type: str, name: str, state_change: Any) -> None:
        # zeroconf calls handlers with exactly these keyword names.
        if name in self.names:
            return
        if len(self.names) < MAX_INSTANCES:
            self.names[name] = None
        elif len(self.overflow) < MAX_OVERFLOW_TRACKED:
            self.overflow.add(name)


async def collect(ctx: AuditContext, timeout_s: float) -> mj.MdnsFacts:
    """Browse, then resolve; socket trouble becomes ``error``, never an exception."""
    from zeroconf import DNSQuestionType, InterfaceChoice, IPVersion
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    hostname = socket.gethostname()
    ifaces = interfaces_from_env(ctx.env)
    started = time.monotonic()

    def facts(**kw: Any) -> mj.MdnsFacts:
        # This host's addresses matter only for instances heard; listing them loads ctypes,
        # which would block the event loop the other probes share while their timers run.
        heard = bool(kw.get("instances"))
        addresses = local_addresses() if heard else frozenset()
        return mj.MdnsFacts(local_addresses=addresses, system_hostname=hostname, **kw)

    try:
        azc = AsyncZeroconf(
            interfaces=ifaces if ifaces else InterfaceChoice.All, ip_version=IPVersion.V4Only
        )
    except Exception as exc:  # OSError, ValueError, RuntimeError seen; any is "no socket"
        return facts(browse_ms=0, error=_socket_error(exc))

    try:
        with anyio.move_on_after(timeout_s) as start_scope:
            await azc.zeroconf.async_wait_for_start()
        if start_scope.cancelled_caught or not azc.zeroconf.engine.senders:
            return facts(browse_ms=0, error="could not open the mDNS socket: no usable interface")

        seen = _Collector()
        # QM: answers come back by multicast, so a responder on this same host (sharing
        # port 5353) cannot swallow the unicast reply meant for us.
        browser = AsyncServiceBrowser(
            azc.zeroconf,
            [mj.SERVICE_TYPE],
            handlers=[seen.on_change],
            question_type=DNSQuestionType.QM,
        )
        try:
            await anyio.sleep(min(BROWSE_WINDOW_MAX_S, timeout_s))
        finally:
            await browser.async_cancel()
        browse_ms = int((time.monotonic() - started) * 1000)

        resolved: dict[str, mj.Instance] = {}
        limiter = anyio.CapacityLimiter(RESOLVE_CONCURRENCY)
        request_ms = max(1, int(timeout_s * 1000))

        async def resolve(name: str) -> None:
            async with limiter:
                try:
                    info = AsyncServiceInfo(mj.SERVICE_TYPE, name)
                    if not info.load_from_cache(azc.zeroconf):
                        await info.async_request(
                            azc.zeroconf, request_ms, question_type=DNSQuestionType.QM
                        )
                except Exception:
                    return  # odd name or record: listed, not resolved
                resolved[name] = mj.Instance(
                    name=instance_label(name),
                    host=info.server,
                    port=info.port,
                    addresses=tuple(info.parsed_addresses()[:MAX_ADDRESSES]),
                    txt=bounded_txt(info.properties or {}),
                )

        with anyio.move_on_after(timeout_s):
            async with anyio.create_task_group() as tg:
                for name in seen.names:
                    tg.start_soon(resolve, name)

        instances = tuple(
            resolved.get(n) or mj.Instance(name=instance_label(n)) for n in seen.names
        )
        return facts(browse_ms=browse_ms, instances=instances, dropped=len(seen.overflow))
    finally:
        with anyio.move_on_after(_CLOSE_BUDGET_S, shield=True):
            await azc.async_close()


@dataclass(frozen=True)
class MdnsProbe:
    name: str = "mdns"
    section_key: str = mj.SECTION_KEY
    check_ids: tuple[str, ...] = mj.CHECK_IDS
    stage: int = mj.STAGE

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        return mj.judge(ctx, await self.shared_facts(ctx, opts), opts.wants)

    async def shared_facts(self, ctx: AuditContext, opts: ProbeOptions) -> mj.MdnsFacts:
        """The browse; in a fleet (``opts.shared``) one per run: what the network announces
        does not depend on the target (a fleet starts it before anything else)."""
        ifaces = interfaces_from_env(ctx.env)
        key = ("mdns", tuple(ifaces) if ifaces else None, opts.timeout)
        return await shared_or_own(
            opts.shared, key, lambda: collect(ctx, opts.timeout), opts.timeout + SHARED_GRACE_S
        )

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        return mj.failure_result(ctx, error)


PROBE = MdnsProbe()
