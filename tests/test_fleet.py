"""Several targets in one run: repeated --config, a directory, an @list; errors per target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import CALM, RISKY, run, run_json, target

from openclaw_audit.errors import AuditError
from openclaw_audit.face.fleet import expand_targets


def test_repeated_config_json_shape(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    b = target(tmp_path, "b", RISKY)
    code, doc = run_json("--config", str(a), "--config", str(b))
    assert code == 0
    assert [t["target"] for t in doc["targets"]] == [str(a), str(b)]
    assert doc["targets"][0]["report"]["summary"] == {"critical": 0, "warn": 1, "info": 1}
    assert doc["targets"][1]["report"]["summary"] == {"critical": 1, "warn": 4, "info": 1}
    assert "secretDiagnostics" in doc["targets"][0]["report"]
    assert doc["summary"] == {
        "targets": 2, "audited": 2, "failed": 0, "critical": 1, "warn": 5, "info": 2,
    }  # fmt: skip


def test_each_target_uses_its_own_directory_as_state_dir(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    b = target(tmp_path, "b", CALM)
    a.parent.chmod(0o755)  # only a's state dir is group/world readable
    _, doc = run_json("--config", str(a), "--config", str(b))
    fa = [f["checkId"] for f in doc["targets"][0]["report"]["findings"]]
    fb = [f["checkId"] for f in doc["targets"][1]["report"]["findings"]]
    assert "fs.state_dir.perms_readable" in fa
    assert "fs.state_dir.perms_readable" not in fb


def test_directory_of_configs_and_text_table(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    target(fleet, ".", CALM, "calm.json5").parent.chmod(0o700)
    target(fleet, ".", RISKY, "risky.json")
    (fleet / "notes.txt").write_text("not a config")
    proc = run("--config", str(fleet), "--fail-on", "critical")
    assert proc.returncode == 1  # --fail-on applies to the whole run
    out = proc.stdout
    assert f"OpenClaw security audit: {fleet / 'calm.json5'}" in out
    assert f"OpenClaw security audit: {fleet / 'risky.json'}" in out
    table = out[out.index("Fleet summary") :].splitlines()
    assert table[0] == "Fleet summary (2 audited)"
    assert table[1].split() == ["target", "critical", "warn", "info"]
    rows = {line.split()[0]: line.split()[1:] for line in table[3:]}
    assert rows[str(fleet / "risky.json")] == ["1", "4", "1"]
    assert rows["total"] == ["1", "5", "2"]
    assert "notes.txt" not in out


def test_a_directory_alone_is_still_a_fleet_document(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    target(fleet, ".", CALM, "only.json")
    _, doc = run_json("--config", str(fleet))
    assert [t["target"] for t in doc["targets"]] == [str(fleet / "only.json")]


def test_target_list_file(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    target(tmp_path, "b", RISKY)
    listing = tmp_path / "targets.txt"
    listing.write_text(f"# gateways\n{a}\nb/openclaw.json\n\n")
    _, doc = run_json("--config", f"@{listing}")
    assert [t["target"] for t in doc["targets"]] == [str(a), str(tmp_path / "b/openclaw.json")]


def test_failing_target_is_an_error_entry_and_exit_2(tmp_path: Path) -> None:
    a = target(tmp_path, "a", RISKY)
    bad = target(tmp_path, "bad", "{ gateway: { bind: 'lan' \n")
    code, doc = run_json("--config", str(a), "--config", str(bad))
    assert code == 2  # a target that could not be audited fails the run
    ok, err = doc["targets"]
    assert ok["report"]["summary"]["critical"] == 1
    assert err["target"] == str(bad) and set(err) == {"target", "error"}
    assert err["error"]["file"] == str(bad) and err["error"]["line"] == 2
    assert doc["summary"]["failed"] == 1 and doc["summary"]["audited"] == 1
    proc = run("--config", str(a), "--config", str(bad))
    assert proc.returncode == 2
    assert f"{bad}: error: {bad}:" in proc.stderr
    assert "Fleet summary (1 audited, 1 failed)" in proc.stdout
    assert "error: could not be audited" in proc.stdout


def test_fleet_sarif_is_one_valid_run(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent / "report" / "sarif-schema-2.1.0.json").read_text())
    a = target(tmp_path, "a", CALM)
    b = target(tmp_path, "b", RISKY)
    proc = run("--config", str(a), "--config", str(b), "--format", "sarif", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    jsonschema.Draft4Validator(schema).validate(doc)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert uris == {"a/openclaw.json", "b/openclaw.json"}


def test_fix_with_several_targets_is_a_usage_error(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    b = target(tmp_path, "b", CALM)
    proc = run("--config", str(a), "--config", str(b), "--fix")
    assert proc.returncode == 2 and "one target at a time" in proc.stderr


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("--config", str(tmp_path))
    assert proc.returncode == 2 and "no *.json or *.json5 configs" in proc.stderr


def test_duplicate_targets_are_audited_once(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    paths, fleet = expand_targets([str(a), str(a)])
    assert paths == [str(a)] and fleet


def test_results_keep_target_order_and_errors_stay_per_target(tmp_path: Path) -> None:
    from openclaw_audit.engine.fleet_audit import audit_fleet
    from openclaw_audit.engine.options import AuditOptions

    paths = [target(tmp_path, f"t{i}", RISKY if i % 2 else CALM) for i in range(6)]
    paths[3].write_text("{ gateway: ")  # this one cannot be loaded
    names = [str(p) for p in paths]
    out = audit_fleet(names, lambda t: AuditOptions(config_path=t, state_dir=str(Path(t).parent)))
    assert [o.target for o in out] == names
    assert out[3].report is None and isinstance(out[3].error, AuditError)
    assert [o.report.summary.critical for i, o in enumerate(out) if i != 3] == [0, 1, 0, 0, 1]
    assert "short-token" in out[1].secrets and "short-token" not in out[0].secrets


def test_include_scan_still_sees_an_escaped_include_key(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    target(fleet, ".", CALM, "part.json5")
    target(
        fleet,
        ".",
        '{"\\u0024\\u0069nclude": "./part.json5", gateway: {bind: "loopback"}}',
        "main.json5",
    )
    paths, _ = expand_targets([str(fleet)])
    assert paths == [str(fleet / "main.json5")]


NO_AUTH_LAN = '{gateway: {mode: "local", bind: "lan", auth: {mode: "none"}}}'


def test_fleet_baseline_matches_per_target(tmp_path: Path) -> None:
    """A gateway added after the fleet baseline was saved is new in full: another target's
    accepted findings (the same critical check) do not cover it (trust.md §6)."""
    a = target(tmp_path, "a", NO_AUTH_LAN)
    base = tmp_path / "fleet-baseline.json"
    run("--json", "--config", str(a), "--config", str(target(tmp_path, "b", CALM)),
        "--output", str(base))  # fmt: skip
    c = target(tmp_path, "c", NO_AUTH_LAN)  # new since the baseline, same hole as a
    args = ("--config", str(a), "--config", str(tmp_path / "b" / "openclaw.json"))
    code, doc = run_json(
        *args, "--config", str(c), "--baseline", str(base), "--fail-on", "critical"
    )
    by_target = {t["target"]: t["report"] for t in doc["targets"]}
    assert by_target[str(a)]["findings"] == []
    assert by_target[str(c)]["summary"]["critical"] >= 1
    assert code == 1
    # A single report as baseline of a fleet covers no target: it names none.
    single = tmp_path / "single.json"
    run("--json", "--config", str(a), "--output", str(single))
    code, doc = run_json(
        *args, "--config", str(c), "--baseline", str(single), "--fail-on", "critical"
    )
    assert code == 1
    assert all(t["report"]["summary"]["critical"] >= 1 for t in doc["targets"][::2])


def test_forked_workers_give_the_same_results_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openclaw_audit.engine import fleet_audit
    from openclaw_audit.engine.options import AuditOptions

    if not fleet_audit._can_fork() or fleet_audit._cpus() < 2:
        pytest.skip("needs Linux, two CPUs and no other thread")
    lan = '{gateway: {mode: "local", bind: "lan", auth: {mode: "token", token: "short-token"}}}'
    paths = [str(target(tmp_path, f"t{i}", lan if i % 3 else CALM)) for i in range(9)]
    Path(paths[4]).write_text("{ gateway: ")  # an input error crosses the process boundary
    Path(paths[7]).write_text('{gateway: {bind: "loopback"}, bogus: 1}')  # and a schema one

    def options_for(t: str) -> AuditOptions:
        return AuditOptions(config_path=t, state_dir=str(Path(t).parent), strict_config=True)

    def shape(o: fleet_audit.FleetOutcome) -> object:
        if o.error is not None:
            return ("error", type(o.error).__name__, o.error.to_json(), o.error.render())
        assert o.report is not None
        return (o.target, [f.to_json() for f in o.report.findings], o.warnings, o.secrets)

    alone = [shape(o) for o in fleet_audit.audit_fleet(paths, options_for)]
    monkeypatch.setattr(fleet_audit, "PARALLEL_MIN_TARGETS", 2)
    monkeypatch.setattr(fleet_audit, "CHUNK", 2)
    forked = [shape(o) for o in fleet_audit.audit_fleet(paths, options_for)]
    assert forked == alone
    assert [s[1] for s in forked if s[0] == "error"] == ["ConfigError", "ConfigInvalid"]
    assert sum(1 for s in forked if s[0] != "error" and "short-token" in s[3]) == 4


def test_a_check_that_raises_midway_adds_only_its_failure() -> None:
    from builders import make_ctx
    from openclaw_audit.engine.audit import _run_checks
    from openclaw_audit.engine.registry import RegisteredCheck, Stage
    from openclaw_audit.report.model import Finding, Severity

    def half(ctx: object):  # type: ignore[no-untyped-def]
        yield Finding("x.first", Severity.WARN, "t", "d")
        raise RuntimeError("bug")

    chk = RegisteredCheck(fn=half, stage=Stage.SUMMARY, order=0, seq=0, emits=())
    for wants in (None, lambda _id: True):
        out = _run_checks(make_ctx({}), [chk], wants)
        assert [f.check_id for f in out] == ["audit.check_failed"]


def test_run_audit_is_its_phases_composed(tmp_path: Path) -> None:
    from openclaw_audit.engine.audit import finish, prepare, run_audit
    from openclaw_audit.engine.options import AuditOptions

    cfg = target(tmp_path, "a", RISKY)
    opts = AuditOptions(config_path=str(cfg), state_dir=str(cfg.parent), checks=("gateway.*",))
    whole = run_audit(opts)
    phased = finish(prepare(opts))
    assert [f.to_json() for f in whole.report.findings] == [
        f.to_json() for f in phased.report.findings
    ]
    assert whole.report.findings and all(
        f.check_id.startswith("gateway.") for f in whole.report.findings
    )
    assert whole.secrets == phased.secrets


def test_concurrency_below_one_is_a_usage_error(tmp_path: Path) -> None:
    a = target(tmp_path, "a", CALM)
    proc = run("--config", str(a), "--config", str(a), "--deep", "--concurrency", "0")
    assert proc.returncode == 2 and "--concurrency must be at least 1" in proc.stderr
