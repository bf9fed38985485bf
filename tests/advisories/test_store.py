"""Loading advisory data: directories, osv.dev zips, JSON files, the cache; bad data is one error."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from osv_records import affected, record, write_dir

from openclaw_audit.advisories.cache import cache_document, cache_path, write_cache
from openclaw_audit.advisories.osv import AdvisoryDataError
from openclaw_audit.advisories.store import MAX_RECORD_BYTES, load_cache, load_path

NPM_OTHER = record("GHSA-left-pad", affected("left-pad", fixed="1.3.0"))
WITHDRAWN = record("GHSA-gone", withdrawn="2026-11-21T00:00:00Z")


def ids(db) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.id for a in db.advisories]


def test_directory_keeps_only_openclaw_records(tmp_path: Path) -> None:
    root = write_dir(tmp_path / "adv", record("GHSA-b"), record("GHSA-a"), NPM_OTHER, WITHDRAWN)
    (tmp_path / "adv" / "nested").mkdir()
    (tmp_path / "adv" / "nested" / "GHSA-c.json").write_text(
        json.dumps(record("GHSA-c", affected("clawdbot", fixed="2026.1.29")))
    )
    (tmp_path / "adv" / "README.md").write_text("not a record")
    db = load_path(str(root))
    assert ids(db) == ["GHSA-a", "GHSA-b", "GHSA-c"]
    assert db.origin == str(root)


def test_directory_age_is_its_newest_file(tmp_path: Path) -> None:
    root = write_dir(tmp_path / "adv", record("GHSA-a"), record("GHSA-b"))
    old = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    new = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    os.utime(root / "GHSA-a.json", (old, old))
    os.utime(root / "GHSA-b.json", (new, new))
    assert load_path(str(root)).fetched_at == datetime(2026, 3, 1, tzinfo=UTC)


def test_osv_dev_zip(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rec in (record("GHSA-a"), NPM_OTHER, WITHDRAWN):
            zf.writestr(f"{rec['id']}.json", json.dumps(rec))
    db = load_path(str(path))
    assert ids(db) == ["GHSA-a"]
    assert db.fetched_at is not None


def test_single_json_file_with_a_list(tmp_path: Path) -> None:
    path = tmp_path / "advisories.json"
    path.write_text(json.dumps([record("GHSA-a"), record("GHSA-a"), NPM_OTHER]))
    assert ids(load_path(str(path))) == ["GHSA-a"]


def test_cache_round_trip_keeps_the_fetch_date(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    when = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    write_cache(cache_path(env), cache_document([record("GHSA-a")], when, "https://osv.test"))
    db = load_cache(env)
    assert db is not None and ids(db) == ["GHSA-a"]
    assert db.fetched_at == when
    assert db.origin == f"cache {cache_path(env)}"
    # The cache file also works as --advisories PATH.
    assert load_path(str(cache_path(env))).fetched_at == when


def test_no_cache_is_no_data(tmp_path: Path) -> None:
    assert load_cache({"XDG_CACHE_HOME": str(tmp_path)}) is None


def test_cache_location_follows_xdg_then_home() -> None:
    assert cache_path({"XDG_CACHE_HOME": "/x/cache", "HOME": "/h"}) == Path(
        "/x/cache/openclaw-audit/osv-openclaw.json"
    )
    assert cache_path({"XDG_CACHE_HOME": "relative", "HOME": "/h"}) == Path(
        "/h/.cache/openclaw-audit/osv-openclaw.json"
    )


def _error(path: Path) -> str:
    with pytest.raises(AdvisoryDataError) as info:
        load_path(str(path))
    rendered = info.value.render()
    assert "\n" not in rendered and info.value.exit_code == 2
    return rendered


def test_bad_json_in_an_openclaw_record_names_the_file(tmp_path: Path) -> None:
    root = write_dir(tmp_path / "adv", record("GHSA-a"))
    (root / "GHSA-broken.json").write_text('{"id": "GHSA-broken", "name": "openclaw", ')
    assert _error(root) == f"error: {root / 'GHSA-broken.json'}: invalid JSON (line 1)"


def test_corrupt_zip(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("GHSA-a.json", json.dumps(record("GHSA-a")))
    data = bytearray(path.read_bytes())
    data[40:60] = b"\0" * 20  # damage the member's data
    path.write_bytes(bytes(data))
    assert "not a readable zip archive" in _error(path)


def test_truncated_zip(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 30)
    assert "not a readable zip archive" in _error(path)


def test_zip_entry_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GHSA-bomb.json", b" " * (MAX_RECORD_BYTES + 1))
    assert "entry larger than" in _error(path)


def test_huge_record_file(tmp_path: Path) -> None:
    root = tmp_path / "adv"
    root.mkdir()
    (root / "GHSA-huge.json").write_bytes(b" " * (MAX_RECORD_BYTES + 1))
    assert "larger than" in _error(root)


def test_not_osv(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('["openclaw"]')
    assert "not an OSV record" in _error(path)


def test_missing_path(tmp_path: Path) -> None:
    assert "cannot read advisory data" in _error(tmp_path / "nope")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"format": "something else"}', "not an openclaw-audit advisory cache"),
        (b'{"format": "openclaw-audit/osv-cache", "records": []}', "no valid fetchedAt"),
        (
            b'{"format": "openclaw-audit/osv-cache", "fetchedAt": "2026-11-01T00:00:00Z"}',
            "no record list",
        ),
    ],
)
def test_bad_cache_is_one_line_with_a_hint(tmp_path: Path, content: bytes, message: str) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    cache_path(env).parent.mkdir(parents=True)
    cache_path(env).write_bytes(content)
    with pytest.raises(AdvisoryDataError) as info:
        load_cache(env)
    assert message in info.value.message
    assert "advisories update" in (info.value.hint or "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads anything")
def test_unreadable_cache(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    write_cache(cache_path(env), cache_document([], datetime.now(UTC), "https://osv.test"))
    cache_path(env).chmod(0)
    with pytest.raises(AdvisoryDataError) as info:
        load_cache(env)
    assert "cannot read" in info.value.message


def test_cache_path_that_is_a_directory_is_an_error(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    cache_path(env).mkdir(parents=True)
    with pytest.raises(AdvisoryDataError) as info:
        load_cache(env)
    assert "not a regular file" in info.value.message


def test_a_fifo_in_the_directory_is_skipped_not_waited_on(tmp_path: Path) -> None:
    root = write_dir(tmp_path / "adv", record("GHSA-a"))
    os.mkfifo(root / "GHSA-fifo.json")
    assert ids(load_path(str(root))) == ["GHSA-a"]
