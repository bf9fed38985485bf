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

Fingerprints come first (scheduled-scans.md §2). Reports we write carry a ``fingerprint`` on
each finding, and a live finding has one: two findings that both have one are the same exactly
when the fingerprints are equal. The rules above only pair findings where one side has none
(a report saved by an older version), so old baselines keep working.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openclaw_audit.errors import AuditError
from openclaw_audit.report.fingerprint import fingerprint
from openclaw_audit.report.limits import check_depth, read_bounded, too_deep
from openclaw_audit.report.model import Finding

SINGLE = ""  # target key of a single-target report


@dataclass(frozen=True, slots=True)
class SavedFinding:
    check_id: str
    severity: str
    title: str
    detail: str
    subject: str | None = None  # only for live findings
    fingerprint: str | None = None  # None: saved by a version that wrote none

    @property
    def norm(self) -> str:
        return " ".join(self.detail.split()).casefold()

    def to_json(self) -> dict[str, str]:
        out = {
            "checkId": self.check_id,
            "severity": self.severity,
            "title": self.title,
            "detail": self.detail,
        }
        if self.fingerprint:
            out["fingerprint"] = self.fingerprint
        return out


@dataclass(frozen=True, slots=True)
class SavedTarget:
    target: str
    findings: tuple[SavedFinding, ...] = ()  # active findings
    suppressed: tuple[SavedFinding, ...] = ()
    error: str | None = None


def from_live(finding: Finding) -> SavedFinding:
    return SavedFinding(
        finding.check_id,
        finding.severity.value,
        finding.title,
        finding.detail,
        finding.subject,
        fingerprint(finding),
    )


def load_saved(path: str) -> list[SavedTarget]:
    """Read a saved report; anything unreadable or of the wrong shape is an AuditError."""
    data = read_bounded(path, "report")
    try:
        text = data.decode("utf-8")
        check_depth(text, path, "report")
        doc = json.loads(text)
    except UnicodeDecodeError:
        raise AuditError("report is not valid UTF-8", file=path) from None
    except json.JSONDecodeError as exc:
        raise AuditError(
            f"not a JSON report: {exc.msg}", file=path, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise too_deep(path, "report") from None
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
            fingerprint=_fingerprint(item.get("fingerprint")),
        )


def _fingerprint(value: Any) -> str | None:
    # Only a well-formed digest counts: anything else falls back to the older matching.
    if isinstance(value, str) and 8 <= len(value) <= 128 and value.isalnum():
        return value.lower()
    return None


Pairs = list[tuple[SavedFinding, SavedFinding]]


def pair(
    old: Sequence[SavedFinding], new: Sequence[SavedFinding]
) -> tuple[Pairs, list[SavedFinding], list[SavedFinding]]:
    """Match findings across two runs: (pairs (old, new), unmatched old, unmatched new), each
    list in its input order.

    Equal fingerprints pair first; the older rules (``_pair_legacy``) then pair only findings
    of which one side has no fingerprint. Linear in the number of findings (trust.md §7)."""
    by_print: dict[str, deque[int]] = defaultdict(deque)
    for i, f in enumerate(old):
        if f.fingerprint:
            by_print[f.fingerprint].append(i)
    used_old: set[int] = set()
    matched: dict[int, int] = {}  # new index -> old index
    for j, f in enumerate(new):
        queue = by_print.get(f.fingerprint or "")
        if queue:
            i = queue.popleft()
            used_old.add(i)
            matched[j] = i
    rest_old = [i for i in range(len(old)) if i not in used_old]
    rest_new = [j for j in range(len(new)) if j not in matched]
    # Legacy matching, never between two findings that both have a (different) fingerprint:
    # old without one against every new one, then old with one against new without one.
    plain_old = [i for i in rest_old if not old[i].fingerprint]
    printed_old = [i for i in rest_old if old[i].fingerprint]
    for olds, news in (
        (plain_old, rest_new),
        (printed_old, [j for j in rest_new if not new[j].fingerprint]),
    ):
        news = [j for j in news if j not in matched]
        if not olds or not news:
            continue
        pairs = _pair_legacy([old[i] for i in olds], [new[j] for j in news])
        for a, b in pairs:
            used_old.add(olds[a])
            matched[news[b]] = olds[a]
    return (
        [(old[matched[j]], new[j]) for j in sorted(matched)],
        [f for i, f in enumerate(old) if i not in used_old],
        [f for j, f in enumerate(new) if j not in matched],
    )


