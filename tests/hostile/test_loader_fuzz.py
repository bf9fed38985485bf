"""Fuzz target for the config loader: whatever bytes and include graphs it is given,
``load_config`` returns or raises AuditError — nothing else — and the CLI never prints a
traceback. Bounded for CI (a few hundred examples, no per-example deadline)."""

from __future__ import annotations

import json
from pathlib import Path

from hostile_harness import cli, no_traceback
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_audit.config.loader import load_config
from openclaw_audit.errors import AuditError

FRAGMENTS = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "'",
    '"',
    "//",
    "/*",
    "*/",
    "\\u",
    "\\x4",
    "0x",
    "1e400",
    "-Infinity",
    "NaN",
    "null",
    "true",
    "$include",
    "'a.json5'",
    "'../x'",
    "'/dev/zero'",
    "'pipe'",
    "'self.json5'",
    "${A}",
    "$${B}",
    "${lower}",
    "gateway",
    "auth",
    "token",
    "{source: 'env', id: 'A'}",
    "{source: 'file', provider: 'f', id: '/x'}",
    "{source: 'exec', provider: 'e', id: 'x'}",
    "\ufeff",
    "\x00",
    "\u2028",
    "\ud800",
    "é",
    " ",
    "\n",
]
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def materialise(tmp_path: Path, main: str, extra: dict[str, str]) -> Path:
    for name, text in extra.items():
        (tmp_path / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    cfg = tmp_path / "openclaw.json"
    cfg.write_text(main, encoding="utf-8", errors="surrogatepass")
    return cfg


def load_or_audit_error(cfg: Path, env: dict[str, str]) -> None:
    try:
        loaded = load_config(env=env, config_path=str(cfg), state_dir=str(cfg.parent))
    except AuditError as exc:
        assert exc.render().startswith("error: ")
        json.dumps(exc.to_json())
        return
    assert isinstance(loaded.source.get(()), dict) or loaded.source is not None


DOC = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


@SETTINGS
@given(main=DOC, inc=DOC, self_inc=st.booleans())
def test_fragment_soup_loads_or_raises_audit_error(
    tmp_path: Path, main: str, inc: str, self_inc: bool
) -> None:
    extra = {"a.json5": inc, "self.json5": "{$include: 'self.json5'}" if self_inc else inc}
    cfg = materialise(tmp_path, main, extra)
    load_or_audit_error(cfg, {"HOME": str(tmp_path), "A": "${A}"})


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_load_or_raise_audit_error(tmp_path: Path, data: bytes) -> None:
    cfg = tmp_path / "openclaw.json"
    cfg.write_bytes(data)
    load_or_audit_error(cfg, {"HOME": str(tmp_path)})


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.dictionaries(
            st.sampled_from(["$include", "gateway", "a", "token", "__proto__"]), kids, max_size=3
        ),
    ),
    max_leaves=20,
)


@SETTINGS
@given(doc=JSONISH, inc=JSONISH)
def test_structured_configs_with_includes(tmp_path: Path, doc: object, inc: object) -> None:
    cfg = materialise(tmp_path, json.dumps({"root": doc}), {"a.json5": json.dumps(inc)})
    load_or_audit_error(cfg, {"HOME": str(tmp_path)})


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(main=DOC)
def test_cli_never_prints_a_traceback(tmp_path: Path, main: str) -> None:
    cfg = materialise(tmp_path, main, {"a.json5": "{}"})
    for flags in ([], ["--json"]):
        out = cli("--config", str(cfg), "--state-dir", str(tmp_path), *flags, home=tmp_path)
        no_traceback(out)
        assert out.code in (0, 2), out.stderr
        if out.code == 2:
            assert out.stderr.startswith("error: ") and len(out.stderr.splitlines()) <= 2
        if flags:
            json.loads(out.stdout)
