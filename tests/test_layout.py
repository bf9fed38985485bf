"""The installed namespace is one package: code must import openclaw_audit.static_checks /
openclaw_audit.probes, never the source folders by their own names (which works only from a
checkout, and loads modules twice so define() sees duplicate checkIds)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = re.compile(r"^\s*(from|import)\s+(static_checks|probes)\b", re.M)


def test_no_bare_imports_of_the_mapped_subpackages() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("openclaw_audit", "static_checks", "probes", "tests")
        for p in (ROOT / folder).rglob("*.py")
        if BARE.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_static_path_imports_no_deep_stack() -> None:
    code = (
        "import sys\n"
        "from openclaw_audit.engine.registry import load_catalog\n"
        "from openclaw_audit.engine.audit import run_audit\n"
        "load_catalog()\n"
        "print(','.join(m for m in ('httpx', 'websockets', 'docker', 'zeroconf') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_pyproject_lists_every_package() -> None:
    """A regular (non-editable) install ships only the packages pyproject.toml names; an
    editable install hides a missing one, so check the list against the tree."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(("openclaw_audit", *p.parent.relative_to(ROOT / "openclaw_audit").parts))
        for p in (ROOT / "openclaw_audit").rglob("__init__.py")
    }
    found |= {"openclaw_audit.static_checks", "openclaw_audit.probes"}
    assert found - listed == set()
