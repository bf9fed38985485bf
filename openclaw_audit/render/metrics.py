"""Prometheus metrics for node_exporter's textfile collector (scheduled-scans.md §5).

The text exposition format, version 0.0.4: one family per block with ``# HELP`` and ``# TYPE``,
label values escaped (backslash, double quote, newline). Every family is a gauge. A family with
no sample is left out entirely (``probe_up`` without ``--deep``), so alert rules see "absent"
rather than a made-up 0.

Decisions where the spec is silent:
- ``openclaw_audit_finding`` carries exactly ``target, check_id, severity``; two open findings
  of one check (two accounts, say) would be the same series, which the collector rejects, so
  the value is the number of open findings with that check and severity (1 for most).
  At most ``MAX_SERIES`` series per target, most severe first; ``openclaw_audit_finding_truncated``
  counts the series left out (0 when none), for every target.
- ``openclaw_audit_new_findings``: with ``--history``, the run's drift (findings not open in
  the last run); else with ``--baseline``, the findings not in the baseline (what the report
  shows); with neither, the family is left out (nothing to compare against is not "0 new").
- ``openclaw_audit_suppressions_expired``: ``audit.ignore_file.expired`` findings (an expired
  ignore-file entry no longer hides anything).
- ``probe_up``: 1 ok, 0 failed (report/probe_status.py); a probe that was skipped (Docker absent
  on a host without sandboxing) or not run has no sample.
- ``gateway_http_unauthenticated``: 1 for an endpoint proven open, 0 for one proven to enforce
  auth or not served; no sample when the probe got no answer from it.
- The last run is when the newest report was made; the last success is the same when every
  target was audited, else the value carried over from the previous file (``RenderOptions``).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from openclaw_audit.report.model import SEVERITY_ORDER, Report
from openclaw_audit.report.probe_status import probe_statuses
from openclaw_audit.report.target_info import TARGET_META
from openclaw_audit.report.targets import TargetResult
from openclaw_audit.report.trend import TargetHistory

MAX_SERIES = 500  # per target, for openclaw_audit_finding
EXPIRED_ID = "audit.ignore_file.expired"
_HTTP_PROVEN = {"open": 1, "enforced": 0, "not_served": 0}

Labels = tuple[tuple[str, str], ...]
Sample = tuple[Labels, float]

HELP: dict[str, str] = {
    "openclaw_audit_findings": "Unsuppressed findings of the last audit, by severity.",
    "openclaw_audit_finding": "Open findings of the last audit by check and severity "
    f"(at most {MAX_SERIES} series per target).",
    "openclaw_audit_finding_truncated": "openclaw_audit_finding series left out for this target "
    "(0 when none).",
    "openclaw_audit_new_findings": "Findings new in this run (against --history, else --baseline).",
    "openclaw_audit_suppressions_expired": "Ignore-file entries past their expiry date.",
    "openclaw_audit_probe_up": "1 when the live probe worked, 0 when it failed.",
    "openclaw_audit_probe_duration_seconds": "How long the live probe took.",
    "openclaw_audit_gateway_http_unauthenticated": "1 when the gateway HTTP endpoint answered "
    "without credentials, 0 when it enforced auth or is not served.",
    "openclaw_audit_run_duration_seconds": "How long auditing the target took.",
    "openclaw_audit_last_run_timestamp_seconds": "When the last audit run finished (Unix time).",
    "openclaw_audit_last_success_timestamp_seconds": "When an audit run last completed for "
    "every target, whatever it found (Unix time).",
}


def escape(value: str) -> str:
    """A label value as the exposition format wants it."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, int) or (math.isfinite(value) and value == int(value)):
        return str(int(value))
    return repr(float(value))


def render(
    results: Sequence[TargetResult],
    *,
    history: Mapping[str, TargetHistory] | None = None,
    previous_success: float | None = None,
) -> str:
    families: dict[str, list[Sample]] = {name: [] for name in HELP}
    for result in results:
        if result.report is not None:
            _target(families, result, result.report, history or {})
    reports = [r.report for r in results if r.report is not None]
    last_run = max((r.ts / 1000.0 for r in reports), default=time.time())
    families["openclaw_audit_last_run_timestamp_seconds"].append(((), last_run))
    complete = bool(results) and len(reports) == len(results)
    success = last_run if complete else previous_success
    if success is not None:
        families["openclaw_audit_last_success_timestamp_seconds"].append(((), success))
    return "".join(_family(name, samples) for name, samples in families.items() if samples)


def _family(name: str, samples: Iterable[Sample]) -> str:
    lines = [f"# HELP {name} {HELP[name]}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        if labels:
            inner = ",".join(f'{key}="{escape(val)}"' for key, val in labels)
            lines.append(f"{name}{{{inner}}} {_number(value)}")
        else:
            lines.append(f"{name} {_number(value)}")
    return "\n".join(lines) + "\n"


def target_label(result: TargetResult) -> str:
    report = result.report
    return report.config_path if report is not None and report.config_path else result.target


def _target(
    families: dict[str, list[Sample]],
    result: TargetResult,
    report: Report,
    history: Mapping[str, TargetHistory],
) -> None:
    target = target_label(result)
    t: Labels = (("target", target),)
    summary = report.summary
    for sev in SEVERITY_ORDER:
        count = getattr(summary, sev.value)
        families["openclaw_audit_findings"].append(((*t, ("severity", sev.value)), count))
    series = Counter((f.check_id, f.severity) for f in report.findings)
    ordered = sorted(series.items(), key=lambda item: (-item[0][1].rank, item[0][0]))
    for (check_id, sev), count in ordered[:MAX_SERIES]:
        labels = (*t, ("check_id", check_id), ("severity", sev.value))
        families["openclaw_audit_finding"].append((labels, count))
    families["openclaw_audit_finding_truncated"].append((t, max(0, len(ordered) - MAX_SERIES)))
    new = _new_findings(result, report, history)
    if new is not None:
        families["openclaw_audit_new_findings"].append((t, new))
    expired = sum(1 for f in report.findings if f.check_id == EXPIRED_ID)
    families["openclaw_audit_suppressions_expired"].append((t, expired))
    for status in probe_statuses(report):
        labels = (*t, ("probe", status.name))
        if status.state != "skipped":
            families["openclaw_audit_probe_up"].append((labels, 1 if status.up else 0))
        if status.duration_s is not None:
            families["openclaw_audit_probe_duration_seconds"].append((labels, status.duration_s))
    http = (report.deep or {}).get("http")
    endpoints = http.get("endpoints") if isinstance(http, dict) else None
    if isinstance(endpoints, dict):
        for endpoint, verdict in endpoints.items():
            result_class = verdict.get("result") if isinstance(verdict, dict) else None
            if result_class in _HTTP_PROVEN:
                labels = (*t, ("endpoint", str(endpoint)))
                value = _HTTP_PROVEN[result_class]
                families["openclaw_audit_gateway_http_unauthenticated"].append((labels, value))
    record = report.meta.get(TARGET_META)  # the engine's record of the run (target_info.py)
    duration = record.get("durationMs") if isinstance(record, dict) else None
    if isinstance(duration, int | float) and not isinstance(duration, bool) and duration >= 0:
        families["openclaw_audit_run_duration_seconds"].append((t, duration / 1000.0))


def _new_findings(
    result: TargetResult, report: Report, history: Mapping[str, TargetHistory]
) -> int | None:
    for key in (result.target, report.config_path or ""):
        past = history.get(key)
        if past is not None and past.drift is not None:
            return len(past.drift.new)
    if report.meta.get("baselineKnown") is not None:
        return len(report.findings)
    return None
