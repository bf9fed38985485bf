"""Saved reports: ``--baseline REPORT.json`` and ``openclaw-audit diff OLD.json NEW.json``.

A saved report is our JSON output in any of its shapes: a single-target report
(``{ts, summary, findings, ...}``), a ``--fix`` envelope (``{fix, report, ...}``) or a
several-target document (``{targets: [{target, report|error}], summary}``).

Identity. Upstream's JSON shape has no subject field, and we keep that shape, so a saved
finding is known only by checkId, severity, title and detail. Two findings are "the same"
when they have the same checkId and, tried in this order (each saved finding pairs once):

1. the same detail (whitespace-collapsed, case-folded);
2. the live finding's stable subject (account, path, flag) appears in the saved detail;
3. they are the only unpaired finding of that checkId on each side (the wording changed) and
   the live finding has no subject (checks that can fire several times set one).

So wording changes of one-off checks do not make findings "new", and checks that fire once
per account are told apart by the account their detail names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openclaw_audit.errors import AuditError
from openclaw_audit.report.model import Finding

MAX_BYTES = 64 * 1024 * 1024
SINGLE = ""  # target key of a single-target report


@dataclass(frozen=True, slots=True)
class SavedFinding:
    check_id: str
    severity: str
    title: str
    detail: str
    subject: str | None = None  # only for live findings

    @property
    def norm(self) -> str:
        return " ".join(self.detail.split()).casefold()

    def to_json(self) -> dict[str, str]:
        return {
            "checkId": self.check_id,
            "severity": self.severity,
            "title": self.title,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class SavedTarget:
    target: str
    findings: tuple[SavedFinding, ...] = ()  # active findings
    suppressed: tuple[SavedFinding, ...] = ()
    error: str | None = None


def from_live(finding: Finding) -> SavedFinding:
    return SavedFinding(
        finding.check_id, finding.severity.value, finding.title, finding.detail, finding.subject
    )


def load_saved(path: str) -> list[SavedTarget]:
    """Read a saved report; anything unreadable or of the wrong shape is an AuditError."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise AuditError(f"cannot read report: {exc.strerror or exc}", file=path) from None
    if len(data) > MAX_BYTES:
        raise AuditError("report is larger than 64 MiB", file=path)
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise AuditError("report is not valid UTF-8", file=path) from None
    except json.JSONDecodeError as exc:
        raise AuditError(
            f"not a JSON report: {exc.msg}", file=path, line=exc.lineno, column=exc.colno
        ) from None
    return parse_saved(doc, path)


def parse_saved(doc: Any, path: str) -> list[SavedTarget]:
    if isinstance(doc, dict) and isinstance(doc.get("targets"), list):
        out = []
        for n, item in enumerate(doc["targets"]):
            if not isinstance(item, dict):
                raise AuditError(f"targets[{n}] is not an object", file=path)
            name = item.get("target")
            name = name if isinstance(name, str) else f"#{n}"
            if "report" in item:
                out.append(_one(item["report"], name, path))
            else:
                out.append(SavedTarget(target=name, error=_error_text(item.get("error"))))
        return out
    if isinstance(doc, dict) and "report" in doc and "findings" not in doc:
        return [_one(doc["report"], SINGLE, path)]  # --fix envelope
    if isinstance(doc, dict) and doc.get("ok") is False:
        raise AuditError("report records a failed run (ok: false), not findings", file=path)
    return [_one(doc, SINGLE, path)]


def _error_text(err: Any) -> str:
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return err["message"]
    return str(err) if err else "error"


def _one(report: Any, target: str, path: str) -> SavedTarget:
    if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
        raise AuditError(
            "not an openclaw-audit JSON report (no findings list)",
            file=path,
            hint="save one with `openclaw-audit --json --output report.json`",
        )
    return SavedTarget(
        target=target,
        findings=tuple(_findings(report["findings"], path, "findings")),
        suppressed=tuple(_findings(report.get("suppressedFindings") or [], path, "suppressed")),
    )


def _findings(items: Any, path: str, where: str) -> Iterable[SavedFinding]:
    if not isinstance(items, list):
        raise AuditError(f"{where} is not a list", file=path)
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("checkId"), str):
            raise AuditError(f"{where}[{n}] is not a finding (no checkId)", file=path)
        yield SavedFinding(
            check_id=item["checkId"],
            severity=str(item.get("severity", "")),
            title=str(item.get("title", "")),
            detail=str(item.get("detail", "")),
        )


def pair(
    old: Sequence[SavedFinding], new: Sequence[SavedFinding]
) -> tuple[list[tuple[SavedFinding, SavedFinding]], list[SavedFinding], list[SavedFinding]]:
    """Match findings across two runs: (pairs (old, new), unmatched old, unmatched new)."""
    old_free = list(range(len(old)))
    new_free = list(range(len(new)))
    pairs: list[tuple[int, int]] = []

    def take(test: Any) -> None:
        for j in list(new_free):
            for i in old_free:
                if old[i].check_id == new[j].check_id and test(old[i], new[j]):
                    pairs.append((i, j))
                    old_free.remove(i)
                    new_free.remove(j)
                    break

    take(lambda o, n: o.norm == n.norm)
    take(lambda o, n: bool(n.subject) and n.subject.casefold() in o.norm)
    for cid in {new[j].check_id for j in new_free}:
        olds = [i for i in old_free if old[i].check_id == cid]
        news = [j for j in new_free if new[j].check_id == cid]
        # A live finding with a subject is one of several instances: never pair it blindly.
        if len(olds) == 1 and len(news) == 1 and not new[news[0]].subject:
            pairs.append((olds[0], news[0]))
            old_free.remove(olds[0])
            new_free.remove(news[0])
    pairs.sort(key=lambda p: p[1])
    return (
        [(old[i], new[j]) for i, j in pairs],
        [old[i] for i in old_free],
        [new[j] for j in new_free],
    )


def saved_for_target(saved: list[SavedTarget], target: str) -> list[SavedFinding]:
    """The baseline findings (active and suppressed) for one live target: the saved target
    of the same config path; else the only saved report; else all of them pooled."""
    reports = [t for t in saved if t.error is None]
    same = [t for t in reports if t.target and _same_path(t.target, target)]
    return [f for t in (same or reports) for f in (*t.findings, *t.suppressed)]


def _same_path(a: str, b: str) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def new_since(findings: Sequence[Finding], baseline: list[SavedFinding]) -> list[Finding]:
    """The live findings that have no counterpart in the baseline (order kept)."""
    live = [from_live(f) for f in findings]
    _, _, unmatched = pair(baseline, live)
    fresh = {id(s) for s in unmatched}
    return [f for f, s in zip(findings, live, strict=True) if id(s) in fresh]
