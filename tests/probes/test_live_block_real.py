"""The LIVE PROBES block, failure details and the live-evidence annotation against the real
test gateway on loopback (open, enforced, hung, refusing, rejecting), through the real CLI."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import run, target
from gateway_fixture import REPO, RunningGateway

from openclaw_audit.engine.audit import run_audit
from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.render.live_probes import HEADING
from openclaw_audit.report.fingerprint import fingerprint

pytestmark = pytest.mark.real

TOKEN = "CANARYliveTok-5f4e3d2c1b0a9f8e7d6c"
LOOPBACK_MDNS = {"OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1"}


def config(port: int, auth: str = f'{{mode: "token", token: "{TOKEN}"}}') -> str:
    return f'{{gateway: {{port: {port}, bind: "loopback", auth: {auth}}}}}'


def block_of(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = lines.index(HEADING)
    end = lines.index("", start)
    return lines[start + 1 : end]


def row(block: list[str], name: str) -> str:
    [found] = [line for line in block if line.startswith(f"  {name} ")]
    return found


def outcome(block: list[str], name: str) -> str:
    return row(block, name)[11:21].strip()


def deep_text(cfg: Path, *args: str, env: dict[str, str] | None = None) -> tuple[list[str], str]:
    proc = run(
        "--config", str(cfg), "--deep", "--skip-probe", "docker,mdns", *args,
        env={**LOOPBACK_MDNS, **(env or {})},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return block_of(proc.stdout), proc.stdout


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_enforced_gateway_with_the_right_token(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--server-version", "2026.9.6")
    block, out = deep_text(target(tmp_path, "sd", config(gw.port)))
    assert outcome(block, "gateway") == "ok"
    gateway = row(block, "gateway")
    assert f"ws://127.0.0.1:{gw.port} (local loopback) · hello ok in " in gateway
    assert "server 2026.9.6 · protocol 3 · scopes operator.read · timeout 5000 ms" in gateway
    assert outcome(block, "http") == "enforced"
    http = row(block, "http")
    assert f"http://127.0.0.1:{gw.port} · POST /tools/invoke → 401 enforced" in http
    assert http.endswith("credential accepted")
    assert row(block, "docker").split()[1:] == [
        "skipped",
        "left",
        "out",
        "by",
        "--probe/--skip-probe",
    ]
    assert outcome(block, "mdns") == "skipped"
    assert TOKEN not in out


def test_open_gateway(tmp_path: Path, start_gateway: Callable[..., RunningGateway]) -> None:
    gw = start_gateway("--auth", "none", "--endpoints", "tools,chat")
    block, _ = deep_text(target(tmp_path, "sd", config(gw.port, '{mode: "none"}')))
    assert outcome(block, "gateway") == "ok"
    assert outcome(block, "http") == "open"
    assert "POST /tools/invoke → 400 open · POST /v1/chat/completions → 400 open" in row(
        block, "http"
    )


def test_hung_gateway_times_out_and_says_where(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--mode", "hang")
    block, out = deep_text(target(tmp_path, "sd", config(gw.port)), "--timeout", "0.5")
    assert outcome(block, "gateway") == "timed out"
    assert "error: timeout · timeout 500 ms" in row(block, "gateway")
    assert outcome(block, "http") == "timed out"
    assert f"  ws://127.0.0.1:{gw.port}: no answer within 0.5 s" in out.splitlines()


def test_refused_and_rejected_say_what_happened(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    port = closed_port()
    block, out = deep_text(target(tmp_path, "refused", config(port)), "--timeout", "0.5")
    assert outcome(block, "gateway") == "failed" and outcome(block, "http") == "failed"
    assert f"  ws://127.0.0.1:{port}: connection refused (nothing listens there" in out

    gw = start_gateway("--auth", "token", "--token", "the-gateway-has-another-token-1234")
    block, out = deep_text(target(tmp_path, "rejected", config(gw.port)))
    assert outcome(block, "gateway") == "failed"
    assert outcome(block, "http") == "enforced" and "credential rejected" in row(block, "http")
    assert (
        f"  ws://127.0.0.1:{gw.port}: token rejected (gateway: unauthorized: gateway token " in out
    )


def test_no_secret_reaches_the_block(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    """Canary: a gateway that echoes the credential in its version, errors and close reason."""
    gw = start_gateway("--auth", "token", "--token", TOKEN, "--server-version", f"v-{TOKEN}")
    cfg = target(tmp_path, "sd", config(gw.port))
    block, out = deep_text(cfg)
    assert "server v-<redacted> · protocol 3" in row(block, "gateway")
    assert TOKEN not in out

    echo = start_gateway("--auth", "token", "--token", "x" * 40, "--mode", "echo-auth")
    cfg = target(tmp_path, "echo", config(echo.port))
    block, out = deep_text(cfg)
    assert outcome(block, "gateway") == "failed"
    assert "bad credential" in row(block, "gateway")  # the echoed error is shown...
    assert TOKEN not in out  # ...without the credential it echoed
    proc = run("--config", str(cfg), "--deep", "--skip-probe", "docker,mdns", "--json",
               env=LOOPBACK_MDNS)  # fmt: skip
    assert TOKEN not in proc.stdout + proc.stderr


def _audit(cfg: Path, deep: bool) -> dict[str, tuple[str, str, str]]:
    env = {"HOME": str(cfg.parent), **LOOPBACK_MDNS}
    opts = AuditOptions(config_path=str(cfg), state_dir=str(cfg.parent), env=env, deep=deep,
                        probes=frozenset({"gateway", "http"}))  # fmt: skip
    report = run_audit(opts).report
    return {f.check_id: (f.severity.value, fingerprint(f), f.detail) for f in report.findings}


def test_static_finding_contradicted_by_live_evidence(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    cfg = target(tmp_path, "sd", config(gw.port, '{mode: "token", token: "${GW_TOKEN_UNSET}"}'))
    static, live = _audit(cfg, deep=False), _audit(cfg, deep=True)
    hint = f"${{GW_TOKEN_UNSET}} is unset in this environment (gateway.auth.token); put it in {cfg.parent}/.env or pass --token-file."
    evidence = (
        f"Live evidence contradicts this: the running gateway at http://127.0.0.1:{gw.port} "
        "refused an unauthenticated POST /tools/invoke (401), so it does enforce auth"
    )
    for cid in ("gateway.loopback_no_auth", "gateway.http.no_auth"):
        sev, fp, detail = live[cid]
        assert (sev, fp) == static[cid][:2]  # same id, severity and identity
        assert static[cid][2].endswith(hint) and evidence not in static[cid][2]
        assert evidence in detail and detail.endswith(hint)
        assert detail.index(evidence) < detail.index(hint)
    # The probe's own failure names the unset variable too; it is live, not contradicted.
    probe_failed = live["gateway.probe_failed"][2]
    assert probe_failed.startswith(f"ws://127.0.0.1:{gw.port}: no credential was sent")
    assert probe_failed.endswith(hint) and "Live evidence" not in probe_failed


def test_no_contradiction_when_the_gateway_is_open(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "none", "--endpoints", "tools")
    cfg = target(tmp_path, "sd", config(gw.port, '{mode: "token", token: "${GW_TOKEN_UNSET}"}'))
    detail = _audit(cfg, deep=True)["gateway.loopback_no_auth"][2]
    assert "Live evidence" not in detail and "${GW_TOKEN_UNSET} is unset" in detail


# -- progress on a terminal ------------------------------------------------------------------


def _run_on_pty(args: list[str], env: dict[str, str]) -> tuple[bytes, str, int]:
    """stderr on a pseudo-terminal (read as a terminal would see it), stdout on a pipe."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openclaw_audit", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, cwd=REPO, env=env,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    return seen, out, proc.wait(10)