def _pair_legacy(old: Sequence[SavedFinding], new: Sequence[SavedFinding]) -> list[tuple[int, int]]:
    """The matching of reports without fingerprints (the module docstring's three rules), as
    (old index, new index) pairs. Each rule looks old findings up in an index instead of
    scanning them, so two hostile 100,000-finding reports pair in moments."""
    used_old: set[int] = set()
    matched: dict[int, int] = {}  # new index -> old index

    def take(index: dict[tuple[str, str], deque[int]], j: int, key: str) -> bool:
        queue = index.get((new[j].check_id, key))
        while queue:
            i = queue.popleft()
            if i not in used_old:
                used_old.add(i)
                matched[j] = i
                return True
        return False

    by_detail: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for i, f in enumerate(old):
        by_detail[(f.check_id, f.norm)].append(i)
    for j, f in enumerate(new):
        take(by_detail, j, f.norm)
    wanted = {f.check_id for j, f in enumerate(new) if j not in matched and f.subject}
    by_word = _word_index(old, used_old, wanted)
    for j, f in enumerate(new):
        if j in matched or not f.subject:
            continue
        subject = " ".join(f.subject.split()).casefold()
        if " " not in subject:
            take(by_word, j, subject)
            continue
        # A subject with spaces (a path): the old findings holding its first word, checked
        # in full; the index keeps this to the few candidates that can match.
        for i in by_word.get((f.check_id, subject.split(" ", 1)[0]), ()):
            if i not in used_old and subject in old[i].norm:
                used_old.add(i)
                matched[j] = i
                break
    free_old: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(old):
        if i not in used_old:
            free_old[f.check_id].append(i)
    free_new: dict[str, list[int]] = defaultdict(list)
    for j, f in enumerate(new):
        if j not in matched:
            free_new[f.check_id].append(j)
    for cid, news in free_new.items():
        olds = free_old.get(cid, [])
        # A live finding with a subject is one of several instances: never pair it blindly.
        if len(olds) == 1 and len(news) == 1 and not new[news[0]].subject:
            used_old.add(olds[0])
            matched[news[0]] = olds[0]
    return [(matched[j], j) for j in sorted(matched)]


_EDGE = "\"'`()[]{}<>,;:.!?"


def _word_index(
    old: Sequence[SavedFinding], used: set[int], check_ids: set[str]
) -> dict[tuple[str, str], deque[int]]:
    """(checkId, word) -> old findings whose detail holds that word, in order. A word is a
    whitespace-separated run stripped of quotes and punctuation, plus each of its dotted and
    slashed prefixes, so a subject ``channels.telegram`` finds ``channels.telegram.accounts.x``
    as the substring test it replaces did."""
    index: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for i, f in enumerate(old):
        if i in used or f.check_id not in check_ids:
            continue  # only checks that a live finding's subject may still pair with
        words: set[str] = set()
        for raw in f.norm.split():
            word = raw.strip(_EDGE)
            words.add(raw)
            words.add(word)
            for n, ch in enumerate(word):
                if ch in "./=" and n:
                    words.add(word[:n])
            if "=" in word:
                words.add(word.split("=", 1)[1])
        for word in words:
            if word:
                index[(f.check_id, word)].append(i)
    return index


def saved_for_target(
    saved: list[SavedTarget], target: str, *, fleet: bool = False
) -> list[SavedFinding]:
    """The baseline findings (active and suppressed) for one live target (trust.md §6: matched
    per target; a target is never covered by another target's findings).

    The saved target of the same config path; else, in a single-target run, the only saved
    report (a plain report names no target). In a several-target run a target without its own
    saved entry has no baseline: a gateway added since the baseline is new in full."""
    reports = [t for t in saved if t.error is None]
    same = [t for t in reports if t.target and _same_path(t.target, target)]
    if not same and not fleet and len(saved) == 1:
        same = reports
    return [f for t in same for f in (*t.findings, *t.suppressed)]


def _same_path(a: str, b: str) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def new_since(findings: Sequence[Finding], baseline: list[SavedFinding]) -> list[Finding]:
    """The live findings that have no counterpart in the baseline (order kept)."""
    live = [from_live(f) for f in findings]
    _, _, unmatched = pair(baseline, live)
    fresh = {id(s) for s in unmatched}
    return [f for f, s in zip(findings, live, strict=True) if id(s) in fresh]
