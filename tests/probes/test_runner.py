"""The probe runner without a network: isolation, deadlines, filtering, order, progress."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
import pytest

from builders import make_ctx
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.probes import runner
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.runner import load_probes, run_probes, run_probes_sync
from openclaw_audit.probes.selection import SKIPPED_BY_CHECKS
from openclaw_audit.report.model import Finding, Severity

pytestmark = pytest.mark.anyio


def finding(check_id: str) -> Finding:
    return Finding(check_id, Severity.WARN, "t", "d")


@dataclass
class Fake:
    name: str
    delay: float = 0.0
    raises: BaseException | None = None
    failure_raises: bool = False
    budget_s: float | None = None
    check_ids: tuple[str, ...] = ()
    section_key: str = ""
    ran: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.section_key = self.section_key or self.name
        self.check_ids = self.check_ids or (f"{self.name}.found", f"{self.name}.failed")

    def budget(self, opts: ProbeOptions) -> float:
        return self.budget_s if self.budget_s is not None else opts.timeout

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        self.ran.append("run")
        await anyio.sleep(self.delay)
        if self.raises is not None:
            raise self.raises
        return ProbeResult(
            findings=[finding(f"{self.name}.found")],
            section={"ok": True},
            secrets={"s-" + self.name},
        )

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        if self.failure_raises:
            raise ValueError("broken on_failure")
        return ProbeResult(findings=[finding(f"{self.name}.failed")], section={"error": error})


async def test_canonical_order_whatever_finishes_first() -> None:
    probes = [Fake("gateway", delay=0.2), Fake("http", delay=0.1), Fake("docker"), Fake("mdns")]
    findings, deep, secrets = await run_probes(make_ctx({}), ProbeOptions(timeout=1), probes=probes)
    assert [f.check_id for f in findings] == [
        "gateway.found",
        "http.found",
        "docker.found",
        "mdns.found",
    ]
    assert list(deep) == ["gateway", "http", "docker", "mdns"]
    assert secrets == {"s-gateway", "s-http", "s-docker", "s-mdns"}


async def test_exception_and_timeout_are_contained() -> None:
    probes = [
        Fake("a", raises=RuntimeError("bad thing")),
        Fake("b", delay=10),
        Fake("c", delay=0.05),
        Fake("d", raises=KeyError("k")),
    ]
    started = anyio.current_time()
    findings, deep, _ = await run_probes(make_ctx({}), ProbeOptions(timeout=0.25), probes=probes)
    elapsed = anyio.current_time() - started
    assert deep["a"] == {"error": "RuntimeError: bad thing"}
    assert deep["b"] == {"error": "timeout"}
    assert deep["c"] == {"ok": True}
    assert deep["d"] == {"error": "KeyError: 'k'"}
    assert [f.check_id for f in findings] == ["a.failed", "b.failed", "c.found", "d.failed"]
    assert elapsed < 0.25 + runner.MARGIN_S + 0.2


async def test_on_failure_raising_still_yields_a_section() -> None:
    probes = [Fake("a", raises=RuntimeError("x"), failure_raises=True), Fake("b")]
    findings, deep, _ = await run_probes(make_ctx({}), ProbeOptions(timeout=1), probes=probes)
    assert deep["a"] == {"error": "RuntimeError: x"}
    assert [f.check_id for f in findings] == ["b.found"]


async def test_option_secrets_scrubbed_from_exception_text() -> None:
    probes = [Fake("a", raises=RuntimeError("token sekret-value leaked"))]
    _f, deep, secrets = await run_probes(
        make_ctx({}), ProbeOptions(timeout=1, token="sekret-value"), probes=probes
    )
    assert deep["a"] == {"error": "RuntimeError: token <redacted> leaked"}
    assert "sekret-value" in secrets  # handed to the renderers' global redaction too


async def test_global_deadline_cancels_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "global_deadline_s", lambda _t: 0.3)
    probes = [Fake("slow", delay=10, budget_s=60), Fake("fast")]
    started = anyio.current_time()
    findings, deep, _ = await run_probes(make_ctx({}), ProbeOptions(timeout=5), probes=probes)
    assert anyio.current_time() - started < 0.6
    assert deep == {"slow": {"error": "timeout"}, "fast": {"ok": True}}
    assert [f.check_id for f in findings] == ["slow.failed", "fast.found"]


async def test_probe_with_all_checks_excluded_is_not_run() -> None:
    docker = Fake(
        "docker", check_ids=("sandbox.browser_container.x", "sandbox.browser_container.y")
    )
    gateway = Fake("gateway")
    opts = ProbeOptions(
        timeout=1, wants=lambda cid: not cid.startswith("sandbox.browser_container.")
    )
    _findings, deep, _ = await run_probes(make_ctx({}), opts, probes=[gateway, docker])
    assert docker.ran == [] and gateway.ran == ["run"]
    # output-ux.md §2: a probe that did not run is named in deep, as skipped, with the reason.
    assert list(deep) == ["gateway", "docker"]
    assert deep["docker"] == {"attempted": False, "skipped": SKIPPED_BY_CHECKS}


async def test_excluded_findings_are_dropped() -> None:
    opts = ProbeOptions(timeout=1, wants=lambda cid: cid != "a.found")
    findings, _deep, _ = await run_probes(make_ctx({}), opts, probes=[Fake("a")])
    assert findings == []


async def test_progress_callback_and_broken_callback() -> None:
    seen: list[tuple[str, str]] = []
    probes = [Fake("a"), Fake("b", raises=RuntimeError("x")), Fake("c", delay=10)]
    await run_probes(
        make_ctx({}), ProbeOptions(timeout=0.25), lambda n, s: seen.append((n, s)), probes=probes
    )
    assert sorted(seen) == [
        ("a", "done"),
        ("a", "running"),
        ("b", "failed"),
        ("b", "running"),
        ("c", "running"),
        ("c", "timeout"),
    ]

    def broken(_name: str, _state: str) -> None:
        raise RuntimeError("tty gone")

    _f, deep, _ = await run_probes(
        make_ctx({}), ProbeOptions(timeout=1), broken, probes=[Fake("a")]
    )
    assert deep == {"a": {"ok": True}}


def test_sync_entry_point() -> None:
    findings, deep, _ = run_probes_sync(make_ctx({}), ProbeOptions(timeout=1), probes=[Fake("a")])
    assert deep == {"a": {"ok": True}} and [f.check_id for f in findings] == ["a.found"]


def test_missing_modules_are_skipped_silently() -> None:
    names = [p.name for p in load_probes(("gateway_probe", "no_such_probe", "http_probe"))]
    assert names == ["gateway", "http"]
    assert runner.PROBE_MODULES == ("gateway_probe", "http_probe", "docker_probe", "mdns_probe")


def test_static_path_does_not_import_network_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from openclaw_audit.engine.registry import load_catalog; load_catalog();"
        "bad = [m for m in ('httpx', 'websockets', 'docker', 'zeroconf') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
