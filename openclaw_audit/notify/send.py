"""Delivering the drift JSON: ``--notify-cmd`` (a subprocess, no shell) and
``--notify-webhook`` (an HTTPS POST). Each is bounded by a timeout; each failure is returned as
a one-line warning, never raised, and never names the webhook's path (it is often the secret).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shlex
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit

from openclaw_audit.errors import UsageError
from openclaw_audit.notify.payload import DEFAULT_TIMEOUT_S

_STDERR_TAIL = 300  # characters of a failing command's stderr quoted in the warning


@dataclass(frozen=True)  # not slotted: built once per run, cheaper to define
class Notifier:
    command: tuple[str, ...] = ()
    webhook: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S

    @property
    def enabled(self) -> bool:
        return bool(self.command or self.webhook)


def parse_command(text: str) -> tuple[str, ...]:
    try:
        argv = tuple(shlex.split(text))
    except ValueError as exc:
        raise UsageError(f"--notify-cmd cannot be split into arguments: {exc}") from None
    if not argv:
        raise UsageError("--notify-cmd is empty")
    return argv


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook(url: str, *, insecure: bool) -> str:
    """A URL we may POST to: https anywhere; plain http only to loopback or with
    ``--notify-insecure`` (the drift would cross the network in the clear)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        raise UsageError("--notify-webhook is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError("--notify-webhook must be an http(s) URL with a host")
    if parts.scheme == "http" and not insecure and not is_loopback(host):
        raise UsageError(
            f"--notify-webhook: plain http to {host} would send the drift unencrypted; "
            "use https, or pass --notify-insecure"
        )
    return url


def where(url: str) -> str:
    """scheme://host[:port] of a webhook: what warnings may name."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}"


def send(notifier: Notifier, body: str) -> list[str]:
    """Deliver ``body``; return the warnings (empty when every delivery succeeded)."""
    warnings: list[str] = []
    if notifier.command:
        problem = run_command(notifier.command, body, notifier.timeout)
        if problem:
            warnings.append(f"--notify-cmd: {problem}")
    if notifier.webhook:
        problem = post_webhook(notifier.webhook, body, notifier.timeout)
        if problem:
            warnings.append(f"--notify-webhook {where(notifier.webhook)}: {problem}")
    return warnings


def run_command(argv: tuple[str, ...], body: str, timeout: float) -> str | None:
    """Run the command with ``body`` on stdin; None on exit 0, else why it failed. The command
    runs in its own session so that a timeout kills it and anything it started."""
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,  # stdout carries the report
                stderr=err,
                start_new_session=True,
            )
        except OSError as exc:
            return f"cannot run {argv[0]}: {exc.strerror or type(exc).__name__}"
        try:
            proc.communicate(body.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return f"{argv[0]} did not finish within {timeout:g} s; stopped"
        if proc.returncode == 0:
            return None
        err.seek(0)
        tail = err.read()[-_STDERR_TAIL:].decode("utf-8", "replace").strip()
        code = proc.returncode
        what = f"killed by signal {-code}" if code < 0 else f"exited with {code}"
        return f"{argv[0]} {what}" + (f": {tail}" if tail else "")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    killpg = getattr(os, "killpg", None)  # POSIX: the command and whatever it started
    if killpg is not None:
        with contextlib.suppress(OSError):
            killpg(proc.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(timeout=5)
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()


def post_webhook(url: str, body: str, timeout: float) -> str | None:
    """POST ``body`` (TLS verified, no redirects); None on a 2xx answer, else the problem.

    httpx's timeout bounds each read, not the whole exchange, so a receiver that trickles its
    answer a byte at a time could hold the run forever: the request runs in a daemon thread
    and the run waits for it at most ``timeout`` seconds in all."""
    import threading

    outcome: list[str | None] = []
    worker = threading.Thread(
        target=lambda: outcome.append(_post(url, body, timeout)), name="notify-webhook", daemon=True
    )
    worker.start()
    worker.join(timeout)
    if not outcome:
        return f"no answer within {timeout:g} s"
    return outcome[0]


def _post(url: str, body: str, timeout: float) -> str | None:
    import httpx  # only when a webhook is configured

    try:
        with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False) as client:
            response = client.post(
                url,
                content=body.encode("utf-8"),
                headers={"content-type": "application/json", "user-agent": "openclaw-audit"},
            )
    except httpx.TimeoutException:
        return f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return f"request failed ({type(exc).__name__})"
    except Exception as exc:  # the thread must always report back
        return f"request failed ({type(exc).__name__})"
    if 200 <= response.status_code < 300:
        return None
    return f"answered HTTP {response.status_code}"
