"""Redaction never corrupts (trust.md §1), property-tested: a secret that is a word of the
report itself (a checkId part, a severity, a title word, `true`/`null`, digits, 1–3
characters, a prefix of the report) leaves every output parseable, every checkId a catalog id,
and is never quoted. Rendering is in-process, so each example costs milliseconds."""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openclaw_audit.engine.options import AuditOptions
from openclaw_audit.engine.registry import load_catalog
from openclaw_audit.errors import AuditError
from openclaw_audit.face.app import Invocation, execute
from openclaw_audit.face.inputs_check import catalog_ids
from openclaw_audit.redaction import Scrubber
from openclaw_audit.render.drift import render_json as drift_json
from openclaw_audit.render.drift import render_text as drift_text
from openclaw_audit.report.drift import diff_files

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent.parent / "report" / "sarif-schema-2.1.0.json").read_text()
)
SEVERITIES = ("critical", "warn", "info")
JSON_WORDS = ("true", "false", "null", "summary", "findings", "checkId", "severity", "detail")
SARIF_WORDS = ("version", "runs", "results", "ruleId", "level", "message", "text", "note")


@cache
def catalog_words() -> tuple[str, ...]:
    words: set[str] = set()
    for meta in load_catalog().metas.values():
        words.update(w for w in re.split(r"[._<>]", meta.id) if w)
        words.update(re.findall(r"[A-Za-z0-9]+", meta.title))
        words.add(meta.id)
    return tuple(sorted(words))


REPORT_PREFIXES = (
    "Target: ",
    "OpenClaw security audit",
    "Summary: ",
    '{\n  "ts"',
    '{\n  "findings": [',
    '{\n  "version": "2.1.0"',
    "gateway.",
    "error: ",
)


def secrets() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(catalog_words()),
        st.sampled_from((*SEVERITIES, *JSON_WORDS, *SARIF_WORDS, *REPORT_PREFIXES)),
        st.text("0123456789", min_size=1, max_size=10),
        st.text(min_size=1, max_size=3).filter(lambda s: s.strip() == s and s),
        st.text("abcdefghijklmnopqrstuvwxyz_.-:", min_size=4, max_size=12),
    )


def neutral(secret: str) -> str:
    """A value of the same length that no output could contain by accident."""
    return ("Qz" + "X" * len(secret))[: len(secret)]


def config_for(secret: str) -> dict[str, Any]:
    """The secret at every kind of place a secret lives, next to something `--fix` edits."""
    return {
        "gateway": {"bind": "lan", "auth": {"mode": "token", "token": secret}},
        "hooks": {"enabled": True, "token": secret, "path": "/hooks"},
        "logging": {"redactSensitive": "off"},
        "env": {"vars": {"MY_API_KEY": secret}},
        "models": {
            "providers": {
                "x": {
                    "apiKey": "${REF_TOKEN}",
                    "baseUrl": f"https://user:{secret}@models.test/v1",
                    "headers": {"Authorization": f"Bearer {secret}", "x-api-key": secret},
                }
            }
        },
    }


@dataclass(frozen=True)
class Run:
    out: str
    err: str

    @property
    def everything(self) -> str:
        return self.out + self.err


def run(tmp: Path, secret: str, fmt: str, *, fix: bool = False, name: str = "t") -> Run:
    target = tmp / name
    target.mkdir(exist_ok=True)
    cfg = target / "openclaw.json"
    cfg.write_text(json.dumps(config_for(secret), indent=2))
    opts = AuditOptions(
        config_path=str(cfg),
        state_dir=str(target),
        env={
            "HOME": str(tmp),
            "REF_TOKEN": secret,
            "OPENCLAW_GATEWAY_PASSWORD": secret,
            # Not secrets: the process environment is not what the tool protects.
            "CI": "true",
            "DEBUG": "null",
            "SOME_TOKEN": "warn",
        },
    )
    inv = Invocation(options=opts, fmt=fmt, fix=fix, dry_run=fix)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        execute(inv, Scrubber())
    return Run(out.getvalue(), err.getvalue())


