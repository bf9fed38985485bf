"""Minimal ``.env`` reader: KEY=VALUE lines, ``export`` prefix, quotes, comments.

Only fills names not already set (config-model.md §2 step 1); never touches os.environ.
"""

from __future__ import annotations

import os
import re

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
MAX_DOTENV_BYTES = 1 << 20


def parse_dotenv(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = _LINE.match(raw)
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
            if m.group(2)[0] == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        else:
            value = re.sub(r"\s+#.*$", "", value)
        out[key] = value
    return out


def load_dotenv_into(env: dict[str, str], path: str) -> None:
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_DOTENV_BYTES:
            return
        with open(path, encoding="utf-8", errors="replace") as fh:
            values = parse_dotenv(fh.read())
    except OSError:
        return
    for key, value in values.items():
        env.setdefault(key, value)
