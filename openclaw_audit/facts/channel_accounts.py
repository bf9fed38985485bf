"""Known channels and their accounts (spec: checks-channels.md §1.1–1.3).

The known-channel table is one data structure (``KNOWN_CHANNELS``) so that "configured when",
DM policy keys and entry prefixes can be refined in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext

DEFAULT_ACCOUNT_ID = "default"


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    id: str
    label: str
    # Account is configured when any group has all its keys set (e.g. msteams appId+appPassword).
    credentials: tuple[tuple[str, ...], ...] = ()
    # Env vars that configure the default account only.
    env: tuple[str, ...] = ()
    # True when a present section is enough (state lives outside the config, e.g. WhatsApp).
    section_suffices: bool = False
    # Reads the legacy ``dm.policy`` / ``dm.allowFrom`` / ``dm.enabled`` keys too.
    legacy_dm: bool = False
    # Prefixes stripped (once, case-insensitive) before counting distinct DM senders.
    entry_prefixes: tuple[str, ...] = ()


def _spec(
    id: str,
    label: str,
    *,
    credentials: tuple[tuple[str, ...], ...] = (),
    env: tuple[str, ...] = (),
    legacy_dm: bool = False,
    user_prefix: bool = False,
    extra_prefixes: tuple[str, ...] = (),
) -> ChannelSpec:
    prefixes = (f"{id}:", *extra_prefixes, *(("user:",) if user_prefix else ()))
    return ChannelSpec(
        id=id,
        label=label,
        credentials=credentials,
        env=env,
        section_suffices=not credentials,
        legacy_dm=legacy_dm,
        entry_prefixes=prefixes,
    )


# Audit order: upstream registry order first, then the rest in ASCII order of their id.
KNOWN_CHANNELS: tuple[ChannelSpec, ...] = (
    _spec(
        "telegram",
        "Telegram",
        credentials=(("botToken",), ("tokenFile",)),
        env=("TELEGRAM_BOT_TOKEN",),
        extra_prefixes=("tg:",),
    ),
    _spec("whatsapp", "WhatsApp"),
    _spec(
        "discord",
        "Discord",
        credentials=(("token",),),
        env=("DISCORD_BOT_TOKEN",),
        legacy_dm=True,
        user_prefix=True,
    ),
    _spec("irc", "IRC", credentials=(("host",), ("server",)), user_prefix=True),
    _spec(
        "googlechat",
        "Google Chat",
        credentials=(("serviceAccount",), ("serviceAccountFile",)),
        legacy_dm=True,
    ),
    _spec(
        "slack",
        "Slack",
        credentials=(("botToken",), ("appToken",)),
        env=("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
        legacy_dm=True,
        user_prefix=True,
    ),
    _spec("signal", "Signal"),
    _spec("imessage", "iMessage"),
    _spec("line", "LINE"),
    _spec("matrix", "Matrix"),
    _spec("mattermost", "Mattermost", credentials=(("botToken",),), user_prefix=True),
    _spec("msteams", "Microsoft Teams", credentials=(("appId", "appPassword"),), user_prefix=True),
    _spec("nextcloud-talk", "Nextcloud Talk"),
    _spec("synology-chat", "Synology Chat", credentials=(("token",), ("incomingUrl",))),
    _spec("zalo", "Zalo", credentials=(("botToken",), ("tokenFile",))),
    _spec("zalouser", "Zalo Personal"),
)


@dataclass(frozen=True, slots=True)
class Account:
    """One account of one channel, as the audit sees it."""

    channel: ChannelSpec
    id: str
    section: Mapping[str, Any]  # channels.<ch> (resolved)
    entry: Mapping[str, Any]  # channels.<ch>.accounts.<id> when an object, else {}
    view: Mapping[str, Any]  # top-level section (minus accounts) overlaid by the account entry
    source_view: Mapping[str, Any]  # the same merge over the source config
    prefix: str  # config path prefix used in details
    explicit: bool  # channels.<ch>.accounts has this id as an own key
    multi: bool  # the channel has more than one account id
    enabled: bool
    configured: bool
    diagnostics: tuple[str, ...] = ()

    @property
    def label_suffix(self) -> str:
        """`` (account: <id>)`` when the account has to be named, else empty."""
        return f" (account: {self.id})" if self.multi or self.explicit else ""

    @property
    def active(self) -> bool:
        return self.enabled and self.configured and not self.diagnostics

    def path(self, *keys: str) -> str:
        """Dotted path under the account's prefix, for details."""
        return ".".join((self.prefix, *keys))

    def key_parts(self, *keys: str) -> tuple[str, ...]:
        """Config path where ``keys`` actually lives (account entry first), for locations."""
        if keys and keys[0] in self.entry:
            return ("channels", self.channel.id, "accounts", self.id, *keys)
        return ("channels", self.channel.id, *keys)

    def scoped_bool(self, key: str) -> bool | None:
        """A boolean from the account entry, else from the channel section (no type mixing)."""
        for source in (self.entry, self.section):
            value = source.get(key)
            if isinstance(value, bool):
                return value
        return None


