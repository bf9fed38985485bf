"""Hostile live targets, end to end through the real CLI (``python -m openclaw_audit --deep
--json --timeout T`` in a subprocess): a gateway that refuses, hangs, sends garbage, closes or
drops mid-handshake, drips, redirects, answers with huge bodies/frames/headers or echoes the
credential; TLS with a self-signed or pin-failing certificate; Docker endpoints that are missing,
denied, closing, non-HTTP or hung; mDNS with no usable interface.

Each case asserts: exit 0, complete JSON with every ``deep`` section, the expected finding (or
HTTP class), wall time within a bound derived from ``--timeout``, no traceback, and no canary
(``--token``, the config token, ``OPENCLAW_GATEWAY_PASSWORD``) anywhere in stdout or stderr.

All traffic stays on loopback: the gateway stand-in and every Docker stand-in listen on
127.0.0.1 or a unix socket in tmp_path, mDNS browses 127.0.0.1 only, a redirect points at a
loopback sentinel that proves it was never followed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gateway_fixture import RunningGateway
from hostile_harness import (
    CANARY_CLI_TOKEN,
    CANARY_PASSWORD,
    CANARY_TOKEN,
    Outcome,
    no_traceback,
    state_dir,
)

pytestmark = pytest.mark.real

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 0.25
# Measured on 2 cores with --timeout 0.25: 0.9-1.2 s per run (interpreter start ~0.4 s, the
# gateway probe's two timers 2 x 0.25 s with the 0.25 s mDNS window alongside). 3 s leaves
# room for a loaded CI machine and still catches a probe that ignores its timer (the global
# deadline alone would be 30 s).
WALL_BOUND_S = 3.0
SECTIONS = ("gateway", "http", "docker", "mdns")
CANARIES = (CANARY_CLI_TOKEN, CANARY_TOKEN, CANARY_PASSWORD)
# Runs the CLI and records its peak RSS (KiB) in $RSS_OUT when it exits.
RSS_WRAPPER = (
    "import atexit, os, resource, runpy, sys\n"
    "def _rss():\n"
    "    with open(os.environ['RSS_OUT'], 'w') as fh:\n"
    "        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
    "atexit.register(_rss)\n"
    "sys.argv = ['openclaw-audit', *sys.argv[1:]]\n"
    "runpy.run_module('openclaw_audit', run_name='__main__', alter_sys=True)\n"
)


@dataclass
class DeepRun:
    out: Outcome
    elapsed: float
    doc: dict[str, Any]

    @property
    def gateway(self) -> dict[str, Any]:
        return self.doc["deep"]["gateway"]

    @property
    def http(self) -> dict[str, Any]:
        return self.doc["deep"]["http"]

    @property
    def ids(self) -> list[str]:
        return [f["checkId"] for f in self.doc["findings"]]

    def detail(self, check_id: str) -> str:
        [detail] = [f["detail"] for f in self.doc["findings"] if f["checkId"] == check_id]
        return detail

    def http_classes(self) -> set[str]:
        return {e["result"] for e in self.http["endpoints"].values()}


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gateway_config(port: int, **gateway: Any) -> str:
    cfg = {"gateway": {"port": port, "auth": {"mode": "token", "token": CANARY_TOKEN}, **gateway}}
    return json.dumps(cfg)


def deep_cli(
    tmp: Path,
    config: str,
    *extra: str,
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    token: str | None = CANARY_CLI_TOKEN,
    rss_out: Path | None = None,
) -> DeepRun:
    """One real ``--deep --json`` run; asserts the invariants every hostile case shares."""
    sd = state_dir(tmp, config)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    base.update(
        {
            "HOME": str(tmp),
            "NO_COLOR": "1",
            "OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1",  # mDNS stays on loopback
            "DOCKER_HOST": f"unix://{tmp}/no-docker.sock",  # never the machine's daemon
            "OPENCLAW_GATEWAY_PASSWORD": CANARY_PASSWORD,
        }
    )
    base.update(env or {})
    args = ["--state-dir", str(sd), "--deep", "--json", "--timeout", str(timeout), *extra]
    if token is not None:
        args += ["--token", token]
    if rss_out is not None:
        base["RSS_OUT"] = str(rss_out)
        cmd = [sys.executable, "-c", RSS_WRAPPER, *args]
    else:
        cmd = [sys.executable, "-m", "openclaw_audit", *args]
    started = time.monotonic()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=base, cwd=tmp, timeout=60, check=False
    )
    elapsed = time.monotonic() - started
    out = Outcome(proc.returncode, proc.stdout, proc.stderr)
    no_traceback(out)
    assert out.code == 0, (out.code, out.stderr, out.stdout[:500])
    for canary in CANARIES:
        assert canary not in out.stdout and canary not in out.stderr, canary
    doc = json.loads(out.stdout)  # complete, valid JSON
    assert set(doc["summary"]) == {"critical", "warn", "info"}
    assert all(key in doc["deep"] for key in SECTIONS), list(doc["deep"])
    assert "audit.check_failed" not in {f["checkId"] for f in doc["findings"]}
    bound = WALL_BOUND_S + 6 * (timeout - TIMEOUT)
    assert elapsed < bound, f"{elapsed:.2f}s >= {bound:.2f}s"
    return DeepRun(out, elapsed, doc)


class Sentinel:
    """A loopback listener that counts connections: a followed redirect would land here."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def sentinel() -> Iterator[Sentinel]:
    s = Sentinel()
    yield s
    s.close()


