"""OSV records for OpenClaw's npm packages: parsing and version matching.

Only ``affected`` entries of the npm packages ``openclaw``, ``clawdbot`` and ``moltbot`` count
(one code line under three names, so an entry of any of them applies to every version source).
Withdrawn records are dropped. Ranges of type SEMVER and ECOSYSTEM are evaluated in OpenClaw's
version order (``versions.py``); GIT ranges are ignored (they name commits, not releases).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.advisories.severity import advisory_severity
from openclaw_audit.advisories.versions import Version, parse_version
from openclaw_audit.errors import AuditError

log = logging.getLogger(__name__)

PACKAGE_NAMES: tuple[str, ...] = ("openclaw", "clawdbot", "moltbot")
ECOSYSTEM = "npm"
_EVENT_KINDS = ("introduced", "fixed", "last_affected")
_MAX_TEXT = 300  # summary characters kept; the advisory itself has the rest


class AdvisoryDataError(AuditError):
    """Advisory data that cannot be used: one line naming the file, exit code 2."""

    def __init__(self, message: str, *, file: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, file=file, hint=hint, kind="advisories_error")


@dataclass(frozen=True, slots=True)
class Range:
    """One SEMVER/ECOSYSTEM range: ``(kind, version)`` events in OpenClaw's version order."""

    events: tuple[tuple[str, Version], ...]

    def affects(self, version: Version) -> bool:
        # OSV's evaluation: walk the sorted events; each one at or below the version flips it.
        affected = False
        for kind, at in self.events:
            if kind == "introduced" and version >= at:
                affected = True
            elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
                affected = False
        return affected

    def fixed_after(self, version: Version) -> Version | None:
        return next((at for kind, at in self.events if kind == "fixed" and at > version), None)

    def fixes(self) -> list[Version]:
        return [at for kind, at in self.events if kind == "fixed"]


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str  # severity.CRITICAL / HIGH / MODERATE / LOW / UNKNOWN
    packages: tuple[str, ...]
    ranges: tuple[Range, ...]
    versions: frozenset[Version]

    def affects(self, version: Version) -> bool:
        return version in self.versions or any(r.affects(version) for r in self.ranges)

    def fixed_for(self, version: Version) -> Version | None:
        """The release that fixes ``version``: the first ``fixed`` event after it in a range
        that affects it (None when only a ``versions`` list or ``last_affected`` says so)."""
        fixes = [f for r in self.ranges if r.affects(version) if (f := r.fixed_after(version))]
        return min(fixes) if fixes else None

    def fixes(self) -> list[Version]:
        return [f for r in self.ranges for f in r.fixes()]


def parse_record(record: object, origin: str) -> Advisory | None:
    """The advisory in one OSV record, or None when it is withdrawn or concerns no OpenClaw
    package. Raises AdvisoryDataError when the record is not OSV at all."""
    if not isinstance(record, dict):
        raise AdvisoryDataError("not an OSV record (expected a JSON object)", file=origin)
    rid = record.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise AdvisoryDataError("OSV record without an id", file=origin)
    if record.get("withdrawn"):
        log.debug("advisory %s is withdrawn: ignored", rid)
        return None
    affected = [a for a in _list(record.get("affected")) if _is_openclaw(a)]
    if not affected:
        return None
    ranges: list[Range] = []
    versions: set[Version] = set()
    for entry in affected:
        for raw in _list(entry.get("ranges")):
            parsed = _range(raw, rid)
            if parsed is not None:
                ranges.append(parsed)
        for text in _list(entry.get("versions")):
            v = parse_version(text)
            if v is not None:
                versions.add(v)
    return Advisory(
        id=rid.strip(),
        aliases=tuple(a for a in _list(record.get("aliases")) if isinstance(a, str)),
        summary=_summary(record),
        severity=advisory_severity(record, affected),
        packages=tuple(sorted({e["package"]["name"] for e in affected})),
        ranges=tuple(ranges),
        versions=frozenset(versions),
    )


def mentions_openclaw(data: bytes) -> bool:
    """Cheap pre-filter on a record's raw bytes: could it name an OpenClaw package?"""
    return any(f'"{name}"'.encode() in data for name in PACKAGE_NAMES)


def lowest_safe_version(
    advisories: Iterable[Advisory], vulnerable: Iterable[Version]
) -> Version | None:
    """The lowest release named as a fix anywhere in the data that is newer than every
    vulnerable version and affected by no advisory; None when the data names none."""
    pool = list(advisories)
    floor = max(vulnerable, default=None)
    if floor is None:
        return None
    for candidate in sorted({f for a in pool for f in a.fixes() if f > floor}):
        if not any(a.affects(candidate) for a in pool):
            return candidate
    return None


def _is_openclaw(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    package = entry.get("package")
    if not isinstance(package, dict):
        return False
    return package.get("ecosystem") == ECOSYSTEM and package.get("name") in PACKAGE_NAMES


def _range(raw: object, rid: str) -> Range | None:
    if not isinstance(raw, dict) or raw.get("type") not in ("SEMVER", "ECOSYSTEM"):
        return None
    events: list[tuple[str, Version]] = []
    for event in _list(raw.get("events")):
        if not isinstance(event, dict):
            continue
        for kind in _EVENT_KINDS:
            if kind in event:
                at = parse_version(event[kind])
                if at is None:
                    log.debug(
                        "advisory %s: unreadable %s %r; range ignored", rid, kind, event[kind]
                    )
                    return None
                events.append((kind, at))
    if not any(kind == "introduced" for kind, _ in events):
        return None
    order = {"introduced": 0, "last_affected": 1, "fixed": 2}
    events.sort(key=lambda e: (e[1], order[e[0]]))
    return Range(tuple(events))


def _summary(record: Mapping[str, Any]) -> str:
    for key in ("summary", "details"):
        text = record.get(key)
        if isinstance(text, str) and text.strip():
            line = " ".join(text.split())
            return line if len(line) <= _MAX_TEXT else line[: _MAX_TEXT - 1] + "…"
    return ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
