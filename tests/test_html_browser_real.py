"""The HTML report opened in a real headless browser (Debian's chromium), when one is installed.

The browser loads the file from disk, with every network request sent to a loopback "proxy"
that records each request line: the page must show its summary and findings and request
nothing (the browser's own update and clock requests aside).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import html5lib
import pytest
from test_html_report import HOSTILE, NS, render, sample_report

from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.report.targets import TargetResult

pytestmark = pytest.mark.real

BROWSER_OWN = re.compile(
    r"^\S+ (?:https?://)?[a-z0-9.-]*\.(?:google|googleapis|gstatic|gvt1|gvt2)\.com[:/ ]"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Recorder:
    """A TCP listener on loopback that counts who connects (the browser's only way out)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    head = conn.recv(4096).split(b"\r\n", 1)[0]
                except OSError:
                    head = b""
            self.requests.append(head.decode("latin-1"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")
def test_chromium_renders_summary_and_findings(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    rep = sample_report()
    # A finding whose title would fetch and run things if it were not escaped.
    hostile = Finding("gateway.x", Severity.WARN, HOSTILE[4] + HOSTILE[1], "d")
    rep = replace(rep, findings=(*rep.findings, hostile))
    page = tmp_path / "report.html"
    page.write_text(render([TargetResult("/s/openclaw.json", rep)]), encoding="utf-8")
    recorder = Recorder()
    try:
        proc = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                f"--user-data-dir={tmp_path / 'profile'}",
                f"--proxy-server=http://127.0.0.1:{recorder.port}",
                "--proxy-bypass-list=<-loopback>",
                "--virtual-time-budget=2000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    finally:
        recorder.close()
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = html5lib.parse(proc.stdout)
    text = "".join(dom.itertext())
    cards = [
        "".join(c.itertext())
        for c in dom.iter(f"{NS}div")
        if (c.get("class") or "").split()[:1] == ["card"]
    ]
    assert cards == ["2critical", "3warn", "1info", "1suppressed", "1expired suppressions"]
    for title in ("Gateway open", "Token short", "State dir open", HOSTILE[4] + HOSTILE[1]):
        assert title in text
    assert not list(dom.iter(f"{NS}script")) and not list(dom.iter(f"{NS}img"))
    # Chromium's own service traffic (clock, updater, accounts) also comes through the proxy.
    assert [r for r in recorder.requests if not BROWSER_OWN.search(r)] == []