# -- the gateway: refusing, hanging, garbage, closing, dripping ------------------------------


def test_refused(tmp_path: Path) -> None:
    port = closed_port()
    run = deep_cli(tmp_path, gateway_config(port))
    assert run.gateway["error"] == f"connect ECONNREFUSED 127.0.0.1:{port}"
    # output-ux.md §2: the URL and what happened; deep.gateway.error keeps the exact text.
    assert run.detail("gateway.probe_failed") == (
        f"ws://127.0.0.1:{port}: connection refused (nothing listens there; is the gateway "
        f"running?) [{run.gateway['error']}]"
    )
    assert run.http_classes() == {"unreachable"}
    assert not [i for i in run.ids if i.startswith("gateway.http.")]  # no verdict without data


# (gateway mode and args, expected deep.gateway.error, expected HTTP classes or None)
GATEWAY_CASES: list[tuple[tuple[str, ...], str, set[str]]] = [
    (("--mode", "hang"), "timeout", {"timeout"}),
    (
        ("--mode", "garbage"),
        "invalid WebSocket handshake: the server did not send a valid HTTP response",
        {"enforced", "not_served"},
    ),
    (
        ("--mode", "close-mid-handshake"),
        "gateway closed (1012): service restart",
        {"enforced", "not_served"},
    ),
    (("--mode", "drop-mid-handshake"), "gateway closed (1006): ", {"enforced", "not_served"}),
    # The 101 answer and every HTTP answer arrive one byte per 50 ms: far past the timer.
    (("--mode", "drip", "--delay", "0.05"), "timeout", {"timeout"}),
    (("--mode", "hang-after-hello"), "timeout", {"enforced", "not_served"}),
]


@pytest.mark.parametrize(
    ("gw_args", "error", "http_classes"),
    GATEWAY_CASES,
    ids=[c[0][1] for c in GATEWAY_CASES],
)
def test_hostile_gateway(
    tmp_path: Path,
    start_gateway: Callable[..., RunningGateway],
    gw_args: tuple[str, ...],
    error: str,
    http_classes: set[str],
) -> None:
    gw = start_gateway("--auth", "token", "--token", CANARY_CLI_TOKEN, *gw_args)
    run = deep_cli(tmp_path, gateway_config(gw.port))
    assert run.gateway["ok"] is False and run.gateway["error"] == error
    # The detail names the URL and what happened (output-ux.md §2); a timeout says how long.
    detail = run.detail("gateway.probe_failed")
    assert detail.startswith(f"{gw.ws_url}: ")
    if error == "timeout":
        assert detail.endswith("within 0.25 s")
        assert ("authenticated" in detail) == ("hang-after-hello" in gw_args)
    else:
        assert error.strip() in detail
    assert run.http_classes() == http_classes
    if "enforced" in http_classes:
        assert "gateway.http.auth_enforced" in run.ids
    else:
        assert not [i for i in run.ids if i.startswith("gateway.http.")]


