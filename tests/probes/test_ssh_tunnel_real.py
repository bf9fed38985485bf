"""``gateway.remote.transport: "ssh"`` against a real sshd (trust.md §5).

The test builds a network namespace joined to the host by a veth pair, runs a real ``sshd`` and
the test gateway inside it (the gateway on the namespace's own loopback, reachable only through
SSH) and a trap on the namespace's veth address at the gateway port, which records every byte
a plaintext connection would carry. The audit runs as a real CLI process in a private mount
namespace whose home directory is a temp dir, so the system ``ssh`` client sees the test's
``known_hosts`` and nothing of the machine's own ``~/.ssh`` is read or written.

Needs root, ``ip``, ``unshare``, ``sshd`` and ``ssh`` (``.ci/run`` installs openssh-server and
openssh-client); skipped cleanly otherwise.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from builders import make_ctx
from openclaw_audit.probes.base import ProbeOptions
from openclaw_audit.probes.gateway_probe import PROBE as GATEWAY
from openclaw_audit.probes.gateway_target import SshRoute, parse_ssh_target, resolve_target
from openclaw_audit.probes.http_probe import PROBE as HTTP
from openclaw_audit.probes.runner import run_probes
from openclaw_audit.probes.ssh_tunnel import ssh_command

TOKEN = "tok-" + uuid.uuid4().hex
GW_PORT = 18789
SSH_PORT = 2222
TRAP = r"""
import socket, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(16)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.settimeout(1.0)
    data = b""
    try:
        while chunk := c.recv(65536):
            data += chunk
    except OSError:
        pass
    with open(out, "ab") as f:
        f.write(data or b"<connection>")
    c.close()
