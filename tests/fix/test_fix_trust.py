"""``--fix`` damages nothing it touches (trust.md §6): no skipped symlink is followed, a
concurrent edit is never reverted, temp files and backups keep the original's mode and owner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Tree, mode

from openclaw_audit.fix import writer
from openclaw_audit.fix.run import run_fix

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def hook() -> Iterator[None]:
    yield
    writer.after_temp_written = None


def test_symlinked_agent_dir_is_not_entered(tree: Tree, tmp_path: Path) -> None:
    """agents/<id> is a symlink to a directory elsewhere: it is reported skipped, and nothing
    behind it (agent/, sessions/, transcripts) is inspected or changed."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "agent").mkdir(parents=True)
    (elsewhere / "sessions").mkdir()
    victims = [
        elsewhere / "agent" / "auth-profiles.json",
        elsewhere / "sessions" / "sessions.json",
        elsewhere / "sessions" / "t.jsonl",
    ]
    for v in victims:
        v.write_text("{}")
        v.chmod(0o644)
    for d in (elsewhere, elsewhere / "agent", elsewhere / "sessions"):
        d.chmod(0o755)
    agent_root = tree.state / "agents" / "ops"
    agent_root.symlink_to(elsewhere, target_is_directory=True)
    cfg = tree.config.read_text().replace("gateway:", 'agents: {list: [{id: "ops"}]}, gateway:')
    tree.config.write_text(cfg)
    result = run_fix(tree.options())
    under = [a for a in result.actions if a.path.startswith(str(agent_root))]
    assert under and all(a.skipped == "symlink" and not a.ok for a in under), under
    assert not any(a.path.endswith("t.jsonl") for a in under)  # the link was not listed
    assert all(mode(v) == 0o644 for v in victims)
    assert all(mode(d) == 0o755 for d in (elsewhere / "agent", elsewhere / "sessions"))


ROTATE = """
import os, sys
path, new = sys.argv[1], sys.argv[2]
tmp = path + ".rotate"
with open(tmp, "w") as fh:
    fh.write(new)
os.replace(tmp, path)  # an atomic rewrite, as OpenClaw writes its config
"""


def test_concurrent_token_rotation_is_not_reverted(tree: Tree, hook: None) -> None:
    """While --fix holds its temp file, another process rotates the gateway token in the
    config. The fix must not rename its (old-token) text over the rotation."""
    rotated = tree.config.read_text().replace(
        'gateway: { bind: "loopback" }',
        'gateway: { bind: "loopback", auth: { token: "rotated-token-0123456789abcdef" } }',
    )

    def rotate(_tmp: str) -> None:
        subprocess.run(
            [sys.executable, "-c", ROTATE, str(tree.config), rotated], check=True, timeout=60
        )

    writer.after_temp_written = rotate
    result = run_fix(tree.options())
    assert not result.config_written
    assert any("changed on disk while --fix was running" in e for e in result.errors)
    assert tree.config.read_text() == rotated  # the rotation survives
    assert not [p.name for p in tree.state.iterdir() if p.name.endswith(".tmp")]


def test_temp_file_is_created_with_the_final_mode(
    tree: Tree, hook: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mode the temp file is born with (before any fchmod): a 0600 birth followed by a
    # chmod would briefly be the wrong mode for the secret-bearing text.
    born: list[int] = []
    real_open = os.open

    def recording_open(path: str, flags: int, mode_: int = 0o777, *a: object) -> int:
        if str(path).endswith(".tmp"):
            born.append(mode_)
        return real_open(path, flags, mode_, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.os, "open", recording_open)
    tree.config.chmod(0o640)
    tree.include.chmod(0o604)
    seen: dict[str, int] = {}
    writer.after_temp_written = lambda tmp: seen.update({tmp.split(".json")[0]: mode(tmp)})
    result = run_fix(tree.options())
    assert result.config_written
    assert sorted(born) == [0o600, 0o600, 0o604, 0o640], born  # two .bak temps: 0600
    assert seen == {
        str(tree.config)[: -len(".json")]: 0o640,
        str(tree.include)[: -len(".json5")]: 0o604,
    }


def test_temp_file_that_cannot_be_removed_is_reported(
    tree: Tree, hook: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_tmp: str) -> None:
        raise writer.WriteError("disk trouble")

    real_unlink = os.unlink

    def stuck(path: str, *a: object, **kw: object) -> None:
        if str(path).endswith(".tmp"):
            raise PermissionError(1, "Operation not permitted")
        real_unlink(path, *a, **kw)  # type: ignore[arg-type]

    writer.after_temp_written = fail
    monkeypatch.setattr(writer.os, "unlink", stuck)
    result = run_fix(tree.options())
    assert not result.config_written
    assert any("left behind" in e and ".tmp" in e for e in result.errors), result.errors


@pytest.mark.skipif(not ROOT, reason="changing a file's owner needs root")
def test_backup_keeps_the_original_owner_and_mode(tree: Tree) -> None:
    os.chown(tree.config, 4321, 4322)
    tree.config.chmod(0o640)
    result = run_fix(tree.options())
    assert result.config_written
    bak = Path(f"{tree.config}.bak")
    st = os.stat(bak)
    assert (st.st_uid, st.st_gid) == (4321, 4322)
    assert mode(bak) == 0o600  # the original's bits, never wider than 0600
    assert (os.stat(tree.config).st_uid, os.stat(tree.config).st_gid) == (4321, 4322)


def test_rotation_between_plan_and_write_is_named(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process rewrites the config after --fix planned from it: the fix refuses and
    says why (before, the same case surfaced only as "verification mismatch")."""
    from openclaw_audit.fix import run as fix_run

    rotated = tree.config.read_text().replace('bind: "loopback"', 'bind: "loopback", port: 18790')
    real_build = fix_run.build_plan

    def plan_then_rotate(*a: object, **kw: object):  # type: ignore[no-untyped-def]
        plan = real_build(*a, **kw)  # type: ignore[arg-type]
        subprocess.run(
            [sys.executable, "-c", ROTATE, str(tree.config), rotated], check=True, timeout=60
        )
        return plan

    monkeypatch.setattr(fix_run, "build_plan", plan_then_rotate)
    result = run_fix(tree.options())
    assert not result.config_written
    assert any("changed on disk while --fix was running" in e for e in result.errors), result
    assert tree.config.read_text() == rotated
