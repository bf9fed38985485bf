"""The generated catalog index must match the catalog (regenerate it with
``python scripts/gen_catalog_index.py``), and an audit must not need the whole catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "openclaw_audit" / "engine" / "catalog_index.py"


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return out.stdout


def test_index_is_current() -> None:
    # A fresh process: the index reflects a clean import of the whole catalog.
    fresh = _run(
        "import sys; sys.path.insert(0, 'scripts'); import gen_catalog_index as g;"
        "sys.stdout.write(g.render_index())"
    )
    assert fresh == INDEX.read_text(), (
        "openclaw_audit/engine/catalog_index.py is stale: run python scripts/gen_catalog_index.py"
    )


def test_index_matches_full_catalog() -> None:
    """Metadata and emission order from the index equal those of importing every module."""
    code = """
import json
from openclaw_audit.engine.registry import catalog, runnable_checks
metas = {k: repr(v) for k, v in catalog().metas.items()}
static = [c.name for c in runnable_checks(False, lambda _: True)]
import sys
loaded = sorted(m for m in sys.modules if m.startswith(("openclaw_audit.static_checks.", "openclaw_audit.probes.")))
deep = [c.name for c in runnable_checks(True, lambda _: True)]
from openclaw_audit.engine.registry import load_catalog
import openclaw_audit.engine.audit, openclaw_audit.report.ignore_file, openclaw_audit.report.suppressions
full = load_catalog()
print(json.dumps({
    "metas": metas,
    "full_metas": {k: repr(v) for k, v in full.metas.items()},
    "static": static, "deep": deep, "loaded": loaded,
    "full_static": [c.name for c in full.ordered() if not c.needs_deep],
    "full_deep": [c.name for c in full.ordered()],
}))
"""
    doc = json.loads(_run(code))
    assert doc["metas"] == doc["full_metas"]
    assert sorted(doc["metas"]) == sorted(doc["full_metas"])
    assert doc["static"] == doc["full_static"]
    assert doc["deep"] == doc["full_deep"]
    # A static audit imports neither the deep-only checks nor the probe judges.
    assert "openclaw_audit.static_checks.code_safety" not in doc["loaded"]
    assert not [m for m in doc["loaded"] if m.startswith("openclaw_audit.probes.")]


def test_static_audit_imports_no_deep_only_check_module(tmp_path: Path) -> None:
    """The whole CLI on the demo: the deep-only code scan and the probe judges stay unloaded
    (anything that calls load_catalog() for metadata would import them again)."""
    code = f"""
import contextlib, io, sys
from openclaw_audit.face.cli import app
with contextlib.redirect_stdout(io.StringIO()):
    try:
        app(["--json", "--state-dir", {str(ROOT / "openclaw_audit" / "demo")!r}])
    except SystemExit:
        pass
print(",".join(sorted(m for m in sys.modules if m.endswith(("code_safety", "code_scan", "_judge")))))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert out.stdout.strip() == "", out.stdout
