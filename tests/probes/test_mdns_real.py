"""The mDNS probe against real zeroconf announcements on loopback (no traffic leaves the host:
announcer and probe are both pinned to 127.0.0.1), a flood of announcements, and hosts where
no multicast socket can be opened."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from builders import ids, make_ctx
from openclaw_audit.probes import mdns_judge as mj
from openclaw_audit.probes import mdns_probe as mp
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.mdns_probe import PROBE
from openclaw_audit.report.model import Severity

pytestmark = [pytest.mark.real, pytest.mark.anyio]

LEAK = "discovery.mdns.txt_leak"
OFF = "discovery.mdns.advertising_while_off"
SPOOF = "discovery.mdns.possible_spoof"
HOME = "/home/auditor-test"
LOOPBACK = {mp.INTERFACES_ENV: "127.0.0.1"}
ANNOUNCER = Path(__file__).with_name("mdns_announcer.py")

SERVICES: list[dict[str, Any]] = [
    {  # this host's gateway in full mode: leaks CLI path, SSH port, tailnet name
        "name": "leaky (OpenClaw)",
        "port": 18789,
        "addresses": ["127.0.0.1"],
        "server": "leaky.local.",
        "txt": {
            "role": "gateway",
            "gatewayPort": "18789",
            "lanHost": "leaky.local",
            "displayName": "leaky (OpenClaw)",
            "transport": "gateway",
            "cliPath": f"{HOME}/.npm-global/bin/openclaw",
            "sshPort": "22",
            "tailnetDns": "leaky.tail0000.ts.net",
        },
    },
    {  # this host, another port, minimal mode
        "name": "quiet (OpenClaw)",
        "port": 18790,
        "addresses": ["127.0.0.1"],
        "server": "quiet.local.",
        "txt": {"role": "gateway", "gatewayPort": "18790", "lanHost": "quiet.local"},
    },
    {  # someone else's gateway on the LAN: listed, never judged
        "name": "far (OpenClaw)",
        "port": 18789,
        "addresses": ["198.51.100.7"],
        "server": "far.local.",
        "txt": {"role": "gateway", "gatewayPort": "18789", "lanHost": "far.local", "sshPort": "22"},
    },
    {  # not on a local address, but advertises this host's mDNS name
        "name": "studio (OpenClaw)",
        "port": 18791,
        "addresses": ["198.51.100.8"],
        "server": "studio.local.",
        "txt": {"role": "gateway", "gatewayPort": "18791", "lanHost": "studio.local"},
    },
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # zeroconf's async API is asyncio-only


@pytest.fixture(scope="module")
def announcer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    spec = tmp_path_factory.mktemp("mdns") / "services.json"
    spec.write_text(json.dumps(SERVICES))
    proc = subprocess.Popen(
        [sys.executable, str(ANNOUNCER), str(spec)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until registered (~1.2 s) or the process dies
        assert line.strip() == "registered", "announcer failed to start"
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def heard(announcer: None) -> mj.MdnsFacts:
    """One real browse (the full 2 s window), judged below under several configs."""
    ctx = make_ctx({}, env=LOOPBACK)
    return anyio.run(mp.collect, ctx, 5.0, backend="asyncio")


def ctx_for(config: dict[str, Any] | None = None, **env: str) -> Any:
    return make_ctx(config or {}, env={**LOOPBACK, **env}, home=HOME)


async def run_probe(ctx: Any, timeout: float = 5.0) -> tuple[ProbeResult, float]:
    started = time.monotonic()
    result = await PROBE.run(ctx, ProbeOptions(timeout=timeout))
    return result, time.monotonic() - started


# --- end to end against the announcer ---------------------------------------------------


async def test_full_mode_records_leak(announcer: None) -> None:
    result, elapsed = await run_probe(ctx_for())
    print(f"\nmDNS probe (2 s window + resolve): {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0 + 1.0
    assert ids(result.findings) == [LEAK]
    leak = result.findings[0]
    assert leak.severity is Severity.WARN
    assert "cliPath=~/.npm-global/bin/openclaw" in leak.detail
    assert "sshPort=22" in leak.detail and "tailnetDns=leaky.tail0000.ts.net" in leak.detail
    assert HOME not in leak.detail
    assert "does not match" in leak.detail  # config defaults to minimal

    sec = result.section
    assert sec is not None and sec["error"] is None and sec["attempted"] is True
    assert 1900 <= sec["browseMs"] <= 3000
    names = [i["name"] for i in sec["instances"]]
    assert names == sorted(s["name"] for s in SERVICES)
    by_name = {i["name"]: i for i in sec["instances"]}
    leaky = by_name["leaky (OpenClaw)"]
    assert leaky["local"] is True and leaky["port"] == 18789
    assert leaky["addresses"] == ["127.0.0.1"] and leaky["host"] == "leaky.local."
    assert leaky["txt"]["cliPath"] == "~/.npm-global/bin/openclaw"
    assert by_name["far (OpenClaw)"]["local"] is False
    assert by_name["far (OpenClaw)"]["txt"] is None


async def test_mode_off_but_advertising(announcer: None) -> None:
    cfg = {"discovery": {"mdns": {"mode": "off"}}, "gateway": {"port": 18790}}
    result, _ = await run_probe(ctx_for(cfg))
    assert ids(result.findings) == [OFF]
    assert "quiet (OpenClaw)" in result.findings[0].detail


# --- the same real records under other configs ------------------------------------------


def test_minimal_records_on_our_port_are_fine(heard: mj.MdnsFacts) -> None:
    assert mj.findings(ctx_for({"gateway": {"port": 18790}}), heard) == []


def test_leak_is_critical_on_a_lan_bind(heard: mj.MdnsFacts) -> None:
    out = mj.findings(ctx_for({"gateway": {"bind": "lan"}}), heard)
    assert ids(out) == [LEAK] and out[0].severity is Severity.CRITICAL


def test_full_mode_config_leak_plus_env_disable(heard: mj.MdnsFacts) -> None:
    ctx = ctx_for({"discovery": {"mdns": {"mode": "full"}}}, OPENCLAW_DISABLE_BONJOUR="1")
    out = mj.findings(ctx, heard)
    assert ids(out) == [LEAK, OFF]
    assert "does not match" not in out[0].detail


def test_record_naming_this_host_from_elsewhere_is_a_possible_spoof(heard: mj.MdnsFacts) -> None:
    # trust.md §7: "studio" names this host (lanHost studio.local) from 198.51.100.8, which is
    # no address of this host: a possible spoof, never judged as this gateway.
    cfg = {"discovery": {"mdns": {"mode": "off"}}, "gateway": {"port": 18791}}
    ctx = ctx_for(cfg, OPENCLAW_MDNS_HOSTNAME="studio")
    out = mj.findings(ctx, heard)
    assert ids(out) == [SPOOF] and out[0].subject == "studio (OpenClaw)"
    assert "198.51.100.8" in out[0].detail
    by_name = {i["name"]: i for i in mj.section(ctx, heard)["instances"]}
    assert by_name["studio (OpenClaw)"]["local"] is False
    assert by_name["studio (OpenClaw)"]["possibleSpoof"] is True
    assert mj.findings(ctx_for(cfg, OPENCLAW_MDNS_HOSTNAME="elsewhere"), heard) == []


async def test_a_responder_cannot_flood_the_report_with_findings() -> None:
    from zeroconf import IPVersion
    from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

    full = {"role": "gateway", "gatewayPort": "28790", "sshPort": "22", "cliPath": "/x"}
    pub = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        for i in range(300):  # 300 instances on this host, each leaking: 600 findings before
            info = AsyncServiceInfo(
                mj.SERVICE_TYPE,
                f"leak-{i:03d}.{mj.SERVICE_TYPE}",
                port=28790,
                addresses=[socket.inet_aton("127.0.0.1")],
                properties=full,
                server=f"leak-{i}.local.",
            )
            await pub.async_register_service(info, cooperating_responders=True)
        ctx = ctx_for({"discovery": {"mdns": {"mode": "off"}}, "gateway": {"port": 28790}})
        result, _elapsed = await run_probe(ctx, timeout=2.0)
    finally:
        await pub.async_close()
    assert result.section is not None and result.section["error"] is None
    heard_n = len([i for i in result.section["instances"] if i["local"]])
    assert heard_n > 15, heard_n  # enough records arrived for more than 20 findings
    assert len(result.findings) == 21
    assert result.findings[-1].check_id == "discovery.mdns.findings_capped"
    assert f"{2 * heard_n - 20} more mDNS findings" in result.findings[-1].detail


def test_env_port_overrides_config(heard: mj.MdnsFacts) -> None:
    cfg = {"discovery": {"mdns": {"mode": "off"}}, "gateway": {"port": 18789}}
    out = mj.findings(ctx_for(cfg, OPENCLAW_GATEWAY_PORT="18790"), heard)
    assert [f.subject for f in out] == ["quiet (OpenClaw)"]


# --- flood ------------------------------------------------------------------------------


async def test_flood_of_announcements_is_bounded() -> None:
    from zeroconf import IPVersion
    from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

    flood_n = 1000
    pub = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        # One of our own port with far too many TXT keys; then 1000 strangers.
        huge = {f"k{i:03d}": "v" * 40 for i in range(150)}
        huge.update({"gatewayPort": "28789", "sshPort": "22"})
        infos = [
            AsyncServiceInfo(
                mj.SERVICE_TYPE,
                f"aaa-huge.{mj.SERVICE_TYPE}",
                port=28789,
                addresses=[socket.inet_aton("127.0.0.1")],
                properties=huge,
                server="aaa-huge.local.",
            )
        ]
        infos += [
            AsyncServiceInfo(
                mj.SERVICE_TYPE,
                f"flood-{i:04d}.{mj.SERVICE_TYPE}",
                port=30000 + i,
                addresses=[socket.inet_aton("127.0.0.1")],
                properties={"role": "gateway"},
                server=f"flood-{i}.local.",
            )
            for i in range(flood_n)
        ]
        for info in infos:  # cooperating responders: no probing, announce at once
            await pub.async_register_service(info, cooperating_responders=True)

        ctx = ctx_for({"gateway": {"port": 28789}})
        result, elapsed = await run_probe(ctx, timeout=1.0)
    finally:
        await pub.async_close()

    print(f"\nmDNS flood ({flood_n} announcements), timeout 1 s: {elapsed * 1000:.0f} ms")
    sec = result.section
    assert sec is not None and sec["error"] is None
    heard, dropped = len(sec["instances"]), sec.get("dropped", 0)
    print(f"instances kept: {heard}, dropped beyond the cap: {dropped}")
    # Under a flood the kernel drops some datagrams, so how many arrive varies; the cap holds.
    assert heard <= mp.MAX_INSTANCES
    assert (heard == mp.MAX_INSTANCES and dropped > 0) or dropped == 0
    assert heard >= 100
    assert elapsed < 1.0 + 1.0 + 1.0  # window + resolve budget + close budget
    huge_seen = [i for i in sec["instances"] if i["name"] == "aaa-huge"]
    if huge_seen and huge_seen[0]["txt"] is not None:
        txt = huge_seen[0]["txt"]
        assert len(txt) == mp.MAX_TXT_KEYS
        assert all(len(v) <= mp.MAX_TXT_VALUE_LEN for v in txt.values())
        # padding cannot push the keys we judge out of the bounded record
        assert txt["sshPort"] == "22"
        assert ids(result.findings) == [LEAK]


# --- no multicast -----------------------------------------------------------------------


async def test_unknown_interface_address_is_an_error_not_a_crash() -> None:
    # 192.0.2.0/24 is TEST-NET-1: no interface here owns 192.0.2.254.
    ctx = ctx_for(**{mp.INTERFACES_ENV: "192.0.2.254"})
    result, elapsed = await run_probe(ctx)
    assert result.findings == []
    assert result.section is not None
    assert result.section["error"].startswith("could not open the mDNS socket")
    assert result.section["instances"] == []
    assert elapsed < 0.5


async def test_invalid_interface_value_is_not_echoed() -> None:
    ctx = ctx_for(**{mp.INTERFACES_ENV: "not-an-address-xyzzy"})
    result, _ = await run_probe(ctx)
    assert result.section is not None
    assert "xyzzy" not in result.section["error"]
    assert mp.INTERFACES_ENV in result.section["error"]


def _run_in_fresh_netns(script: str, lo_up: bool) -> dict[str, Any]:
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to create a private network namespace")
    up = "ip link set lo up; " if lo_up else ""
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        ["unshare", "-n", "sh", "-c", f'{up}exec "$0" -c "$1"', sys.executable, script],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


_DEFAULT_INTERFACES_SCRIPT = """
import json, sys, time, anyio
sys.path.insert(0, "tests")
from builders import make_ctx
from openclaw_audit.probes.base import ProbeOptions
from openclaw_audit.probes.mdns_probe import PROBE
async def main():
    t = time.monotonic()
    r = await PROBE.run(make_ctx({}, env={}), ProbeOptions(timeout=0.5))
    print(json.dumps({"section": r.section, "findings": len(r.findings),
                      "elapsed": time.monotonic() - t}))