def is_catalog_id(check_id: str) -> bool:
    return load_catalog().meta_for(check_id) is not None


def check_ids(doc: Any) -> list[str]:
    """Every checkId/ruleId anywhere in a parsed output."""
    found: list[str] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("checkId", "ruleId") and isinstance(v, str):
                    found.append(v)
                elif k == "rules" and isinstance(v, list):
                    found.extend(r["id"] for r in v)
                stack.append(v)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def parse(fmt: str, text: str) -> Any:
    if fmt == "text":
        return None
    doc = json.loads(text)
    if fmt == "sarif":
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    return doc


def assert_not_quoted(secret: str, with_secret: str, with_neutral: str) -> None:
    """The secret occurs no more often than where it is the tool's own wording (the same
    output for a neutral value of the same length)."""
    if len(secret) < 4:
        return
    assert with_secret.count(secret) <= with_neutral.count(secret), secret


def assert_details_not_quoted(secret: str, doc: Any, neutral_doc: Any) -> None:
    """Finding by finding: used when the value itself changes which findings fire (a
    placeholder word), so whole outputs are not comparable."""
    theirs: dict[str, str] = {}
    for f in neutral_doc["findings"]:
        theirs.setdefault(f["checkId"], f["detail"])
    for f in doc["findings"]:
        if f["checkId"] in theirs:
            assert_not_quoted(secret, f["detail"], theirs[f["checkId"]])


def assert_no_quote(secret: str, got: Run, base: Run, doc: Any, neutral_doc: Any) -> None:
    if check_ids(doc) == check_ids(neutral_doc):
        assert_not_quoted(secret, got.everything, base.everything)
    else:
        assert_details_not_quoted(secret, doc, neutral_doc)


def assert_same_shape(doc: Any, neutral_doc: Any) -> None:
    """Summary keys and severities are the tool's text: identical with either value."""
    if isinstance(doc, dict) and "summary" in doc:
        assert set(doc["summary"]) == set(neutral_doc["summary"])
        assert {f["severity"] for f in doc["findings"]} <= set(SEVERITIES)


PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(secret=secrets(), fmt=st.sampled_from(["text", "json", "sarif"]))
def test_audit_outputs_survive_any_secret(tmp_path: Path, secret: str, fmt: str) -> None:
    got, base = run(tmp_path, secret, fmt), run(tmp_path, neutral(secret), fmt, name="n")
    parsed = parse(fmt, got.out)
    if parsed is not None:
        ids = check_ids(parsed)
        assert ids and all(is_catalog_id(i) for i in ids), ids
    else:
        for check_id in re.findall(r"^\S+ (\S+)$", got.out, re.M):
            if "." in check_id:
                assert is_catalog_id(check_id), check_id
    doc = json.loads(run(tmp_path, secret, "json").out)
    neutral_doc = json.loads(run(tmp_path, neutral(secret), "json", name="n").out)
    assert_same_shape(doc, neutral_doc)
    assert_no_quote(secret, got, base, doc, neutral_doc)


@PROPERTY
@given(secret=secrets(), fmt=st.sampled_from(["text", "json"]))
def test_fix_dry_run_survives_any_secret(tmp_path: Path, secret: str, fmt: str) -> None:
    got = run(tmp_path, secret, fmt, fix=True)
    base = run(tmp_path, neutral(secret), fmt, fix=True, name="n")
    doc = json.loads(run(tmp_path, secret, "json", fix=True).out)
    neutral_doc = json.loads(run(tmp_path, neutral(secret), "json", fix=True, name="n").out)
    assert doc["fix"]["diffs"], doc["fix"]
    assert all(is_catalog_id(i) for i in check_ids(doc["report"]))
    if check_ids(doc) == check_ids(neutral_doc):
        assert_not_quoted(secret, got.everything, base.everything)
    else:
        assert_details_not_quoted(secret, doc["report"], neutral_doc["report"])
        diff, neutral_diff = doc["fix"]["diffs"][0]["diff"], neutral_doc["fix"]["diffs"][0]["diff"]
        assert_not_quoted(secret, diff, neutral_diff)


