"""--ignore-file and the default .openclaw-audit-ignore.toml, through the real CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from clirun import RISKY, ids, run, run_json, target

from openclaw_audit.errors import AuditError
from openclaw_audit.report import ignore_file
from openclaw_audit.report.model import Finding, Severity

PAST = "2000-01-01"
FUTURE = "2999-12-31"


def write_ignore(path: Path, body: str) -> Path:
    path.write_text(body)
    return path


def test_default_file_beside_the_config_suppresses_with_reason_and_expiry(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    write_ignore(
        cfg.parent / ".openclaw-audit-ignore.toml",
        f'[[ignore]]\ncheckId = "logging.redact_off"\nreason = "debugging"\nexpires = {FUTURE}\n',
    )
    code, doc = run_json("--config", str(cfg))
    assert code == 0
    assert "logging.redact_off" not in ids(doc)
    (sup,) = doc["suppressedFindings"]
    assert sup["checkId"] == "logging.redact_off"
    assert sup["suppression"] == {"reason": "debugging", "source": "ignore-file", "expires": FUTURE}
    assert doc["summary"]["warn"] == 3  # suppressed findings are not counted


def test_prefix_pattern_and_detail_match(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    ign = write_ignore(
        tmp_path / "ign.toml",
        '[[ignore]]\ncheckId = "gateway.*"\ndetailIncludes = "RATE"\nreason = "proxy limits"\n',
    )
    code, doc = run_json("--config", str(cfg), "--ignore-file", str(ign))
    assert code == 0
    assert ids(doc, "suppressedFindings") == ["gateway.auth_no_rate_limit"]
    assert "gateway.token_too_short" in ids(doc)  # same prefix, detail does not match


def test_subject_must_match_exactly() -> None:
    entry = ignore_file.IgnoreEntry("channels.*", "r", subject="channels.telegram")
    hit = Finding("channels.x", Severity.WARN, "t", "d", subject="channels.telegram")
    miss = Finding("channels.x", Severity.WARN, "t", "d", subject="channels.telegram.work")
    assert entry.matches(hit) and not entry.matches(miss)


def test_expired_entry_stops_suppressing_and_is_reported(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    ign = write_ignore(
        tmp_path / "ign.toml",
        "# accepted risks\n\n"
        f'[[ignore]]\ncheckId = "logging.redact_off"\nreason = "old excuse"\nexpires = {PAST}\n',
    )
    code, doc = run_json("--config", str(cfg), "--ignore-file", str(ign), "--fail-on", "warn")
    assert code == 1
    assert "logging.redact_off" in ids(doc)
    assert "suppressedFindings" not in doc
    expired = [f for f in doc["findings"] if f["checkId"] == "audit.ignore_file.expired"]
    assert len(expired) == 1 and expired[0]["severity"] == "warn"
    assert PAST in expired[0]["detail"] and "old excuse" in expired[0]["detail"]
    # In SARIF it points at the entry's [[ignore]] line in the ignore file.
    import json

    proc = run("--config", str(cfg), "--ignore-file", str(ign), "--format", "sarif", cwd=tmp_path)
    res = next(
        r
        for r in json.loads(proc.stdout)["runs"][0]["results"]
        if r["ruleId"] == "audit.ignore_file.expired"
    )
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "ign.toml" and loc["region"]["startLine"] == 3


def test_entry_is_valid_through_its_expiry_day() -> None:
    ign = ignore_file.IgnoreFile(
        "x.toml", (ignore_file.IgnoreEntry("a.b", "r", expires=dt.date(2030, 5, 1)),)
    )
    f = Finding("a.b", Severity.WARN, "t", "d")
    _, moved = ignore_file.apply([f], ign, today=dt.date(2030, 5, 1))
    assert len(moved) == 1
    kept, moved = ignore_file.apply([f], ign, today=dt.date(2030, 5, 2))
    assert not moved and [k.check_id for k in kept] == ["a.b", "audit.ignore_file.expired"]


def test_applies_after_config_suppressions_and_never_hides_them(tmp_path: Path) -> None:
    cfg = target(
        tmp_path,
        "gw",
        RISKY[:-1] + ', security: {audit: {suppressions: [{checkId: "logging.redact_off"}]}}}',
    )
    ign = write_ignore(
        tmp_path / "ign.toml",
        '[[ignore]]\ncheckId = "*"\nreason = "hide everything"\n',
    )
    code, doc = run_json("--config", str(cfg), "--ignore-file", str(ign))
    assert code == 0
    # Config suppression wins for logging.redact_off (first come); the ignore file takes the rest.
    sources = {f["checkId"]: f["suppression"].get("source") for f in doc["suppressedFindings"]}
    assert sources["logging.redact_off"] is None
    assert sources["gateway.token_too_short"] == "ignore-file"
    assert ids(doc) == ["security.audit.suppressions.active"]  # still shown, still last


def test_expired_finding_goes_before_the_suppressions_active_finding(tmp_path: Path) -> None:
    cfg = target(
        tmp_path,
        "gw",
        RISKY[:-1] + ', security: {audit: {suppressions: [{checkId: "logging.redact_off"}]}}}',
    )
    ign = write_ignore(
        tmp_path / "ign.toml",
        f'[[ignore]]\ncheckId = "gateway.token_too_short"\nreason = "x"\nexpires = "{PAST}"\n',
    )
    _, doc = run_json("--config", str(cfg), "--ignore-file", str(ign))
    assert ids(doc)[-2:] == ["audit.ignore_file.expired", "security.audit.suppressions.active"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[[ignore]\ncheckId = 1\n", "invalid TOML"),
        ('[[ignore]]\ncheckId = "a.b"\n', "reason is required"),
        ('[[ignore]]\nreason = "x"\n', "checkId is required"),
        ('[[ignore]]\ncheckId = "a.b"\nreason = "x"\nexpires = "31/12/2030"\n', "expires"),
        ('[[ignore]]\ncheckId = "a.b"\nreason = "x"\nexpire = 2030-01-01\n', "unknown key"),
        ('[[ignore]]\ncheckId = "a.*.b"\nreason = "x"\n', "may only end in *"),
        ('checkId = "a.b"\n', "unknown top-level key"),
    ],
)
def test_malformed_file_is_one_error_line_and_exit_2(
    tmp_path: Path, body: str, message: str
) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    ign = write_ignore(tmp_path / "bad.toml", body)
    proc = run("--config", str(cfg), "--ignore-file", str(ign))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error: {ign}")
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_explicit_file_is_exit_2(tmp_path: Path) -> None:
    cfg = target(tmp_path, "gw", RISKY)
    proc = run("--config", str(cfg), "--ignore-file", str(tmp_path / "nope.toml"), "--json")
    assert proc.returncode == 2
    assert '"ok": false' in proc.stdout


def test_toml_error_position_is_reported(tmp_path: Path) -> None:
    path = write_ignore(tmp_path / "bad.toml", '# c\n[[ignore]]\ncheckId = "a\n')
    with pytest.raises(AuditError) as exc:
        ignore_file.load(str(path))
    assert exc.value.line == 3
