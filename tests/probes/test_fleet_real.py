"""A --deep fleet against real test gateways on loopback: healthy, hung, refused and hostile
targets in one run, each judged on its own, in bounded time, with no credential in any output."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import run, target
from gateway_fixture import RunningGateway

pytestmark = pytest.mark.real

Start = Callable[..., RunningGateway]
TIMEOUT = 1.0
ENV = {"OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1", "DOCKER_HOST": "unix:///nonexistent.sock"}


def token(name: str) -> str:
    return f"fleet-canary-{name}-0123456789abcdef0123"


def gateway_config(port: int, tok: str) -> str:
    return (
        f'{{gateway: {{mode: "local", bind: "loopback", port: {port}, '
        f'auth: {{mode: "token", token: "{tok}"}}}}}}'
    )


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: nothing listens there


def test_fleet_deep_per_target_results_bounded_time_no_secrets(
    tmp_path: Path, start_gateway: Start
) -> None:
    fleet = tmp_path / "fleet"
    ports: dict[str, int] = {}
    for name in ("ok1", "ok2"):
        ports[name] = start_gateway("--auth", "token", "--token", token(name)).port
    for name in ("hung1", "hung2"):
        ports[name] = start_gateway("--mode", "hang").port
    # Hostile: rejects the connect with a message echoing the credential it was sent.
    ports["echo"] = start_gateway(
        "--auth", "token", "--token", "other-token-xyz", "--mode", "echo-auth"
    ).port
    ports["refused"] = refused_port()
    for name, port in ports.items():
        target(fleet, name, gateway_config(port, token(name)))

    started = time.monotonic()
    proc = run("--deep", "--timeout", str(TIMEOUT), "--json", "--config", str(fleet), env=ENV)
    elapsed = time.monotonic() - started
    doc = json.loads(proc.stdout)
    # One loop for every target: far below one deadline per target in turn (6 x 1 s, plus
    # the 2 s browse each). Generous: structure, not a benchmark.
    assert elapsed < 20
    deep = {Path(t["target"]).parent.name: t["report"]["deep"] for t in doc["targets"]}
    assert sorted(deep) == sorted(ports)
    for name in ("ok1", "ok2"):
        assert deep[name]["gateway"]["ok"] is True, deep[name]["gateway"]
        assert deep[name]["gateway"]["url"] == f"ws://127.0.0.1:{ports[name]}"
    for name in ("hung1", "hung2"):
        assert deep[name]["gateway"]["ok"] is False
        assert deep[name]["gateway"]["error"] == "timeout"
        assert {e["result"] for e in deep[name]["http"]["endpoints"].values()} == {"timeout"}
    assert deep["refused"]["gateway"]["ok"] is False
    assert "ECONNREFUSED" in deep["refused"]["gateway"]["error"]
    assert deep["echo"]["gateway"]["ok"] is False
    assert "<redacted>" in deep["echo"]["gateway"]["error"]  # scrubbed, not dropped
    # The run's one browse and one Docker query reached every target's report.
    assert len({json.dumps(d["mdns"]["instances"]) for d in deep.values()}) == 1
    assert all("no Docker socket" in d["docker"]["skipped"] for d in deep.values())
    text = run("--deep", "--timeout", str(TIMEOUT), "--config", str(fleet), env=ENV)
    for out in (proc.stdout, proc.stderr, text.stdout, text.stderr):
        for name in ports:
            assert token(name) not in out
    assert "Fleet summary (6 audited)" in text.stdout
