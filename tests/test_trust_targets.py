"""Truthful targets and .env handling through the real CLI (trust.md §2, §4)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from clirun import CALM, RISKY, run, run_json, target

from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.errors import AuditError

NO_TOKEN = (
    '{gateway: {mode: "local", bind: "loopback", auth: {mode: "token", token: "${OC_T_UNSET}"}}}'
)


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


# --- §2 explicit paths ------------------------------------------------------------------


def test_explicit_config_that_does_not_exist_is_exit_2_with_did_you_mean(tmp_path: Path) -> None:
    cfg = target(tmp_path, "sd", CALM)
    line = one_error_line(run("--config", str(cfg.with_name("openclw.json"))))
    assert "no such file" in line and f"did you mean {cfg}?" in line


def test_explicit_config_missing_with_json_is_a_json_error(tmp_path: Path) -> None:
    proc = run("--json", "--config", str(tmp_path / "nope" / "x.json5"))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["ok"] is False
    assert "did you mean" not in proc.stderr  # nothing near: no suggestion


def test_explicit_state_dir_missing_or_a_file(tmp_path: Path) -> None:
    sd = target(tmp_path, "state", CALM).parent
    assert "did you mean" in one_error_line(run("--state-dir", str(tmp_path / "stat")))
    assert "not a directory" in one_error_line(run("--state-dir", str(sd / "openclaw.json")))


def test_default_location_may_be_missing_and_the_output_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    proc = run("--state-dir", str(empty))
    assert proc.returncode == 0
    assert f"note: no config file at {empty / 'openclaw.json'}" in proc.stderr
    assert "note:" not in run("--state-dir", str(empty), "-q").stderr


def test_existing_default_config_gives_no_note(tmp_path: Path) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    assert "note:" not in run("--state-dir", str(sd)).stderr


# --- §2 fleets ---------------------------------------------------------------------------


def test_fleet_target_that_does_not_exist_stops_before_anything_runs(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    proc = run("--json", "--config", str(a), "--config", str(tmp_path / "b" / "openclaw.json"))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["ok"] is False  # no per-target report was produced
    listing = tmp_path / "list.txt"
    listing.write_text(f"{a}\nmissing.json\n")
    assert "missing.json" in one_error_line(run("--config", f"@{listing}"))


def test_fleet_directory_takes_subdir_configs_and_skips_included_files(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    target(fleet, ".", '{$include: "./shared.json5", gateway: {bind: "loopback"}}', "main.json5")
    target(fleet, ".", '{logging: {redactSensitive: "off"}}', "shared.json5")
    sub = target(fleet, "gw2", RISKY)
    target(fleet, "notes", "{}", "other.json")  # not openclaw.json: not a target
    _, doc = run_json("--config", str(fleet))
    assert [t["target"] for t in doc["targets"]] == [str(sub), str(fleet / "main.json5")]


def test_fleet_keeps_an_included_file_named_explicitly(tmp_path: Path) -> None:
    a = target(tmp_path, "a", '{$include: "./b.json"}')
    b = target(tmp_path, "a", CALM, "b.json")
    _, doc = run_json("--config", str(a), "--config", str(b))
    assert len(doc["targets"]) == 2


# --- §2 selectors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "pattern", "suggestion"),
    [
        ("--check", "gateway.bind_no_auht", "'gateway.bind_no_auth'"),
        ("--skip-check", "gatway.*", "'gateway.*'"),
        ("--check", "", None),
        ("--check", "  ", None),
    ],
)
def test_selector_that_matches_no_check_is_exit_2(
    tmp_path: Path, flag: str, pattern: str, suggestion: str | None
) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    line = one_error_line(run("--state-dir", str(sd), flag, pattern))
    assert (f"did you mean {suggestion}?" in line) if suggestion else ("empty pattern" in line)


@pytest.mark.parametrize(
    "pattern",
    [
        "tools.elevated.allowFrom.telegram.*",
        "tools.elevated.allowFrom.telegram.wildcard",
        "gateway.*",
    ],
)
def test_selectors_of_family_ids_are_accepted(tmp_path: Path, pattern: str) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    assert run("--state-dir", str(sd), "--check", pattern).returncode == 0


def test_ignore_file_entry_that_matches_no_check_is_exit_2(tmp_path: Path) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    ignore = tmp_path / "ignore.toml"
    ignore.write_text('[[ignore]]\ncheckId = "gateway.trusted_proxies_mising"\nreason = "x"\n')
    line = one_error_line(run("--state-dir", str(sd), "--ignore-file", str(ignore)))
    assert "ignore entry #1" in line and "did you mean 'gateway.trusted_proxies_missing'" in line
    # The default ignore file beside the config is held to the same rule.
    (sd / ".openclaw-audit-ignore.toml").write_text(ignore.read_text())
    assert "ignore entry #1" in one_error_line(run("--state-dir", str(sd)))


def test_config_suppression_that_matches_no_check_is_a_warning_finding(tmp_path: Path) -> None:
    cfg = (
        '{gateway: {mode: "local", bind: "loopback", auth: {mode: "token", '
        'token: "0123456789abcdef0123456789abcdef0123"}}, security: {audit: {suppressions: ['
        '{checkId: "gateway.trusted_proxies_mising", reason: "x"}, '
        '{checkId: "gateway.trusted_proxies_missing", reason: "ok"}]}}}'
    )
    sd = target(tmp_path, "sd", cfg).parent
    code, doc = run_json("--state-dir", str(sd))
    assert code == 0  # upstream accepts any string here: the audit still runs
    found = [
        f for f in doc["findings"] if f["checkId"] == "security.audit.suppressions.unknown_check"
    ]
    assert (
        len(found) == 1 and "did you mean 'gateway.trusted_proxies_missing'" in found[0]["detail"]
    )
    assert [f["checkId"] for f in doc["suppressedFindings"]] == ["gateway.trusted_proxies_missing"]


# --- §2 special files and --timeout --------------------------------------------------------


@pytest.mark.parametrize(
    "flag", ["--config", "--baseline", "--ignore-file", "--token-file", "--password-file"]
)
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, flag: str) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = run("--state-dir", str(sd), flag, str(fifo))  # run() times out if anything blocks
    assert "not a regular file (it is a FIFO)" in one_error_line(proc)


def test_a_device_is_refused(tmp_path: Path) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    line = one_error_line(run("--state-dir", str(sd), "--baseline", "/dev/zero"))
    assert "it is a device" in line


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "0.2"])
def test_timeout_must_be_finite_and_at_least_a_quarter_second(tmp_path: Path, value: str) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    assert "--timeout" in one_error_line(run("--state-dir", str(sd), "--timeout", value))


def test_timeout_floor_is_accepted() -> None:
    assert AuditOptions(timeout=0.25).timeout == 0.25
    with pytest.raises(AuditError):
        AuditOptions(timeout=float("nan"))


# --- §4 .env and the environment -----------------------------------------------------------


def _cwd_env(tmp_path: Path, text: str) -> Path:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / ".env").write_text(text)
    return cwd


def test_cwd_dotenv_state_dir_is_used_statically_but_not_by_fix(tmp_path: Path) -> None:
    other = target(tmp_path, "other", '{logging: {redactSensitive: "off"}}').parent
    home = tmp_path / "home"
    home.mkdir()
    cwd = _cwd_env(tmp_path, f"OPENCLAW_STATE_DIR={other}\n")
    env = {"HOME": str(home)}
    static = run("--json", env=env, cwd=cwd)
    assert json.loads(static.stdout)["findings"]  # audited the .env's state dir, as upstream
    assert "logging.redact_off" in static.stdout and "ignoring" not in static.stderr

    fixed = run("--fix", "--json", env=env, cwd=cwd)
    assert "warning: ignoring OPENCLAW_STATE_DIR from" in fixed.stderr
    assert str(other) not in fixed.stderr  # the variable is named, its value is not
    assert "off" in (other / "openclaw.json").read_text()  # --fix did not touch it

    trusted = run("--fix", "--json", "--trust-cwd-dotenv", env=env, cwd=cwd)
    assert trusted.returncode == 0, trusted.stderr
    assert "ignoring" not in trusted.stderr
    assert '"tools"' in (other / "openclaw.json").read_text()


def test_cwd_dotenv_gateway_url_never_receives_the_credential(tmp_path: Path) -> None:
    sd = target(tmp_path, "sd", CALM).parent
    cwd = _cwd_env(tmp_path, "OPENCLAW_GATEWAY_URL=ws://127.0.0.1:9/\nOPENCLAW_GATEWAY_PORT=9\n")
    proc = run(
        "--json", "--deep", "--timeout", "0.25", "--state-dir", str(sd), "--skip-check", "*.docker*",
        env={"OPENCLAW_AUDIT_MDNS_INTERFACES": "127.0.0.1"}, cwd=cwd,
    )  # fmt: skip
    doc = json.loads(proc.stdout)
    assert doc["deep"]["gateway"]["url"] == "ws://127.0.0.1:18789"
    assert "ignoring OPENCLAW_GATEWAY_URL" in proc.stderr
    assert "ignoring OPENCLAW_GATEWAY_PORT" in proc.stderr


def test_unset_var_finding_names_the_variable_and_where_to_set_it(tmp_path: Path) -> None:
    sd = target(tmp_path, "sd", NO_TOKEN).parent
    _, doc = run_json("--state-dir", str(sd))
    by_id = {f["checkId"]: f["detail"] for f in doc["findings"]}
    for cid in ("gateway.loopback_no_auth", "gateway.http.no_auth"):
        assert "${OC_T_UNSET}" in by_id[cid]
        assert str(sd / ".env") in by_id[cid] and "--token-file" in by_id[cid]


def test_unset_var_defined_in_state_dotenv_resolves(tmp_path: Path) -> None:
    sd = target(tmp_path, "sd", NO_TOKEN).parent
    (sd / ".env").write_text("export OC_T_UNSET='0123456789abcdef0123456789abcdef0123' # tok\n")
    _, doc = run_json("--state-dir", str(sd))
    assert "gateway.loopback_no_auth" not in [f["checkId"] for f in doc["findings"]]
