"""The real entry point: exit codes, stdout purity, errors, secrets never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run

ROOT = Path(__file__).resolve().parent.parent
DEMO_STATE = ROOT / "openclaw_audit" / "demo"
CANARY_TOKEN = "CANARY-gw-token-7f3e9a1c5b2d4e6f8a0b"
CANARY_HOOK = "CANARY-hook-token-1a2b3c4d5e6f7a8b9c0d"
CANARY_CLI = "CANARY-cli-token-0d9c8b7a6f5e4d3c2b1a"


def state_with(tmp_path: Path, config: str) -> Path:
    sd = tmp_path / "state"
    sd.mkdir(mode=0o700)
    cfg = sd / "openclaw.json"
    cfg.write_text(config)
    cfg.chmod(0o600)
    return sd


def test_demo_text_report() -> None:
    proc = run("--state-dir", str(DEMO_STATE))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # output-ux.md §1: the target line comes first, then upstream's heading and summary.
    assert lines[0].startswith(f"Target: {DEMO_STATE / 'openclaw.json'} (+1 include) · state ")
    assert lines[1] == "OpenClaw security audit"
    assert lines[2].startswith("Summary: ") and " critical · " in lines[2]
    assert "summary.attack_surface" in proc.stdout
    assert "\x1b[" not in proc.stdout  # not a TTY: no colour


def test_json_envelope_shape_and_key_order() -> None:
    proc = run("--json", "--state-dir", str(DEMO_STATE))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert list(doc)[:3] == ["ts", "summary", "findings"]
    # Upstream's keys in upstream's order, then our `audit` object (output-ux.md §1).
    assert list(doc)[-2:] == ["secretDiagnostics", "audit"]
    assert set(doc["summary"]) == {"critical", "warn", "info"}
    assert doc["findings"][0]["checkId"] == "summary.attack_surface"
    assert "remediation" not in doc["findings"][0]
    assert isinstance(doc["ts"], int)
    counts = {
        s: sum(f["severity"] == s for f in doc["findings"]) for s in ("critical", "warn", "info")
    }
    assert counts == doc["summary"]


def test_malformed_config_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    sd = state_with(tmp_path, "{\n  gateway: { bind: 'lan' \n")
    proc = run("--state-dir", str(sd))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error: {sd / 'openclaw.json'}:3:1: ")
    assert "Traceback" not in proc.stderr
    proc = run("--json", "--state-dir", str(sd))
    assert proc.returncode == 2
    err = json.loads(proc.stdout)
    assert err["ok"] is False and err["error"]["type"] == "cli_error"
    assert err["error"]["line"] == 3


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("--auth", "token").returncode == 2
    assert run("--auth", "bogus").returncode == 2
    assert run("--dry-run").returncode == 2
    proc = run("--token-file", str(tmp_path / "missing"))
    assert proc.returncode == 2 and proc.stderr.startswith("error: cannot read token file")


def test_fail_on_threshold(tmp_path: Path) -> None:
    sd = state_with(tmp_path, "{}")
    (sd / "openclaw.json").chmod(0o666)  # world-writable config: a critical finding
    assert run("--state-dir", str(sd)).returncode == 0  # upstream behaviour by default
    assert run("--state-dir", str(sd), "--fail-on", "critical").returncode == 1
    (sd / "openclaw.json").chmod(0o600)
    proc = run("--state-dir", str(sd), "--fail-on", "critical", "--json")
    assert json.loads(proc.stdout)["summary"]["critical"] == 0 or proc.returncode == 1


def test_check_selection_and_min_severity(tmp_path: Path) -> None:
    sd = state_with(tmp_path, "{}")
    proc = run("--state-dir", str(sd), "--json", "--check", "summary.*")
    assert {f["checkId"] for f in json.loads(proc.stdout)["findings"]} == {"summary.attack_surface"}
    proc = run("--state-dir", str(sd), "--json", "--skip-check", "summary.attack_surface")
    assert "summary.attack_surface" not in proc.stdout
    proc = run("--state-dir", str(sd), "--json", "--min-severity", "warn")
    assert all(f["severity"] != "info" for f in json.loads(proc.stdout)["findings"])


def test_output_file_keeps_stdout_empty(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run("--json", "--state-dir", str(DEMO_STATE), "--output", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(out.read_text())["findings"]


def test_checks_and_explain() -> None:
    proc = run("checks")
    assert proc.returncode == 0 and "summary.attack_surface" in proc.stdout
    listed = json.loads(run("checks", "--json").stdout)
    assert any(c["checkId"] == "summary.attack_surface" for c in listed)
    proc = run("explain", "summary.attack_surface")
    assert proc.returncode == 0 and "## Why" in proc.stdout
    proc = run("explain", "no.such.check")
    assert proc.returncode == 2 and proc.stderr.startswith("error: unknown checkId")


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("openclaw-audit ")


@pytest.mark.parametrize("fmt", [["--json"], [], ["-v"], ["--json", "--deep", "--timeout", "0.25"]])
def test_secret_canaries_never_printed(tmp_path: Path, fmt: list[str]) -> None:
    config = json.dumps(
        {
            "gateway": {"bind": "lan", "auth": {"mode": "token", "token": CANARY_TOKEN}},
            "hooks": {"enabled": True, "token": CANARY_HOOK, "path": "/"},
            "channels": {"telegram": {"botToken": CANARY_HOOK + "-bot", "dmPolicy": "open"}},
        }
    )
    sd = state_with(tmp_path, config)
    # Every output file of the run too (scheduled-scans.md §1), and the rewritten baseline.
    files = [tmp_path / f"out.{f}" for f in ("json", "sarif", "metrics", "text")]
    baseline = tmp_path / "baseline.json"
    proc = run(
        "--state-dir",
        str(sd),
        "--token",
        CANARY_CLI,
        *fmt,
        *(f"--output={p.suffix[1:]}={p}" for p in files),
        "--baseline",
        str(baseline),
        "--update-baseline",
        env={"OPENCLAW_GATEWAY_PORT": "9", "OPENCLAW_GATEWAY_PASSWORD": CANARY_CLI + "-env"},
    )
    assert proc.returncode == 0, proc.stderr
    written = [p.read_text() for p in (*files, baseline)]
    for canary in (CANARY_TOKEN, CANARY_HOOK, CANARY_CLI):
        assert canary not in proc.stdout
        assert canary not in proc.stderr
        assert all(canary not in text for text in written)


def test_secret_in_error_message_is_scrubbed(tmp_path: Path) -> None:
    # The parse error points at the token's line; the message must not echo the token.
    sd = state_with(tmp_path, f'{{gateway: {{auth: {{token: "{CANARY_TOKEN}" x}}}}}}')
    proc = run("--state-dir", str(sd), "--token", CANARY_CLI)
    assert proc.returncode == 2
    assert CANARY_TOKEN not in proc.stderr and CANARY_CLI not in proc.stderr