"""


def _needs_netns() -> None:
    if sys.platform != "linux":
        pytest.skip("needs Linux network namespaces")
    if os.geteuid() != 0:
        pytest.skip("needs root: builds a network namespace with a private sshd")
    for tool in ("ip", "unshare", "mount", "ssh-keygen"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool}")
    if not Path("/usr/sbin/sshd").exists() or not Path("/usr/bin/ssh").exists():
        pytest.skip("needs openssh-server and openssh-client (installed by .ci/run)")


def _sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


@dataclass
class SshWorld:
    ns: str
    addr: str  # the namespace's veth address: sshd, and the trap at the gateway port
    dir: Path
    trap_log: Path
    user_key: Path
    known_hosts_line: str

    def gateway_log(self) -> list[dict[str, Any]]:
        code = (
            "import urllib.request,sys;"
            f"sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:{GW_PORT}/__log',"
            "timeout=5).read().decode())"
        )
        out = _sh("ip", "netns", "exec", self.ns, sys.executable, "-c", code)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def trapped(self) -> bytes:
        return self.trap_log.read_bytes() if self.trap_log.exists() else b""


def _wait_port(addr: str, port: int, proc: subprocess.Popen[Any], what: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex((addr, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {addr}:{port}")


@pytest.fixture(scope="module")
def ssh_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshWorld]:
    _needs_netns()
    tag = os.getpid() % 100000
    ns, host_if, ns_if = f"scantest-ssh-{tag}", f"scsh{tag}h", f"scsh{tag}n"
    octet = 20 + os.getpid() % 200
    host_addr, addr = f"10.213.{octet}.1", f"10.213.{octet}.2"
    d = tmp_path_factory.mktemp("sshworld")
    procs: list[subprocess.Popen[Any]] = []
    if _sh("ip", "netns", "add", ns).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    try:
        for cmd in (
            ["ip", "-n", ns, "link", "set", "lo", "up"],
            ["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if],
            ["ip", "link", "set", ns_if, "netns", ns],
            ["ip", "addr", "add", f"{host_addr}/24", "dev", host_if],
            ["ip", "link", "set", host_if, "up"],
            ["ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", ns_if],
            ["ip", "-n", ns, "link", "set", ns_if, "up"],
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "host")],
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "user")],
        ):
            out = _sh(*cmd)
            if out.returncode != 0:
                pytest.skip(f"setup failed: {' '.join(cmd)}: {out.stderr.strip()}")
        shutil.copy(d / "user.pub", d / "authorized_keys")
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # sshd's privilege-separation dir
        (d / "sshd_config").write_text(
            f"Port {SSH_PORT}\nListenAddress {addr}\nHostKey {d / 'host'}\n"
            f"AuthorizedKeysFile {d / 'authorized_keys'}\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nStrictModes no\nUsePAM no\n"
            f"PidFile {d / 'sshd.pid'}\nAllowTcpForwarding yes\n"
            "PermitRootLogin prohibit-password\n"
        )
        in_ns = ["ip", "netns", "exec", ns]
        sshd = subprocess.Popen(
            [*in_ns, "/usr/sbin/sshd", "-D", "-f", str(d / "sshd_config"), "-E", str(d / "log")]
        )
        procs.append(sshd)
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        gateway = subprocess.Popen(
            [*in_ns, sys.executable, "-m", "fixtures.test_gateway", "--host", "127.0.0.1",
             "--port", str(GW_PORT), "--auth", "token", "--token", TOKEN],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        procs.append(gateway)
        assert gateway.stdout is not None and gateway.stdout.readline().strip() == str(GW_PORT)
        trap = subprocess.Popen(
            [*in_ns, sys.executable, "-c", TRAP, addr, str(GW_PORT), str(d / "trap.bin")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        procs.append(trap)
        assert trap.stdout is not None and trap.stdout.readline().strip() == "ready"
        _wait_port(addr, SSH_PORT, sshd, "sshd")
        host_pub = (d / "host.pub").read_text().split()
        yield SshWorld(
            ns=ns,
            addr=addr,
            dir=d,
            trap_log=d / "trap.bin",
            user_key=d / "user",
            known_hosts_line=f"[{addr}]:{SSH_PORT} {host_pub[0]} {host_pub[1]}\n",
        )
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=5)
        _sh("ip", "netns", "del", ns)
        _sh("ip", "link", "del", host_if)


@dataclass
class CliRun:
    code: int
    doc: dict[str, Any]
    stderr: str


def audit_via_ssh(
    world: SshWorld, tmp: Path, *, known: bool = True, target: str | None = None
) -> CliRun:
    """One real ``--deep --json`` run whose home directory (for ssh) is a fresh temp dir."""
    home = tmp / "home"
    (home / ".ssh").mkdir(parents=True, exist_ok=True, mode=0o700)
    if known:
        (home / ".ssh" / "known_hosts").write_text(world.known_hosts_line)
    sd = tmp / "state"
    sd.mkdir(mode=0o700, exist_ok=True)
    remote = {
        "url": f"ws://{world.addr}:{GW_PORT}",
        "transport": "ssh",
        "token": TOKEN,
        "sshTarget": target or f"root@{world.addr}:{SSH_PORT}",
        "sshIdentity": str(world.user_key),
    }
    cfg = sd / "openclaw.json"
    cfg.write_text(json.dumps({"gateway": {"mode": "remote", "remote": remote}}))
    cfg.chmod(0o600)
    real_home = pwd.getpwuid(os.getuid()).pw_dir  # what ssh reads, whatever $HOME says
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "CLAWDBOT_"))}
    env = dict(base, HOME=real_home, NO_COLOR="1", OPENCLAW_AUDIT_MDNS_INTERFACES="127.0.0.1",
               DOCKER_HOST=f"unix://{tmp}/no-docker.sock")  # fmt: skip
    audit = [sys.executable, "-m", "openclaw_audit", "--state-dir", str(sd), "--deep", "--json",
             "--timeout", "5", "--skip-check", "sandbox.browser_container.*",
             "--skip-check", "discovery.mdns.*"]  # fmt: skip
    # The interpreter may live under the real home (pyenv): keep those top-level entries.
    keep = set()
    for path in (os.path.realpath(sys.executable), str(REPO)):
        rel = os.path.relpath(path, real_home)
        if not rel.startswith(".."):
            keep.add(rel.split(os.sep, 1)[0])
    binds = ""
    for name in sorted(keep - {".ssh"}):
        (home / name).mkdir(exist_ok=True)
        binds += f'mount --bind "{real_home}/{name}" "$1/{name}" && '
    script = binds + 'mount --rbind "$1" "$2" && shift 2 && exec "$@"'
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
         str(home), real_home, *audit],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.stdout, proc.stderr
    return CliRun(proc.returncode, json.loads(proc.stdout), proc.stderr)


def _leftover_ssh() -> list[str]:
    """ssh processes of ours still running (recognised by our socket directory prefix)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"openclaw-audit-ssh-" in cmd and cmd.startswith(b"/usr/bin/ssh"):
            found.append(entry.name)
    return found


@pytest.mark.real
def test_token_goes_through_the_tunnel_only(ssh_world: SshWorld, tmp_path: Path) -> None:
    run = audit_via_ssh(ssh_world, tmp_path)
    g, h = run.doc["deep"]["gateway"], run.doc["deep"]["http"]
    assert g["ok"] is True and g["helloOk"] is True, g
    assert g["url"] == f"ws://{ssh_world.addr}:{GW_PORT}"  # the configured URL is reported
    assert g["via"] == f"ssh root@{ssh_world.addr} -p {SSH_PORT}"
    assert h["credentialAccepted"] is True, h
    assert h["baseUrl"] == f"http://{ssh_world.addr}:{GW_PORT}"
    assert ssh_world.trapped() == b""  # nothing ever went to the gateway port in clear
    log = ssh_world.gateway_log()
    [ws] = [e for e in log if e["kind"] == "ws"]
    assert ws["connect"]["hasToken"]
    assert TOKEN not in run.stderr and TOKEN not in json.dumps(run.doc)
    assert _leftover_ssh() == []  # the tunnel was torn down


