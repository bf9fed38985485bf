"""OSV records for the advisory tests, built in the OSV schema and validated against it."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = json.loads((Path(__file__).parent / "advisories" / "osv-schema.json").read_text())
_FORMATS = jsonschema.FormatChecker()
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    # jsonschema checks date-time only with an optional package; RFC 3339 is simple enough.
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=_FORMATS)


def events(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{kind: version} for kind, version in pairs]


def affected(
    name: str = "openclaw",
    *,
    fixed: str | None = None,
    introduced: str = "0",
    last_affected: str | None = None,
    versions: list[str] | None = None,
    range_type: str = "ECOSYSTEM",
    ecosystem: str = "npm",
) -> dict[str, Any]:
    entry: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    evs: list[tuple[str, str]] = [("introduced", introduced)]
    if fixed:
        evs.append(("fixed", fixed))
    if last_affected:
        evs.append(("last_affected", last_affected))
    if fixed or last_affected or versions is None:
        entry["ranges"] = [{"type": range_type, "events": events(*evs)}]
    if versions is not None:
        entry["versions"] = versions
    return entry


def record(
    rid: str,
    *entries: dict[str, Any],
    severity: str | None = "HIGH",
    summary: str | None = "A test advisory",
    aliases: list[str] | None = None,
    cvss: str | None = None,
    withdrawn: str | None = None,
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": rid,
        "modified": "2026-11-20T10:00:00Z",
        "published": "2026-11-01T10:00:00Z",
        "affected": list(entries) or [affected(fixed="2026.1.29")],
    }
    if aliases:
        rec["aliases"] = aliases
    if summary:
        rec["summary"] = summary
    if severity:
        rec["database_specific"] = {"severity": severity}
    if cvss:
        rec["severity"] = [{"type": "CVSS_V3", "score": cvss}]
    if withdrawn:
        rec["withdrawn"] = withdrawn
    validate(rec)
    return rec


def validate(rec: dict[str, Any]) -> None:
    _VALIDATOR.validate(rec)


def write_dir(root: Path, *records: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rec in records:
        (root / f"{rec['id']}.json").write_text(json.dumps(rec))
    return root


# The two advisories the issue names, as GitHub's database would publish them.
TOKEN_EXFIL = {
    "rid": "GHSA-g8p2-7wf7-98mq",
    "aliases": ["CVE-2026-25253"],
    "summary": "Control UI gatewayUrl token exfiltration",
}
ADMIN_TOOLS = {
    "rid": "GHSA-cf2p-f286-mphf",
    "summary": "Admin-scoped tools reachable by identity-bearing HTTP callers",
}