@pytest.mark.parametrize(
    ("config_kw", "cli_token", "env"),
    [
        ({}, CANARY_CLI_TOKEN, {}),  # --token is echoed
        ({}, None, {}),  # the config token is echoed
        ({"auth": {"mode": "password"}}, None, {}),  # OPENCLAW_GATEWAY_PASSWORD is echoed
    ],
    ids=["cli-token", "config-token", "env-password"],
)
def test_gateway_echoing_the_credential(
    tmp_path: Path,
    start_gateway: Callable[..., RunningGateway],
    config_kw: dict[str, Any],
    cli_token: str | None,
    env: dict[str, str],
) -> None:
    gw = start_gateway("--mode", "echo-auth")
    cfg = json.loads(gateway_config(gw.port))
    cfg["gateway"].update(config_kw)
    run = deep_cli(tmp_path, json.dumps(cfg), token=cli_token, env=env)
    # Scrubbed, not dropped: the report still says what the gateway answered.
    assert run.gateway["error"] == "bad credential <redacted>"
    assert run.gateway["close"] == {"code": 1008, "reason": "rejected <redacted>"}
    assert "gateway.probe_failed" in run.ids


# -- redirects: never followed --------------------------------------------------------------


@pytest.mark.parametrize(("status", "scheme"), [(302, "http"), (307, "ws"), (308, "http")])
def test_redirect_is_not_followed(
    tmp_path: Path,
    start_gateway: Callable[..., RunningGateway],
    sentinel: Sentinel,
    status: int,
    scheme: str,
) -> None:
    target = f"{scheme}://127.0.0.1:{sentinel.port}/"
    gw = start_gateway(
        "--mode", "redirect", "--redirect-status", str(status), "--redirect-to", target
    )
    run = deep_cli(tmp_path, gateway_config(gw.port))
    assert run.gateway["error"] == (
        f"WebSocket upgrade refused: HTTP {status} redirect (not followed)"
    )
    assert run.http_classes() == {f"unknown:{status}"}
    assert not [i for i in run.ids if i.startswith("gateway.http.")]
    assert str(sentinel.port) not in run.out.stdout  # the Location is never echoed
    time.sleep(0.2)
    assert sentinel.hits == 0


# -- huge answers: bounded in memory and time -----------------------------------------------


