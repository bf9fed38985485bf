"""A real ``--deep --format sarif`` run against the test gateway on loopback: the live HTTP
finding is located at ``gateway.auth`` with the probed URL as evidence, and the probes'
notifications say what happened (Docker pointed at a socket that does not exist: skipped, and
why)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from gateway_fixture import RunningGateway
from test_sarif import results, validate

pytestmark = pytest.mark.real


def test_live_http_finding_is_located_at_gateway_auth(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "none")
    sd = tmp_path / "state"
    sd.mkdir(mode=0o700)
    cfg = sd / "openclaw.json"
    cfg.write_text(
        f'{{\n  gateway: {{\n    port: {gw.port},\n    auth: {{ mode: "none" }},\n  }},\n}}\n'
    )
    cfg.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    env |= {
        "HOME": str(tmp_path),
        "OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1",  # mDNS stays on loopback
        "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock",  # never the machine's daemon
    }
    proc = subprocess.run(
        [sys.executable, "-m", "openclaw_audit", "--state-dir", str(sd), "--deep",
         "--timeout", "5", "--format", "sarif", "--sarif-category", "live"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    validate(doc)
    live = next(r for r in results(doc) if r["ruleId"] == "gateway.http.unauthenticated_reachable")
    loc = live["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "state/openclaw.json"
    assert loc["physicalLocation"]["region"]["startLine"] == 4
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "gateway.auth"
    assert live["webRequest"]["target"] == f"http://127.0.0.1:{gw.port}"
    run_ = doc["runs"][0]
    assert run_["automationDetails"]["id"] == "live/"
    notes = {n["descriptor"]["id"]: n for n in run_["invocations"][0]["toolExecutionNotifications"]}
    assert notes["deep.gateway.probe_ok"]["level"] == "note"
    docker = notes["deep.docker.skipped"]
    assert docker["level"] == "note" and docker["message"]["text"].startswith(
        "docker probe skipped: "
    )
    assert len(docker["message"]["text"]) > len("docker probe skipped: ")
    # A loopback browse that sees no gateway announced still succeeded.
    mdns = [n for n in notes if n.startswith("deep.mdns.")]
    assert mdns == ["deep.mdns.probe_ok"], mdns
    assert "instance(s) seen in a" in notes["deep.mdns.probe_ok"]["message"]["text"]
