"""Our own suppressions file (``--ignore-file``, default ``.openclaw-audit-ignore.toml``
beside the config): accepted risks with a reason and an optional expiry date.

```toml
[[ignore]]
checkId = "fs.*"                  # exact id, or a prefix ending in *
subject = "channels.telegram"     # optional: exact stable subject of the finding
detailIncludes = "telegram"       # optional: case-insensitive substring of the detail
titleIncludes = "open"            # optional: case-insensitive substring of the title
reason = "lab box, no real users" # required
expires = 2026-06-30              # optional (TOML date or "YYYY-MM-DD"); last valid day
```

It is applied after upstream's ``security.audit.suppressions``, to the findings still active.
It never hides the findings about suppressions themselves (``security.audit.suppressions.active``
and ``audit.ignore_file.*``): those exist so that accepted risks stay visible. An entry past its
expiry date stops suppressing and is reported as ``audit.ignore_file.expired``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.registry import define
from openclaw_audit.errors import AuditError
from openclaw_audit.report import selectors
from openclaw_audit.report.ignore_path import DEFAULT_NAME, default_path  # noqa: F401
from openclaw_audit.report.limits import check_depth, read_bounded, too_deep
from openclaw_audit.report.model import Finding, Location, Severity, SuppressedFinding

MAX_BYTES = 1024 * 1024
_KEYS = {"checkId", "subject", "detailIncludes", "titleIncludes", "reason", "expires"}
# Findings about suppression itself: hiding them would defeat their purpose.
_NEVER_IGNORED = ("security.audit.suppressions.active", "audit.ignore_file.")

IGNORE_EXPIRED = define(
    "audit.ignore_file.expired",
    Severity.WARN,
    "An ignore-file entry has expired",
    remediation=(
        "Fix the finding it covered, or renew the entry with a new expires date and a "
        "reason that still holds."
    ),
    docs="""
## What
An entry of the ignore file (`--ignore-file`, or `.openclaw-audit-ignore.toml` beside the
config) carries an `expires` date that has passed. The entry no longer hides anything: the
findings it matched are back in the report.

## Why
An accepted risk is accepted for a while, not forever. Expiry forces a second look, so that a
temporary exception does not quietly become permanent.

