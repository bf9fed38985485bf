"""Findings caused by an unset ``${VAR}`` say which variable and where to set it (trust.md §4).

An unset variable in a SecretInput field makes the value absent (config-model.md §4), so a
config that does have a token on the gateway host may read as "no auth" here. The finding keeps
its id and severity; its detail gains one sentence naming the variable (never a value) and the
places it could come from.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace

from openclaw_audit.report.model import Finding

_TOKEN = ("gateway", "auth", "token")
_PASSWORD = ("gateway", "auth", "password")
_REMOTE = (("gateway", "remote", "token"), ("gateway", "remote", "password"))
# checkId -> the config paths whose absence the finding reports.
_CAUSES: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "gateway.bind_no_auth": (_TOKEN, _PASSWORD),
    "gateway.loopback_no_auth": (_TOKEN, _PASSWORD),
    "gateway.http.no_auth": (_TOKEN, _PASSWORD),
    "gateway.http.unauthenticated_reachable": (_TOKEN, _PASSWORD),
    "gateway.probe_auth_secretref_unavailable": (_TOKEN, _PASSWORD, *_REMOTE),
}
_FLAG = {"token": "--token-file", "password": "--password-file"}


def hint(path: tuple[str, ...], name: str, state_dir: str) -> str:
    where = os.path.join(state_dir, ".env")
    flag = _FLAG.get(path[-1])
    also = f", or give the probe the credential with {flag}" if flag else ""
    return (
        f"{'.'.join(path)} is ${{{name}}}, which is not set in this environment: define "
        f"{name} in {where} (or the environment){also}."
    )


def explain_unset(
    findings: Iterable[Finding], unresolved: Mapping[tuple[str, ...], str], state_dir: str
) -> list[Finding]:
    """``findings`` with the unset-variable sentence added where an unset ``${VAR}`` caused it."""
    out = []
    for finding in findings:
        causes = [p for p in _CAUSES.get(finding.check_id, ()) if p in unresolved]
        if causes:
            extra = " ".join(hint(p, unresolved[p], state_dir) for p in causes)
            # The hint depends on this shell, not on the config: keep the finding's identity
            # (baselines, fingerprints) what it was without the sentence.
            subject = finding.subject if finding.subject is not None else finding.detail
            finding = replace(finding, detail=f"{finding.detail} {extra}", subject=subject)
        out.append(finding)
    return out