anyio.run(main, backend="asyncio")
"""


def test_no_multicast_interface_at_all() -> None:
    # A fresh namespace with lo down: not one interface can join the group.
    out = _run_in_fresh_netns(_DEFAULT_INTERFACES_SCRIPT, lo_up=False)
    assert out["findings"] == 0
    assert out["section"]["error"].startswith("could not open the mDNS socket")
    assert out["elapsed"] < 0.5


def test_default_interfaces_in_an_isolated_namespace() -> None:
    # The default (all IPv4 interfaces) path, where "all" is only lo: works, hears nothing.
    out = _run_in_fresh_netns(_DEFAULT_INTERFACES_SCRIPT, lo_up=True)
    assert out["section"]["error"] is None
    assert out["section"]["instances"] == []
    assert out["elapsed"] < 0.5 + 1.0


def test_on_failure_timeout() -> None:
    res = PROBE.on_failure(ctx_for(), ProbeOptions(), "timeout")
    assert res.findings == []
    assert res.section is not None and res.section["error"] == "timeout"


async def test_runner_deadline_cancels_the_browse_and_closes_zeroconf() -> None:
    fds_before = len(os.listdir("/proc/self/fd"))
    started = time.monotonic()
    with pytest.raises(TimeoutError), anyio.fail_after(0.3):
        await PROBE.run(ctx_for(), ProbeOptions(timeout=5.0))
    elapsed = time.monotonic() - started
    print(f"\nmDNS probe cancelled by a 0.3 s deadline: {elapsed * 1000:.0f} ms")
    assert elapsed < 0.3 + 0.3
    assert len(os.listdir("/proc/self/fd")) == fds_before  # sockets closed on cancel
