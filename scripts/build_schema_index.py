"""Regenerate the lazy-loading index of a bundled config schema.

Usage: python scripts/build_schema_index.py [openclaw_audit/config/schema/openclaw-<version>.json]

Run it whenever the bundled schema file changes (tests fail while the index is stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

from openclaw_audit.config.schema.chunks import build_index, pack_index
from openclaw_audit.config.schema.store import BUNDLED_FILE, BUNDLED_INDEX


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else BUNDLED_FILE)
    text = src.read_text(encoding="ascii")
    spans = build_index(text)
    out = src.with_name(src.stem + ".index.bin") if len(sys.argv) > 1 else Path(BUNDLED_INDEX)
    out.write_bytes(pack_index(spans, len(text)))
    print(f"wrote {out} ({len(spans)} chunks)")


if __name__ == "__main__":
    main()
