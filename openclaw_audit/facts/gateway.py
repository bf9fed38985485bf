"""The gateway as OpenClaw runs it: bind, Tailscale exposure, port, mDNS and auth.

Spec: checks-gateway.md §1 and §5, config-model.md §8, deep-probes.md §2.2 and §6. Everything
here is a small pure function over :class:`AuditContext`. Auth *decisions* use the resolved
view (a SecretRef still present there is not a usable credential); "configured" tests use the
source view, so a configured-but-unavailable SecretRef still counts as configured
(checks-gateway.md §6, config-model.md §5).

Other check groups (hooks) import :func:`resolve_gateway_auth` to compare the hooks token with
the gateway credentials. Its result keeps the secrets out of ``repr`` so that logging it never
leaks them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.engine.context import AuditContext, AuthOverride
from openclaw_audit.facts.secret_refs import (
    env_value,
    is_configured_secret_input,
    plain_secret,
)

DEFAULT_PORT = 18789
_TRUTHY = frozenset({"1", "true", "yes", "on"})
_PORT_ENV = ("OPENCLAW_GATEWAY_PORT", "CLAWDBOT_GATEWAY_PORT")  # legacy alias still honoured
GATEWAY_TOKEN_ENV = "OPENCLAW_GATEWAY_TOKEN"
GATEWAY_PASSWORD_ENV = "OPENCLAW_GATEWAY_PASSWORD"

AUTH_MODES: tuple[str, ...] = ("none", "token", "password", "trusted-proxy")

# DEFAULT_GATEWAY_HTTP_TOOL_DENY (newest upstream), in the order details list them.
HTTP_TOOL_DENY: tuple[str, ...] = (
    "exec",
    "spawn",
    "shell",
    "fs_write",
    "fs_delete",
    "fs_move",
    "apply_patch",
    "terminal",
    "portal",
    "sessions_spawn",
    "sessions_send",
    "conversations_list",
    "conversations_send",
    "conversations_turn",
    "automations",
    "gateway",
    "plugins",
    "nodes",
    "computer",
    "mobile_ui",
    "openclaw",
)

_STRICT_LOOPBACK_PROXIES = frozenset({"127.0.0.1", "::1", "127.0.0.1/32", "::1/128"})

# ---------------------------------------------------------------------------------------------
# Bind, Tailscale, port (checks-gateway.md §1, config-model.md §8)
# ---------------------------------------------------------------------------------------------


def bind_mode(ctx: AuditContext) -> str:
    """``gateway.bind`` when a string, else ``"loopback"``."""
    bind = ctx.config.get_str("gateway.bind")
    return bind if bind is not None else "loopback"


def is_loopback_bind(ctx: AuditContext) -> bool:
    return bind_mode(ctx) == "loopback"


def tailscale_mode(ctx: AuditContext) -> str:
    mode = ctx.config.get_str("gateway.tailscale.mode")
    return mode if mode in ("off", "serve", "funnel") else "off"


def remotely_exposed(ctx: AuditContext) -> bool:
    """bind beyond loopback, or Tailscale serve/funnel (``isGatewayRemotelyExposed``)."""
    return not is_loopback_bind(ctx) or tailscale_mode(ctx) in ("serve", "funnel")


def _port_from_env(env: Mapping[str, str]) -> int | None:
    for name in _PORT_ENV:
        raw = (env.get(name) or "").strip()
        if raw.isascii() and raw.isdigit() and int(raw) > 0:
            return int(raw)
    return None


def gateway_port(ctx: AuditContext) -> int:
    """Env port (an integer > 0), else ``gateway.port`` (finite, > 0), else 18789."""
    env_port = _port_from_env(ctx.env)
    if env_port is not None:
        return env_port
    cfg_port = ctx.config.get_finite("gateway.port")
    if cfg_port is not None and cfg_port > 0:
        return int(cfg_port)
    return DEFAULT_PORT


# ---------------------------------------------------------------------------------------------
# Resolved gateway auth (resolveGatewayAuth)
# ---------------------------------------------------------------------------------------------


_LOCAL_CREDENTIALS = (("gateway", "auth", "token"), ("gateway", "auth", "password"))


@dataclass(frozen=True, slots=True)
class UnsetCredential:
    """A gateway credential that is absent here only because its ``${VAR}`` is unset."""

    path: tuple[str, ...]
    var: str

    @property
    def kind(self) -> str:
        return self.path[-1]


@dataclass(frozen=True, slots=True)
class ResolvedGatewayAuth:
    """The effective gateway auth. ``token``/``password`` are secrets: never print them."""

    mode: str  # none | token | password | trusted-proxy
    mode_source: str  # override | config | password | token | default
    allow_tailscale: bool
    token: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    token_source: str | None = None  # override | config | env
    password_source: str | None = None  # override | config | env
    # Credentials absent only because the ${VAR} that should supply them is unset here.
    unset: tuple[UnsetCredential, ...] = ()


def _mode(value: Any) -> str | None:
    return value if isinstance(value, str) and value in AUTH_MODES else None


def _override_mode(ctx: AuditContext, override: AuthOverride | None = None) -> str | None:
    override = override if override is not None else ctx.auth_override
    return _mode(override.mode) if override is not None else None


def _pick_credential(
    ctx: AuditContext, kind: str, env_name: str, override_obj: AuthOverride | None
) -> tuple[str | None, str | None]:
    """Config-first: the (override-replaced) config field, else the env var."""
    override = getattr(override_obj, kind, None) if override_obj else None
    if override is not None:
        value, origin = plain_secret(override), "override"
    else:
        value, origin = plain_secret(ctx.config.get_dict("gateway.auth").get(kind)), "config"
    if value is not None:
        return value, origin
    env = env_value(ctx, env_name)
    return (env, "env") if env is not None else (None, None)


def resolve_gateway_auth(ctx: AuditContext, *, with_override: bool = True) -> ResolvedGatewayAuth:
    """Steps 1-4 of checks-gateway.md §1 over the resolved config and the env.

    ``with_override=False`` ignores ``--auth``/``--token``/``--password`` (the hooks reuse
    check compares against both the configured and the overridden auth). Computed once per
    audit: a dozen checks ask."""
    key = "gateway.auth" if with_override else "gateway.auth.configured"
    return ctx.memo(key, lambda: _resolve_gateway_auth(ctx, with_override))


def _resolve_gateway_auth(ctx: AuditContext, with_override: bool) -> ResolvedGatewayAuth:
    override = ctx.auth_override if with_override else None
    token, token_source = _pick_credential(ctx, "token", GATEWAY_TOKEN_ENV, override)
    password, password_source = _pick_credential(ctx, "password", GATEWAY_PASSWORD_ENV, override)
    override_mode = _mode(override.mode) if override is not None else None
    config_mode = _mode(ctx.config.get("gateway.auth.mode"))
    if override_mode is not None:
        mode, source = override_mode, "override"
    elif config_mode is not None:
        mode, source = config_mode, "config"
    elif password is not None:
        mode, source = "password", "password"
    elif token is not None:
        mode, source = "token", "token"
    else:
        mode, source = "token", "default"
    allow = ctx.config.get_bool("gateway.auth.allowTailscale")
    if allow is None:
        allow = tailscale_mode(ctx) == "serve" and mode not in ("password", "trusted-proxy")
    unset = tuple(
        UnsetCredential(path, ctx.unresolved_vars[path])
        for path, value in zip(_LOCAL_CREDENTIALS, (token, password), strict=True)
        if value is None and path in ctx.unresolved_vars
    )
    return ResolvedGatewayAuth(
        mode=mode,
        mode_source=source,
        allow_tailscale=allow,
        token=token,
        password=password,
        token_source=token_source,
        password_source=password_source,
        unset=unset,
    )


# ---------------------------------------------------------------------------------------------
# Credentials absent because a ${VAR} is unset (trust.md §4, output-ux.md §2)
# ---------------------------------------------------------------------------------------------

_FILE_FLAG = {"token": "--token-file", "password": "--password-file"}


def unset_credentials(
    ctx: AuditContext, paths: tuple[tuple[str, ...], ...] = _LOCAL_CREDENTIALS
) -> tuple[UnsetCredential, ...]:
    """Credentials at ``paths`` whose ``${VAR}`` is unset and that nothing else supplied
    (``OPENCLAW_GATEWAY_TOKEN``, ``--token``): the gateway host may well have them. The local
    credentials come from the auth resolution; other paths (``gateway.remote.*``) are read
    as they are."""
    if not ctx.unresolved_vars:
        return ()
    local = {c.path: c for c in resolve_gateway_auth(ctx).unset}
    return tuple(
        local[p] if p in _LOCAL_CREDENTIALS else UnsetCredential(p, ctx.unresolved_vars[p])
        for p in paths
        if p in local or (p not in _LOCAL_CREDENTIALS and p in ctx.unresolved_vars)
    )


def unset_note(ctx: AuditContext, credentials: tuple[UnsetCredential, ...] | None = None) -> str:
    """One sentence per unset credential naming the variable (never a value) and where it
    could come from; empty when no credential is absent for that reason."""
    creds = unset_credentials(ctx) if credentials is None else credentials
    where = os.path.join(ctx.paths.state_dir, ".env")
    return " ".join(
        f"${{{c.var}}} is unset in this environment ({'.'.join(c.path)}); put it in {where} "
        f"or pass {_FILE_FLAG.get(c.kind, '--token-file')}."
        for c in creds
    )


def explain_absent(ctx: AuditContext, detail: str) -> tuple[str, str | None]:
    """(detail, subject) of a finding that reads "no credential": the unset-variable note is
    appended. The subject stays None: the fingerprint never reads the detail (it uses the
    checkId and the finding's location), so the finding's identity (baselines, fingerprints)
    does not depend on this shell's environment either way."""
    note = unset_note(ctx)
    return (f"{detail} {note}", None) if note else (detail, None)


def provides_http_auth(auth: ResolvedGatewayAuth) -> bool:
    """Whether the HTTP APIs need a credential (checks-gateway.md §5, ``gateway.http.no_auth``)."""
    if auth.mode == "trusted-proxy":
        return True
    if auth.mode == "token":
        return auth.token is not None
    if auth.mode == "password":
        return auth.password is not None
    return False


# ---------------------------------------------------------------------------------------------
# Shared-secret predicates
# ---------------------------------------------------------------------------------------------


def explicit_mode(ctx: AuditContext) -> str | None:
    """The ``--auth`` mode, else ``gateway.auth.mode`` from the source config (no inference)."""
    return _override_mode(ctx) or _mode(ctx.source.get("gateway.auth.mode"))


def token_can_win(ctx: AuditContext) -> bool:
    return (
        resolve_gateway_auth(ctx).token is not None
        or env_value(ctx, GATEWAY_TOKEN_ENV) is not None
        or is_configured_secret_input(ctx.source.get("gateway.auth.token"))
        or is_configured_secret_input(ctx.source.get("gateway.remote.token"))
    )


def password_can_win(ctx: AuditContext) -> bool:
    mode = explicit_mode(ctx)
    if mode == "password":
        return True
    return mode not in ("token", "none", "trusted-proxy") and not token_can_win(ctx)


def password_configured(ctx: AuditContext) -> bool:
    if resolve_gateway_auth(ctx).password is not None:
        return True
    return password_can_win(ctx) and (
        env_value(ctx, GATEWAY_PASSWORD_ENV) is not None
        or is_configured_secret_input(ctx.source.get("gateway.auth.password"))
    )


def has_shared_secret(ctx: AuditContext) -> bool:
    mode = explicit_mode(ctx)
    if mode == "token":
        return token_can_win(ctx)
    if mode == "password":
        return password_configured(ctx)
    if mode in ("none", "trusted-proxy"):
        return False
    return token_can_win(ctx) or password_configured(ctx)


def has_tailscale_auth(ctx: AuditContext) -> bool:
    return resolve_gateway_auth(ctx).allow_tailscale and tailscale_mode(ctx) == "serve"


def has_gateway_auth(ctx: AuditContext) -> bool:
    return has_shared_secret(ctx) or resolve_gateway_auth(ctx).mode == "trusted-proxy"


def has_loopback_auth(ctx: AuditContext) -> bool:
    return has_gateway_auth(ctx) or has_tailscale_auth(ctx)


# ---------------------------------------------------------------------------------------------
# Exposure, Control UI, proxies, discovery
# ---------------------------------------------------------------------------------------------


def control_ui_enabled(ctx: AuditContext) -> bool:
    return not ctx.config.is_false("gateway.controlUi.enabled")


def allowed_origins(ctx: AuditContext) -> list[str]:
    return ctx.config.get_str_list("gateway.controlUi.allowedOrigins")


def trusted_proxies(ctx: AuditContext) -> list[str]:
    return ctx.config.get_str_list("gateway.trustedProxies")


def is_strict_loopback_proxy(entry: str) -> bool:
    return entry.strip().lower() in _STRICT_LOOPBACK_PROXIES


def mdns_mode(ctx: AuditContext) -> str:
    mode = ctx.config.get_str("discovery.mdns.mode")
    return mode if mode is not None else "minimal"


def local_mdns_hostname(ctx: AuditContext, system_hostname: str | None) -> str:
    """This host's advertised name (without ``.local``), as the gateway derives it (§6)."""
    raw = ctx.env.get("OPENCLAW_MDNS_HOSTNAME", "").strip() or (system_hostname or "").strip()
    label = raw.removesuffix(".").removesuffix(".local").split(".")[0].strip()
    label = label.encode("utf-8")[:63].decode("utf-8", "ignore")
    return label or "openclaw"


def bonjour_disabled_by_env(ctx: AuditContext) -> bool:
    return ctx.env.get("OPENCLAW_DISABLE_BONJOUR", "").strip().lower() in _TRUTHY


def http_tools_reenabled(ctx: AuditContext) -> list[str]:
    """Deny-list names present in ``gateway.tools.allow`` (lower-cased, trimmed), in list order."""
    allow = {s.lower() for s in ctx.config.get_str_list("gateway.tools.allow")}
    return [name for name in HTTP_TOOL_DENY if name in allow]
