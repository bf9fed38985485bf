"""``--probe`` / ``--skip-probe`` (output-ux.md §2): names checked with a did-you-mean, a probe
left out costs nothing (never imported, no mDNS browse window) and shows as skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import CALM, run, target

from openclaw_audit.errors import UsageError
from openclaw_audit.probes.selection import (
    PROBE_NAMES,
    SKIPPED_BY_NAME,
    choose_probes,
    module_selected,
)

REPO = Path(__file__).resolve().parents[2]


def test_choose_probes() -> None:
    assert choose_probes() is None  # neither flag: every probe
    assert choose_probes(["gateway,http"]) == {"gateway", "http"}
    assert choose_probes(["gateway", " MDNS "]) == {"gateway", "mdns"}
    assert choose_probes(skip=["mdns"]) == set(PROBE_NAMES) - {"mdns"}
    assert choose_probes(["gateway,mdns"], ["mdns"]) == {"gateway"}
    assert choose_probes(skip=["docker,mdns", "http"]) == {"gateway"}


@pytest.mark.parametrize(
    ("probe", "skip", "message"),
    [
        (["gatway"], [], "--probe: unknown probe 'gatway' (choose from gateway, http, docker, "
                         "mdns); did you mean gateway?"),
        ([], ["mdsn"], "did you mean mdns?"),
        (["http,"], [], "--probe: empty probe name"),
        (["zzz"], [], "unknown probe 'zzz' (choose from gateway, http, docker, mdns)"),
    ],
)  # fmt: skip
def test_unknown_names_are_input_errors(probe: list[str], skip: list[str], message: str) -> None:
    with pytest.raises(UsageError) as err:
        choose_probes(probe, skip)
    assert message in str(err.value)
    if "zzz" in message:
        assert "did you mean" not in str(err.value)


def test_module_selected() -> None:
    assert module_selected("mdns_probe", None)
    assert module_selected("mdns_probe", frozenset({"mdns"}))
    assert not module_selected("mdns_probe", frozenset({"gateway"}))


def test_cli_unknown_probe_exits_2_with_did_you_mean(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", CALM)
    proc = run("--config", str(cfg), "--deep", "--skip-probe", "dokcer")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "error: --skip-probe: unknown probe 'dokcer' (choose from gateway, http, docker, mdns); "
        "did you mean docker?"
    )
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_cli_probe_without_deep_is_a_usage_error(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", CALM)
    proc = run("--config", str(cfg), "--probe", "gateway")
    assert proc.returncode == 2
    assert "error: --probe only makes sense with --deep" in proc.stderr


def test_options_sit_in_the_live_probes_panel() -> None:
    import typer

    from openclaw_audit.face.cli import app

    params = {p.name: p for p in typer.main.get_command(app).params}
    for name in ("probe", "skip_probe"):
        assert getattr(params[name], "rich_help_panel", None) == "Live probes"
    assert "--skip-probe" in run("--help").stdout


# What a deep run imported, from inside the process: a skipped probe must not load its library.
_SCRIPT = """
import json, sys
from openclaw_audit.engine.audit import run_audit
from openclaw_audit.engine.options import AuditOptions
probes = frozenset(sys.argv[2].split(",")) if sys.argv[2] else None
run = run_audit(AuditOptions(config_path=sys.argv[1], deep=True, timeout=0.5, probes=probes,
                             env={"HOME": "/nonexistent", "OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1"}))
mods = {m: m in sys.modules for m in ("zeroconf", "docker", "httpx", "websockets")}
print(json.dumps({"deep": run.report.deep, "modules": mods}))
"""


def _deep_run(cfg: Path, probes: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(cfg), probes],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.real  # probes a closed loopback port
def test_a_skipped_probe_costs_nothing(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", '{gateway: {port: 9, auth: {mode: "token", token: "x"}}}')
    only_gateway = _deep_run(cfg, "gateway")
    assert only_gateway["modules"] == {
        "zeroconf": False,  # no mDNS browse window
        "docker": False,
        "httpx": False,
        "websockets": True,
    }
    deep = only_gateway["deep"]
    assert list(deep) == ["gateway", "http", "docker", "mdns"]
    assert deep["gateway"]["attempted"] is True
    for name in ("http", "docker", "mdns"):
        assert deep[name] == {"attempted": False, "skipped": SKIPPED_BY_NAME}

    only_mdns = _deep_run(cfg, "mdns")
    assert only_mdns["modules"]["zeroconf"] is True  # the check above can fail
    assert only_mdns["modules"]["websockets"] is False
    assert only_mdns["deep"]["mdns"]["browseMs"] > 0
