"""Advisory data for an audit: a directory of OSV JSON files, osv.dev's ``all.zip``, one JSON
file (a record, a list of records, or our cache), or the ``advisories update`` cache.

Reads are bounded: every record at most ``MAX_RECORD_BYTES``, a cache at most
``MAX_CACHE_BYTES``, a directory walk at most ``MAX_FILES`` files. Records whose bytes do not
name an OpenClaw package are skipped unparsed (osv.dev's npm zip holds hundreds of thousands).
Anything unusable is an AdvisoryDataError: one line naming the file, exit code 2.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from openclaw_audit.advisories.cache import cache_path, is_cache_document
from openclaw_audit.advisories.osv import (
    Advisory,
    AdvisoryDataError,
    mentions_openclaw,
    parse_record,
)

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 4 << 20
MAX_CACHE_BYTES = 64 << 20
MAX_FILES = 500_000
MAX_ZIP_ENTRIES = 1_000_000


@dataclass(frozen=True, slots=True)
class AdvisoryDb:
    """The OpenClaw advisories of one data source, and when that data was fetched."""

    advisories: tuple[Advisory, ...]
    origin: str  # what the finding names: the path, or "cache <path>"
    fetched_at: datetime | None  # None: unknown

    def age_days(self, now: datetime) -> float | None:
        if self.fetched_at is None:
            return None
        return (now - self.fetched_at).total_seconds() / 86400


def load_path(path: str) -> AdvisoryDb:
    """``--advisories PATH``."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        raise AdvisoryDataError(f"cannot read advisory data: {_why(exc)}", file=path) from None
    if stat.S_ISDIR(st.st_mode):
        return _load_dir(path)
    if not stat.S_ISREG(st.st_mode):
        raise AdvisoryDataError(
            "advisory data must be a directory, a .zip or a .json file", file=path
        )
    with _open(path) as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04" or magic == b"PK\x05\x06":
        return _load_zip(path, _mtime(st.st_mtime))
    return _load_json_file(path, st.st_size, _mtime(st.st_mtime))


def load_cache(env: Mapping[str, str]) -> AdvisoryDb | None:
    """The ``advisories update`` cache, or None when there is none."""
    path = cache_path(env)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise _cache_error(f"cannot read the advisory cache: {_why(exc)}", path) from None
    if not stat.S_ISREG(st.st_mode):
        raise _cache_error("the advisory cache is not a regular file", path)
    if st.st_size > MAX_CACHE_BYTES:
        raise _cache_error(f"the advisory cache is larger than {MAX_CACHE_BYTES >> 20} MiB", path)
    try:
        doc = json.loads(_read_bounded(str(path), MAX_CACHE_BYTES))
    except (ValueError, UnicodeDecodeError):
        raise _cache_error("the advisory cache is not valid JSON", path) from None
    if not is_cache_document(doc):
        raise _cache_error("not an openclaw-audit advisory cache", path)
    return _from_cache_document(doc, str(path), f"cache {path}")


def _load_dir(root: str) -> AdvisoryDb:
    advisories: list[Advisory] = []
    newest = 0.0
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root, onerror=_raise_walk_error):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".json"):
                continue
            seen += 1
            if seen > MAX_FILES:
                raise AdvisoryDataError(f"more than {MAX_FILES} JSON files", file=root)
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except (OSError, ValueError) as exc:
                raise AdvisoryDataError(f"cannot read: {_why(exc)}", file=path) from None
            if not stat.S_ISREG(st.st_mode):
                log.debug("%s is not a regular file: skipped", path)  # a FIFO would block
                continue
            data = _read_bounded(path, MAX_RECORD_BYTES)
            newest = max(newest, st.st_mtime)
            if mentions_openclaw(data):
                advisories.extend(_records_in(data, path))
    return AdvisoryDb(tuple(_dedupe(advisories)), root, _mtime(newest) if newest else None)


