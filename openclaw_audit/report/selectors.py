"""One selector syntax for checkIds: ``--check``, ``--skip-check``, ignore-file entries and
``security.audit.suppressions``.

A selector is an exact checkId, or a glob (``*``, ``?``, ``[...]``) such as ``fs.*`` or
``gateway.*token*``. ``*`` also crosses dots, so ``gateway.*`` is every id under ``gateway.``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

_GLOB_CHARS = frozenset("*?[")


def is_glob(selector: str) -> bool:
    return any(c in _GLOB_CHARS for c in selector)


def matches(selector: str, check_id: str) -> bool:
    selector = selector.strip()
    if is_glob(selector):
        return fnmatch.fnmatchcase(check_id, selector)
    return check_id == selector


def any_matches(selectors: Iterable[str], check_id: str) -> bool:
    return any(matches(s, check_id) for s in selectors)
