"""SARIF 2.1.0 output (sarif.md), shaped for GitHub code scanning.

One run for the whole invocation (several targets share it: each result points at its own
config file). One rule per concrete checkId, described from the catalog entries the reports
carry. Every result has a physical location with a relative URI and a start line, because code
scanning rejects the whole file otherwise. Suppressed findings are left out unless asked for,
then marked as accepted external suppressions.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
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
FINGERPRINT_KEY = "openclawFinding/v1"

LEVEL = {Severity.CRITICAL: "error", Severity.WARN: "warning", Severity.INFO: "note"}
# GitHub maps security-severity to Critical (>9.0), High (7.0-8.9), Medium (4.0-6.9), Low.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.1", Severity.WARN: "6.5", Severity.INFO: "2.0"}


@dataclass
class _Rules:
    """Rules in first-seen order, with the highest severity any result of the rule had."""

    order: list[str] = field(default_factory=list)
    worst: dict[str, Severity] = field(default_factory=dict)

    def index(self, finding: Finding) -> int:
        cid = finding.check_id
        if cid not in self.worst:
            self.order.append(cid)
            self.worst[cid] = finding.severity
        elif finding.severity.rank > self.worst[cid].rank:
            self.worst[cid] = finding.severity
        return self.order.index(cid)


def render(
    targets: Sequence[TargetResult] | Report,
    *,
    include_suppressed: bool = False,
    base_dir: str | None = None,
) -> str:
    """The SARIF log as JSON text. ``base_dir`` (default: the working directory) is what
    artifact URIs are made relative to."""
    if isinstance(targets, Report):
        targets = [TargetResult(target=targets.config_path or "", report=targets)]
    base = os.path.abspath(base_dir or os.getcwd())
    rules = _Rules()
    known: dict[str, Rule] = {}  # catalog entries the reports carry
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for tgt in targets:
        if tgt.report is None:
            error = tgt.error.render() if tgt.error else ""
            notifications.append(_notification("audit.target_failed", "error", error))
            continue
        report = tgt.report
        known.update(report.rules)
        for finding in report.findings:
            results.append(_result(finding, report, base, rules.index(finding), None))
        if include_suppressed:
            for sup in report.suppressed:
                idx = rules.index(sup.finding)
                results.append(_result(sup.finding, report, base, idx, sup))
        notifications.extend(_deep_notifications(report))
        notifications.extend(
            _notification("config.secret_diagnostic", "note", diag)
            for diag in report.secret_diagnostics
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "semanticVersion": __version__,
                "version": __version__,
                "rules": [_rule(cid, rules.worst[cid], known.get(cid)) for cid in rules.order],
            }
        },
        "automationDetails": {"id": f"{TOOL_NAME}/"},
        "invocations": [
            {
                "executionSuccessful": all(t.report is not None for t in targets),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
    }
    log = {"version": "2.1.0", "$schema": SCHEMA_URI, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


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
            "precision": "high" if meta is not None and meta.deep else "very-high",
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


def _result(
    finding: Finding,
    report: Report,
    base: str,
    rule_index: int,
    suppressed: SuppressedFinding | None,
) -> dict[str, Any]:
    loc = finding.location
    file = loc.file if loc and loc.file else report.config_path
    region: dict[str, int] = {"startLine": loc.line if loc and loc.line and loc.file else 1}
    if loc and loc.file and loc.line and loc.column:
        region["startColumn"] = loc.column
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(file or "openclaw.json", base)},
        "region": region,
    }
    location: dict[str, Any] = {"physicalLocation": physical}
    if loc is not None and loc.dotted:
        location["logicalLocations"] = [
            {"name": loc.config_path[-1], "fullyQualifiedName": loc.dotted, "kind": "property"}
        ]
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.detail or finding.title},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    props: dict[str, Any] = {"severity": finding.severity.value, "title": finding.title}
    if finding.remediation:
        # Not `fixes`: the schema requires artifactChanges there, and ours are advice.
        props["remediation"] = finding.remediation
    url = _probed_url(finding, report)
    if url:
        # Deep findings: the probed endpoint is the evidence; the config file stays the anchor.
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


def artifact_uri(path: str, base: str) -> str:
    """A relative URI with forward slashes when ``path`` lies under ``base`` (what code
    scanning needs); otherwise an absolute ``file://`` URI."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        rel = None
    if rel is not None and not rel.startswith(".."):
        return Path(rel).as_posix().replace("%", "%25").replace(" ", "%20")
    return Path(absolute).as_uri()


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
    except ValueError:
        return "<unparseable url>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _deep_notifications(report: Report) -> list[dict[str, Any]]:
    if not report.deep:
        return []
    out = []
    for name, section in report.deep.items():
        if isinstance(section, dict) and section.get("attempted") and not section.get("ok"):
            error = section.get("error")
            text = f"deep probe {name} did not succeed: {error or 'no detail'}"
            out.append(_notification(f"deep.{name}.probe_failed", "warning", text))
    return out


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
