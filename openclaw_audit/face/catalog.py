"""`openclaw-audit checks` and `openclaw-audit explain CHECK_ID`."""

from __future__ import annotations

import json

from openclaw_audit.engine.registry import CheckMeta, Registry, load_catalog
from openclaw_audit.errors import UsageError


def _catalog() -> Registry:
    # checkIds defined outside the check packages (audit engine, ignore file, config
    # suppressions) register on import.
    import openclaw_audit.engine.audit
    import openclaw_audit.report.ignore_file  # noqa: F401

    return load_catalog()


def _metas() -> list[CheckMeta]:
    return sorted(_catalog().metas.values(), key=lambda m: m.id)


def list_checks(*, as_json: bool = False) -> str:
    metas = _metas()
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


def explain(check_id: str) -> str:
    catalog = _catalog()
    meta = catalog.meta_for(check_id.strip())
    if meta is None:
        close = [m.id for m in _metas() if check_id.strip().split(".")[0] == m.id.split(".")[0]]
        hint = (
            f"related: {', '.join(close[:8])}"
            if close
            else "list them with `openclaw-audit checks`"
        )
        raise UsageError(f"unknown checkId {check_id.strip()!r}", hint=hint)
    head = [
        f"{meta.id}",
        f"severity: {meta.severity.value}{' (escalates with exposure)' if meta.escalates else ''}",
        f"title: {meta.title}",
    ]
    if meta.deep:
        head.append("runs with: --deep")
    if meta.remediation:
        head.append(f"fix: {meta.remediation}")
    return "\n".join(head) + "\n\n" + meta.docs + "\n\n" + _related(meta, check_id.strip()) + "\n"


def _related(meta: CheckMeta, asked: str) -> str:
    """The flags that change whether and how this check shows up."""
    cid = asked if meta.is_family else meta.id
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