def _load_zip(path: str, mtime: datetime) -> AdvisoryDb:
    import zipfile  # only when a zip is given: it pulls in bz2/lzma
    import zlib

    advisories: list[Advisory] = []
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise AdvisoryDataError(f"more than {MAX_ZIP_ENTRIES} zip entries", file=path)
            for info in infos:
                if info.is_dir() or not info.filename.endswith(".json"):
                    continue
                where = f"{path}!{info.filename}"
                if info.file_size > MAX_RECORD_BYTES:
                    raise AdvisoryDataError(
                        f"entry larger than {MAX_RECORD_BYTES >> 20} MiB", file=where
                    )
                with zf.open(info) as member:
                    data = member.read(MAX_RECORD_BYTES + 1)
                if len(data) > MAX_RECORD_BYTES:
                    raise AdvisoryDataError("entry larger than its header says", file=where)
                if mentions_openclaw(data):
                    advisories.extend(_records_in(data, where))
    except AdvisoryDataError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError):
        raise AdvisoryDataError(
            "not a readable zip archive (corrupt or truncated)", file=path
        ) from None
    except (OSError, ValueError) as exc:
        raise AdvisoryDataError(f"cannot read the zip archive: {_why(exc)}", file=path) from None
    return AdvisoryDb(tuple(_dedupe(advisories)), path, mtime)


def _load_json_file(path: str, size: int, mtime: datetime) -> AdvisoryDb:
    limit = MAX_CACHE_BYTES
    if size > limit:
        raise AdvisoryDataError(f"file larger than {limit >> 20} MiB", file=path)
    data = _read_bounded(path, limit)
    doc = _json(data, path)
    if is_cache_document(doc):
        return _from_cache_document(doc, path, path)
    records = doc if isinstance(doc, list) else [doc]
    return AdvisoryDb(tuple(_dedupe(_parse_all(records, path))), path, mtime)


def _from_cache_document(doc: dict[str, object], file: str, origin: str) -> AdvisoryDb:
    records = doc.get("records")
    if not isinstance(records, list):
        raise _cache_error("the advisory cache has no record list", Path(file))
    fetched = _parse_time(doc.get("fetchedAt"))
    if fetched is None:
        raise _cache_error("the advisory cache has no valid fetchedAt date", Path(file))
    return AdvisoryDb(tuple(_dedupe(_parse_all(records, file))), origin, fetched)


def _records_in(data: bytes, path: str) -> list[Advisory]:
    doc = _json(data, path)
    return _parse_all(doc if isinstance(doc, list) else [doc], path)


def _parse_all(records: list[object], origin: str) -> list[Advisory]:
    out = []
    for record in records:
        advisory = parse_record(record, origin)
        if advisory is not None:
            out.append(advisory)
    return out


def _dedupe(advisories: list[Advisory]) -> Iterator[Advisory]:
    seen: set[str] = set()
    for advisory in sorted(advisories, key=lambda a: a.id):
        if advisory.id not in seen:
            seen.add(advisory.id)
            yield advisory


def _json(data: bytes, path: str) -> object:
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise AdvisoryDataError("not UTF-8 text", file=path) from None
    except ValueError as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise AdvisoryDataError(f"invalid JSON{where}", file=path) from None


def _read_bounded(path: str, limit: int) -> bytes:
    with _open(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise AdvisoryDataError(f"file larger than {limit >> 20} MiB", file=path)
    return data


def _open(path: str):  # type: ignore[no-untyped-def]
    try:
        return open(path, "rb")  # the caller closes it
    except (OSError, ValueError) as exc:
        raise AdvisoryDataError(f"cannot read: {_why(exc)}", file=path) from None


def _raise_walk_error(exc: OSError) -> None:
    raise AdvisoryDataError(f"cannot read: {_why(exc)}", file=exc.filename) from None


def _mtime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _cache_error(message: str, path: Path) -> AdvisoryDataError:
    return AdvisoryDataError(
        message,
        file=str(path),
        hint="run `openclaw-audit advisories update` again, or delete the file",
    )


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return "invalid path"
