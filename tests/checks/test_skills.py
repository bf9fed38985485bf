"""skills.workspace.symlink_escape and skill directory discovery on real temp dirs."""

from __future__ import annotations

import os
from pathlib import Path

from builders import make_ctx, one, run_checks
from openclaw_audit.engine.registry import Stage
from openclaw_audit.facts.skill_dirs import agent_workspace, skill_dirs
from openclaw_audit.report.model import Severity


def escape(cfg: dict, state: Path) -> list:
    return run_checks(make_ctx(cfg, state_dir=state), stages=[Stage.SKILLS_WORKSPACE])


def make_skill(parent: Path, name: str, body: str = "# skill\n") -> Path:
    d = parent / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "SKILL.md").write_text(body)
    return d


def test_symlinked_skill_md_outside_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "SKILL.md").write_text("# outside\n")
    (ws / "skills" / "leak").mkdir(parents=True)
    os.symlink(outside / "SKILL.md", ws / "skills" / "leak" / "SKILL.md")
    f = one(
        escape({"agents": {"defaults": {"workspace": str(ws)}}}, tmp_path / "state"),
        "skills.workspace.symlink_escape",
    )
    assert f.severity is Severity.WARN
    assert str(outside / "SKILL.md") in f.detail
    assert str(ws / "skills" / "leak" / "SKILL.md") in f.detail


def test_symlinked_skill_dir_outside_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "skills").mkdir(parents=True)
    make_skill(tmp_path / "elsewhere", "s")
    os.symlink(tmp_path / "elsewhere" / "s", ws / "skills" / "s")
    f = one(
        escape({"agents": {"defaults": {"workspace": str(ws)}}}, tmp_path / "state"),
        "skills.workspace.symlink_escape",
    )
    assert str(tmp_path / "elsewhere" / "s" / "SKILL.md") in f.detail


def test_symlink_inside_workspace_is_near_miss(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    make_skill(ws / "skills", "real")
    (ws / "skills" / "alias").mkdir()
    os.symlink(ws / "skills" / "real" / "SKILL.md", ws / "skills" / "alias" / "SKILL.md")
    os.symlink(ws / "skills" / "real", ws / "skills" / "dirlink")
    assert escape({"agents": {"defaults": {"workspace": str(ws)}}}, tmp_path / "s") == []


def test_default_workspace_under_state_dir_and_loops(tmp_path: Path) -> None:
    ws = tmp_path / "workspace"
    skills = ws / "skills"
    skills.mkdir(parents=True)
    os.symlink(skills, skills / "loop")  # a loop back to the tree
    os.symlink(skills / "nowhere", skills / "dangling")
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "SKILL.md").write_text("x")
    deep = skills / "a" / "b"
    deep.mkdir(parents=True)
    os.symlink(tmp_path / "o" / "SKILL.md", deep / "SKILL.md")
    f = one(escape({}, tmp_path), "skills.workspace.symlink_escape")
    assert str(deep / "SKILL.md") in f.detail


def test_skips_node_modules_dot_dirs_and_too_deep(tmp_path: Path) -> None:
    ws = tmp_path / "workspace"
    (tmp_path / "o").mkdir()
    target = tmp_path / "o" / "SKILL.md"
    target.write_text("x")
    for rel in ("node_modules/x", ".hidden/x", "1/2/3/4/5/6/7"):
        d = ws / "skills" / rel
        d.mkdir(parents=True)
        os.symlink(target, d / "SKILL.md")
    assert escape({}, tmp_path) == []


def test_one_finding_per_workspace(tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    target = tmp_path / "o" / "SKILL.md"
    target.write_text("x")
    cfg = {"agents": {"list": [{"id": "a", "default": True}, {"id": "b"}]}}
    for ws in ("workspace", "workspace-b", "workspace-main"):
        d = tmp_path / ws / "skills" / "s"
        d.mkdir(parents=True)
        os.symlink(target, d / "SKILL.md")
    found = escape(cfg, tmp_path)
    assert [f.subject for f in found] == [
        str(tmp_path / "workspace-main"),
        str(tmp_path / "workspace"),
        str(tmp_path / "workspace-b"),
    ]


def test_agent_workspace_resolution(tmp_path: Path) -> None:
    cfg = {
        "agents": {
            "defaults": {"workspace": "~/dws"},
            "list": [{"id": "Main", "workspace": " /w/main "}, {"id": "other"}],
        }
    }
    ctx = make_ctx(cfg, state_dir=tmp_path, home="/h")
    assert agent_workspace(ctx, "main") == "/w/main"
    assert agent_workspace(ctx, "other") == str(tmp_path / "workspace-other")
    ctx2 = make_ctx({"agents": {"defaults": {"workspace": "~/dws"}}}, home="/h")
    assert agent_workspace(ctx2, "main") == "/h/dws"


def test_skill_dirs_order_dedupe_and_extensions_excluded(tmp_path: Path) -> None:
    state = tmp_path / "state"
    make_skill(state / "workspace" / "skills", "ws-skill")
    (state / "workspace" / "skills" / "no-skill-md").mkdir()
    make_skill(state / "skills", "managed")
    plugin_skill = make_skill(state / "extensions" / "p" / "skills", "shipped")
    extra = tmp_path / "extra"
    make_skill(extra, "x1")
    os.symlink(state / "skills" / "managed", extra / "dup")  # same real path: once
    os.symlink(plugin_skill, extra / "via-link")  # lives in extensions: skipped
    cfg = {"skills": {"load": {"extraDirs": [str(extra), 5]}}}
    found = skill_dirs(make_ctx(cfg, state_dir=state))
    assert [s.name for s in found] == ["ws-skill", "managed", "x1"]


def test_no_workspace_no_finding(tmp_path: Path) -> None:
    assert escape({"agents": {"defaults": {"workspace": 5}}}, tmp_path / "missing") == []


def test_odd_input_never_raises(tmp_path: Path) -> None:
    from builders import audit

    for cfg in (
        {"agents": {"list": [{"id": "a", "workspace": 5}, "x", {"id": 3}]}, "skills": "x"},
        {"agents": {"entries": {"a": {"workspace": ["x"]}}}, "skills": {"load": {"extraDirs": 3}}},
        {"agents": "x", "skills": {"load": {"extraDirs": ["", "~", "/nonexistent"]}}},
    ):
        audit(cfg, state_dir=tmp_path, deep=True)