def test_huge_body_and_frame_are_bounded(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    baseline_rss = tmp_path / "rss-baseline"
    deep_cli(tmp_path / "a", gateway_config(closed_port()), rss_out=baseline_rss)
    gw = start_gateway("--auth", "token", "--token", CANARY_CLI_TOKEN, "--mode", "huge")
    huge_rss = tmp_path / "rss-huge"
    # A roomy deadline: the stand-in serves three 64 MiB HTTP bodies from the same event loop
    # as the WebSocket frame, so at the 0.25 s floor the frame header can miss the deadline.
    run = deep_cli(tmp_path / "b", gateway_config(gw.port), rss_out=huge_rss, timeout=2.0)
    # The 64 MiB frame is refused from its header (limit 4 MiB), never buffered.
    assert run.gateway["error"] == (
        "probe closed the connection (1009): frame with 67108864 bytes exceeds limit of "
        "4194304 bytes"
    )
    assert run.gateway["close"] is None  # the gateway sent no close frame
    # The status line is all the HTTP probe reads of a 64 MiB body.
    assert run.http_classes() == {"enforced"}
    assert "gateway.http.auth_enforced" in run.ids
    grown_kib = int(huge_rss.read_text()) - int(baseline_rss.read_text())
    assert grown_kib < 24 * 1024, f"peak RSS grew by {grown_kib} KiB"


def test_endless_headers_are_bounded(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--mode", "huge-headers")
    run = deep_cli(tmp_path, gateway_config(gw.port))
    assert run.gateway["error"] == (
        "invalid WebSocket handshake: the server did not send a valid HTTP response"
    )
    assert run.http_classes() == {"unreachable"}


# -- TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A self-signed certificate for a foreign name (what a MITM would present)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=evil.example", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    import hashlib

    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    return cert, key, hashlib.sha256(der).hexdigest()


def test_loopback_self_signed_is_accepted(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway], bad_cert: tuple[Path, Path, str]
) -> None:
    """Product decision (deep-probes.md §2.7): loopback wss:// skips verification."""
    cert, key, _fp = bad_cert
    gw = start_gateway(
        "--auth", "token", "--token", CANARY_CLI_TOKEN, "--tls-cert", str(cert),
        "--tls-key", str(key),
    )  # fmt: skip
    run = deep_cli(tmp_path, gateway_config(gw.port, tls={"enabled": True}))
    assert run.gateway["ok"] is True and run.gateway["url"].startswith("wss://")
    assert run.http["credentialAccepted"] is True


def test_pin_mismatch_fails_and_yields_no_http_verdict(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway], bad_cert: tuple[Path, Path, str]
) -> None:
    cert, key, fp = bad_cert
    gw = start_gateway(
        "--auth", "token", "--token", CANARY_TOKEN, "--tls-cert", str(cert),
        "--tls-key", str(key),
    )  # fmt: skip
    wrong = "00" * 32
    assert wrong != fp
    remote = {"url": f"wss://127.0.0.1:{gw.port}", "token": CANARY_TOKEN, "tlsFingerprint": wrong}
    cfg = json.dumps({"gateway": {"mode": "remote", "remote": remote}})
    run = deep_cli(tmp_path, cfg, token=None)
    assert run.gateway["error"].startswith("TLS fingerprint mismatch")
    assert run.http_classes() == {"unreachable"}
    assert run.http["error"].startswith("TLS fingerprint mismatch")
    assert run.http["credentialAccepted"] is None
    assert not [i for i in run.ids if i.startswith("gateway.http.")]


def test_wss_to_a_plaintext_gateway(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway]
) -> None:
    gw = start_gateway("--auth", "token", "--token", CANARY_CLI_TOKEN)
    run = deep_cli(tmp_path, gateway_config(gw.port, tls={"enabled": True}))
    # The plaintext server waits for a request line that a TLS ClientHello never completes.
    assert run.gateway["error"] == "timeout"
    assert run.http_classes() == {"timeout"}


def test_ws_to_a_tls_gateway(
    tmp_path: Path, start_gateway: Callable[..., RunningGateway], bad_cert: tuple[Path, Path, str]
) -> None:
    cert, key, _fp = bad_cert
    gw = start_gateway("--tls-cert", str(cert), "--tls-key", str(key))
    run = deep_cli(tmp_path, gateway_config(gw.port))
    assert run.gateway["error"].startswith("invalid WebSocket handshake")
    assert run.http_classes() == {"unreachable"}


# -- Docker ---------------------------------------------------------------------------------


class UnixServer:
    """A unix socket standing in for a broken Docker daemon: ``close`` hangs up at once,
    ``garbage`` answers bytes that are not HTTP, ``hang`` accepts and never answers."""

    def __init__(self, path: Path, mode: str) -> None:
        self.path = path
        self.mode = mode
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(str(path))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            if self.mode == "hang":
                self.held.append(conn)
                continue
            try:
                if self.mode == "garbage":
                    conn.settimeout(1)
                    conn.recv(65536)
                    conn.sendall(b"\x00\xffNOT HTTP AT ALL\r\n\r\n")
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def unix_server(tmp_path: Path) -> Iterator[Callable[[str], UnixServer]]:
    servers: list[UnixServer] = []

    def start(mode: str) -> UnixServer:
        server = UnixServer(tmp_path / f"docker-{mode}.sock", mode)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def docker_run(tmp: Path, docker_host: str) -> DeepRun:
    return deep_cli(tmp, gateway_config(closed_port()), env={"DOCKER_HOST": docker_host})


