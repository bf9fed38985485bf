"""Advisory data for an invocation: ``--advisories PATH``, else the ``advisories update`` cache.

Loaded once per invocation, before any auditing (bad data is exit 2, one line), and only when
an ``openclaw.version.*`` check is selected. Nothing here touches the network.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openclaw_audit.advisories.store import AdvisoryDb

log = logging.getLogger(__name__)

VERSION_CHECKS = ("openclaw.version.vulnerable", "openclaw.version.advisories_stale")


def load_advisories(
    path: str | None,
    wants: Callable[[str], bool],
    env: Mapping[str, str] | None = None,
) -> AdvisoryDb | None:
    from openclaw_audit.advisories.cache import cache_path

    if not any(wants(check_id) for check_id in VERSION_CHECKS):
        return None
    env = os.environ if env is None else env
    if path or not _missing(cache_path(env)):  # no cache (the usual case): no OSV code loaded
        from openclaw_audit.advisories.store import load_cache, load_path

        db = load_path(path) if path else load_cache(env)
    else:
        db = None
    if db is None:
        log.debug(
            "no advisory data (no --advisories, no cache at %s): openclaw.version.* not checked;"
            " run `openclaw-audit advisories update` to fetch it",
            cache_path(env),
        )
        return None
    log.debug("advisory data: %s, %d OpenClaw advisories", db.origin, len(db.advisories))
    return db


def _missing(path: os.PathLike[str]) -> bool:
    """No file there; any other trouble is load_cache's to report."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False
