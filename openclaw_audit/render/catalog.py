"""The check catalog as text or JSON: ``openclaw-audit checks`` and ``explain CHECK_ID``.

Takes catalog entries as report data (:class:`Rule`); the face looks them up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from openclaw_audit.report.model import Rule


def render_list(metas: Sequence[Rule], *, as_json: bool = False) -> str:
    if as_json:
        doc = [
            {
                "checkId": m.id,
                "severity": m.severity.value,
                "title": m.title,
                "deep": m.deep,
                "escalates": m.escalates,
                "hasRemediation": m.remediation is not None,
            }
            for m in metas
        ]
        return json.dumps(doc, indent=2) + "\n"
    width = max((len(m.id) for m in metas), default=10)
    lines = [f"{m.id.ljust(width)}  {m.severity.value:<8}  {m.title}" for m in metas]
    lines.append(f"\n{len(metas)} checks. `openclaw-audit explain CHECK_ID` for details.")
    return "\n".join(lines) + "\n"


def render_explain(meta: Rule, asked: str) -> str:
    head = [
        f"{meta.id}",
        f"severity: {meta.severity.value}{' (escalates with exposure)' if meta.escalates else ''}",
        f"title: {meta.title}",
    ]
    if meta.deep:
        head.append("runs with: --deep")
    if meta.remediation:
        head.append(f"fix: {meta.remediation}")
    return "\n".join(head) + "\n\n" + meta.docs + "\n\n" + _related(meta, asked) + "\n"


def _related(meta: Rule, asked: str) -> str:
    """The flags that change whether and how this check shows up."""
    cid = asked if "<" in meta.id else meta.id
    group = cid.split(".")[0]
    lines = ["## Related flags"]
    if meta.deep:
        lines.append("- `--deep`: this check needs the live probes to run.")
    lines += [
        f"- `--check {cid}` runs only this check; `--check '{group}.*'` its whole group.",
        f"- `--skip-check {cid}` leaves it out of the report.",
        f"- `--min-severity` / `--fail-on`: its default severity is {meta.severity.value}.",
    ]
    if cid.startswith(("audit.ignore_file.", "security.audit.suppressions.")):
        return "\n".join(lines)  # findings about suppression itself cannot be suppressed
    lines += [
        "- Accept the risk for a while with an entry in `.openclaw-audit-ignore.toml`:",
        "",
        "  ```toml",
        "  [[ignore]]",
        f'  checkId = "{cid}"',
        '  reason = "why this is acceptable here"',
        '  expires = "YYYY-MM-DD"',
        "  ```",
        "- Or upstream's way: `security.audit.suppressions` in the config.",
    ]
    return "\n".join(lines)
