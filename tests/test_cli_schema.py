"""--strict-config, --config-schema and config.schema_invalid through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import ids, run, run_json, target

ROOT = Path(__file__).resolve().parent.parent
BAD = '{\n  gateway: {\n    bind: "everywhere",\n    port: 70000,\n  },\n}\n'


def test_strict_config_refuses_an_invalid_config_like_upstream(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", BAD)
    proc = run("--config", str(cfg), "--strict-config", "--json")
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False
    assert doc["error"]["kind"] == "config_invalid"
    assert (doc["error"]["file"], doc["error"]["line"], doc["error"]["column"]) == (
        str(cfg),
        3,
        11,
    )
    assert [i["path"] for i in doc["issues"]] == ["gateway.bind", "gateway.port"]
    assert all(set(i) == {"path", "message"} for i in doc["issues"])
    assert proc.stderr.splitlines()[0].startswith(f"error: {cfg}:3:11: config does not validate")
    assert len(proc.stderr.splitlines()) == 2  # the error line and its hint
    text = run("--config", str(cfg), "--strict-config")
    assert text.returncode == 2 and text.stdout == ""


def test_without_strict_the_audit_runs_and_reports_the_problems(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", BAD)
    code, doc = run_json("--config", str(cfg))
    assert code == 0
    assert "config.schema_invalid" in ids(doc)
    # strict mode passes a valid config through unchanged
    ok = target(tmp_path, "ok", '{gateway: {bind: "loopback"}}')
    code, doc = run_json("--config", str(ok), "--strict-config")
    assert code == 0 and "config.schema_invalid" not in ids(doc)


def test_config_schema_file_replaces_the_bundled_schema(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", '{gateway: {bind: "everywhere"}, newKey: 1}')
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {"gateway": {"type": "object"}, "newKey": {"type": "integer"}},
            }
        )
    )
    code, doc = run_json("--config", str(cfg), "--config-schema", str(schema))
    assert code == 0
    assert "config.schema_invalid" not in ids(doc)  # this schema knows newKey, allows any bind
    code, doc = run_json("--config", str(cfg))
    finding = next(f for f in doc["findings"] if f["checkId"] == "config.schema_invalid")
    assert 'unknown key "newKey"' in finding["detail"]


def test_bad_schema_file_is_an_input_error(tmp_path: Path) -> None:
    cfg = target(tmp_path, "s", "{}")
    for body, words in [
        ("{", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"type": "object", "properties": {"a": {"type": 5}}}', '/properties/a: "type"'),
    ]:
        schema = tmp_path / "schema.json"
        schema.write_text(body)
        proc = run("--config", str(cfg), "--config-schema", str(schema))
        assert proc.returncode == 2, body
        assert proc.stderr.count("\n") == 1 and words in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    missing = run("--config", str(cfg), "--config-schema", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "cannot read it" in missing.stderr


def test_demo_config_is_flagged_for_the_key_upstream_rejects() -> None:
    _, doc = run_json("--state-dir", str(ROOT / "openclaw_audit" / "demo"))
    finding = next(f for f in doc["findings"] if f["checkId"] == "config.schema_invalid")
    assert finding["detail"].count("\n- ") == 1  # exactly one problem
    assert "logging.redactSensitive: unknown key" in finding["detail"]


def test_compare_fixtures_are_valid_as_upstream_says(tmp_path: Path) -> None:
    # Upstream 2026.9.6's `openclaw config validate` accepts every loadable case.
    _, doc = run_json("--config", str(ROOT / "fixtures" / "compare"))
    flagged = [
        t["target"]
        for t in doc["targets"]
        if "report" in t and "config.schema_invalid" in ids(t["report"])
    ]
    assert flagged == []