def test_rows_fill_in_on_a_tty_and_are_gone_when_done(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    pyte = pytest.importorskip("pyte")
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    cfg = target(tmp_path, "sd", config(gw.port))
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
    env = {**base, **LOOPBACK_MDNS, "PYTHONPATH": str(REPO)}
    seen, out, code = _run_on_pty(
        ["--config", str(cfg), "--deep", "--skip-probe", "docker", "--timeout", "1"], env
    )
    assert code == 0
    drawn = seen.decode(errors="replace")
    for name in ("gateway", "http", "mdns"):
        assert name in drawn  # a row was drawn for each probe that ran...
    assert "finished in" in drawn  # ...and filled in as it finished
    assert "docker" not in drawn  # skipped: no row
    screen = pyte.Screen(160, 40)
    pyte.ByteStream(screen).feed(seen.replace(b"\n", b"\r\n"))
    assert [line for line in screen.display if line.strip()] == []  # erased when done
    assert HEADING in out  # the report itself is on stdout


def test_off_a_tty_nothing_extra_on_stderr(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", TOKEN)
    cfg = target(tmp_path, "sd", config(gw.port))
    proc = run("--config", str(cfg), "--deep", "--skip-probe", "docker,mdns", env=LOOPBACK_MDNS)
    assert proc.returncode == 0 and proc.stderr == ""
    assert HEADING in proc.stdout
