"""Whole-config verification before writing (fix.md B1, last bullet).

The patched texts are loaded in memory through the same ``$include`` resolution and ``${VAR}``
substitution as the audit, and the result must equal the loaded config with exactly the
planned edits applied. Anything else (a file changed on disk meanwhile, a merge surprise) means
nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openclaw_audit.config.envsubst import substitute
from openclaw_audit.config.includes import IncludeResolver, IncludeRoots
from openclaw_audit.config.loader import LoadedConfig
from openclaw_audit.config.reader import MAX_CONFIG_BYTES, parse_text, read_text
from openclaw_audit.errors import ConfigError
from openclaw_audit.fix.edit import same_value, set_in
from openclaw_audit.fix.plan import ConfigEdit, SetConfigValue


def verify_merged(
    loaded: LoadedConfig, texts: Mapping[str, str], edits: Sequence[ConfigEdit]
) -> bool:
    """True when loading ``texts`` (path -> patched text) yields the intended config."""
    root = loaded.paths.config_path
    try:
        if root in texts:
            raw, prov = parse_text(texts[root], root)
        else:
            text, _ = read_text(root, max_bytes=MAX_CONFIG_BYTES)
            raw, prov = parse_text(text, root)
        resolver = IncludeResolver(root, IncludeRoots.for_config(root, loaded.env), texts)
        merged, mprov = resolver.resolve(raw, prov)
        result = substitute(merged, mprov, loaded.env).value
    except (ConfigError, RecursionError):
        return False
    intended: Any = dict(loaded.source.data)
    for edit in edits:
        value = edit.new if isinstance(edit, SetConfigValue) else edit.value
        intended = set_in(intended, edit.config_path, value)
    return same_value(result, intended)
