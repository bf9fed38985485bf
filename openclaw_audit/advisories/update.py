"""``openclaw-audit advisories update``: fetch the OpenClaw packages' OSV records into the cache.

The only code of ours that downloads advisory data; an audit never does. httpx is imported
here, inside the function, so the audit's static path never loads it. TLS is verified; plain
``http://`` is accepted only for a loopback API (tests, a local mirror). Everything is checked
before the cache is replaced, atomically: a failed update leaves the old cache as it was.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openclaw_audit.advisories.cache import cache_document, cache_path, write_cache
from openclaw_audit.advisories.osv import ECOSYSTEM, PACKAGE_NAMES, AdvisoryDataError, parse_record
from openclaw_audit.errors import AuditError

DEFAULT_API_URL = "https://api.osv.dev"
API_URL_ENV = "OPENCLAW_AUDIT_OSV_API_URL"
DEFAULT_TIMEOUT_S = 30.0
MAX_RESPONSE_BYTES = 32 << 20
MAX_PAGES = 50  # per package; OpenClaw has dozens of advisories, not thousands


class UpdateError(AuditError):
    """The download failed or did not return OSV data; the cache was not touched."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            kind="advisories_update_error",
            hint="the previous advisory cache (if any) was kept",
        )


@dataclass(frozen=True, slots=True)
class UpdateResult:
    path: Path
    records: int
    advisories: int
    fetched_at: datetime


def update_cache(env: Mapping[str, str], api_url: str, timeout: float) -> UpdateResult:
    base, loopback = _checked_base(api_url)
    records = _fetch_all(base, loopback, max(timeout, 0.1))
    parsed = 0
    for record in records:
        try:
            if parse_record(record, f"{base} record") is not None:
                parsed += 1
        except AdvisoryDataError as exc:
            raise UpdateError(
                f"the OSV API at {base} returned a bad record: {exc.message}"
            ) from None
    fetched_at = datetime.now(UTC)
    path = cache_path(env)
    try:
        write_cache(path, cache_document(records, fetched_at, base))
    except OSError as exc:
        raise UpdateError(f"cannot write the cache {path}: {exc.strerror or exc}") from None
    return UpdateResult(path, len(records), parsed, fetched_at)


def _checked_base(api_url: str) -> tuple[str, bool]:
    url = api_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise UpdateError("the OSV API URL is not a URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise UpdateError("the OSV API URL must be an https:// URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UpdateError("the OSV API URL must not carry credentials, a query or a fragment")
    loopback = _is_loopback(host)
    if parts.scheme == "http" and not loopback:
        raise UpdateError("refusing plain http:// to a non-loopback OSV API; use https://")
    return url, loopback


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fetch_all(base: str, loopback: bool, timeout: float) -> list[dict[str, Any]]:
    import httpx

    from openclaw_audit import __version__

    by_id: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + max(timeout * 4, 10.0)
    with httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=not loopback,  # a proxy from the environment must not capture loopback
        headers={"User-Agent": f"openclaw-audit/{__version__}"},
    ) as client:
        for name in PACKAGE_NAMES:
            token: str | None = None
            for _ in range(MAX_PAGES):
                if time.monotonic() > deadline:
                    raise UpdateError(f"the OSV API at {base} is too slow; giving up")
                body: dict[str, Any] = {"package": {"name": name, "ecosystem": ECOSYSTEM}}
                if token:
                    body["page_token"] = token
                answer = _query(client, base, body, timeout)
                for record in answer["vulns"]:
                    by_id[record["id"]] = record
                token = answer["next"]
                if not token:
                    break
            else:
                raise UpdateError(f"the OSV API at {base} returned more than {MAX_PAGES} pages")
    return [by_id[k] for k in sorted(by_id)]


def _query(client: Any, base: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    import httpx

    try:
        with client.stream("POST", f"{base}/v1/query", json=body) as response:
            if response.status_code != 200:
                raise UpdateError(f"the OSV API at {base} answered HTTP {response.status_code}")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_RESPONSE_BYTES:
                    raise UpdateError(
                        f"the OSV API at {base} sent more than {MAX_RESPONSE_BYTES >> 20} MiB"
                    )
    except httpx.TimeoutException:
        raise UpdateError(f"the OSV API at {base} did not answer within {timeout:g}s") from None
    except httpx.HTTPError as exc:
        why = str(exc).strip() or type(exc).__name__
        raise UpdateError(f"cannot reach the OSV API at {base}: {why}") from None
    return _answer(bytes(data), base)


def _answer(data: bytes, base: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise UpdateError(
            f"the OSV API at {base} answered with something that is not JSON"
        ) from None
    if not isinstance(doc, dict):
        raise UpdateError(f"the OSV API at {base} did not answer with an OSV query result")
    vulns = doc.get("vulns", [])
    token = doc.get("next_page_token")
    if not isinstance(vulns, list) or not all(
        isinstance(v, dict) and isinstance(v.get("id"), str) and v["id"] for v in vulns
    ):
        raise UpdateError(f"the OSV API at {base} did not answer with a list of OSV records")
    if token is not None and not isinstance(token, str):
        raise UpdateError(f"the OSV API at {base} answered with a bad page token")
    return {"vulns": vulns, "next": token or None}
