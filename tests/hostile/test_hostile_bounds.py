"""Bounded work on hostile inputs (trust.md §7): ``$include`` fan-out, ``${VAR}`` expansion,
deep JSON/TOML in ``diff``/baselines/ignore files, and linear finding matching."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hostile_harness import assert_input_error, cli, cli_subprocess

from openclaw_audit.config import includes
from openclaw_audit.config.loader import load_config
from openclaw_audit.report.baseline import SavedFinding, pair


def _fan_out(root: Path, width: int, depth: int) -> Path:
    """f0 includes f1 ``width`` times, f1 includes f2 ``width`` times, ... (a few hundred
    bytes: width**depth loads when nothing bounds the total)."""
    sd = root / "state"
    sd.mkdir(mode=0o700)
    for n in range(depth):
        (sd / f"f{n}.json5").write_text(
            json.dumps({"$include": [f"f{n + 1}.json5"] * width, f"k{n}": n})
        )
    (sd / f"f{depth}.json5").write_text('{leaf: {x: 1}, list: ["a"]}')
    cfg = sd / "openclaw.json"
    cfg.write_text('{"$include": "f0.json5", gateway: {mode: "local"}}')
    for p in sd.iterdir():
        p.chmod(0o600)
    return cfg


def test_include_fan_out_is_bounded(tmp_path: Path) -> None:
    cfg = _fan_out(tmp_path, width=4, depth=9)
    assert sum(p.stat().st_size for p in cfg.parent.iterdir()) < 1000  # a few hundred bytes
    start = time.monotonic()
    out = cli_subprocess("--config", str(cfg), home=tmp_path, timeout=120)
    elapsed = time.monotonic() - start
    line = assert_input_error(out, "fan-out")
    assert "include loads" in line
    assert elapsed < 30, elapsed


def test_each_distinct_include_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _fan_out(tmp_path, width=2, depth=4)  # 2+4+8+16 = 30 inclusions of 5 files
    reads: list[str] = []
    real = includes.read_text

    def counting(path: str, **kw: object):  # type: ignore[no-untyped-def]
        reads.append(path)
        return real(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(includes, "read_text", counting)
    loaded = load_config(env={"HOME": str(tmp_path)}, config_path=str(cfg))
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 5
    assert loaded.source.get("leaf") == {"x": 1} and loaded.source.get("k3") == 3


def _big_var_config(root: Path, refs: int, one_string: bool) -> Path:
    sd = root / "state"
    sd.mkdir(mode=0o700, exist_ok=True)
    cfg = sd / "openclaw.json"
    body = json.dumps("${BIG}" * refs) if one_string else json.dumps(["${BIG}"] * refs)
    cfg.write_text('{gateway: {mode: "local"}, notes: ' + body + "}")
    cfg.chmod(0o600)
    return cfg


@pytest.mark.parametrize("one_string", [False, True])
def test_var_expansion_is_bounded(tmp_path: Path, one_string: bool) -> None:
    cfg = _big_var_config(tmp_path, refs=20_000, one_string=one_string)  # ~140 KB of config
    out = cli("--config", str(cfg), home=tmp_path, env={"BIG": "x" * 4096})  # 80M chars
    line = assert_input_error(out, "expansion")
    assert "characters in total" in line


def test_modest_var_expansion_still_loads(tmp_path: Path) -> None:
    cfg = _big_var_config(tmp_path, refs=100, one_string=False)
    out = cli("--config", str(cfg), "--json", home=tmp_path, env={"BIG": "x" * 4096})
    assert out.code == 0, out.stderr
    assert json.loads(out.stdout)["findings"] is not None


def _deep_json(depth: int) -> str:
    return '{"findings": [], "x": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [300, 100_000])
def test_diff_on_deep_json_is_exit_2(tmp_path: Path, depth: int) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(_deep_json(depth))
    ok = tmp_path / "ok.json"
    ok.write_text('{"findings": []}')
    for args in (("diff", str(deep), str(ok)), ("diff", "--json", str(ok), str(deep))):
        out = cli(*args, home=tmp_path)
        assert_input_error(out, "levels deep", json_mode="--json" in args)


def test_deep_baseline_and_ignore_file_are_exit_2(tmp_path: Path) -> None:
    sd = tmp_path / "state"
    sd.mkdir(mode=0o700)
    cfg = sd / "openclaw.json"
    cfg.write_text('{gateway: {mode: "local"}}')
    cfg.chmod(0o600)
    base = tmp_path / "base.json"
    base.write_text(_deep_json(50_000))
    assert_input_error(
        cli("--config", str(cfg), "--baseline", str(base), home=tmp_path), "levels deep"
    )
    ignore = tmp_path / "ignore.toml"
    ignore.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert_input_error(
        cli("--config", str(cfg), "--ignore-file", str(ignore), home=tmp_path), "levels deep"
    )


def test_pairing_is_linear() -> None:
    n = 30_000
    old = [
        SavedFinding("ch.open", "warn", "t", f"channels.x.accounts.a{i} is open") for i in range(n)
    ]
    new = [
        SavedFinding("ch.open", "warn", "t", f"reworded {i}", f"channels.x.accounts.b{i}")
        for i in range(n)
    ]
    new += [SavedFinding("ch.open", "warn", "t", "reworded", f"channels.x.accounts.a{i}") for i in range(n)]  # fmt: skip
    start = time.monotonic()
    pairs, gone, fresh = pair(old, new)
    assert time.monotonic() - start < 10
    assert len(pairs) == n and not gone and len(fresh) == n
    assert all(o.detail.startswith(nf.subject) for o, nf in pairs)  # type: ignore[arg-type]
