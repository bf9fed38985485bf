"""Judge of the HTTP exposure probe: per-endpoint observations -> findings and ``deep.http``.

Spec: deep-probes.md §8. Pure; registers the checkIds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.engine.registry import define
from openclaw_audit.report.model import Finding, Location, Severity

TOOLS_INVOKE = "/tools/invoke"
CHAT_COMPLETIONS = "/v1/chat/completions"
RESPONSES = "/v1/responses"
# Probe order and the exact, side-effect-free bodies (§8): none names a tool or carries input.
ENDPOINTS: tuple[tuple[str, bytes], ...] = (
    (TOOLS_INVOKE, b"{}"),
    (CHAT_COMPLETIONS, b"{}"),
    (RESPONSES, b"{"),  # malformed on purpose: parse fails after auth on every version
)

ENFORCED = "enforced"
OPEN = "open"
NOT_SERVED = "not_served"
UNREACHABLE = "unreachable"
TIMEOUT = "timeout"

HTTP_OPEN = define(
    "gateway.http.unauthenticated_reachable",
    Severity.CRITICAL,
    "Gateway HTTP API answers without credentials",
    remediation=(
        "Set gateway.auth.mode to token or password with a strong secret, keep the /v1/* "
        "endpoints disabled unless you need them, and restart the gateway."
    ),
    deep=True,
    anchor="gateway.auth",  # what lets the request through: located there in SARIF
    docs="""
## What
With `--deep`, the auditor sends harmless `POST` requests without any credential to the
gateway's HTTP APIs: `/tools/invoke` and `/v1/chat/completions` with an empty JSON object and
`/v1/responses` with malformed JSON. None of them names a tool or carries a message, so none can
run anything. The gateway checks auth before it reads the body, so a 400 (or 403, or 2xx) means
the request got past authentication. The detail lists each such endpoint with its status.

## Why
`/tools/invoke` lets its caller run the agent's tools (shell, files, browser) and the `/v1/*`
endpoints let it drive the model on your account. Reachable without a shared secret, anyone who
can reach the port can do both.

## Fix
Set `gateway.auth.mode` to `token` or `password` with a long random secret, disable the `/v1/*`
endpoints unless a client needs them, restart the gateway and rerun the deep audit.
""",
)

HTTP_ENFORCED = define(
    "gateway.http.auth_enforced",
    Severity.INFO,
    "Gateway HTTP API requires credentials",
    remediation=None,
    deep=True,
    anchor="gateway.auth",
    docs="""
## What
With `--deep`, every probed HTTP API of the running gateway either refused the unauthenticated
request (401, or 429 from the auth rate limiter) or is not served, and `/tools/invoke` refused
it. The detail lists each endpoint's class; when a probe credential was available it also says
whether the gateway accepted it.

## Why
This is live evidence, not a reading of the config: the running gateway enforces auth on its
HTTP surface.

## Fix
Nothing to do.
""",
)

# Every checkId the HTTP probe may emit; the runner skips the probe when none is wanted.
CHECK_IDS: tuple[str, ...] = (HTTP_OPEN.id, HTTP_ENFORCED.id)


def classify(status: int | None, allow: str | None = None, failure: str | None = None) -> str:
    """Class of one endpoint from its status (or the transport failure ``failure``)."""
    if failure in (UNREACHABLE, TIMEOUT):
        return failure
    if status is None:
        return UNREACHABLE
    if status in (401, 429):
        return ENFORCED
    if status in (400, 403) or 200 <= status < 300:
        return OPEN
    if status == 404:
        return NOT_SERVED
    if status == 405:
        methods = {m.strip().upper() for m in (allow or "").split(",")}
        return "unknown:405" if "POST" in methods else NOT_SERVED
    return f"unknown:{status}"


@dataclass(frozen=True, slots=True)
class EndpointResult:
    status: int | None
    result: str


@dataclass(frozen=True, slots=True)
class HttpFacts:
    base_url: str | None  # redacted
    endpoints: Mapping[str, EndpointResult] = field(default_factory=dict)
    credential_accepted: bool | None = None
    error: str | None = None  # why nothing was sent (e.g. unsupported URL scheme)


def http_section(facts: HttpFacts) -> dict[str, Any]:
    out: dict[str, Any] = {
        "baseUrl": facts.base_url,
        "endpoints": {
            path: {"status": ep.status, "result": ep.result} for path, ep in facts.endpoints.items()
        },
        "credentialAccepted": facts.credential_accepted,
    }
    if facts.error:
        out["error"] = facts.error
    return out


def http_findings(facts: HttpFacts) -> list[Finding]:
    open_eps = [(p, ep) for p, ep in facts.endpoints.items() if ep.result == OPEN]
    base = facts.base_url or ""
    location = Location(uri=base) if base else None
    if open_eps:
        evidence = "; ".join(f"POST {p} -> {ep.status}" for p, ep in open_eps)
        detail = f"Answered without credentials at {base}: {evidence}."
        if any(p == TOOLS_INVOKE for p, _ in open_eps):
            detail += " /tools/invoke lets any caller who reaches this port run the agent's tools."
        return [HTTP_OPEN.finding(detail, subject=base or None, location=location)]
    tools = facts.endpoints.get(TOOLS_INVOKE)
    if tools is not None and tools.result == ENFORCED:
        classes = ", ".join(f"{p} {ep.result}" for p, ep in facts.endpoints.items())
        detail = f"Unauthenticated requests were refused at {base}: {classes}."
        if facts.credential_accepted is True:
            detail += " The probe credential was accepted by /tools/invoke."
        elif facts.credential_accepted is False:
            detail += " The probe credential was rejected by /tools/invoke (401)."
        return [HTTP_ENFORCED.finding(detail, subject=base or None, location=location)]
    return []
