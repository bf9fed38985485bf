"""The Docker probe against a real, private dockerd (started by ``.ci/docker-engine.sh``),
against endpoints that do not exist, refuse, or accept and never answer, and against a
daemon that was stopped or frozen."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from builders import ids, make_ctx
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.docker_judge import SANDBOX_BROWSER_SECURITY_HASH_EPOCH as EPOCH
from openclaw_audit.probes.docker_probe import PROBE

pytestmark = [pytest.mark.real, pytest.mark.anyio]

ENGINE_SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "docker-engine.sh"
MISSING = "sandbox.browser_container.hash_label_missing"
STALE = "sandbox.browser_container.hash_epoch_stale"
EXPOSED = "sandbox.browser_container.non_loopback_publish"
TIMEOUT = "sandbox.browser_container.docker_probe_timeout"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _needs_root() -> None:
    if sys.platform != "linux":
        pytest.skip("needs Linux to run a private dockerd")
    if os.geteuid() != 0:
        pytest.skip("needs root: starts a private dockerd in its own network namespace")


@dataclass
class Engine:
    dk: Path
    host: str
    netns: str
    image: str
    pid: int


def _start_engine(dk: Path) -> Engine:
    env = {**os.environ, "DK": str(dk)}
    proc = subprocess.run(
        ["bash", str(ENGINE_SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        pytest.fail(f"docker-engine.sh start failed:\n{proc.stderr[-2000:]}")
    out = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    pid = int((dk / "bg.pid").read_text().strip())
    return Engine(dk=dk, host=out["DOCKER_HOST"], netns=out["NETNS"], image=out["IMAGE"], pid=pid)


def _stop_engine(dk: Path) -> None:
    env = {**os.environ, "DK": str(dk)}
    subprocess.run(["bash", str(ENGINE_SCRIPT), "stop"], env=env, timeout=120, check=False)


def _short_tmp(prefix: str) -> Path:
    # unix socket paths are limited to 108 bytes: keep the engine dir short.
    import tempfile

    return Path(tempfile.mkdtemp(prefix=prefix))


# Containers the session creates: name -> (labels, start it?, published ports)
BROWSER = {"openclaw.sandboxBrowser": "1"}
CURRENT = {**BROWSER, "openclaw.configHash": "cafe01", "openclaw.browserConfigEpoch": EPOCH}
FIXTURES: dict[str, tuple[dict[str, str], bool, dict[str, Any]]] = {
    # running, no hash, no epoch, one port on all interfaces and one on loopback
    "sb-hashless-exposed": (
        dict(BROWSER),
        True,
        {"6080/tcp": ("0.0.0.0", 16080), "9222/tcp": ("127.0.0.1", 19222)},
    ),
    # up to date and loopback-only (IPv4 and IPv6 loopback): nothing to report
    "sb-current-loopback": (
        dict(CURRENT),
        True,
        {"6080/tcp": ("127.0.0.1", 26080), "5900/tcp": ("::1", 25900)},
    ),
    # created, never started: the binding in its config is not published, so not exposed
    "sb-current-created": (dict(CURRENT), False, {"6080/tcp": ("0.0.0.0", 36080)}),
    "sb-stale": (
        {**CURRENT, "openclaw.browserConfigEpoch": "2026-04-05-cdp-source-range"},
        False,
        {},
    ),
    "sb-blank-hash": ({**CURRENT, "openclaw.configHash": "   "}, False, {}),
    # not sandbox browsers: must be ignored even though they would trigger everything
    "other-app": ({"app": "demo"}, True, {"8080/tcp": ("0.0.0.0", 18080)}),
    "sb-flag-zero": ({"openclaw.sandboxBrowser": "0"}, False, {}),
}


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    _needs_root()
    dk = _short_tmp("oa-dk-")
    try:
        eng = _start_engine(dk)
        import docker

        client = docker.DockerClient(base_url=eng.host, timeout=30, version=None)
        try:
            for name, (labels, start, ports) in FIXTURES.items():
                if not eng.netns:
                    ports = {}  # no bridge without the private namespace: see docker-engine.sh
                kwargs: dict[str, Any] = {"name": name, "labels": labels, "init": True}
                if ports:
                    kwargs["ports"] = ports
                else:
                    kwargs["network_mode"] = "none"
                ct = client.containers.create(eng.image, ["/bin/sleep", "3600"], **kwargs)
                if start:
                    ct.start()
        finally:
            client.close()
        yield eng
    finally:
        _stop_engine(dk)
        subprocess.run(["rm", "-rf", str(dk)], check=False)


def ctx_for(host: str, **env: str) -> Any:
    return make_ctx({}, env={"DOCKER_HOST": host, **env})


async def run_probe(ctx: Any, timeout: float = 5.0) -> tuple[ProbeResult, float]:
    started = time.monotonic()
    result = await PROBE.run(ctx, ProbeOptions(timeout=timeout))
    return result, time.monotonic() - started


# --- against the real engine ------------------------------------------------------------


async def test_real_engine_findings(engine: Engine) -> None:
    result, elapsed = await run_probe(ctx_for(engine.host))
    print(f"\ndocker probe against the real engine: {elapsed * 1000:.0f} ms")
    assert elapsed < 3.0
    assert ids(result.findings) == [MISSING, STALE] + ([EXPOSED] if engine.netns else [])
    missing, stale = result.findings[0], result.findings[1]
    assert missing.detail.startswith("Containers: sb-blank-hash, sb-hashless-exposed.")
    assert stale.detail.startswith(
        f"Containers: sb-hashless-exposed, sb-stale. Expected openclaw.browserConfigEpoch={EPOCH}."
    )
    if engine.netns:
        assert result.findings[2].detail.startswith(
            "Containers: sb-hashless-exposed (6080/tcp -> 0.0.0.0:16080)."
        )

    sec = result.section
    assert sec is not None and sec["ok"] is True and sec["skipped"] is None
    names = [c["name"] for c in sec["containers"]]
    assert names == sorted(FIXTURES.keys() - {"other-app", "sb-flag-zero"})
    by_name = {c["name"]: c for c in sec["containers"]}
    assert by_name["sb-current-created"]["ports"] == []  # not running, nothing published
    assert by_name["sb-current-created"]["state"] == "created"
    if engine.netns:
        assert by_name["sb-current-loopback"]["ports"] == [
            "5900/tcp -> [::1]:25900",
            "6080/tcp -> 127.0.0.1:26080",
        ]
        assert by_name["sb-current-loopback"]["exposed"] == []


async def test_real_engine_profile_in_remediation(engine: Engine) -> None:
    result, _ = await run_probe(ctx_for(engine.host, OPENCLAW_PROFILE="lab"))
    assert result.findings
    for f in result.findings:
        assert f.remediation is not None
        assert "openclaw --profile lab sandbox recreate --browser --all" in f.remediation


async def test_frozen_daemon_gives_the_timeout_finding_within_the_timeout(engine: Engine) -> None:
    os.kill(engine.pid, signal.SIGSTOP)  # the socket still accepts (backlog), nobody answers
    try:
        result, elapsed = await run_probe(ctx_for(engine.host), timeout=0.5)
    finally:
        os.kill(engine.pid, signal.SIGCONT)
    print(f"\nfrozen dockerd, timeout 0.5 s: {elapsed * 1000:.0f} ms")
    assert ids(result.findings) == [TIMEOUT]
    assert "500ms" in result.findings[0].detail
    assert elapsed < 0.5 + 0.3
    assert result.section is not None and result.section["timedOut"] is True


async def test_docker_host_comes_from_ctx_env_not_os_environ(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.path.exists("/var/run/docker.sock"):
        pytest.skip("a system Docker socket exists, so the default endpoint would answer")
    monkeypatch.setenv("DOCKER_HOST", engine.host)
    result, _ = await run_probe(make_ctx({}, env={}))
    assert result.findings == []
    assert result.section is not None
    assert result.section["host"].startswith("default")
    assert result.section["skipped"] is not None


# --- endpoints that are not a working daemon --------------------------------------------


async def test_missing_socket_is_a_skip_note(tmp_path: Path) -> None:
    result, elapsed = await run_probe(ctx_for(f"unix://{tmp_path}/nothing-here.sock"))
    assert result.findings == []
    assert result.section is not None
    assert result.section["skipped"].startswith("no Docker socket")
    assert elapsed < 1.0


async def test_refused_socket_is_a_skip_note(tmp_path: Path) -> None:
    path = tmp_path / "dead.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()  # the file stays, nobody listens: ECONNREFUSED (what a crashed dockerd leaves)
    result, elapsed = await run_probe(ctx_for(f"unix://{path}"))
    assert result.findings == []
    assert result.section is not None
    assert "refused" in result.section["skipped"]
    assert elapsed < 1.0


async def test_refused_tcp_endpoint_is_not_mistaken_for_a_timeout() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    result, _ = await run_probe(ctx_for(f"tcp://127.0.0.1:{port}"))
    assert result.findings == []
    assert result.section is not None and "refused" in result.section["skipped"]


@pytest.fixture
def hanging_socket(tmp_path: Path) -> Iterator[str]:
    """A unix server that accepts every connection and never answers."""
    path = tmp_path / "hang.sock"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    srv.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            held.append(conn)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"unix://{path}"
    stop.set()
    t.join(2)
    for c in held:
        c.close()
    srv.close()


@pytest.mark.parametrize("timeout", [0.25, 0.5, 1.0])
async def test_hanging_socket_gives_the_timeout_finding(
    hanging_socket: str, timeout: float
) -> None:
    result, elapsed = await run_probe(ctx_for(hanging_socket), timeout=timeout)
    print(f"\nhanging socket, timeout {timeout} s: {elapsed * 1000:.0f} ms")
    assert ids(result.findings) == [TIMEOUT]
    assert f"{round(timeout * 1000)}ms" in result.findings[0].detail
    assert elapsed < timeout + 0.3


async def test_stopped_daemon_is_a_skip_note() -> None:
    _needs_root()
    dk = _short_tmp("oa-dk2-")
    try:
        eng = _start_engine(dk)
        alive, _ = await run_probe(ctx_for(eng.host))
        assert alive.section is not None and alive.section["ok"] is True
        _stop_engine(dk)
        result, elapsed = await run_probe(ctx_for(eng.host))
    finally:
        _stop_engine(dk)
    assert result.findings == []
    assert result.section is not None and result.section["skipped"] is not None
    assert elapsed < 1.0


def test_on_failure_timeout_and_error() -> None:
    ctx = ctx_for("unix:///nowhere.sock")
    timed = PROBE.on_failure(ctx, ProbeOptions(timeout=2.0), "timeout")
    assert ids(timed.findings) == [TIMEOUT]
    broken = PROBE.on_failure(ctx, ProbeOptions(timeout=2.0), "ValueError: odd")
    assert broken.findings == []
    assert broken.section is not None and broken.section["host"] == "DOCKER_HOST"


async def test_report_never_shows_the_docker_host_value() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    ctx = ctx_for(f"tcp://user:hunter2@127.0.0.1:{port}")
    ran, _ = await run_probe(ctx)
    failed = PROBE.on_failure(ctx, ProbeOptions(), "timeout")
    for res in (ran, failed):
        assert "hunter2" not in repr(res.section) + repr(res.findings)


async def test_runner_deadline_cancels_a_hung_call_promptly(hanging_socket: str) -> None:
    import anyio

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        with anyio.fail_after(0.3):  # what the runner does; the worker thread is abandoned
            await PROBE.run(ctx_for(hanging_socket), ProbeOptions(timeout=5.0))
    assert time.monotonic() - started < 0.3 + 0.2


# --- the LIVE PROBES block over what the real engine said (output-ux.md §2) ----------------


def _docker_block(section: Any) -> list[str]:
    from openclaw_audit.render.live_probes import live_probe_lines
    from openclaw_audit.report.model import Report

    return [t for t, _ in live_probe_lines(Report(ts=0, findings=(), deep={"docker": section}))]


async def test_live_probes_block_lists_the_real_containers(engine: Engine) -> None:
    result, _ = await run_probe(ctx_for(engine.host))
    lines = _docker_block(result.section)
    checked = len(FIXTURES) - 2  # other-app and sb-flag-zero are not sandbox browsers
    assert lines[2].startswith(
        f"  docker   ok         endpoint DOCKER_HOST · {checked} sandbox browser container(s) "
        f"checked · expected epoch {EPOCH} · timeout 5000 ms · took "
    )
    subrows = {line.split()[0]: line.strip() for line in lines[3:-1]}
    assert sorted(subrows) == sorted(FIXTURES.keys() - {"other-app", "sb-flag-zero"})
    assert subrows["sb-blank-hash"].startswith("sb-blank-hash (created) · configHash missing")
    assert subrows["sb-current-created"] == (
        f"sb-current-created (created) · configHash cafe01 · epoch {EPOCH} · ports none published"
    )
    if engine.netns:
        assert subrows["sb-hashless-exposed"].endswith(
            "exposed beyond loopback: 6080/tcp -> 0.0.0.0:16080"
        )


async def test_live_probes_block_frozen_daemon_timed_out(engine: Engine) -> None:
    os.kill(engine.pid, signal.SIGSTOP)
    try:
        result, _ = await run_probe(ctx_for(engine.host), timeout=0.5)
    finally:
        os.kill(engine.pid, signal.SIGCONT)
    row = _docker_block(result.section)[2]
    assert row.startswith("  docker   timed out  endpoint DOCKER_HOST · no answer within 500 ms")
    assert "Docker at DOCKER_HOST did not answer within 500ms" in result.findings[0].detail