def account_ids(section: Mapping[str, Any]) -> list[str]:
    accounts = section.get("accounts")
    if isinstance(accounts, Mapping) and accounts:
        return [str(k) for k in accounts]
    return [DEFAULT_ACCOUNT_ID]


def default_account_id(section: Mapping[str, Any], ids: list[str]) -> str:
    wanted = section.get("defaultAccount")
    if isinstance(wanted, str) and wanted.strip() and wanted.strip() in ids:
        return wanted.strip()
    if DEFAULT_ACCOUNT_ID in ids:
        return DEFAULT_ACCOUNT_ID
    return ids[0]


def ordered_account_ids(section: Mapping[str, Any]) -> list[str]:
    ids = account_ids(section)
    return list(dict.fromkeys([default_account_id(section, ids), *ids]))


def merged_view(section: Mapping[str, Any], account_id: str) -> Mapping[str, Any]:
    base = {k: v for k, v in section.items() if k != "accounts"}
    accounts = section.get("accounts")
    entry = accounts.get(account_id) if isinstance(accounts, Mapping) else None
    if isinstance(entry, Mapping):
        base.update(entry)
    return base


def is_secret_input(value: object) -> bool:
    """A non-blank string or a SecretRef-shaped object (resolvable or not)."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        src, ref_id = value.get("source"), value.get("id")
        return src in ("env", "file", "exec") and isinstance(ref_id, str) and bool(ref_id.strip())
    return False


def _is_configured(
    spec: ChannelSpec, source_view: Mapping[str, Any], account_id: str, env: Mapping[str, str]
) -> bool:
    if spec.section_suffices:
        return True
    for group in spec.credentials:
        if all(is_secret_input(source_view.get(key)) for key in group):
            return True
    if account_id == DEFAULT_ACCOUNT_ID:
        return any(env.get(name, "").strip() for name in spec.env)
    return False


def iter_channels(ctx: AuditContext) -> Iterator[tuple[ChannelSpec, Mapping[str, Any]]]:
    """Known channels whose section is an object, in audit order."""
    channels = ctx.config.get_dict("channels")
    for spec in KNOWN_CHANNELS:
        section = channels.get(spec.id)
        if isinstance(section, Mapping):
            yield spec, section


def iter_accounts(
    ctx: AuditContext, spec: ChannelSpec, section: Mapping[str, Any]
) -> Iterator[Account]:
    """Every account of one channel, default first; broken entries carry a diagnostic."""
    # The source view only differs in secret values; it decides "configured" (1.2).
    source_section = ctx.source.get_dict(("channels", spec.id))
    ids = ordered_account_ids(section)
    multi = len(ids) > 1
    raw_accounts = section.get("accounts")
    accounts = raw_accounts if isinstance(raw_accounts, Mapping) else {}
    top_enabled = section.get("enabled") is not False
    for account_id in ids:
        explicit = account_id in accounts
        prefix = (
            f"channels.{spec.id}.accounts.{account_id}"
            if multi or explicit
            else f"channels.{spec.id}"
        )
        entry = accounts.get(account_id) if explicit else None
        diagnostics: tuple[str, ...] = ()
        if explicit and not isinstance(entry, Mapping):
            diagnostics = (
                f"{spec.id}:{account_id}: failed to resolve account "
                f"(account entry is {_type_name(entry)}, expected an object).",
            )
        view = merged_view(section, account_id)
        source_view = merged_view(source_section, account_id) if source_section else view
        enabled = (
            not diagnostics
            and top_enabled
            and not (isinstance(entry, Mapping) and entry.get("enabled") is False)
        )
        configured = not diagnostics and _is_configured(spec, source_view, account_id, ctx.env)
        yield Account(
            channel=spec,
            id=account_id,
            section=section,
            entry=entry if isinstance(entry, Mapping) else {},
            view=view,
            source_view=source_view,
            prefix=prefix,
            explicit=explicit,
            multi=multi,
            enabled=enabled,
            configured=configured,
            diagnostics=diagnostics,
        )


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
