"""SARIF 2.1.0 output (sarif.md, output-ux.md §4), shaped for GitHub code scanning.

One run for the whole invocation (several targets share it: each result points at its own
files). One rule per concrete checkId, described from the catalog entries the reports carry.
Every result has a physical location, because code scanning rejects the whole file otherwise:
the file and line holding the offending value, the offending file itself (filesystem
findings), or, when nothing closer is known, the whole config file plus a logical location
naming what the finding is about (never a made-up line 1). Overviews that can never be fixed
go to ``run.properties``, not results. At most 25,000 results per run (GitHub's limit), the
most severe kept. Suppressed findings are left out unless asked for, then marked as accepted
external suppressions.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from openclaw_audit import __version__
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.model import Finding, Report, Rule, Severity, SuppressedFinding
from openclaw_audit.report.targets import TargetResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "openclaw-audit"
INFORMATION_URI = "https://docs.openclaw.ai/gateway/security"
FINGERPRINT_KEY = "openclawFinding/v1"
# GitHub's own key: when present, the upload action keeps it instead of hashing the line.
LINE_HASH_KEY = "primaryLocationLineHash"

MAX_RESULTS = 25_000  # GitHub rejects a run with more
DISPLAYED_RESULTS = 5_000  # GitHub shows only this many

# Informational overviews: no change to the config makes them go away, so as alerts they would
# stay open forever. They are carried in run.properties instead.
OVERVIEW_CHECKS = frozenset({"summary.attack_surface", "security.audit.suppressions.active"})

LEVEL = {Severity.CRITICAL: "error", Severity.WARN: "warning", Severity.INFO: "note"}
# GitHub maps security-severity to Critical (>9.0), High (7.0-8.9), Medium (4.0-6.9), Low.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.1", Severity.WARN: "6.5", Severity.INFO: "2.0"}


@dataclass(frozen=True, slots=True)
class _Entry:
    """A finding that becomes a result, with the report it came from."""

    finding: Finding
    report: Report
    suppressed: SuppressedFinding | None
    order: int


@dataclass
class _Rules:
    """Rules in first-seen order, with the highest severity any result of the rule had."""

    order: dict[str, int] = field(default_factory=dict)
    worst: dict[str, Severity] = field(default_factory=dict)

    def index(self, finding: Finding) -> int:
        cid = finding.check_id
        idx = self.order.get(cid)
        if idx is None:
            idx = self.order[cid] = len(self.order)
            self.worst[cid] = finding.severity
        elif finding.severity.rank > self.worst[cid].rank:
            self.worst[cid] = finding.severity
        return idx


def entries(
    targets: Sequence[TargetResult], include_suppressed: bool
) -> Iterator[tuple[Finding, Report, SuppressedFinding | None]]:
    """Every finding that would be a result (overviews excluded), in report order."""
    for tgt in targets:
        report = tgt.report
        if report is None:
            continue
        for finding in report.findings:
            if finding.check_id not in OVERVIEW_CHECKS:
                yield finding, report, None
        if include_suppressed:
            for sup in report.suppressed:
                if sup.finding.check_id not in OVERVIEW_CHECKS:
                    yield sup.finding, report, sup


def result_count(targets: Sequence[TargetResult], include_suppressed: bool) -> int:
    """How many results the SARIF of these targets would hold before the cap."""
    return sum(1 for _ in entries(targets, include_suppressed))


def limit_warnings(count: int) -> list[str]:
    """The stderr lines for a run with ``count`` results (before the cap)."""
    if count > MAX_RESULTS:
        dropped = count - MAX_RESULTS
        return [
            f"warning: SARIF: {count} results, GitHub code scanning accepts at most "
            f"{MAX_RESULTS:,} per run; the {dropped} least severe were left out"
        ]
    if count > DISPLAYED_RESULTS:
        return [
            f"warning: SARIF: {count} results; GitHub code scanning displays only the "
            f"{DISPLAYED_RESULTS:,} most severe of a run"
        ]
    return []


def render(
    targets: Sequence[TargetResult] | Report,
    *,
    include_suppressed: bool = False,
    base_dir: str | None = None,
    category: str | None = None,
) -> str:
    """The SARIF log as JSON text. ``base_dir`` (default: the working directory) is what
    artifact URIs are made relative to; ``category`` becomes ``automationDetails.id``."""
    if isinstance(targets, Report):
        targets = [TargetResult(target=targets.config_path or "", report=targets)]
    cwd = os.getcwd()
    base = os.path.abspath(base_dir or cwd)
    uris = _Uris(base)
    candidates = [
        _Entry(f, rep, sup, i)
        for i, (f, rep, sup) in enumerate(entries(targets, include_suppressed))
    ]
    kept = _cap(candidates)
    rules = _Rules()
    known: dict[str, Rule] = {}  # catalog entries the reports carry
    results: list[dict[str, Any]] = []
    for entry in kept:
        cid = entry.finding.check_id
        if cid not in known and cid in entry.report.rules:
            known[cid] = entry.report.rules[cid]
        idx = rules.index(entry.finding)
        results.append(_result(entry.finding, entry.report, uris, idx, entry.suppressed))
    notifications: list[dict[str, Any]] = []
    overviews: list[dict[str, Any]] = []
    for tgt in targets:
        if tgt.report is None:
            error = tgt.error.render() if tgt.error else ""
            notifications.append(_notification("audit.target_failed", "error", error))
            continue
        report = tgt.report
        overviews.extend(_overviews(report))
        notifications.extend(_deep_notifications(report))
        notifications.extend(
            _notification("config.secret_diagnostic", "note", diag)
            for diag in report.secret_diagnostics
        )
    if len(candidates) > len(kept):
        dropped = len(candidates) - len(kept)
        text = (
            f"{dropped} of {len(candidates)} results were left out: GitHub code scanning "
            f"accepts at most {MAX_RESULTS:,} results per run; the most severe were kept."
        )
        notifications.append(_notification("sarif.results_capped", "warning", text))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "semanticVersion": __version__,
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(cid, rules.worst[cid], known.get(cid)) for cid in rules.order],
            }
        },
        "automationDetails": {"id": _category_id(category)},
        "invocations": [
            {
                "executionSuccessful": all(t.report is not None for t in targets),
                "workingDirectory": {"uri": Path(cwd).as_uri()},
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
    }
    if overviews:
        run["properties"] = {"overviews": overviews}
    return _dumps({"version": "2.1.0", "$schema": SCHEMA_URI, "runs": [run]}, results)


def _dumps(log: dict[str, Any], results: list[dict[str, Any]]) -> str:
    """Indented JSON with one result per line: readable and diffable, and fast, since only
    the compact form uses the C encoder (25,000 indented results take seconds)."""
    marker = f"@results-{secrets.token_hex(8)}@"  # no config text can guess it
    log["runs"][0]["results"] = marker
    head, _, tail = json.dumps(log, indent=2, ensure_ascii=False).partition(f'"{marker}"')
    if not results:
        return f"{head}[]{tail}\n"
    pad = "\n" + " " * 8
    body = f",{pad}".join(json.dumps(r, ensure_ascii=False) for r in results)
    return f"{head}[{pad}{body}\n      ]{tail}\n"


def _category_id(category: str | None) -> str:
    """GitHub reads the category from the id up to its last ``/``."""
    name = (category or TOOL_NAME).strip()
    return name if name.endswith("/") else f"{name}/"


def _cap(candidates: list[_Entry]) -> list[_Entry]:
    """GitHub's limit: keep the most severe (active before suppressed), in report order."""
    if len(candidates) <= MAX_RESULTS:
        return candidates
    ranked = sorted(
        candidates,
        key=lambda e: (-e.finding.severity.rank, e.suppressed is not None, e.order),
    )
    return sorted(ranked[:MAX_RESULTS], key=lambda e: e.order)


