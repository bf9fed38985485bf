"""Static findings that the live probes contradict say so (output-ux.md §2).

When a gateway credential is an unset ``${VAR}`` here, the static checks see no auth and say
why (``facts.gateway.unset_note``). If the probes then prove that the running gateway enforces
auth, those findings keep their id, severity and identity; their detail gains the live evidence
in front of the unset-variable note. The findings concerned are exactly the ones whose detail
carries that note: the knowledge of which checks rest on the credential stays in the checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.gateway import unset_note
from openclaw_audit.report.model import Finding

# Gateway connect errors that can only come from a gateway that checks credentials.
_AUTH_REFUSALS = ("unauthorized", "device identity required", "token mismatch", "password mismatch")


def _http_evidence(http: Any) -> str | None:
    if not isinstance(http, Mapping):
        return None
    tools = (http.get("endpoints") or {}).get("/tools/invoke")
    if not isinstance(tools, Mapping) or tools.get("result") != "enforced":
        return None
    return (
        f"the running gateway at {http.get('baseUrl')} refused an unauthenticated "
        f"POST /tools/invoke ({tools.get('status')})"
    )


def _gateway_evidence(gateway: Any) -> str | None:
    if not isinstance(gateway, Mapping) or gateway.get("helloOk") is True:
        return None
    error = str(gateway.get("error") or "").lower()
    if not any(word in error for word in _AUTH_REFUSALS):
        return None
    return (
        f"the running gateway at {gateway.get('url')} refused the probe's connection for lack "
        "of a valid credential"
    )


def auth_proven(live: Mapping[str, Any]) -> str | None:
    """What the probes saw that proves the running gateway enforces auth, or None."""
    return _http_evidence(live.get("http")) or _gateway_evidence(live.get("gateway"))


def with_live_evidence(findings: Iterable[Finding], ctx: AuditContext) -> list[Finding]:
    out = list(findings)
    note = unset_note(ctx)
    evidence = auth_proven(ctx.live or {}) if note else None
    if not evidence:
        return out
    said = (
        f"Live evidence contradicts this: {evidence}, so it does enforce auth; the config "
        "only reads as unauthenticated in this shell."
    )
    return [
        replace(f, detail=f.detail.replace(note, f"{said} {note}", 1)) if note in f.detail else f
        for f in out
    ]
