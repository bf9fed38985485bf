"""--deep against the real test gateway stand-in: the version its handshake reports is matched
against OSV advisories, and the finding names the live gateway as its source."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import run, target
from conftest import RunningGateway
from osv_records import ADMIN_TOOLS, TOKEN_EXFIL, affected, record, write_dir

pytestmark = pytest.mark.real

TOKEN = "tok-" + uuid.uuid4().hex
ADVISORIES = (
    record(**TOKEN_EXFIL),  # fixed in 2026.1.29
    record(
        ADMIN_TOOLS["rid"], affected(introduced="2026.3.1", fixed="2026.6.5"), severity="MODERATE"
    ),
)


def deep_audit(tmp_path: Path, gw: RunningGateway, *extra: str) -> dict:  # type: ignore[type-arg]
    cfg = target(
        tmp_path,
        "sd",
        json.dumps({"gateway": {"port": gw.port, "auth": {"mode": "token", "token": TOKEN}}}),
    )
    adv = write_dir(tmp_path / "adv", *ADVISORIES)
    proc = run(
        "--json",
        "--deep",
        "--timeout",
        "3",
        "--config",
        str(cfg),
        "--advisories",
        str(adv),
        "--check",
        "gateway.*",
        "--check",
        "openclaw.*",
        *extra,
        env={"PATH": str(tmp_path / "empty-bin")},  # no installed openclaw: the live version only
    )
    assert proc.returncode == 0, proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_deep_reports_the_vulnerable_live_version(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--server-version", "2026.1.24-3")
    doc = deep_audit(tmp_path, gw)
    assert doc["deep"]["gateway"]["serverVersion"] == "2026.1.24-3"
    [finding] = [f for f in doc["findings"] if f["checkId"] == "openclaw.version.vulnerable"]
    assert doc["findings"][-1]["checkId"] == "openclaw.version.vulnerable"  # after the probes
    assert finding["severity"] == "critical"
    assert f"2026.1.24-3 from live gateway at {gw.ws_url} (serverVersion)" in finding["detail"]
    assert "GHSA-g8p2-7wf7-98mq (CVE-2026-25253)" in finding["detail"]
    assert ADMIN_TOOLS["rid"] not in finding["detail"]
    assert "Upgrade OpenClaw to 2026.1.29 or later" in finding["remediation"]


def test_deep_with_a_patched_gateway_is_clean(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--server-version", "2026.6.5")
    doc = deep_audit(tmp_path, gw)
    assert doc["deep"]["gateway"]["serverVersion"] == "2026.6.5"
    assert not [f for f in doc["findings"] if f["checkId"].startswith("openclaw.version")]


def test_a_rejected_handshake_gives_no_live_version(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway(
        "--auth", "token", "--token", "other-" + TOKEN, "--server-version", "2026.1.1"
    )
    doc = deep_audit(tmp_path, gw)
    ids = [f["checkId"] for f in doc["findings"]]
    assert "gateway.probe_failed" in ids and "openclaw.version.vulnerable" not in ids
