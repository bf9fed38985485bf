"""OpenClaw's version order (calendar versions, betas and correction releases).

OpenClaw publishes ``YYYY.M.D`` releases, prereleases ``YYYY.M.D-beta.N`` and *correction*
releases ``YYYY.M.D-N`` (a stable patch published after ``YYYY.M.D``; the release docs tag them
``vYYYY.M.D-<patch>`` on the stable channel). OpenClaw's own comparator ranks them
``beta < release < correction``, and so do we, although npm semver would sort ``-3`` before
the release: for OpenClaw that order would call ``2026.2.2-3`` older than ``2026.2.2``.

Accepted: an optional ``v``, one to three numeric parts (missing ones are 0, so OSV's
``introduced: "0"`` works), an optional ``-suffix`` and ignored ``+build`` metadata.
The legacy spelling ``2026.2.6.beta.1`` reads as ``2026.2.6-beta.1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(
    r"v?(?P<core>\d{1,9}(?:\.\d{1,9}){0,2})"
    r"(?:-(?P<suffix>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z.-]*)?",
    re.IGNORECASE,
)
_LEGACY_DOT_PRE = re.compile(r"^(v?\d+\.\d+\.\d+)\.((?:alpha|beta|rc)\b.*)$", re.IGNORECASE)

# Rank of the suffix kind within one numeric core.
_PRERELEASE, _RELEASE, _CORRECTION = 0, 1, 2


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    """A parsed version; compare with ``<``/``==``. ``text`` is what was parsed (stripped)."""

    text: str
    core: tuple[int, int, int]
    rank: int
    correction: int = 0
    prerelease: tuple[int | str, ...] = ()

    def _key(self) -> tuple[object, ...]:
        return (self.core, self.rank, self.correction)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key() and self.prerelease == other.prerelease

    def __hash__(self) -> int:
        return hash((self._key(), self.prerelease))

    def __lt__(self, other: Version) -> bool:
        if self._key() != other._key():
            return self._key() < other._key()  # type: ignore[operator]
        return _prerelease_lt(self.prerelease, other.prerelease)

    def __str__(self) -> str:
        return self.text


def parse_version(text: object) -> Version | None:
    """The version in ``text``, or None when it is not one (``dev``, a commit hash, ...)."""
    if not isinstance(text, str):
        return None
    raw = text.strip()
    if not raw or len(raw) > 64:
        return None
    legacy = _LEGACY_DOT_PRE.match(raw)
    candidate = f"{legacy.group(1)}-{legacy.group(2)}" if legacy else raw
    m = _VERSION.fullmatch(candidate)
    if m is None:
        return None
    parts = [int(p) for p in m.group("core").split(".")]
    core = [*parts, 0, 0][:3]
    suffix = m.group("suffix")
    if suffix is None:
        return Version(raw, (core[0], core[1], core[2]), _RELEASE)
    if suffix.isdigit():
        return Version(raw, (core[0], core[1], core[2]), _CORRECTION, correction=int(suffix))
    ids = tuple(int(p) if p.isdigit() else p.lower() for p in suffix.split("."))
    return Version(raw, (core[0], core[1], core[2]), _PRERELEASE, prerelease=ids)


def compare(a: str, b: str) -> int | None:
    """-1, 0 or 1; None when either side is not a version."""
    va, vb = parse_version(a), parse_version(b)
    if va is None or vb is None:
        return None
    return (va > vb) - (va < vb)


def _prerelease_lt(a: tuple[int | str, ...], b: tuple[int | str, ...]) -> bool:
    """semver §11: numeric ids sort numerically and before alphanumeric ones; a shorter list
    that is a prefix of the other sorts first."""
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if isinstance(x, int) and isinstance(y, int):
            return x < y
        if isinstance(x, int):
            return True
        if isinstance(y, int):
            return False
        return x < y
    return len(a) < len(b)