@pytest.mark.parametrize(
    ("mode", "skipped"),
    [
        ("missing", "no Docker socket at the configured endpoint"),
        ("close", "Docker closed the connection without answering"),
        ("garbage", "the Docker endpoint did not answer with HTTP"),
    ],
)
def test_docker_unusable(
    tmp_path: Path, unix_server: Callable[[str], UnixServer], mode: str, skipped: str
) -> None:
    path = tmp_path / "missing.sock" if mode == "missing" else unix_server(mode).path
    run = docker_run(tmp_path, f"unix://{path}")
    docker = run.doc["deep"]["docker"]
    assert docker["ok"] is False and docker["timedOut"] is False
    assert docker["skipped"].startswith(skipped), docker["skipped"]
    assert docker["host"] == "DOCKER_HOST"  # the value itself is never printed
    assert str(path) not in run.out.stdout
    assert not [i for i in run.ids if i.startswith("sandbox.browser_container.")]


def test_docker_hung(tmp_path: Path, unix_server: Callable[[str], UnixServer]) -> None:
    server = unix_server("hang")
    run = docker_run(tmp_path, f"unix://{server.path}")
    docker = run.doc["deep"]["docker"]
    assert docker["timedOut"] is True and docker["skipped"] is None
    assert docker["elapsedMs"] < 1000 * (TIMEOUT + 0.5)
    detail = run.detail("sandbox.browser_container.docker_probe_timeout")
    assert f"{int(TIMEOUT * 1000)}ms" in detail


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv"
)
def test_docker_permission_denied(tmp_path: Path, unix_server: Callable[[str], UnixServer]) -> None:
    """A socket with mode 000: root is denied too once it has no DAC override capability."""
    server = unix_server("hang")
    server.path.chmod(0)
    sd = state_dir(tmp_path, gateway_config(closed_port()))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    base.update(
        HOME=str(tmp_path),
        OPENCLAW_AUDIT_MDNS_INTERFACES="127.0.0.1",
        DOCKER_HOST=f"unix://{server.path}",
    )
    started = time.monotonic()
    proc = subprocess.run(
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--",
         sys.executable, "-m", "openclaw_audit", "--state-dir", str(sd), "--deep", "--json",
         "--timeout", str(TIMEOUT)],
        capture_output=True, text=True, env=base, cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    no_traceback(Outcome(proc.returncode, proc.stdout, proc.stderr))
    assert proc.returncode == 0, proc.stderr
    docker = json.loads(proc.stdout)["deep"]["docker"]
    assert docker["skipped"].startswith("permission denied on the Docker socket"), docker
    assert server.held == []  # denied before any connection was made
    assert elapsed < WALL_BOUND_S


# -- mDNS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("iface", ["203.0.113.77", "not-an-address"])
def test_mdns_without_a_usable_interface(tmp_path: Path, iface: str) -> None:
    """No multicast route: an interface address this host does not have (TEST-NET-3, nothing
    is sent: binding fails first) or a malformed one."""
    run = deep_cli(
        tmp_path, gateway_config(closed_port()), env={"OPENCLAW_AUDIT_MDNS_INTERFACES": iface}
    )
    mdns = run.doc["deep"]["mdns"]
    assert mdns["error"].startswith("could not open the mDNS socket"), mdns
    assert iface not in mdns["error"]  # the env value is never echoed
    assert mdns["instances"] == [] and mdns["browseMs"] == 0
    assert not [i for i in run.ids if i.startswith("discovery.mdns.")]
