"""The real test gateway (``python -m fixtures.test_gateway``) as a pytest fixture, shared by
the probe tests and the hostile battery."""

from __future__ import annotations

import hashlib
import os
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@dataclass
class RunningGateway:
    port: int
    proc: subprocess.Popen[str]
    tls: bool = False

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def log(self) -> list[dict]:
        import httpx

        scheme = "https" if self.tls else "http"
        url = f"{scheme}://127.0.0.1:{self.port}/__log"
        return httpx.get(url, timeout=5, verify=False, trust_env=False).json()


@pytest.fixture
def start_gateway() -> Iterator[Callable[..., RunningGateway]]:
    """Start ``python -m fixtures.test_gateway`` on a free loopback port; killed at teardown."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> RunningGateway:
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        proc = subprocess.Popen(
            [sys.executable, "-m", "fixtures.test_gateway", "--port", "0", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(f"test gateway did not start (got {line!r})")
        return RunningGateway(port=int(line), proc=proc, tls="--tls-cert" in args)

    yield start
    for proc in started:
        proc.kill()
        proc.wait(timeout=5)


@dataclass
class Cert:
    """A self-signed certificate for localhost, its key and its SHA-256 pin."""

    cert: Path
    key: Path
    sha256: str


def make_cert(tmp_path: Path, name: str) -> Cert:
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"openssl unavailable: {exc}")
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    return Cert(cert, key, hashlib.sha256(der).hexdigest())
