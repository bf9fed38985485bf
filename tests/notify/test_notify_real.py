"""Notifications to real receivers on loopback: a webhook that answers, one that hangs, one
that answers 500; a real command reading the drift on stdin, and one that hangs. Nothing is
sent when nothing qualifies, and no secret reaches the database or any notification."""

from __future__ import annotations

import json
import socket
import sqlite3
import ssl
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from clirun import CALM, RISKY, run, target

pytestmark = pytest.mark.real

CANARY_TOKEN = "CANARY-notify-token-4b8d2f6a1c3e5a7b9d0f"
CANARY_CLI = "CANARY-notify-cli-9e7c5a3b1d2f4a6c8e0b"
CANARY_HOOK_PATH = "CANARY-hook-path-2c4e6a8b0d1f3a5c7e9b"


class Receiver:
    def __init__(self, status: int, tls: ssl.SSLContext | None = None) -> None:
        self.bodies: list[bytes] = []
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                outer.bodies.append(self.rfile.read(length))
                outer.paths.append(self.path)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook/{CANARY_HOOK_PATH}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(204)
    yield r
    r.close()


@pytest.fixture
def failing_receiver() -> Iterator[Receiver]:
    r = Receiver(500)
    yield r
    r.close()


@pytest.fixture
def hanging_url() -> Iterator[str]:
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    sock.close()


