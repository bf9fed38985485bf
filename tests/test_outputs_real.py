"""Several outputs from one ``--deep`` run against the real test gateway on loopback: the
gateway is probed once, whatever the number of outputs (scheduled-scans.md §1), and no secret
reaches any file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from gateway_fixture import RunningGateway
from prometheus_client.parser import text_string_to_metric_families

CANARY_TOKEN = "CANARY-outputs-gw-7f3e9a1c5b2d4e6f8a0b"
CANARY_HOOK = "CANARY-outputs-hook-1a2b3c4d5e6f7a8b"


@pytest.mark.real
def test_one_probe_pass_feeds_every_output(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", CANARY_TOKEN)
    sd = tmp_path / "state"
    sd.mkdir(mode=0o700)
    cfg = sd / "openclaw.json"
    config = {
        "gateway": {"port": gw.port, "auth": {"mode": "token", "token": CANARY_TOKEN}},
        "hooks": {"enabled": True, "token": CANARY_HOOK, "path": "/"},
    }
    cfg.write_text(json.dumps(config))
    cfg.chmod(0o600)
    out = tmp_path / "out"
    out.mkdir()
    files = {f: out / f"r.{f}" for f in ("json", "sarif", "metrics", "text")}
    base = out / "baseline.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    env.update({"HOME": str(tmp_path), "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "openclaw_audit",
            "--config",
            str(cfg),
            "--deep",
            "--timeout",
            "2",
            "--baseline",
            str(base),
            "--update-baseline",
            *(f"--output={fmt}={path}" for fmt, path in files.items()),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    log = gw.log()
    # One WebSocket connect and one request per HTTP endpoint, for four outputs and a baseline.
    assert [e["kind"] for e in log].count("ws") == 1
    posts = [e for e in log if e.get("kind") == "http" and e.get("method") == "POST"]
    bare = [e["path"] for e in posts if not e["hasAuthorization"]]
    assert sorted(bare) == ["/tools/invoke", "/v1/chat/completions", "/v1/responses"]
    # plus the one credential check on /tools/invoke (deep-probes.md §8)
    assert [e["path"] for e in posts if e["hasAuthorization"]] == ["/tools/invoke"]
    doc = json.loads(files["json"].read_text())
    assert doc["deep"]["gateway"]["ok"] is True
    fams = {f.name: f for f in text_string_to_metric_families(files["metrics"].read_text())}
    up = {s.labels["probe"]: s.value for s in fams["openclaw_audit_probe_up"].samples}
    assert up["gateway"] == 1
    for path in [*files.values(), base]:
        text = path.read_text()
        assert CANARY_TOKEN not in text and CANARY_HOOK not in text, path.name
    assert CANARY_TOKEN not in proc.stdout + proc.stderr
