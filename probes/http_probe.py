"""HTTP exposure probe (deep-probes.md §8): do the gateway's HTTP APIs answer without a secret?

Sends only requests that cannot run a tool or a model (bodies in :data:`http_judge.ENDPOINTS`),
no retries, no redirects. httpx is imported here only; the runner loads this module lazily.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.hosts import is_loopback_host
from openclaw_audit.probes.base import ProbeOptions, ProbeResult
from openclaw_audit.probes.gateway_target import (
    GatewayTarget,
    ProbeCredentials,
    resolve_credentials,
    resolve_target,
    tunnel_url,
)
from openclaw_audit.probes.http_judge import (
    CHECK_IDS,
    ENDPOINTS,
    ENFORCED,
    TIMEOUT,
    TOOLS_INVOKE,
    UNREACHABLE,
    EndpointResult,
    HttpFacts,
    classify,
    http_findings,
    http_section,
)
from openclaw_audit.probes.tls_pin import PinRecord, tls_context
from openclaw_audit.redaction import safe_text

_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
PIN_MISMATCH = (
    "TLS fingerprint mismatch: the server certificate does not match "
    "gateway.remote.tlsFingerprint; nothing was sent over that connection"
)


def http_base_url(gateway_url: str) -> str | None:
    """Same host and port as the gateway URL, scheme http(s), no path; None if unusable."""
    try:
        parts = urlsplit(gateway_url.strip())
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return None
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]  # never carry userinfo into requests
    return urlunsplit((scheme, netloc, "", "", ""))


async def _post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    timeout: float,
    extensions: dict[str, str] | None = None,
    extra_headers: dict[str, str] | None = None,
) -> tuple[int | None, str | None, str | None]:
    """(status, Allow header, failure class) for one POST; the body is never read."""
    headers = dict(_HEADERS)
    if extra_headers:
        headers.update(extra_headers)
    request = client.build_request(
        "POST", url, content=body, headers=headers, extensions=extensions
    )
    try:
        with anyio.fail_after(timeout):
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                return response.status_code, response.headers.get("allow"), None
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return None, None, TIMEOUT
    except (httpx.TransportError, OSError):
        return None, None, UNREACHABLE


async def probe_http(
    target: GatewayTarget,
    creds: ProbeCredentials,
    timeout: float,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    via: str | None = None,
) -> tuple[HttpFacts, str | None]:
    """Probe the three endpoints concurrently, then at most one credential check.

    With a pin, every connection's TLS handshake checks the certificate (``tls_context``), so
    no request, and above all not the credential, is written to an unverified peer; a
    mismatch anywhere also withholds the credential. ``via``: an SSH tunnel's Unix socket.
    Returns the facts (URLs redacted) and the unredacted base URL (for callers' tests).
    """
    secrets = creds.values | set(target.edge_secrets)
    base = http_base_url(tunnel_url(target) if via is not None else target.url)
    if base is None:
        return (
            HttpFacts(
                base_url=safe_text(target.url, secrets),
                error="the gateway URL has no http(s) equivalent",
            ),
            None,
        )
    # Plain http needs no TLS context: building one loads the CA store (tens of ms) on the
    # event loop the other probes' timers share.
    ssl_ctx: ssl.SSLContext | bool
    if base.startswith("https:"):
        ssl_ctx, pins = tls_context(target.tls_fingerprint, verify=target.verify_tls)
    else:
        ssl_ctx, pins = False, PinRecord()  # no handshake: a pin is never verified
    if via is not None and transport is None:
        transport = httpx.AsyncHTTPTransport(uds=via, verify=ssl_ctx, trust_env=False)
    extensions = {"sni_hostname": target.host} if via is not None and target.host else None
    results: dict[str, EndpointResult] = {}
    async with httpx.AsyncClient(
        transport=transport,
        verify=ssl_ctx,
        trust_env=False,  # no proxy from the environment for a loopback gateway
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": "openclaw-audit"},
    ) as client:

        async def one(path: str, body: bytes) -> None:
            status, allow, failure = await _post(client, base + path, body, timeout, extensions)
            results[path] = EndpointResult(status, classify(status, allow, failure))

        async with anyio.create_task_group() as tg:
            for path, body in ENDPOINTS:
                tg.start_soon(one, path, body)

        credential_accepted: bool | None = None
        secret = creds.token or creds.password
        tools = results.get(TOOLS_INVOKE)
        host = urlsplit(base).hostname
        safe_channel = base.startswith("https:") or is_loopback_host(host)
        pin_ok = not target.tls_fingerprint or (pins.verified > 0 and pins.mismatched == 0)
        if secret and tools is not None and tools.result == ENFORCED and safe_channel and pin_ok:
            # One request only: a wrong credential counts toward the gateway's rate limiter.
            status, _allow, _failure = await _post(
                client,
                base + TOOLS_INVOKE,
                b"{}",
                timeout,
                extensions,
                {"Authorization": f"Bearer {secret}"},
            )
            credential_accepted = True if status == 400 else False if status == 401 else None

    ordered = {path: results[path] for path, _body in ENDPOINTS if path in results}
    facts = HttpFacts(
        # The configured gateway, not the tunnel's far-end view of it.
        base_url=safe_text(http_base_url(target.url) if via is not None else base, secrets),
        endpoints=ordered,
        credential_accepted=credential_accepted,
        error=PIN_MISMATCH if pins.mismatched else None,
    )
    return facts, base


async def _probe_routed(
    target: GatewayTarget, creds: ProbeCredentials, timeout: float
) -> HttpFacts:
    """Directly or through the SSH tunnel; nothing at all when the target is refused (the
    gateway probe reports why) or the tunnel cannot be opened."""
    if target.refused is not None:
        return HttpFacts(
            base_url=safe_text(http_base_url(target.url), creds.values),
            error=safe_text("not probed: " + target.refused, creds.values),
        )
    if target.ssh is None:
        return (await probe_http(target, creds, timeout))[0]
    from openclaw_audit.probes.ssh_tunnel import TunnelError, describe_route, open_tunnel

    try:
        async with open_tunnel(target.ssh, timeout) as path:
            return (await probe_http(target, creds, timeout, via=path))[0]
    except TunnelError as exc:
        return HttpFacts(
            base_url=safe_text(http_base_url(target.url), creds.values),
            error=safe_text(
                f"SSH tunnel ({describe_route(target.ssh)}) failed: {exc}; nothing was sent",
                creds.values,
            ),
        )


@dataclass(frozen=True, slots=True)
class HttpProbe:
    name: str = "http"
    section_key: str = "http"
    check_ids: tuple[str, ...] = CHECK_IDS

    def budget(self, opts: ProbeOptions) -> float:
        """Concurrent endpoint requests, then at most one credential request."""
        return 3 * opts.timeout  # plus opening an SSH tunnel when the route has one

    async def run(self, ctx: AuditContext, opts: ProbeOptions) -> ProbeResult:
        target = resolve_target(ctx)
        creds = resolve_credentials(ctx, opts)
        facts = await _probe_routed(target, creds, opts.timeout)
        return ProbeResult(
            findings=http_findings(facts),
            section=http_section(facts),
            secrets=creds.values | set(target.edge_secrets),
        )

    def on_failure(self, ctx: AuditContext, opts: ProbeOptions, error: str) -> ProbeResult:
        try:
            target = resolve_target(ctx)
            base = http_base_url(target.url)
            secrets = resolve_credentials(ctx, opts).values
        except Exception:
            base, secrets = None, set()
        status_class = TIMEOUT if error == "timeout" else UNREACHABLE
        facts = HttpFacts(
            base_url=safe_text(base, secrets),
            endpoints={path: EndpointResult(None, status_class) for path, _b in ENDPOINTS},
            error=safe_text(error, secrets),
        )
        return ProbeResult(findings=http_findings(facts), section=http_section(facts))


PROBE = HttpProbe()