@pytest.fixture
def trickling_url() -> Iterator[str]:
    """Answers one header byte every 0.1 s, forever: no single read ever times out."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    while not stop.is_set():
                        conn.sendall(b"X")
                        stop.wait(0.1)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    stop.set()
    thread.join(timeout=5)
    sock.close()


def audit(cfg: Path, db: Path, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return run("--config", str(cfg), "--history", str(db), *extra, env=env)


def test_webhook_gets_the_drift_then_nothing_when_nothing_changed(
    tmp_path: Path, receiver: Receiver
) -> None:
    db, cfg = tmp_path / "h.db", target(tmp_path, "gw", RISKY)
    proc = audit(cfg, db, "-q", "--notify-webhook", receiver.url)
    assert proc.returncode == 0 and proc.stderr == ""
    [body] = receiver.bodies
    doc = json.loads(body)
    assert doc["target"] == str(cfg) and doc["run"] == 1
    assert {f["checkId"] for f in doc["new"]} >= {"gateway.token_too_short"}
    assert all(set(f) == {"checkId", "severity", "title", "fingerprint"} for f in doc["new"])
    assert doc["summary"]["new"] == len(doc["new"]) and doc["summary"]["critical"] == 1
    assert doc["escalated"] == doc["resolved"] == doc["probeFailed"] == []
    # The same config again: nothing new, nothing sent.
    assert audit(cfg, db, "-q", "--notify-webhook", receiver.url).returncode == 0
    assert len(receiver.bodies) == 1
    # Fixed findings are no news by default; with resolved they are.
    cfg.write_text(CALM)
    assert audit(cfg, db, "-q", "--notify-webhook", receiver.url).returncode == 0
    assert len(receiver.bodies) == 2  # CALM brings a finding RISKY did not have
    cfg.write_text(RISKY)
    audit(cfg, db, "-q")
    cfg.write_text(CALM)
    assert (
        audit(cfg, db, "-q", "--notify-webhook", receiver.url, "--notify-on", "resolved").returncode
        == 0
    )
    resolved = json.loads(receiver.bodies[-1])
    assert len(receiver.bodies) == 3 and resolved["resolved"]


def test_a_hanging_or_failing_webhook_is_a_warning_only(
    tmp_path: Path, hanging_url: str, failing_receiver: Receiver
) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    proc = audit(
        cfg, tmp_path / "a.db", "--notify-webhook", hanging_url, "--notify-timeout", "0.5",
        "--fail-on", "critical",
    )  # fmt: skip
    assert proc.returncode == 1  # the --fail-on verdict, untouched by the notification
    assert "warning: --notify-webhook http://127.0.0.1:" in proc.stderr
    assert "no answer within 0.5 s" in proc.stderr
    proc = audit(cfg, tmp_path / "b.db", "--notify-webhook", failing_receiver.url)
    assert proc.returncode == 0 and len(failing_receiver.bodies) == 1
    assert "answered HTTP 500" in proc.stderr
    assert CANARY_HOOK_PATH not in proc.stderr  # the webhook's path may be its secret


def test_a_trickling_webhook_is_cut_off_at_the_timeout(tmp_path: Path, trickling_url: str) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    proc = audit(
        cfg, tmp_path / "h.db", "--notify-webhook", trickling_url, "--notify-timeout", "0.5"
    )
    assert proc.returncode == 0
    assert "no answer within 0.5 s" in proc.stderr


def test_the_webhook_verifies_tls(tmp_path: Path) -> None:
    """A receiver whose certificate is not trusted gets nothing; trusted, it gets the drift."""
    from gateway_fixture import make_cert

    cert = make_cert(tmp_path, "receiver")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert, cert.key)
    r = Receiver(204, tls=context)
    try:
        url = f"https://localhost:{r.server.server_address[1]}/hook"
        cfg = target(tmp_path, "gw", RISKY)
        proc = audit(cfg, tmp_path / "a.db", "--notify-webhook", url)
        assert proc.returncode == 0
        assert "warning: --notify-webhook https://localhost:" in proc.stderr
        assert "request failed" in proc.stderr and r.bodies == []
        # The same receiver, its certificate trusted: delivered.
        proc = audit(
            cfg, tmp_path / "b.db", "--notify-webhook", url, env={"SSL_CERT_FILE": str(cert.cert)}
        )
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert len(r.bodies) == 1
    finally:
        r.close()


def test_notify_cmd_gets_the_drift_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, sys\n"
        "doc = json.load(sys.stdin)\n"
        f"open({str(out)!r}, 'w').write(json.dumps(doc))\n"
    )
    cfg = target(tmp_path, "gw", RISKY)
    cmd = f"{sys.executable} {script}"
    proc = audit(cfg, tmp_path / "h.db", "--notify-cmd", cmd)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["run"] == 1 and doc["new"] and doc["summary"]["new"] == len(doc["new"])
    out.unlink()
    assert audit(cfg, tmp_path / "h.db", "--notify-cmd", cmd).returncode == 0
    assert not out.exists()  # nothing qualified
    assert (
        audit(cfg, tmp_path / "h.db", "--notify-cmd", cmd, "--notify-on", "always").returncode == 0
    )
    assert json.loads(out.read_text())["new"] == []


def test_a_hanging_or_failing_command_is_a_warning_only(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    hang = f"{sys.executable} -c 'import time; time.sleep(60)'"
    proc = audit(cfg, tmp_path / "a.db", "--notify-cmd", hang, "--notify-timeout", "0.5")
    assert proc.returncode == 0
    assert "did not finish within 0.5 s; stopped" in proc.stderr
    fail = f"{sys.executable} -c 'import sys; sys.stderr.write(\"boom\"); sys.exit(3)'"
    proc = audit(cfg, tmp_path / "b.db", "--notify-cmd", fail)
    assert proc.returncode == 0 and "exited with 3: boom" in proc.stderr
    proc = audit(cfg, tmp_path / "c.db", "--notify-cmd", str(tmp_path / "no-such-program"))
    assert proc.returncode == 0 and "cannot run" in proc.stderr


def test_baseline_without_history_notifies_new_findings(tmp_path: Path, receiver: Receiver) -> None:
    cfg = target(tmp_path, "gw", CALM)
    base = tmp_path / "base.json"
    assert run("--json", "--config", str(cfg), "--output", str(base)).returncode == 0
    args = ("--config", str(cfg), "--baseline", str(base), "--notify-webhook", receiver.url)
    assert run(*args).returncode == 0 and receiver.bodies == []
    cfg.write_text(RISKY)
    assert run(*args).returncode == 0
    [body] = receiver.bodies
    doc = json.loads(body)
    assert doc["run"] is None and "gateway.token_too_short" in {f["checkId"] for f in doc["new"]}


def test_canaries_never_reach_the_database_or_notifications(
    tmp_path: Path, receiver: Receiver
) -> None:
    config = json.dumps(
        {
            "gateway": {"bind": "lan", "auth": {"mode": "token", "token": CANARY_TOKEN}},
            "channels": {"telegram": {"botToken": CANARY_TOKEN + "-bot", "dmPolicy": "open"}},
        }
    )
    cfg = target(tmp_path, "gw", config)
    got = tmp_path / "stdin.json"
    db = tmp_path / "h.db"
    script = tmp_path / "hook.py"
    script.write_text(f"import sys\nopen({str(got)!r}, 'w').write(sys.stdin.read())\n")
    cmd = f"{sys.executable} {script}"
    proc = audit(
        cfg, db, "--deep", "--timeout", "0.25", "--token", CANARY_CLI, "--notify-cmd", cmd,
        "--notify-webhook", receiver.url, "--notify-on", "always",
        env={"OPENCLAW_GATEWAY_PORT": "9"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))
    [body] = receiver.bodies
    assert got.exists(), proc.stderr
    assert json.loads(got.read_text()) == json.loads(body)
    assert b"gateway" in stored  # findings were recorded
    for canary in (CANARY_TOKEN, CANARY_CLI, CANARY_HOOK_PATH):
        assert canary.encode() not in stored
        assert canary.encode() not in body
        assert canary not in proc.stdout and canary not in proc.stderr


def test_a_probe_that_passed_and_now_fails_notifies(tmp_path: Path, start_gateway) -> None:  # type: ignore[no-untyped-def]
    token = "probe-token-" + "7" * 40
    gw = start_gateway("--auth", "token", "--token", token)
    config = {
        "gateway": {
            "mode": "local",
            "bind": "loopback",
            "port": gw.port,
            "auth": {"mode": "token", "token": token},
        }
    }
    cfg = target(tmp_path, "gw", json.dumps(config))
    got = tmp_path / "got.json"
    hook = tmp_path / "hook.py"
    hook.write_text(f"import sys\nopen({str(got)!r}, 'w').write(sys.stdin.read())\n")
    args = (
        "--deep", "--timeout", "2", "--notify-cmd", f"{sys.executable} {hook}",
        "--notify-on", "probe-failed",
    )  # fmt: skip
    db = tmp_path / "h.db"
    assert audit(cfg, db, *args).returncode == 0
    assert not got.exists()  # new findings, but only probe failures were asked for
    gw.proc.kill()
    gw.proc.wait(timeout=5)
    assert audit(cfg, db, *args).returncode == 0
    doc = json.loads(got.read_text())
    assert "gateway" in {p["probe"] for p in doc["probeFailed"]}
    assert all(p["error"] and token not in p["error"] for p in doc["probeFailed"])
    outcomes = dict(
        sqlite3.connect(db).execute("SELECT probe, outcome FROM run_probes WHERE run_id = 1")
    )
    assert outcomes["gateway"] == "ok"