## Fix
Remediate the finding the entry covered and delete the entry, or, if the risk is still
accepted, move `expires` forward and update `reason`.
""",
    group="audit",
)


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    check_id: str
    reason: str
    subject: str | None = None
    detail_includes: str | None = None
    title_includes: str | None = None
    expires: dt.date | None = None
    line: int | None = None  # of its [[ignore]] header, for the expiry finding

    def matches(self, finding: Finding) -> bool:
        if not selectors.matches(self.check_id, finding.check_id):
            return False
        if self.subject is not None and finding.subject != self.subject:
            return False
        if self.detail_includes and self.detail_includes not in finding.detail.lower():
            return False
        return not (self.title_includes and self.title_includes not in finding.title.lower())

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True, slots=True)
class IgnoreFile:
    path: str
    entries: tuple[IgnoreEntry, ...]


@dataclass(frozen=True, slots=True)
class IgnoredFinding(SuppressedFinding):
    """A finding hidden by the ignore file; its JSON says where the suppression came from."""

    def to_json(self) -> dict[str, Any]:
        out = self.finding.to_json()
        sup: dict[str, Any] = {"reason": self.reason, "source": "ignore-file"}
        if self.expires:
            sup["expires"] = self.expires
        out["suppression"] = sup
        return out


def load(path: str) -> IgnoreFile:
    """Parse and validate the ignore file; anything wrong is one clear AuditError (exit 2)."""
    import tomllib  # only when there is an ignore file to read (cold start)

    data = read_bounded(path, "ignore file", MAX_BYTES)
    try:
        text = data.decode("utf-8")
        check_depth(text, path, "ignore file")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise AuditError("ignore file is not valid UTF-8", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, path) from None
    except RecursionError:
        raise too_deep(path, "ignore file") from None
    unknown = sorted(set(doc) - {"ignore"})
    if unknown:
        raise AuditError(
            f"unknown top-level key {unknown[0]!r} in ignore file",
            file=path,
            hint="entries go in [[ignore]] tables",
        )
    raw = doc.get("ignore", [])
    if not isinstance(raw, list):
        raise AuditError("'ignore' must be an array of tables ([[ignore]])", file=path)
    lines = _header_lines(text)
    entries = []
    for n, item in enumerate(raw):
        line = lines[n] if n < len(lines) else None
        entries.append(_entry(item, n + 1, path, line))
    return IgnoreFile(path=path, entries=tuple(entries))


def check_entries(ignore: IgnoreFile, catalog_ids: Iterable[str]) -> None:
    """An entry whose checkId selects no catalog check is an input error (trust.md §2): a
    misspelt entry would silently accept nothing, or outlive the check it meant."""
    ids = list(catalog_ids)
    for n, entry in enumerate(ignore.entries, start=1):
        why = selectors.problem(entry.check_id, ids)
        if why is not None:
            raise AuditError(
                f"ignore entry #{n}: checkId {entry.check_id!r} {why}",
                file=ignore.path,
                line=entry.line,
            )


def _entry(item: Any, number: int, path: str, line: int | None) -> IgnoreEntry:
    def fail(what: str) -> AuditError:
        return AuditError(f"ignore entry #{number}: {what}", file=path, line=line)

    if not isinstance(item, dict):
        raise fail("must be a table")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_KEYS))})")
    check_id = item.get("checkId")
    if not isinstance(check_id, str) or not check_id.strip():
        raise fail("checkId is required (an id, or a prefix ending in *)")
    check_id = check_id.strip()
    if "*" in check_id[:-1]:
        raise fail("checkId may only end in * (a prefix), not contain it elsewhere")
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise fail("reason is required: say why this risk is accepted")
    for key in ("subject", "detailIncludes", "titleIncludes"):
        if key in item and (not isinstance(item[key], str) or not item[key].strip()):
            raise fail(f"{key} must be a non-empty string")
    return IgnoreEntry(
        check_id=check_id,
        reason=reason.strip(),
        subject=item["subject"].strip() if "subject" in item else None,
        detail_includes=item["detailIncludes"].strip().lower()
        if "detailIncludes" in item
        else None,
        title_includes=item["titleIncludes"].strip().lower() if "titleIncludes" in item else None,
        expires=_expiry(item.get("expires"), fail),
        line=line,
    )


def _expiry(value: Any, fail: Callable[[str], AuditError]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise fail("expires must be a date (YYYY-MM-DD), not a date-time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail("expires must be a date, YYYY-MM-DD")


def _header_lines(text: str) -> list[int]:
    return [
        i
        for i, line in enumerate(text.splitlines(), start=1)
        if re.match(r"^\s*\[\[\s*ignore\s*\]\]", line)
    ]


def _toml_error(exc: ValueError, path: str) -> AuditError:
    msg = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    what = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "invalid TOML"
    if match:
        return AuditError(
            f"invalid TOML: {what}", file=path, line=int(match[1]), column=int(match[2])
        )
    return AuditError(f"invalid TOML: {what}", file=path)


def apply(
    active: Iterable[Finding],
    ignore: IgnoreFile,
    *,
    today: dt.date | None = None,
    wants: Callable[[str], bool] = lambda _: True,
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Move the findings matched by a live entry to the suppressed list; report expired
    entries. Expiry findings go just before ``security.audit.suppressions.active`` (which
    report.md keeps last)."""
    today = today or dt.date.today()
    live = [e for e in ignore.entries if not e.expired(today)]
    kept: list[Finding] = []
    moved: list[SuppressedFinding] = []
    for finding in active:
        entry = None
        if not finding.check_id.startswith(_NEVER_IGNORED):
            entry = next((e for e in live if e.matches(finding)), None)
        if entry is None:
            kept.append(finding)
            continue
        expires = entry.expires.isoformat() if entry.expires else None
        moved.append(IgnoredFinding(finding, entry.reason, "ignore-file", expires))
    expired = [
        IGNORE_EXPIRED.finding(
            f"Entry for {e.check_id} in {os.path.basename(ignore.path)} expired on "
            f"{e.expires.isoformat() if e.expires else '?'}; findings it matched are shown "
            f"again.\nReason it gave: {e.reason}",
            subject=f"{e.check_id}|{e.subject or ''}|{e.detail_includes or ''}",
            location=Location(file=ignore.path, line=e.line, column=1 if e.line else None),
        )
        for e in ignore.entries
        if e.expired(today) and wants(IGNORE_EXPIRED.id)
    ]
    if kept and kept[-1].check_id == "security.audit.suppressions.active":
        return [*kept[:-1], *expired, kept[-1]], moved
    return [*kept, *expired], moved
