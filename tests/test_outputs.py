"""Several outputs from one run, --update-baseline and --fail-on-probe-error
(scheduled-scans.md §1, §7), through the real command line."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from clirun import CALM, RISKY, run, target

from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.errors import AuditError
from openclaw_audit.face.app import Invocation, execute
from openclaw_audit.redaction import Scrubber
from openclaw_audit.render import formats

MORE = RISKY[:-1] + ', discovery: {mdns: {mode: "full"}}}'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".openclaw-audit-")]


def test_every_format_from_one_run_with_its_mode(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    out = tmp_path / "out"
    out.mkdir()
    files = {f: out / f"r.{f}" for f in ("json", "sarif", "metrics", "text")}
    args = [f"--output={fmt}={path}" for fmt, path in files.items()]
    proc = run("--config", str(cfg), *args)
    assert proc.returncode == 0, proc.stderr
    # stdout still gets the --format output (text), and the text file holds the same report
    assert proc.stdout == files["text"].read_text()
    doc = json.loads(files["json"].read_text())
    sarif = json.loads(files["sarif"].read_text())
    # One report behind every file: the same findings, the same fingerprints.
    prints = {f["checkId"]: f["fingerprint"] for f in doc["findings"]}
    results = sarif["runs"][0]["results"]
    assert results  # SARIF leaves the attack-surface overview out; the rest match
    for r in results:
        assert r["partialFingerprints"]["openclawFinding/v1"] == prints[r["ruleId"]]
    metrics = files["metrics"].read_text()
    assert "openclaw_audit_findings{" in metrics
    assert f'openclaw_audit_run_duration_seconds{{target="{cfg}"}} ' in metrics
    assert {p: mode(p) for p in files.values()} == {
        files["json"]: 0o600,
        files["sarif"]: 0o600,
        files["text"]: 0o600,
        files["metrics"]: 0o644,
    }
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in files.values())


def test_plain_output_keeps_its_meaning_and_quiet_silences_stdout(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    plain = tmp_path / "plain.json"
    proc = run("--config", str(cfg), "--json", "-o", str(plain), "-o", f"text={tmp_path}/t.txt")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # a plain --output takes the --format output off stdout
    assert json.loads(plain.read_text())["findings"]
    proc = run("--config", str(cfg), "-q", "-o", f"json={tmp_path}/q.json")
    assert proc.returncode == 0 and proc.stdout == ""
    proc = run("--config", str(cfg), "-q")  # -q alone still prints the report
    assert proc.stdout.strip()
    # A file name holding '=' is a plain path when written as one.
    proc = run("--config", str(cfg), "-o", f"{tmp_path}/a=b.txt")
    assert proc.returncode == 0 and (tmp_path / "a=b.txt").is_file()


@pytest.mark.parametrize(
    "outputs, message",
    [
        (["json={d}/x", "sarif={d}/x"], "is given twice"),
        (["json={d}/x", "sarif={d}/./sub/../x"], "is given twice"),
        (["{d}/x", "json={d}/x"], "is given twice"),
        (["json={d}/base.json"], "is the --baseline file"),
        (["{d}/base.json"], "is the --baseline file"),
        (["yaml={d}/x"], "unknown output format 'yaml'"),
        (["JSON={d}/x"], "unknown output format 'JSON'"),
        (["json=-"], "stdout carries the --format output"),
        (["{d}/x", "{d}/y"], "only one --output PATH without a format"),
        (["json={d}/no-such-dir/x"], "no-such-dir does not exist"),
    ],
)
def test_output_collisions_are_input_errors(
    tmp_path: Path, outputs: list[str], message: str
) -> None:
    cfg = target(tmp_path, "gw", CALM)
    (tmp_path / "sub").mkdir()
    base = tmp_path / "base.json"
    assert run("--config", str(cfg), "--json", "-o", str(base)).returncode == 0
    before = base.read_bytes()
    args = [a for o in outputs for a in ("-o", o.format(d=tmp_path))]
    proc = run("--config", str(cfg), "--baseline", str(base), *args)
    assert proc.returncode == 2
    assert message in proc.stderr and proc.stderr.startswith("error: ")
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert base.read_bytes() == before
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_an_output_never_replaces_an_input(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    before = cfg.read_bytes()
    proc = run("--config", str(cfg), "-o", f"json={cfg}")
    assert proc.returncode == 2 and "is the config file" in proc.stderr
    assert cfg.read_bytes() == before
    ignore = tmp_path / "ignore.toml"
    ignore.write_text("")
    proc = run("--config", str(cfg), "--ignore-file", str(ignore), "-o", str(ignore))
    assert proc.returncode == 2 and "is the ignore file" in proc.stderr
    assert ignore.read_text() == ""


def test_fix_runs_refuse_a_sarif_output(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    proc = run("--config", str(cfg), "--fix", "--dry-run", "-o", f"sarif={tmp_path}/r.sarif")
    assert proc.returncode == 2 and "sarif is not supported" in proc.stderr
    proc = run("--config", str(cfg), "--fix", "--dry-run", "-o", f"json={tmp_path}/r.json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text())["fix"]["dryRun"] is True


def test_fleet_metrics_with_a_target_that_cannot_be_audited(tmp_path: Path) -> None:
    good = target(tmp_path, "a", RISKY)
    bad = target(tmp_path, "b", "{broken")
    prom = tmp_path / "m.prom"
    assert run("--config", str(good), "-o", f"metrics={prom}").returncode == 0
    success = [line for line in prom.read_text().splitlines() if "last_success" in line][-1]
    proc = run("--config", str(good), "--config", str(bad), "-o", f"metrics={prom}")
    assert proc.returncode == 2
    text = prom.read_text()
    assert f'openclaw_audit_findings{{target="{good}",severity="critical"}} 1' in text
    assert str(bad) not in text  # no series for a target that was not audited
    assert success in text.splitlines()  # the last success is the earlier run's


def _invocation(cfg: Path, *outputs: str, **kw: Any) -> Invocation:
    return Invocation(
        options=AuditOptions(config_path=str(cfg), state_dir=str(cfg.parent)),
        configs=(str(cfg),),
        outputs=outputs,
        quiet=True,
        **kw,
    )


def test_a_renderer_that_fails_leaves_every_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = target(tmp_path, "gw", CALM)
    old_json, old_sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    old_json.write_text("old json")
    old_sarif.write_text("old sarif")

    def broken(*_: Any) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(formats.FORMATS, "sarif", broken)
    inv = _invocation(cfg, f"json={old_json}", f"sarif={old_sarif}")
    with pytest.raises(RuntimeError):
        execute(inv, Scrubber())
    assert old_json.read_text() == "old json" and old_sarif.read_text() == "old sarif"
    assert leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = target(tmp_path, "gw", CALM)
    out = tmp_path / "r.json"
    out.write_text("old")
    real_replace = os.replace

    def full_disk(src: str, dst: str) -> None:
        if str(dst).endswith("r.json"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(AuditError, match="No space left"):
        execute(_invocation(cfg, f"json={out}"), Scrubber())
    assert out.read_text() == "old" and leftovers(tmp_path) == []


def test_metrics_failure_never_changes_the_exit_code(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    missing = tmp_path / "no-such-dir" / "m.prom"
    good = tmp_path / "r.json"
    proc = run(
        "--config", str(cfg), "-o", f"metrics={missing}", "-o", f"json={good}", "--fail-on", "warn"
    )
    assert proc.returncode == 1  # the --fail-on verdict, nothing else
    assert f"warning: metrics file {missing} not written" in proc.stderr
    assert good.is_file()
    calm = target(tmp_path, "calm", CALM)
    proc = run("--config", str(calm), "-o", f"metrics={missing}")
    assert proc.returncode == 0 and "not written" in proc.stderr


def test_a_special_file_is_written_into_never_replaced(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    proc = run("--config", str(cfg), "-o", "metrics=/dev/null", "-o", "json=/dev/null/../x")
    # /dev/null/../x cannot exist: that output fails, /dev/null stays a device
    assert proc.returncode == 2
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    proc = run("--config", str(cfg), "-o", "metrics=/dev/null")
    assert proc.returncode == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode)


# --- --update-baseline ------------------------------------------------------------------------


def test_update_baseline_rolls_the_baseline_forward(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    base = tmp_path / "last.json"
    roll = ("--config", str(cfg), "--json", "--baseline", str(base), "--update-baseline")
    # First run: no baseline yet; everything is new and the file is created.
    proc = run(*roll)
    assert proc.returncode == 0, proc.stderr
    assert "does not exist yet" in proc.stderr
    first = json.loads(proc.stdout)
    assert first["findings"] and mode(base) == 0o600
    assert json.loads(base.read_text())["findings"] == first["findings"]
    # Second run, one finding more: only it is shown, and the baseline holds all of them.
    cfg.write_text(MORE)
    proc = run(*roll)
    assert proc.returncode == 0, proc.stderr
    shown = [f["checkId"] for f in json.loads(proc.stdout)["findings"]]
    assert shown == ["discovery.mdns_full_mode"]
    saved = {f["checkId"] for f in json.loads(base.read_text())["findings"]}
    assert saved == {f["checkId"] for f in first["findings"]} | {"discovery.mdns_full_mode"}
    # Third run: nothing new.
    proc = run(*roll)
    assert json.loads(proc.stdout)["findings"] == []
    assert leftovers(tmp_path) == []


def test_update_baseline_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    proc = run("--config", str(cfg), "--update-baseline")
    assert proc.returncode == 2 and "needs --baseline" in proc.stderr
    base = tmp_path / "b.json"
    proc = run("--config", str(cfg), "--fix", "--dry-run", "--baseline", str(base),
               "--update-baseline")  # fmt: skip
    assert proc.returncode == 2 and "--dry-run" in proc.stderr
    # A file that is not our report is never overwritten.
    base.write_text("my notes, not a report")
    proc = run("--config", str(cfg), "--baseline", str(base), "--update-baseline")
    assert proc.returncode == 2 and base.read_text() == "my notes, not a report"


def test_update_baseline_in_a_fleet(tmp_path: Path) -> None:
    a = target(tmp_path, "a", RISKY)
    b = target(tmp_path, "b", CALM)
    base = tmp_path / "fleet.json"
    args = ("--config", str(a), "--config", str(b), "--json", "--baseline", str(base))
    proc = run(*args, "--update-baseline")
    assert proc.returncode == 0, proc.stderr
    saved = json.loads(base.read_text())
    assert [t["target"] for t in saved["targets"]] == [str(a), str(b)]
    code = run(*args)
    doc = json.loads(code.stdout)
    assert all(t["report"]["findings"] == [] for t in doc["targets"])


def test_update_baseline_after_fix(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    cfg.chmod(0o644)  # --fix tightens this
    base = tmp_path / "b.json"
    proc = run("--config", str(cfg), "--fix", "--json", "--baseline", str(base),
               "--update-baseline")  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    saved = json.loads(base.read_text())
    assert "findings" in saved and "fix" not in saved  # a plain report of the fixed config
    assert saved["findings"] == json.loads(proc.stdout)["report"]["findings"]


# --- --fail-on-probe-error ------------------------------------------------------------------


def _deep(cfg: Path, *outputs: str, **kw: Any) -> Invocation:
    # Only the gateway and HTTP probes, to a closed loopback port: they fail fast.
    opts = AuditOptions(
        config_path=str(cfg),
        state_dir=str(cfg.parent),
        deep=True,
        timeout=0.5,
        probes=frozenset({"gateway", "http"}),
        env={"HOME": str(cfg.parent), "OPENCLAW_GATEWAY_PORT": "9"},
    )
    return Invocation(options=opts, configs=(str(cfg),), outputs=outputs, quiet=True, **kw)


def test_fail_on_probe_error_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    assert execute(_deep(cfg), Scrubber()) == 0
    assert execute(_deep(cfg, fail_on_probe_error=True), Scrubber()) == 4
    err = capsys.readouterr().err
    assert "probe gateway failed: " in err and "probe http failed" in err
    # 4 wins over the --fail-on verdict: with a probe down the findings are incomplete.
    inv = _deep(cfg, fail_on_probe_error=True, fail_on="critical")
    assert execute(inv, Scrubber()) == 4
    # A metrics file that cannot be written changes nothing.
    inv = _deep(cfg, f"metrics={tmp_path}/none/m.prom", fail_on_probe_error=True)
    assert execute(inv, Scrubber()) == 4
    # A static run asks for no probe: the flag never fires.
    static = Invocation(
        options=AuditOptions(config_path=str(cfg), state_dir=str(cfg.parent)),
        configs=(str(cfg),),
        quiet=True,
        fail_on_probe_error=True,
    )
    assert execute(static, Scrubber()) == 0


@pytest.mark.parametrize(("sandbox", "code"), [("all", 4), ("off", 0)])
def test_docker_socket_missing_fails_only_when_sandboxing_is_on(
    tmp_path: Path, sandbox: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = target(
        tmp_path, "gw", json.dumps({"agents": {"defaults": {"sandbox": {"mode": sandbox}}}})
    )
    opts = AuditOptions(
        config_path=str(cfg),
        state_dir=str(cfg.parent),
        deep=True,
        timeout=0.5,
        probes=frozenset({"docker"}),
        env={"HOME": str(tmp_path), "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"},
    )
    inv = Invocation(options=opts, configs=(str(cfg),), quiet=True, fail_on_probe_error=True)
    assert execute(inv, Scrubber()) == code
    assert ("probe docker failed: " in capsys.readouterr().err) == (code == 4)


def test_probe_outcomes_in_the_metrics_file(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    prom = tmp_path / "m.prom"
    assert execute(_deep(cfg, f"metrics={prom}"), Scrubber()) == 0
    text = prom.read_text()
    assert f'openclaw_audit_probe_up{{target="{cfg}",probe="gateway"}} 0' in text
    assert 'probe="mdns"' not in text  # not run: absent


def test_metrics_of_a_run_that_could_not_audit(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", CALM)
    prom = tmp_path / "m.prom"
    assert run("--config", str(cfg), "-o", f"metrics={prom}").returncode == 0
    ok = prom.read_text()
    success = next(
        line for line in ok.splitlines() if line.startswith("openclaw_audit_last_success")
    )
    cfg.write_text("{broken")
    proc = run("--config", str(cfg), "-o", f"metrics={prom}")
    assert proc.returncode == 2
    failed = prom.read_text()
    assert success in failed.splitlines()  # the last success is carried over
    assert "openclaw_audit_findings{" not in failed


def test_new_findings_in_the_metrics_come_from_the_history(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    prom, db = tmp_path / "m.prom", tmp_path / "h.db"
    args = ("--config", str(cfg), "-q", "--history", str(db), "-o", f"metrics={prom}")
    assert run(*args).returncode == 0
    cfg.write_text(MORE)
    assert run(*args).returncode == 0
    line = f'openclaw_audit_new_findings{{target="{cfg}"}} 1'
    assert line in prom.read_text().splitlines()
    # an output naming the history database is refused
    proc = run(*args, "-o", f"json={db}")
    assert proc.returncode == 2 and "history" in proc.stderr


def test_a_terminal_that_cannot_encode_the_report_gets_it_escaped_not_dropped() -> None:
    # An encoding error is a ValueError: it once ended the report silently with exit 0.
    proc = run("--demo", env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("Target: bundled demo gateway \\xb7 ")
    assert "OpenClaw security audit" in proc.stdout