@settings(PROPERTY, max_examples=15)
@given(secret=secrets())
@example(secret="gateway.")  # found by this test: the head of `gateway.bind` in other targets
def test_fleet_target_text_is_independent_of_other_targets_secrets(
    tmp_path: Path, secret: str
) -> None:
    """Target `a` is audited beside `b`: whatever `b`'s secret, `a`'s report is the same."""

    def fleet(b_secret: str) -> dict[str, Any]:
        root = tmp_path / "fleet"  # the same paths both times: only b's secret differs
        root.mkdir(exist_ok=True)
        for name, value in (("a", "Fixed-a-Token-0123456789abcdefXY"), ("b", b_secret)):
            (root / name).mkdir(exist_ok=True)
            (root / name / "openclaw.json").write_text(json.dumps(config_for(value)))
        opts = AuditOptions(env={"HOME": str(tmp_path)})
        inv = Invocation(
            options=opts,
            configs=(str(root / "a" / "openclaw.json"), str(root / "b" / "openclaw.json")),
            fmt="json",
        )
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            execute(inv, Scrubber())
        return json.loads(out.getvalue())

    got, base = fleet(secret), fleet(neutral(secret))
    a_got, a_base = got["targets"][0]["report"], base["targets"][0]["report"]
    assert a_got["findings"] == a_base["findings"]
    assert all(is_catalog_id(i) for i in check_ids(got))
    b_got, b_base = got["targets"][1]["report"], base["targets"][1]["report"]
    assert_no_quote(secret, Run(json.dumps(b_got), ""), Run(json.dumps(b_base), ""), b_got, b_base)


@settings(PROPERTY, max_examples=15)
@given(secret=secrets())
def test_baseline_and_diff_survive_any_secret(tmp_path: Path, secret: str) -> None:
    got = run(tmp_path, secret, "json")
    saved = tmp_path / "old.json"
    saved.write_text(got.out)
    (tmp_path / "t" / "openclaw.json").write_text(json.dumps({"gateway": {"bind": "lan"}}))
    new = tmp_path / "new.json"
    new.write_text(run(tmp_path, secret, "json").out)
    drift = diff_files(str(saved), str(new))
    doc = json.loads(drift_json(drift))
    assert all(is_catalog_id(i) for i in check_ids(doc))
    text = drift_text(drift)
    # The drift only carries findings of saved reports: the secret shows up only as the
    # tool's own wording, which these reports contain for any value.
    assert_not_quoted(secret, json.dumps(doc) + text, got.out * 3 + new.read_text() * 3)


@settings(PROPERTY, max_examples=20)
@given(secret=secrets(), fmt=st.sampled_from(["text", "json"]))
def test_errors_survive_any_secret(tmp_path: Path, secret: str, fmt: str) -> None:
    """A config that fails to load next to a secret: one error, never the secret."""

    def error_for(value: str, name: str) -> str:
        target = tmp_path / name
        target.mkdir(exist_ok=True)
        (target / "openclaw.json").write_text(
            "{gateway: {auth: {token: " + json.dumps(value) + "}}, hooks: {token: " + "@@@ }}"
        )
        opts = AuditOptions(config_path=str(target / "openclaw.json"), state_dir=str(target))
        try:
            run_error = None
            with contextlib.redirect_stdout(io.StringIO()):
                execute(Invocation(options=opts, fmt=fmt), Scrubber([value]))
        except AuditError as exc:
            run_error = exc
        assert run_error is not None
        return run_error.render() + json.dumps(run_error.to_json())

    got, base = error_for(secret, "s"), error_for(neutral(secret), "n")
    assert_not_quoted(secret, got, base)


def test_the_catalog_words_include_what_broke_reports() -> None:
    words = catalog_words()
    assert {"gateway", "token", "short", "hooks"} <= set(words)
    assert is_catalog_id("gateway.token_too_short") and "hooks.token_too_short" in catalog_ids()
