"""The SSH tunnel behind ``gateway.remote.transport: "ssh"`` (trust.md §5).

As upstream does, the system ``ssh`` client forwards to the gateway on the SSH host's own
loopback (``-N -L``, ``BatchMode``, strict host keys, ``ExitOnForwardFailure``). Unlike
upstream, our end of the forward is a Unix socket in a private (0700) directory rather than a
TCP port on 127.0.0.1: another local process cannot bind it first and receive the credential.
The tunnel lives for one probe, is bounded by the probe's deadline and is torn down afterwards
(the ssh process is ended by its own PID). If it cannot be opened nothing is sent.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from anyio.abc import Process

from openclaw_audit.probes.gateway_target import SshRoute
from openclaw_audit.textsafe import one_line

# Only these locations: a ``ssh`` earlier on PATH (a writable directory, ``.``) must never
# receive the credential's route.
SSH_CLIENTS: tuple[str, ...] = (
    "/usr/bin/ssh",
    "/bin/ssh",
    "/usr/local/bin/ssh",
    "/opt/homebrew/bin/ssh",
)
POLL_S = 0.05
STOP_GRACE_S = 1.0
MAX_STDERR = 4096


class TunnelError(Exception):
    """The tunnel could not be opened; the message is safe to show."""


def find_ssh() -> str | None:
    for path in SSH_CLIENTS:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def ssh_command(ssh: str, route: SshRoute, local_socket: str, timeout: float) -> list[str]:
    """The argv: options first, ``--`` before the destination (no option injection)."""
    args = [
        ssh,
        "-N",
        "-T",
        "-L",
        f"{local_socket}:127.0.0.1:{route.remote_port}",
        "-p",
        str(route.port),
        "-o",
        "BatchMode=yes",  # never prompt for a password or a host key
        "-o",
        "StrictHostKeyChecking=yes",  # an unknown host key is a failure, not a question
        "-o",
        "ExitOnForwardFailure=yes",
        "-o",
        f"ConnectTimeout={max(1, math.ceil(timeout))}",
        "-o",
        "ServerAliveInterval=15",
        "-o",
        "ServerAliveCountMax=3",
        "-o",
        "PermitLocalCommand=no",
        "-o",
        "StreamLocalBindUnlink=yes",
    ]
    if route.identity:
        args += ["-o", "IdentitiesOnly=yes", "-i", route.identity]
    args += ["--", route.destination]
    return args


async def _stderr_text(proc: Process) -> str:
    if proc.stderr is None:
        return ""
    data = b""
    with anyio.move_on_after(0.5):
        with contextlib.suppress(Exception):
            while len(data) < MAX_STDERR:
                chunk = await proc.stderr.receive(MAX_STDERR)
                if not chunk:
                    break
                data += chunk
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    # The last line is ssh's own verdict ("Host key verification failed.", "Permission denied").
    return one_line(lines[-1][:300]) if lines else ""


def _listening(path: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.settimeout(0.2)
            probe.connect(path)
            return True
        except OSError:
            return False


async def _stop(proc: Process) -> None:
    with anyio.CancelScope(shield=True):
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            with anyio.move_on_after(STOP_GRACE_S):
                await proc.wait()
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                with anyio.move_on_after(STOP_GRACE_S):
                    await proc.wait()
        with contextlib.suppress(Exception):
            await proc.aclose()


@contextlib.asynccontextmanager
async def open_tunnel(route: SshRoute, timeout: float) -> AsyncIterator[str]:
    """Yield the path of a Unix socket that reaches the gateway through ``route``."""
    if sys.platform == "win32":
        raise TunnelError("SSH tunnels are not supported on Windows by this tool")
    ssh = find_ssh()
    if ssh is None:
        raise TunnelError("no ssh client found in the system directories (install OpenSSH)")
    workdir = tempfile.mkdtemp(prefix="openclaw-audit-ssh-")  # 0700: only we can bind here
    path = str(Path(workdir) / "gw.sock")
    proc: Process | None = None
    try:
        try:
            proc = await anyio.open_process(
                ssh_command(ssh, route, path, timeout),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # no controlling terminal: ssh cannot prompt
            )
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise TunnelError(f"could not start ssh: {why}") from None
        with anyio.move_on_after(timeout) as waiting:
            while not _listening(path):
                if proc.returncode is not None:
                    break
                await anyio.sleep(POLL_S)
        if proc.returncode is not None:
            reason = await _stderr_text(proc)
            raise TunnelError(
                f"ssh exited with status {proc.returncode}" + (f": {reason}" if reason else "")
            )
        if waiting.cancelled_caught:
            raise TunnelError(f"timeout: the tunnel was not up within {timeout:g}s")
        yield path
    finally:
        if proc is not None:
            await _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def describe_route(route: SshRoute) -> str:
    return f"ssh {route.destination}" + (f" -p {route.port}" if route.port != 22 else "")
