"""Judge of the gateway WebSocket probe: recorded facts -> findings and ``report.deep.gateway``.

Spec: deep-probes.md §4.3-§4.4. Pure; registers the checkIds so ``checks`` lists them without
loading any network library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import define
from openclaw_audit.facts.gateway import unset_credentials, unset_note
from openclaw_audit.report.model import Finding, Location, Severity

PROBE_FAILED = define(
    "gateway.probe_failed",
    Severity.WARN,
    "Live gateway probe failed",
    remediation=(
        "Run `openclaw status --all` to debug connectivity and auth, then rerun "
        "`openclaw security audit --deep`."
    ),
    deep=True,
    docs="""
## What
With `--deep`, the auditor opens a WebSocket to the gateway (the URL from
`OPENCLAW_GATEWAY_URL`, `gateway.remote.url` in remote mode, or `ws(s)://127.0.0.1:<port>`),
identifies as a read-only CLI client and makes four read-only calls (`health`, `status`,
`system-presence`, `config.get`). This finding means that did not complete; the detail names
the URL and what happened (`no answer within 5 s`, `connection refused`, `token rejected`,
`no credential was sent and the gateway requires one`), quoting the gateway's or the
transport's own error (URLs redacted; `deep.gateway.error` keeps it verbatim). When the
credential is an unset `${VAR}` in this shell, the detail says which variable and where to
put it.

## Why
A gateway that cannot be reached or that rejects the configured credentials cannot be verified
live: the rest of the report then rests on the config alone. A rejected credential can also mean
the config and the running gateway disagree.

## Fix
Run `openclaw status --all` to see whether the gateway runs and which URL and auth it expects,
then rerun the deep audit. Pass `--token`/`--password` (or `--token-file`, or the
`OPENCLAW_GATEWAY_TOKEN`/`OPENCLAW_GATEWAY_PASSWORD` variables) to probe with other credentials.

Decision: the probe identifies with client mode `cli` (scope `operator.read` only), not
upstream's `probe` mode, because current gateways clear the scopes of a device-less probe
session; with a correct token our probe therefore succeeds where upstream's reports
`missing scope: operator.read`. A plaintext `ws://` URL to a non-loopback host is never
contacted; it is reported here with `attempted: false` in `deep.gateway`.
""",
)

PROBE_AUTH_SECRETREF = define(
    "gateway.probe_auth_secretref_unavailable",
    Severity.WARN,
    "Gateway probe ran without credentials: SecretRef unavailable",
    remediation=(
        "Set OPENCLAW_GATEWAY_TOKEN or OPENCLAW_GATEWAY_PASSWORD in this shell, or make the "
        "secret provider available, then rerun with --deep."
    ),
    deep=True,
    docs="""
## What
The gateway credential the probe would use is configured as a SecretRef that could not be
resolved in this shell (missing variable, unreadable file, exec provider not run), and nothing
else supplied a credential of the kind the gateway expects. The probe then connects without
credentials.

## Why
The live result (usually an authentication failure) then says little about the real gateway:
it reflects this shell's missing secret, not the gateway's configuration.