@pytest.mark.real
def test_unknown_host_key_fails_and_sends_nothing(ssh_world: SshWorld, tmp_path: Path) -> None:
    before = len(ssh_world.gateway_log())
    run = audit_via_ssh(ssh_world, tmp_path, known=False)
    g = run.doc["deep"]["gateway"]
    assert g["ok"] is False
    assert g["error"].startswith("SSH tunnel (ssh root@")
    assert "Host key verification failed" in g["error"] and "nothing was sent" in g["error"]
    assert "gateway.probe_failed" in [f["checkId"] for f in run.doc["findings"]]
    assert run.doc["deep"]["http"]["error"].startswith("SSH tunnel")
    assert ssh_world.trapped() == b"" and len(ssh_world.gateway_log()) == before
    assert _leftover_ssh() == []


@pytest.mark.real
def test_wrong_key_fails_cleanly(ssh_world: SshWorld, tmp_path: Path) -> None:
    run = audit_via_ssh(ssh_world, tmp_path, target=f"nobody@{ssh_world.addr}:{SSH_PORT}")
    g = run.doc["deep"]["gateway"]
    assert g["ok"] is False and "Permission denied" in g["error"], g
    assert "Traceback" not in run.stderr
    assert ssh_world.trapped() == b""


# -- without a namespace: what is refused before anything runs ----------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    "target", ["-oProxyCommand=touch /tmp/pwned", "me@-oProxyCommand=x", "me@host:99999", "a b@c"]
)
async def test_unusable_ssh_target_is_refused_without_contact(target: str) -> None:
    remote = {
        "url": "ws://203.0.113.9:18789",  # TEST-NET: must never be contacted
        "transport": "ssh",
        "token": TOKEN,
        "sshTarget": target,
    }
    ctx = make_ctx({"gateway": {"mode": "remote", "remote": remote}}, env={"USER": ""})
    started = time.monotonic()
    findings, deep, _s = await run_probes(ctx, ProbeOptions(timeout=1.0), probes=[GATEWAY, HTTP])
    assert time.monotonic() - started < 0.5
    g = deep["gateway"]
    assert g["attempted"] is False
    assert "gateway.remote.sshTarget is not a usable" in g["error"]
    assert deep["http"]["endpoints"] == {}
    assert [f.check_id for f in findings] == ["gateway.probe_failed"]


def test_ssh_target_parsing_and_argv() -> None:
    assert parse_ssh_target("ssh me@gw.example:2200", None) == ("me", "gw.example", 2200)
    assert parse_ssh_target("gw.example", "alice") == ("alice", "gw.example", 22)
    for bad in ("-V", "me@-x", "me@h:0", "me@h:22abc", "a b@h", "me@h\n-oX=y", ""):
        assert parse_ssh_target(bad, None) is None, bad
    route = SshRoute(user="me", host="gw.example", port=2200, remote_port=18789, identity="k")
    argv = ssh_command("/usr/bin/ssh", route, "/tmp/d/gw.sock", 2.5)
    assert argv[argv.index("--") + 1 :] == ["me@gw.example"]
    assert "/tmp/d/gw.sock:127.0.0.1:18789" in argv and "-N" in argv
    for opt in ("BatchMode=yes", "StrictHostKeyChecking=yes", "ExitOnForwardFailure=yes"):
        assert opt in argv
    assert "ConnectTimeout=3" in argv


def test_loopback_url_without_ssh_target_needs_no_tunnel() -> None:
    remote = {"url": "ws://127.0.0.1:18789", "transport": "ssh", "token": TOKEN}
    target = resolve_target(make_ctx({"gateway": {"mode": "remote", "remote": remote}}))
    assert target.ssh is None and target.refused is None  # an operator-run tunnel endpoint


def test_remote_url_gets_a_route_with_the_user_from_env() -> None:
    remote = {"url": "ws://gw.example:19000", "transport": "ssh", "token": TOKEN}
    ctx = make_ctx({"gateway": {"mode": "remote", "remote": remote}}, env={"USER": "alice"})
    target = resolve_target(ctx)
    assert target.refused is None
    assert target.ssh == SshRoute(user="alice", host="gw.example", port=22, remote_port=19000)
