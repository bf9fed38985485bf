"""Config validation against the bundled OpenClaw 2026.9.6 schema (trust.md §3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openclaw_audit.config import json5
from openclaw_audit.config.loader import load_config
from openclaw_audit.config.schema import bundled, problems
from openclaw_audit.config.schema.chunks import BinaryIndex, build_index, pack_index
from openclaw_audit.config.schema.jsregex import compile_js
from openclaw_audit.config.schema.store import BUNDLED_FILE, BUNDLED_INDEX
from openclaw_audit.config.schema.validate import Validator
from openclaw_audit.engine.audit import build_context, run_static
from openclaw_audit.engine.options import AuditOptions

SECRET = "tok-9f8e7d6c5b4a39281706"


def audit(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> dict[str, Any]:
    """Load ``text`` as <tmp>/openclaw.json (plus include files) and run the static checks."""
    (tmp_path / "openclaw.json").write_text(text)
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(body)
    loaded = load_config(env={"HOME": str(tmp_path)}, state_dir=str(tmp_path))
    ctx = build_context(loaded, AuditOptions())
    return {f.check_id: f for f in run_static(ctx, lambda _id: True)}


def detail_lines(found: dict[str, Any], check_id: str = "config.schema_invalid") -> list[str]:
    return found[check_id].detail.splitlines()[1:]


def check(config: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(map(str, p.path)), p.message) for p in problems(config, bundled())]


def test_misspelt_key_gets_a_did_you_mean() -> None:
    assert check({"gateway": {"bnd": "lan"}}) == [
        ("gateway.bnd", 'unknown key "bnd" (did you mean "bind"?)')
    ]


def test_unknown_key_in_a_small_object_lists_the_allowed_keys() -> None:
    [(path, msg)] = check({"logging": {"redactSensitive": "off"}})
    assert path == "logging.redactSensitive"
    assert "allowed: audit, consoleLevel" in msg


def test_wrong_type_names_both_types_but_never_the_value() -> None:
    assert check({"hooks": {"enabled": "yes"}}) == [
        ("hooks.enabled", "expected a boolean, got a string")
    ]
    # A numeric token: the SecretInput union accepts a string or a SecretRef object.
    assert check({"gateway": {"auth": {"token": 123456}}}) == [
        ("gateway.auth.token", "expected a string or an object, got an integer")
    ]


def test_value_not_allowed_lists_the_allowed_values_with_a_suggestion() -> None:
    [(path, msg)] = check({"gateway": {"bind": "lopback"}})
    assert path == "gateway.bind"
    assert (
        msg == 'allowed: "auto", "lan", "loopback", "custom", "tailnet" (did you mean "loopback"?)'
    )


def test_out_of_range() -> None:
    assert check({"gateway": {"port": 70000}}) == [("gateway.port", "must be at most 65535")]
    assert check({"gateway": {"port": 0}}) == [("gateway.port", "must be at least 1")]


def test_missing_required_key_but_keys_with_a_default_are_filled_in() -> None:
    assert check({"security": {"audit": {"suppressions": [{"reason": "r"}]}}}) == [
        ("security.audit.suppressions.0", 'missing required key "checkId"')
    ]
    # dmPolicy/groupPolicy are "required" in the schema but have defaults: OpenClaw accepts.
    assert check({"channels": {"telegram": {"botToken": "x"}}}) == []


def test_anyof_reports_the_branch_the_value_was_meant_for() -> None:
    ref = {"source": "env", "provider": "default", "id": "lowercase"}
    [(path, msg)] = check({"gateway": {"auth": {"token": ref}}})
    # The env branch (source matches) is chosen: its id pattern, not "source must be file".
    assert path == "gateway.auth.token.id"
    assert "^[A-Z][A-Z0-9_]{0,127}$" in msg


def test_if_then_in_a_plugin_schema_is_enforced() -> None:
    # onepassword: a vault needs items and items need a vault (allOf of two if/then).
    def op(config: dict[str, Any]) -> list[tuple[str, str]]:
        return check({"plugins": {"entries": {"onepassword": {"config": config}}}})

    where = "plugins.entries.onepassword.config"
    assert op({"vault": "v"}) == [
        (where, 'missing required key "items" (needed when "vault" is set)')
    ]
    assert op({"items": {"k": {"item": "i"}}}) == [
        (where, 'missing required key "vault" (needed when "items" is set)')
    ]
    assert op({"vault": "v", "items": {"k": {"item": "i"}}}) == []
    assert op({}) == []


def test_if_then_else_picks_one_branch_and_if_alone_never_fails() -> None:
    schema = {
        "type": "object",
        "if": {"properties": {"mode": {"const": "file"}}},
        "then": {"required": ["path"]},
        "else": {"properties": {"path": False}},
    }
    v = Validator(schema)
    assert [p.message for p in v.validate({"mode": "file"})] == ['missing required key "path"']
    assert v.validate({"mode": "file", "path": "/p"}) == []
    assert [p.path for p in v.validate({"mode": "env", "path": "/p"})] == [("path",)]
    assert v.validate({"mode": "env"}) == []
    assert Validator({"if": {"type": "string"}}).validate(3) == []


def test_problems_come_in_path_order() -> None:
    paths = [p for p, _ in check({"hooks": {"enabled": 1}, "gateway": {"port": -1, "bnd": 1}})]
    assert paths == ["gateway.bnd", "gateway.port", "hooks.enabled"]


def test_legacy_agents_list_is_migrated_and_reported_where_written() -> None:
    assert check({"agents": {"list": [{"id": "main", "default": True}]}}) == []
    [(path, msg)] = check({"agents": {"list": [{"id": "a"}, {"id": "b", "tols": {}}]}})
    assert path == "agents.list.1.tols"
    assert 'did you mean "tools"' in msg


def test_legacy_env_shorthand_is_accepted() -> None:
    assert check({"env": {"MY_VAR": "x"}}) == []


def test_finding_locates_each_problem_including_include_files(tmp_path: Path) -> None:
    found = audit(
        tmp_path,
        '{\n  gateway: { $include: "./gw.json5" },\n  hooks: {\n    enabled: "yes",\n  },\n}\n',
        {"gw.json5": '{\n  mode: "local",\n  bind: "everywhere",\n}\n'},
    )
    f = found["config.schema_invalid"]
    assert f.title == "Config does not validate: the gateway refuses to start with it"
    assert f.severity.value == "warn"
    gw, main = tmp_path / "gw.json5", tmp_path / "openclaw.json"
    assert detail_lines(found) == [
        f'- gateway.bind: value not allowed: allowed: "auto", "lan", "loopback", "custom", '
        f'"tailnet" ({gw}:3:9)',
        f"- hooks.enabled: wrong type: expected a boolean, got a string ({main}:4:14)",
    ]
    assert (f.location.file, f.location.line, f.location.column) == (str(gw), 3, 9)


def test_valid_config_has_no_finding(tmp_path: Path) -> None:
    found = audit(tmp_path, '{gateway: {mode: "local", bind: "loopback", port: 18789}}')
    assert "config.schema_invalid" not in found
    assert "config.duplicate_keys" not in found


def test_secret_values_never_appear_in_the_detail(tmp_path: Path) -> None:
    found = audit(
        tmp_path,
        json.dumps({"gateway": {"auth": {"mode": SECRET, "token": [SECRET]}, "bind": SECRET}}),
    )
    detail = found["config.schema_invalid"].detail
    assert "gateway.auth.mode" in detail and "gateway.bind" in detail
    assert SECRET not in detail


def test_unset_variable_is_validated_as_its_literal_text(tmp_path: Path) -> None:
    found = audit(tmp_path, '{gateway: {auth: {mode: "token", token: "${NOT_SET_ANYWHERE}"}}}')
    assert "config.schema_invalid" not in found


def test_duplicate_keys_say_which_line_wins(tmp_path: Path) -> None:
    found = audit(
        tmp_path,
        '{\n  gateway: {\n    bind: "loopback",\n    port: 1,\n    bind: "lan",\n  },\n}\n',
    )
    cfg = tmp_path / "openclaw.json"
    assert found["config.duplicate_keys"].detail == (
        f"- gateway.bind: written more than once in {cfg}; line 5 wins, line 3 is ignored"
    )
    assert found["config.duplicate_keys"].location.line == 5
    assert "config.schema_invalid" not in found  # OpenClaw accepts duplicates


def test_parser_records_duplicates_only_when_asked() -> None:
    dups: list[json5.Duplicate] = []
    value, _ = json5.parse('{a: 1, b: {c: 1, "c": 2}, a: 3}', "f", dups)
    assert value == {"a": 3, "b": {"c": 2}}
    assert [(d.key, d.lost.column, d.kept.column) for d in dups] == [("c", 15, 23), ("a", 5, 30)]
    assert json5.parse("{a: 1, a: 2}")[0] == {"a": 2}


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^[a-z]+$", "abc\n", False),  # JavaScript $ is end of input only
        ("^\\d+$", "١٢", False),  # \d is ASCII in JavaScript
        ("^\\d+$", "12", True),
        ("^.$", "\r", False),  # . excludes CR and the Unicode line separators
        ("^\\s$", "\ufeff", True),  # \s includes the BOM in JavaScript
        ("^[^\\p{Cs}]{1,3}$", "ab", True),
        ("^[^\\p{Cs}]{1,3}$", "a\ud800", False),
        ("^[^\\p{Cc}/]+$", "a\x07", False),
    ],
)
def test_patterns_follow_javascript(pattern: str, text: str, matches: bool) -> None:
    assert (compile_js(pattern).search(text) is not None) is matches


def test_every_bundled_pattern_compiles() -> None:
    patterns: set[str] = set()

    def collect(obj: dict[str, Any]) -> dict[str, Any]:
        if isinstance(obj.get("pattern"), str):
            patterns.add(obj["pattern"])
        return obj

    json.loads(Path(BUNDLED_FILE).read_text(), object_hook=collect)
    assert len(patterns) > 30
    for p in patterns:
        compile_js(p)  # raises UnsupportedPattern otherwise


def test_shipped_index_is_fresh_and_chunks_rebuild_the_whole_schema() -> None:
    text = Path(BUNDLED_FILE).read_text(encoding="ascii")
    spans = build_index(text)
    assert Path(BUNDLED_INDEX).read_bytes() == pack_index(spans, len(text))
    index = BinaryIndex(pack_index(spans, len(text)))
    assert (index.size, len(index)) == (len(text), len(spans))
    assert [index[i] for i in range(len(spans))] == [(s, e, c) for s, e, c in spans]
    schema = bundled()

    def expand(node: Any) -> Any:
        node = schema.deref(node)
        if isinstance(node, dict):
            return {k: expand(v) for k, v in node.items()}
        if isinstance(node, list):
            return [expand(v) for v in node]
        return node

    assert expand(schema.root) == json.loads(text)


def test_a_stale_or_missing_index_falls_back_to_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openclaw_audit.config.schema import store

    stale = tmp_path / "stale.bin"
    stale.write_bytes(pack_index([(0, 10, [])], 10))
    for index in (stale, tmp_path / "missing.bin"):
        monkeypatch.setattr(store, "BUNDLED_INDEX", str(index))
        schema = store.bundled.__wrapped__()
        assert schema.chunks is None
        assert schema.root == json.loads(Path(BUNDLED_FILE).read_text())
