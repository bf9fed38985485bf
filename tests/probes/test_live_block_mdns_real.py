"""The LIVE PROBES mDNS row over a real announcement on loopback, through the real CLI: the
instances seen, the browse window, and peer strings (instance names, TXT values) shown escaped,
never interpreted by the terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import run, target

from openclaw_audit.render.live_probes import HEADING

pytestmark = pytest.mark.real

ANNOUNCER = Path(__file__).with_name("mdns_announcer.py")
PORT = 18797  # the audited gateway's port: the announced instance is "this host"
# zeroconf refuses ASCII controls in names; bidi overrides and zero-width characters pass.
EVIL_NAME = "evil\u202eredro\u200b (OpenClaw)"
EVIL_TXT = "/opt/\x1b]0;owned\x07bin/openclaw"
SERVICES = [
    {
        "name": EVIL_NAME,
        "port": PORT,
        "addresses": ["127.0.0.1"],
        "server": "evil.local.",
        "txt": {"role": "gateway", "gatewayPort": str(PORT), "cliPath": EVIL_TXT},
    }
]


@pytest.fixture(scope="module")
def announcer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    spec = tmp_path_factory.mktemp("mdns") / "services.json"
    spec.write_text(json.dumps(SERVICES))
    proc = subprocess.Popen(
        [sys.executable, str(ANNOUNCER), str(spec)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "registered", "announcer failed to start"
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_mdns_row_lists_instances_escaped(announcer: None, tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", f'{{gateway: {{port: {PORT}, auth: {{mode: "none"}}}}}}')
    proc = run(
        "--config", str(cfg), "--deep", "--probe", "mdns",
        env={"OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for raw in ("\x1b", "\x07", "\u202e", "\u200b"):
        assert raw not in out  # nothing a terminal would act on
    lines = out.splitlines()
    block = lines[lines.index(HEADING) + 1 : lines.index("", lines.index(HEADING))]
    mdns = next(line for line in block if line.startswith("  mdns "))
    assert mdns.startswith("  mdns     ok         browse window ")
    assert mdns.endswith(" ms · 1 instance(s) seen")
    assert [line.split()[1] for line in block if line.startswith("  ") and line[2] != " "] == [
        "skipped",
        "skipped",
        "skipped",
        "ok",
    ]
    [instance] = [line.strip() for line in block if line.startswith("    ")]
    assert instance.startswith(r"evil\u202eredro\u200b (OpenClaw) · evil.local.:18797 · ")
    assert "127.0.0.1 · this host · TXT " in instance
    assert r"cliPath=/opt/\x1b]0;owned\x07bin/openclaw" in instance
