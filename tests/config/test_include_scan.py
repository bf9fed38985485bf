"""Lenient include scan for the include-file permission checks (checks-filesystem.md §1.5)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from openclaw_audit.config.include_scan import direct_includes, scan_include_files


def json_reader(path: str) -> Any:
    """A stand-in for the JSON5 reader: plain JSON, None on any failure."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def write(path: Path, data: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_direct_includes_walks_objects_and_arrays_in_document_order() -> None:
    doc = {
        "$include": "a.json5",
        "x": [{"$include": ["b.json5", 3, None, "c.json5"]}, {"y": {"$include": "d.json5"}}],
        "z": {"$include": {"not": "a string"}},
        "w": {"$include": 5},
    }
    assert list(direct_includes(doc)) == ["a.json5", "b.json5", "c.json5", "d.json5"]


def test_relative_to_including_file_absolute_kept_nested_followed(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg" / "openclaw.json"
    sub = write(tmp_path / "cfg" / "parts" / "agents.json", {"$include": "../shared/keys.json"})
    keys = write(tmp_path / "cfg" / "shared" / "keys.json", {"k": 1})
    absolute = write(tmp_path / "elsewhere" / "abs.json", {})
    root = {"agents": {"$include": "parts/agents.json"}, "more": {"$include": [absolute]}}
    assert scan_include_files(root, str(cfg), json_reader) == (sub, keys, absolute)


def test_dedupe_by_resolved_path(tmp_path: Path) -> None:
    cfg = tmp_path / "openclaw.json"
    a = write(tmp_path / "a.json", {})
    root = {"x": {"$include": "a.json"}, "y": {"$include": "./sub/../a.json"}, "z": {"$include": a}}
    assert scan_include_files(root, str(cfg), json_reader) == (a,)


def test_cycle_terminates(tmp_path: Path) -> None:
    cfg = tmp_path / "openclaw.json"
    a = write(tmp_path / "a.json", {"$include": "b.json"})
    b = write(tmp_path / "b.json", {"$include": ["a.json", "c.json"]})
    c = str(tmp_path / "c.json")  # missing: still listed for the permission check
    assert scan_include_files({"$include": "a.json"}, str(cfg), json_reader) == (a, b, c)


def test_unreadable_or_unparsable_files_listed_but_not_opened(tmp_path: Path) -> None:
    cfg = tmp_path / "openclaw.json"
    bad = write(tmp_path / "bad.json", "{not json")
    directory = tmp_path / "dir.json"
    directory.mkdir()
    root = {"$include": ["bad.json", "dir.json", "missing.json"]}
    assert scan_include_files(root, str(cfg), json_reader) == (
        bad,
        str(directory),
        str(tmp_path / "missing.json"),
    )


def test_reader_that_raises_is_treated_as_unreadable(tmp_path: Path) -> None:
    def boom(_path: str) -> Any:
        raise RuntimeError("parser crashed")

    cfg = str(tmp_path / "openclaw.json")
    assert scan_include_files({"$include": "a"}, cfg, boom) == (str(tmp_path / "a"),)


def test_depth_limit_ten_levels_below_root(tmp_path: Path) -> None:
    # root -> f1 -> f2 -> ... ; files up to f11 are listed, f11 is not opened (so f12 is not).
    files = {}
    for i in range(1, 15):
        files[str(tmp_path / f"f{i}.json")] = {"$include": f"f{i + 1}.json"}
    cfg = str(tmp_path / "openclaw.json")
    found = scan_include_files({"$include": "f1.json"}, cfg, files.get)
    assert found == tuple(str(tmp_path / f"f{i}.json") for i in range(1, 12))


def test_pure_reader_without_filesystem() -> None:
    docs: dict[str, Any] = {
        os.path.normpath("/cfg/a.json5"): {"nested": [{"$include": "b.json5"}]},
        os.path.normpath("/cfg/b.json5"): {"$include": "/etc/oc/c.json5"},
    }
    found = scan_include_files({"$include": "a.json5"}, "/cfg/openclaw.json", docs.get)
    assert found == tuple(
        os.path.normpath(p) for p in ("/cfg/a.json5", "/cfg/b.json5", "/etc/oc/c.json5")
    )


def test_no_root_or_no_includes() -> None:
    assert scan_include_files(None, "/cfg/openclaw.json", lambda _p: None) == ()
    assert scan_include_files({"a": 1}, "/cfg/openclaw.json", lambda _p: None) == ()
    assert scan_include_files([1, "x"], "/cfg/openclaw.json", lambda _p: None) == ()


def test_blank_and_nul_include_strings_ignored(tmp_path: Path) -> None:
    cfg = str(tmp_path / "openclaw.json")
    assert scan_include_files({"$include": ["", "a\x00b"]}, cfg, lambda _p: None) == ()
