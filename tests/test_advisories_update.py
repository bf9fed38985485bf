"""'openclaw-audit advisories update' against real HTTP servers on loopback standing in for the
OSV API: one that answers (with pagination), one that hangs, ones that answer garbage. A
failed update is exit 2 with one line, and the previous cache stays byte for byte."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from clirun import run, run_json, target
from osv_records import ADMIN_TOOLS, TOKEN_EXFIL, affected, record

from openclaw_audit.advisories.cache import CACHE_FORMAT, cache_path

EXFIL = record(**TOKEN_EXFIL)
ADMIN = record(ADMIN_TOOLS["rid"], affected(introduced="2026.3.1", fixed="2026.6.5"))
CLAW = record("GHSA-claw", affected("clawdbot", last_affected="2026.1.24-3"), severity="LOW")

Reply = Callable[[dict[str, Any]], tuple[int, bytes]]


def osv_api(body: dict[str, Any]) -> tuple[int, bytes]:
    name = body["package"]["name"]
    if name == "openclaw" and body.get("page_token") != "p2":
        return 200, json.dumps({"vulns": [EXFIL], "next_page_token": "p2"}).encode()
    if name == "openclaw":
        return 200, json.dumps({"vulns": [ADMIN]}).encode()
    if name == "clawdbot":
        return 200, json.dumps({"vulns": [EXFIL, CLAW]}).encode()
    return 200, b"{}"


@pytest.fixture
def serve() -> Iterator[Callable[[Reply], tuple[str, list[dict[str, Any]]]]]:
    servers: list[ThreadingHTTPServer] = []

    def start(reply: Reply) -> tuple[str, list[dict[str, Any]]]:
        seen: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                seen.append({"path": self.path, "body": body})
                status, data = reply(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}", seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hanging_api() -> Iterator[str]:
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                held.append(conn)
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    for conn in held:
        conn.close()
    sock.close()


def update(tmp_path: Path, url: str, *extra: str):  # type: ignore[no-untyped-def]
    return run("advisories", "update", "--api-url", url, *extra, env=_env(tmp_path))


def _env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_update_fetches_every_package_and_page_into_the_cache(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    url, seen = serve(osv_api)
    proc = update(tmp_path, url)
    assert proc.returncode == 0, proc.stderr
    path = cache_path(_env(tmp_path))
    assert proc.stdout.startswith(f"3 OpenClaw advisories (3 records) saved to {path}, fetched ")
    assert [(r["path"], r["body"]) for r in seen] == [
        ("/v1/query", {"package": {"name": "openclaw", "ecosystem": "npm"}}),
        ("/v1/query", {"package": {"name": "openclaw", "ecosystem": "npm"}, "page_token": "p2"}),
        ("/v1/query", {"package": {"name": "clawdbot", "ecosystem": "npm"}}),
        ("/v1/query", {"package": {"name": "moltbot", "ecosystem": "npm"}}),
    ]
    doc = json.loads(path.read_text())
    assert doc["format"] == CACHE_FORMAT and doc["source"] == url
    assert [r["id"] for r in doc["records"]] == sorted([EXFIL["id"], ADMIN["id"], CLAW["id"]])
    assert doc["fetchedAt"].endswith("Z")
    # The next audit uses the cache without being told, and fetches nothing itself.
    cfg = target(tmp_path, "sd", '{meta: {lastTouchedVersion: "2026.1.24"}}')
    before = len(seen)
    code, report = run_json("--config", str(cfg), env=_env(tmp_path))
    assert code == 0 and len(seen) == before
    [finding] = [f for f in report["findings"] if f["checkId"] == "openclaw.version.vulnerable"]
    assert "GHSA-claw" in finding["detail"] and EXFIL["id"] in finding["detail"]


def _old_cache(tmp_path: Path) -> bytes:
    path = cache_path(_env(tmp_path))
    path.parent.mkdir(parents=True)
    content = b'{"format": "openclaw-audit/osv-cache", "marker": "old"}'
    path.write_bytes(content)
    return content


def _assert_failed_and_kept(tmp_path: Path, proc, old: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 2 and message in lines[0] and lines[0].startswith("error: ")
    assert lines[1] == "hint: the previous advisory cache (if any) was kept"
    assert proc.stdout == ""
    assert cache_path(_env(tmp_path)).read_bytes() == old
    assert [p.name for p in cache_path(_env(tmp_path)).parent.iterdir()] == ["osv-openclaw.json"]


def test_hanging_api_times_out_and_keeps_the_old_cache(tmp_path: Path, hanging_api: str) -> None:
    old = _old_cache(tmp_path)
    started = time.monotonic()
    proc = update(tmp_path, hanging_api, "--timeout", "1")
    assert time.monotonic() - started < 20
    _assert_failed_and_kept(tmp_path, proc, old, "did not answer within 1s")


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (lambda b: (200, b"<html>rate limited</html>"), "answered with something that is not JSON"),
        (lambda b: (200, b'["not", "a", "query", "result"]'), "did not answer with an OSV query"),
        (
            lambda b: (200, b'{"vulns": [{"no": "id"}]}'),
            "did not answer with a list of OSV records",
        ),
        (lambda b: (200, b'{"vulns": [], "next_page_token": 7}'), "bad page token"),
        (lambda b: (503, b"{}"), "answered HTTP 503"),
        (lambda b: (302, b""), "answered HTTP 302"),
    ],
)
def test_garbage_answers_are_one_line_errors(
    tmp_path: Path, serve, reply: Reply, message: str
) -> None:  # type: ignore[no-untyped-def]
    old = _old_cache(tmp_path)
    url, _ = serve(reply)
    _assert_failed_and_kept(tmp_path, update(tmp_path, url), old, message)


def test_endless_pagination_is_bounded(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    old = _old_cache(tmp_path)
    url, seen = serve(lambda b: (200, b'{"vulns": [], "next_page_token": "again"}'))
    _assert_failed_and_kept(tmp_path, update(tmp_path, url), old, "more than 50 pages")
    assert len(seen) == 50


def test_nothing_listening(tmp_path: Path) -> None:
    old = _old_cache(tmp_path)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = update(tmp_path, f"http://127.0.0.1:{port}")
    _assert_failed_and_kept(tmp_path, proc, old, "cannot reach the OSV API")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://192.0.2.1", "refusing plain http:// to a non-loopback OSV API"),
        ("ftp://127.0.0.1", "must be an https:// URL"),
        ("https://user:secret@127.0.0.1", "must not carry credentials"),
    ],
)
def test_unsafe_urls_are_refused_before_any_connection(
    tmp_path: Path, url: str, message: str
) -> None:
    old = _old_cache(tmp_path)
    proc = update(tmp_path, url)
    _assert_failed_and_kept(tmp_path, proc, old, message)
    assert "secret" not in proc.stderr


def test_api_url_from_the_environment(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    url, seen = serve(osv_api)
    env = {**_env(tmp_path), "OPENCLAW_AUDIT_OSV_API_URL": url}
    proc = run("advisories", "update", env=env)
    assert proc.returncode == 0, proc.stderr
    assert len(seen) == 4