def _overviews(report: Report) -> list[dict[str, Any]]:
    out = []
    for finding in report.findings:
        if finding.check_id in OVERVIEW_CHECKS:
            item = {"checkId": finding.check_id, "title": finding.title, "detail": finding.detail}
            if report.config_path:
                item["target"] = report.config_path
            out.append(item)
    return out


def _rule(check_id: str, worst: Severity, meta: Rule | None) -> dict[str, Any]:
    default = meta.severity if meta else worst
    title = meta.title if meta else check_id
    docs = meta.docs if meta else ""
    remediation = meta.remediation if meta else None
    full = _plain(_section(docs, "What") or _section(docs, "Why") or title)
    help_text = remediation or "No remediation needed: this finding is informational."
    help_md = docs or help_text
    if remediation and "## Fix" not in docs:
        help_md = f"{help_md}\n\n**Fix:** {remediation}".strip()
    # security-severity is per rule in GitHub: rate escalating rules by their worst result.
    rated = worst if worst.rank > default.rank else default
    return {
        "id": check_id,
        "name": _pascal(check_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": _plain(f"{help_text}\n\n{docs}".strip()), "markdown": help_md},
        "defaultConfiguration": {"level": LEVEL[default]},
        "properties": {
            "tags": _tags(check_id, meta),
            "precision": meta.precision if meta is not None else "high",
            "security-severity": SECURITY_SEVERITY[rated],
        },
    }


def _tags(check_id: str, meta: Rule | None) -> list[str]:
    tags = ["security"]
    group = (meta.group if meta and meta.group else check_id.split(".")[0]).strip()
    if group and group not in tags:
        tags.append(group)
    if meta is not None and meta.deep:
        tags.append("deep")
    return tags


class _Uris:
    """Artifact URIs relative to the base directory, computed once per path."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._seen: dict[str, str | None] = {}

    def relative(self, path: str) -> str | None:
        """The relative URI of ``path`` when it lies under the base, else None."""
        if path not in self._seen:
            self._seen[path] = relative_uri(path, self.base)
        return self._seen[path]

    def any(self, path: str) -> str:
        return self.relative(path) or Path(os.path.abspath(path)).as_uri()


def _location(finding: Finding, report: Report, uris: _Uris) -> dict[str, Any]:
    """Where the result points (output-ux.md §4): the file and line of the value, the
    offending file, or the whole config file with a logical location naming the subject."""
    loc = finding.location
    logical: list[dict[str, str]] = []
    if loc is not None and loc.dotted:
        name = loc.config_path[-1] if loc.config_path else loc.dotted
        logical.append({"name": name, "fullyQualifiedName": loc.dotted, "kind": "property"})
    file = loc.file if loc is not None else None
    uri = uris.relative(file) if file else None
    physical: dict[str, Any]
    if loc is not None and file and (uri is not None or loc.line):
        # A config value keeps its line even outside the base (an absolute file URI).
        physical = {"artifactLocation": {"uri": uri or uris.any(file)}}
        if loc.line:
            region = {"startLine": loc.line}
            if loc.column:
                region["startColumn"] = loc.column
            physical["region"] = region
    else:
        # No line, and the file is not under the base: the config file as a whole.
        config = report.config_path or "openclaw.json"
        physical = {"artifactLocation": {"uri": uris.any(config)}}
        about = file or config
        if not logical:
            name = os.path.basename(about) or about
            logical.append({"name": name, "fullyQualifiedName": about, "kind": "resource"})
    location: dict[str, Any] = {"physicalLocation": physical}
    if logical:
        location["logicalLocations"] = logical
    return location


def _result(
    finding: Finding,
    report: Report,
    uris: _Uris,
    rule_index: int,
    suppressed: SuppressedFinding | None,
) -> dict[str, Any]:
    stable = fingerprint(finding)
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.detail or finding.title},
        "locations": [_location(finding, report, uris)],
        "partialFingerprints": {FINGERPRINT_KEY: stable, LINE_HASH_KEY: stable},
    }
    props: dict[str, Any] = {"severity": finding.severity.value, "title": finding.title}
    if finding.remediation:
        # Not `fixes`: the schema requires artifactChanges there, and ours are advice.
        props["remediation"] = finding.remediation
    url = _probed_url(finding, report)
    if url:
        # Deep findings: the probed endpoint is the evidence; the config stays the anchor.
        result["webRequest"] = {"target": url}
        props["probedUrl"] = url
    if report.config_path:
        props["target"] = report.config_path
    result["properties"] = props
    if suppressed is not None:
        sup: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if suppressed.reason:
            sup["justification"] = suppressed.reason
        sprops: dict[str, Any] = {"source": suppressed.source}
        if suppressed.expires:
            sprops["expires"] = suppressed.expires
        sup["properties"] = sprops
        result["suppressions"] = [sup]
    return result


def relative_path(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` with forward slashes when it lies under ``base``, else
    None."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return None
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return None
    return Path(rel).as_posix()


def relative_uri(path: str, base: str) -> str | None:
    """``path`` as a relative URI under ``base`` (what code scanning needs), else None."""
    rel = relative_path(path, base)
    return None if rel is None else rel.replace("%", "%25").replace(" ", "%20")


def _probed_url(finding: Finding, report: Report) -> str | None:
    url: Any = finding.location.uri if finding.location and finding.location.uri else None
    if url is None and report.deep and finding.check_id.startswith("gateway."):
        meta = report.rules.get(finding.check_id)
        gateway = report.deep.get("gateway")
        if meta is not None and meta.deep and isinstance(gateway, dict):
            url = gateway.get("url")
    if not isinstance(url, str) or not url:
        return None
    return _strip_credentials(url)


def _strip_credentials(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparseable url>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _deep_notifications(report: Report) -> list[dict[str, Any]]:
    """One notification per live probe: skipped (and why), timed out, failed, or ran. A probe
    that ran and found nothing (an mDNS browse that saw no instance) succeeded."""
    if not report.deep:
        return []
    out = []
    for name, section in report.deep.items():
        if not isinstance(section, dict):
            continue
        skipped = section.get("skipped")
        error = section.get("error")
        if skipped or section.get("attempted") is False:
            why = skipped or error or "not attempted"
            text = f"{name} probe skipped: {why}"
            out.append(_notification(f"deep.{name}.skipped", "note", text))
        elif section.get("timedOut"):
            ms = section.get("timeoutMs")
            within = f" within {ms} ms" if isinstance(ms, int) else ""
            text = f"{name} probe timed out: no answer{within}"
            out.append(_notification(f"deep.{name}.probe_timeout", "warning", text))
        elif error or section.get("ok") is False:
            text = f"{name} probe did not succeed: {error or 'no detail'}"
            out.append(_notification(f"deep.{name}.probe_failed", "warning", text))
        else:
            out.append(_notification(f"deep.{name}.probe_ok", "note", _success(name, section)))
    return out


def _success(name: str, section: dict[str, Any]) -> str:
    if name == "mdns":
        seen = section.get("instances")
        count = len(seen) if isinstance(seen, list) else 0
        ms = section.get("browseMs")
        window = f" in a {ms} ms browse" if isinstance(ms, int) else ""
        return f"mdns probe succeeded: {count} instance(s) seen{window}"
    return f"{name} probe succeeded"


def _notification(descriptor: str, level: str, text: str) -> dict[str, Any]:
    return {
        "descriptor": {"id": descriptor},
        "level": level,
        "message": {"text": text or descriptor},
    }


def _section(docs: str, name: str) -> str:
    match = re.search(rf"^## {name}\s*\n(.*?)(?=^## |\Z)", docs, re.M | re.S)
    if not match:
        return ""
    return " ".join(match.group(1).split())


def _plain(markdown: str) -> str:
    return re.sub(r"^## ", "", markdown, flags=re.M).replace("`", "")


def _pascal(check_id: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", check_id)
    return "".join(w[:1].upper() + w[1:] for w in words if w) or "Check"
