"""The --deep fleet driver without a network: one event loop, one bound, shared facts once,
failures kept to their target."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import pytest

from openclaw_audit.engine import fleet_live
from openclaw_audit.engine.audit import Prepared, prepare
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.fleet_live import live_all
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.probes import docker_judge as dj
from openclaw_audit.probes import docker_probe, mdns_probe
from openclaw_audit.probes import mdns_judge as mj
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.report.model import Finding, Severity

ENV = {"OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1", "DOCKER_HOST": "unix:///nonexistent"}


def targets(tmp_path: Path, n: int, *, env: dict[str, str] | None = None) -> list[Prepared]:
    out = []
    for i in range(n):
        sd = tmp_path / f"t{i}"
        sd.mkdir(mode=0o700, parents=True)
        cfg = sd / "openclaw.json"
        cfg.write_text(f'{{gateway: {{bind: "loopback", port: {20000 + i}}}}}')
        cfg.chmod(0o600)
        opts = AuditOptions(
            config_path=str(cfg), state_dir=str(sd), deep=True, timeout=0.25, env=env or ENV
        )
        out.append(prepare(opts))
    return out


def name_of(ctx: AuditContext) -> str:
    return Path(ctx.paths.state_dir).name


@dataclass
class Fake:
    """A probe whose behaviour depends on the target: ``fail``/``hang`` name targets."""

    name: str = "fake"
    section_key: str = "fake"
    check_ids: tuple[str, ...] = ("fake.ok", "fake.failed")
    fail: frozenset[str] = frozenset()
    hang: frozenset[str] = frozenset()
    live: int = 0
    peak: int = 0
    seen: list[str] = field(default_factory=list)

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        who = name_of(ctx)
        self.seen.append(who)
        self.live += 1
        self.peak = max(self.peak, self.live)
        try:
            await anyio.sleep(0.05)
            if who in self.hang:
                await anyio.sleep(60)
            if who in self.fail:
                raise RuntimeError(f"broken for {who}")
            return ProbeResult(
                findings=[Finding("fake.ok", Severity.INFO, "ok", who)], section={"who": who}
            )
        finally:
            self.live -= 1

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        finding = Finding("fake.failed", Severity.WARN, "failed", f"{name_of(ctx)}: {error}")
        return ProbeResult(findings=[finding], section={"error": error})


def test_every_target_gets_its_own_result_in_order(tmp_path: Path) -> None:
    fake = Fake()
    lives = live_all(targets(tmp_path, 5), concurrency=64, probes=[fake])
    assert [live[1]["fake"]["who"] for live in lives] == ["t0", "t1", "t2", "t3", "t4"]
    assert [[f.detail for f in live[0]] for live in lives] == [
        ["t0"],
        ["t1"],
        ["t2"],
        ["t3"],
        ["t4"],
    ]


def test_one_bound_on_targets_probed_at_once(tmp_path: Path) -> None:
    fake = Fake()
    live_all(targets(tmp_path, 7), concurrency=2, probes=[fake])
    assert fake.peak == 2 and sorted(fake.seen) == [f"t{i}" for i in range(7)]


def test_failure_and_timeout_stay_with_their_target(tmp_path: Path) -> None:
    fake = Fake(fail=frozenset({"t1"}), hang=frozenset({"t3"}))
    started = time.monotonic()
    lives = live_all(targets(tmp_path, 5), concurrency=64, probes=[fake])
    assert time.monotonic() - started < 5  # the hung target is cut at its own deadline
    details = [[f.detail for f in live[0]] for live in lives]
    assert details[0] == ["t0"] and details[2] == ["t2"] and details[4] == ["t4"]
    assert details[1] == ["t1: RuntimeError: broken for t1"]
    assert details[3] == ["t3: timeout"]


def test_a_target_whose_whole_live_phase_breaks_gets_failure_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fleet_live.run_probes

    async def flaky(ctx: AuditContext, opts: ProbeOptions, **kw: object):  # type: ignore[no-untyped-def]
        if name_of(ctx) == "t1":
            raise ValueError("runner bug")
        return await real(ctx, opts, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(fleet_live, "run_probes", flaky)
    lives = live_all(targets(tmp_path, 3), concurrency=64, probes=[Fake()])
    assert [f.detail for f in lives[1][0]] == ["t1: ValueError: runner bug"]
    assert [f.detail for f in lives[0][0]] == ["t0"] and [f.detail for f in lives[2][0]] == ["t2"]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[object]]:
    """Replace the mDNS and Docker collectors with fakes that count their calls."""
    calls: dict[str, list[object]] = {"mdns": [], "docker": []}

    async def mdns_collect(ctx: AuditContext, timeout_s: float) -> mj.MdnsFacts:
        calls["mdns"].append(ctx.env.get("OPENCLAW_AUDIT_MDNS_INTERFACES"))
        await anyio.sleep(0.05)
        return mj.MdnsFacts(local_addresses=frozenset(), system_hostname="h", browse_ms=50)

    async def docker_collect(ctx: AuditContext, timeout_s: float) -> dj.DockerFacts:
        calls["docker"].append(ctx.env.get("DOCKER_HOST"))
        await anyio.sleep(0.05)
        return dj.DockerFacts(timeout_ms=250, host="DOCKER_HOST", skipped="no Docker here")

    monkeypatch.setattr(mdns_probe, "collect", mdns_collect)
    monkeypatch.setattr(docker_probe, "collect", docker_collect)
    return calls


def test_one_mdns_browse_and_one_docker_query_per_run(
    tmp_path: Path, counted: dict[str, list[object]]
) -> None:
    lives = live_all(
        targets(tmp_path, 6), concurrency=64, probes=[mdns_probe.PROBE, docker_probe.PROBE]
    )
    assert counted == {"mdns": ["127.0.0.1"], "docker": ["unix:///nonexistent"]}
    for _findings, deep, _secrets in lives:  # every target's judge got the shared facts
        assert deep["mdns"]["browseMs"] == 50 and deep["mdns"]["error"] is None
        assert "no Docker here" in deep["docker"]["skipped"]


def test_targets_that_ask_different_daemons_each_get_theirs(
    tmp_path: Path, counted: dict[str, list[object]]
) -> None:
    a = targets(tmp_path / "a", 2)
    b = targets(tmp_path / "b", 2, env={**ENV, "DOCKER_HOST": "tcp://127.0.0.1:1"})
    live_all([*a, *b], concurrency=64, probes=[docker_probe.PROBE])
    assert sorted(counted["docker"]) == ["tcp://127.0.0.1:1", "unix:///nonexistent"]


def test_a_shared_browse_that_hangs_times_out_every_target_and_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never(ctx: AuditContext, timeout_s: float) -> mj.MdnsFacts:
        await anyio.sleep(60)
        raise AssertionError("unreachable")

    monkeypatch.setattr(mdns_probe, "collect", never)
    started = time.monotonic()
    lives = live_all(targets(tmp_path, 4), concurrency=64, probes=[mdns_probe.PROBE])
    assert time.monotonic() - started < 5
    assert [deep["mdns"]["error"] for _f, deep, _s in lives] == ["timeout"] * 4


def test_single_run_still_gathers_its_own_facts(counted: dict[str, list[object]]) -> None:
    from builders import make_ctx
    from openclaw_audit.probes.runner import run_probes_sync

    ctx = make_ctx({}, env=ENV, deep=True)
    _f, deep, _s = run_probes_sync(ctx, ProbeOptions(timeout=0.25), probes=[mdns_probe.PROBE])
    assert counted["mdns"] == ["127.0.0.1"] and deep["mdns"]["browseMs"] == 50


def test_a_target_that_cannot_be_loaded_is_an_error_and_the_rest_go_on(tmp_path: Path) -> None:
    from openclaw_audit.engine.fleet_live import live_fleet
    from openclaw_audit.errors import ConfigError

    preps = targets(tmp_path, 3)

    def prepare_one(i: int) -> Prepared:
        if i == 1:
            raise ConfigError("cannot parse", file="t1")
        return preps[i]

    out = live_fleet(
        3, prepare_one, lambda prep, live: (name_of(prep.ctx), live[1]), concurrency=1,
        probes=[Fake()],
    )  # fmt: skip
    assert isinstance(out[1], ConfigError)
    assert out[0] == ("t0", {"fake": {"who": "t0"}}) and out[2] == ("t2", {"fake": {"who": "t2"}})