## Fix
Export `OPENCLAW_GATEWAY_TOKEN` / `OPENCLAW_GATEWAY_PASSWORD`, pass `--token`/`--password`, or
make the secret provider reachable, then rerun the audit with `--deep`.
""",
)

# Every checkId the gateway probe may emit; the runner skips the probe when none is wanted.
CHECK_IDS: tuple[str, ...] = (PROBE_FAILED.id, PROBE_AUTH_SECRETREF.id)


@dataclass(frozen=True, slots=True)
class GatewayFacts:
    """What the probe observed. Strings here are already redacted by the collector."""

    url: str | None
    url_source: str
    attempted: bool
    ok: bool
    error: str | None = None
    close: tuple[int, str] | None = None
    hello_ok: bool = False
    protocol: int | None = None
    server_version: str | None = None
    scopes: tuple[str, ...] | None = None
    latency_ms: int | None = None
    auth_warning: str | None = None
    via: str | None = None  # "ssh user@host": the probe went through this SSH tunnel
    timeout_s: float | None = None  # the probe timer (deepTimeoutMs), for the failure text
    sent: tuple[str, ...] = ()  # the kinds of credential the probe sent: "token", "password"


def effective_error(facts: GatewayFacts) -> str | None:
    """``deep.gateway.error``: null when ok; the auth warning is appended on failure (§4.3)."""
    if facts.ok:
        return None
    error = facts.error or ""
    if facts.auth_warning:
        return f"{error}; {facts.auth_warning}" if error else facts.auth_warning
    return error or None


def gateway_section(facts: GatewayFacts) -> dict[str, Any]:
    close = None
    if facts.close is not None:
        close = {"code": facts.close[0], "reason": facts.close[1]}
    return {
        "attempted": facts.attempted,
        "url": facts.url,
        "ok": facts.ok,
        "error": effective_error(facts),
        "close": close,
        "urlSource": facts.url_source,
        "helloOk": facts.hello_ok,
        "protocol": facts.protocol,
        "serverVersion": facts.server_version,
        "scopes": list(facts.scopes) if facts.scopes is not None else None,
        "latencyMs": facts.latency_ms,
        **({"timeoutMs": int(facts.timeout_s * 1000)} if facts.timeout_s is not None else {}),
        **({"via": facts.via} if facts.via else {}),
    }


def what_happened(facts: GatewayFacts) -> str:
    """The probe's failure in words: what the user needs to tell a dead gateway from a wrong
    credential. The gateway's own message stays quoted (``deep.gateway.error`` keeps it exact)."""
    error = (facts.error or "").strip()
    lowered = error.lower()
    within = f" within {facts.timeout_s:g} s" if facts.timeout_s is not None else ""
    if not facts.attempted:
        return f"not contacted: {error}" if error else "not contacted"
    if not error:
        return "gateway unreachable"
    if error == "timeout":
        if facts.hello_ok:
            return f"authenticated, but no answer to the read-only calls{within}"
        return f"no answer{within}"
    if facts.hello_ok:
        return (
            f"{error} (authentication succeeded: the gateway accepted the handshake, "
            "but a read-only call failed afterwards)"
        )
    if error.startswith("connect ECONNREFUSED"):
        return f"connection refused (nothing listens there; is the gateway running?) [{error}]"
    rejected = _rejected_credential(lowered, facts.sent)
    if rejected:
        return f"{rejected} (gateway: {error})"
    return error


def _rejected_credential(lowered: str, sent: tuple[str, ...]) -> str | None:
    if "token mismatch" in lowered:
        return "token rejected"
    if "password mismatch" in lowered:
        return "password rejected"
    if not sent and ("device identity required" in lowered or "unauthorized" in lowered):
        return "no credential was sent and the gateway requires one"
    if sent and "unauthorized" in lowered:
        return f"{' and '.join(sent)} rejected"
    return None


def failure_detail(facts: GatewayFacts) -> str:
    """``gateway.probe_failed`` detail: the URL (and route), what happened, the auth warning."""
    happened = what_happened(facts)
    if facts.url:
        route = f" (via {facts.via})" if facts.via else ""
        happened = f"{facts.url}{route}: {happened}"
    if facts.auth_warning:
        happened = f"{happened}; {facts.auth_warning}"
    return happened


_REMOTE_CREDENTIALS = (("gateway", "remote", "token"), ("gateway", "remote", "password"))


def _unset_note(ctx: AuditContext) -> str:
    """The probe's credential is an unset ``${VAR}`` here: say which and where to put it."""
    # Imported here: the catalog loads this judge on the static path, the target only runs live.
    from openclaw_audit.probes.gateway_target import target_mode

    paths = _REMOTE_CREDENTIALS if target_mode(ctx) == "remote" else None
    return unset_note(ctx, unset_credentials(ctx, paths) if paths else None)


def gateway_findings(ctx: AuditContext, facts: GatewayFacts) -> list[Finding]:
    out: list[Finding] = []
    location = Location(uri=facts.url) if facts.url else None
    note = _unset_note(ctx) if not facts.sent else ""
    if not facts.ok:
        detail = failure_detail(facts)
        if note and facts.attempted:
            detail = f"{detail}. {note}"
        out.append(
            PROBE_FAILED.finding(
                detail,
                remediation=ctx.cmd(PROBE_FAILED.remediation or ""),
                subject=facts.url,
                location=location,
            )
        )
    if facts.auth_warning:
        out.append(
            PROBE_AUTH_SECRETREF.finding(
                f"{facts.auth_warning} {note}" if note else facts.auth_warning,
                subject=facts.auth_warning.split(" ", 1)[0],
            )
        )
    return out
