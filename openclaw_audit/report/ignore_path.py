"""Where the default ignore file sits. Apart from ignore_file.py so that a run without one
(the usual case) looks for it without importing the TOML loader."""

import os

DEFAULT_NAME = ".openclaw-audit-ignore.toml"


def default_path(config_path: str) -> str | None:
    """The default ignore file beside the config, when it exists."""
    candidate = os.path.join(os.path.dirname(os.path.abspath(config_path)), DEFAULT_NAME)
    return candidate if os.path.isfile(candidate) else None
