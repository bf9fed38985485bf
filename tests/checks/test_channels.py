"""channels.* (checks-channels.md): accounts, DM policy, pairing store, identities, commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builders import by_id, ids, make_ctx, one, run_checks
from openclaw_audit.engine.registry import Stage
from openclaw_audit.report.model import Finding, Severity

TG = {"botToken": "123456:telegram-secret"}
DC = {"token": "discord-secret-token"}
SL = {"botToken": "xoxb-slack-secret"}


def chans(cfg: dict[str, Any], **kw: Any) -> list[Finding]:
    return run_checks(make_ctx(cfg, **kw), stages=[Stage.CHANNELS])


def with_channels(**channels: Any) -> dict[str, Any]:
    return {"channels": channels}


def write_store(state: Path, name: str, entries: Any) -> Path:
    creds = state / "credentials"
    creds.mkdir(parents=True, exist_ok=True)
    path = creds / name
    path.write_text(json.dumps({"version": 1, "allowFrom": entries}))
    return path


# --- channels and accounts -------------------------------------------------------------------


def test_no_channels_no_findings() -> None:
    assert chans({}) == []
    assert chans({"channels": "telegram"}) == []


def test_only_known_object_channels_in_fixed_order() -> None:
    cfg = with_channels(
        zalo={"botToken": "z", "dmPolicy": "open"},
        slack={**SL, "dmPolicy": "open"},
        telegram={**TG, "dmPolicy": "open"},
        defaults={"dmPolicy": "open"},
        mychat={"dmPolicy": "open"},
        whatsapp="on",
        discord={**DC, "dmPolicy": "open"},
    )
    opened = [f.check_id for f in chans(cfg) if f.check_id.endswith(".dm.open")]
    assert opened == [
        "channels.telegram.dm.open",
        "channels.discord.dm.open",
        "channels.slack.dm.open",
        "channels.zalo.dm.open",
    ]


def test_unconfigured_channel_is_skipped() -> None:
    assert chans(with_channels(telegram={"dmPolicy": "open"})) == []
    assert chans(with_channels(msteams={"appId": "a", "dmPolicy": "open"})) == []
    assert by_id(
        chans(with_channels(msteams={"appId": "a", "appPassword": "p", "dmPolicy": "open"})),
        "channels.msteams.dm.open",
    )


def test_section_present_channels_are_configured() -> None:
    for ch in ("whatsapp", "signal", "imessage", "zalouser", "line", "matrix", "nextcloud-talk"):
        assert by_id(chans(with_channels(**{ch: {"dmPolicy": "open"}})), f"channels.{ch}.dm.open")


def test_env_token_configures_default_account_only() -> None:
    env = {"TELEGRAM_BOT_TOKEN": "123:env"}
    out = chans(with_channels(telegram={"dmPolicy": "open"}), env=env)
    assert one(out, "channels.telegram.dm.open").detail.startswith("channels.telegram.dmPolicy")
    cfg = with_channels(telegram={"dmPolicy": "open", "accounts": {"work": {}}})
    assert chans(cfg, env=env) == []


def test_secretref_in_source_counts_as_configured() -> None:
    resolved = with_channels(discord={"dmPolicy": "open"})
    source = with_channels(
        discord={"dmPolicy": "open", "token": {"source": "env", "provider": "default", "id": "X"}}
    )
    assert by_id(chans(resolved, source=source), "channels.discord.dm.open")


def test_disabled_channel_or_account_is_skipped() -> None:
    assert chans(with_channels(telegram={**TG, "dmPolicy": "open", "enabled": False})) == []
    cfg = with_channels(
        telegram={
            "dmPolicy": "open",
            "accounts": {"a": {**TG, "enabled": False}, "b": {**TG}},
        }
    )
    details = [f.detail for f in by_id(chans(cfg), "channels.telegram.dm.open")]
    assert details == ['channels.telegram.accounts.b.dmPolicy="open" lets anyone DM the bot.']


def test_accounts_inherit_top_level_and_override() -> None:
    cfg = with_channels(
        discord={
            **DC,
            "dmPolicy": "open",
            "allowFrom": ["*"],
            "accounts": {"main": {}, "quiet": {"dmPolicy": "pairing"}},
        }
    )
    out = by_id(chans(cfg), "channels.discord.dm.open")
    assert [f.subject for f in out] == ["channels.discord.accounts.main.dmPolicy"]


def test_default_account_first_then_file_order() -> None:
    cfg = with_channels(
        slack={
            **SL,
            "dmPolicy": "open",
            "defaultAccount": "zeta",
            "accounts": {"alpha": {}, "zeta": {}, "default": {}},
        }
    )
    subjects = [f.subject for f in by_id(chans(cfg), "channels.slack.dm.open")]
    assert subjects == [
        "channels.slack.accounts.zeta.dmPolicy",
        "channels.slack.accounts.alpha.dmPolicy",
        "channels.slack.accounts.default.dmPolicy",
    ]


def test_single_explicit_account_uses_account_prefix() -> None:
    cfg = with_channels(telegram={"accounts": {"default": {**TG, "dmPolicy": "open"}}})
    f = one(chans(cfg), "channels.telegram.dm.open")
    assert f.detail.startswith("channels.telegram.accounts.default.dmPolicy")


def test_read_only_resolution_for_non_object_account() -> None:
    cfg = with_channels(discord={**DC, "dmPolicy": "open", "accounts": {"bad": "x", "ok": {}}})
    out = chans(cfg)
    f = one(out, "channels.discord.account.read_only_resolution")
    assert f.severity is Severity.WARN
    assert f.detail.startswith("discord:bad: failed to resolve account (")
    assert f.detail.endswith(").")
    assert [g.subject for g in by_id(out, "channels.discord.dm.open")] == [
        "channels.discord.accounts.ok.dmPolicy"
    ]
    assert ids(out)[0] == "channels.discord.account.read_only_resolution"


# --- DM policy -------------------------------------------------------------------------------


def test_dm_open_without_wildcard() -> None:
    out = chans(with_channels(telegram={**TG, "dmPolicy": "open", "allowFrom": ["1"]}))
    f = one(out, "channels.telegram.dm.open")
    assert f.severity is Severity.CRITICAL
    assert f.detail == 'channels.telegram.dmPolicy="open" lets anyone DM the bot.'
    assert 'channels.telegram.allowFrom must contain "*"' in (f.remediation or "")
    assert one(out, "channels.telegram.dm.open_invalid").severity is Severity.WARN


def test_dm_open_with_wildcard_is_consistent_but_multiuser() -> None:
    out = chans(with_channels(telegram={**TG, "dmPolicy": "open", "allowFrom": [" * "]}))
    assert ids(out) == ["channels.telegram.dm.open", "channels.telegram.dm.scope_main_multiuser"]


def test_pairing_default_is_quiet() -> None:
    assert chans(with_channels(telegram={**TG})) == []
    assert chans(with_channels(telegram={**TG, "dmPolicy": "allowlist", "allowFrom": [1]})) == []


def test_legacy_dm_policy_and_allow_from_paths() -> None:
    cfg = with_channels(discord={**DC, "dm": {"policy": "open", "allowFrom": ["123"]}})
    out = chans(cfg)
    f = one(out, "channels.discord.dm.open")
    assert f.detail.startswith('channels.discord.dm.policy="open"')
    assert "channels.discord.dm.allowFrom" in (f.remediation or "")
    assert by_id(out, "channels.discord.dm.open_invalid")


def test_dm_policy_wins_over_legacy() -> None:
    cfg = with_channels(slack={**SL, "dmPolicy": "allowlist", "dm": {"policy": "open"}})
    assert not by_id(chans(cfg), "channels.slack.dm.open")


def test_legacy_dm_keys_ignored_for_channels_without_them() -> None:
    assert chans(with_channels(telegram={**TG, "dm": {"policy": "open"}})) == []


def test_dm_disabled_is_info_and_skips_scope() -> None:
    cfg = with_channels(telegram={**TG, "dmPolicy": "disabled", "allowFrom": ["*"]})
    out = chans(cfg)
    assert ids(out) == ["channels.telegram.dm.disabled"]
    assert out[0].severity is Severity.INFO
    assert out[0].remediation is None


def test_legacy_dm_enabled_false_means_disabled() -> None:
    f = one(
        chans(with_channels(discord={**DC, "dm": {"enabled": False}})),
        "channels.discord.dm.disabled",
    )
    assert "channels.discord.dm.enabled" in f.detail
    cfg = with_channels(
        discord={**DC, "dmPolicy": "open", "allowFrom": ["*"], "dm": {"enabled": False}}
    )
    assert not by_id(chans(cfg), "channels.discord.dm.disabled")


def test_scope_main_with_several_senders() -> None:
    cfg = with_channels(signal={"allowFrom": ["+1555", "+1666"]})
    f = one(chans(cfg), "channels.signal.dm.scope_main_multiuser")
    assert f.severity is Severity.WARN
    assert 'session.dmScope "per-channel-peer"' in (f.remediation or "")
    assert "per-account-channel-peer" in (f.remediation or "")


def test_scope_remediation_carries_profile() -> None:
    cfg = with_channels(signal={"allowFrom": ["+1555", "+1666"]})
    f = one(chans(cfg, env={"OPENCLAW_PROFILE": "work"}), "channels.signal.dm.scope_main_multiuser")
    assert "openclaw --profile work config set" in (f.remediation or "")


@pytest.mark.parametrize("scope", ["per-peer", "per-channel-peer", "per-account-channel-peer"])
def test_isolated_dm_scope_suppresses(scope: str) -> None:
    cfg = {
        **with_channels(signal={"allowFrom": ["+1555", "+1666"]}),
        "session": {"dmScope": scope},
    }
    assert chans(cfg) == []


def test_explicit_main_scope_still_warns() -> None:
    cfg = {**with_channels(signal={"allowFrom": ["a", "b"]}), "session": {"dmScope": "main"}}
    assert by_id(chans(cfg), "channels.signal.dm.scope_main_multiuser")


def test_one_sender_after_normalisation_is_not_multiuser() -> None:
    cfg = with_channels(telegram={**TG, "allowFrom": ["123", "tg:123", " Telegram:123 ", "", "*x"]})
    # "*x" is a second sender; drop it and the three spellings of 123 count once.
    assert by_id(chans(cfg), "channels.telegram.dm.scope_main_multiuser")
    cfg = with_channels(telegram={**TG, "allowFrom": ["123", "tg:123", " Telegram:123 ", ""]})
    assert chans(cfg) == []


# --- pairing store ---------------------------------------------------------------------------


def test_store_senders_count_for_scope(tmp_path: Path) -> None:
    write_store(tmp_path, "signal-allowFrom.json", ["+1555", "+1666"])
    out = chans(with_channels(signal={}), state_dir=tmp_path)
    assert by_id(out, "channels.signal.dm.scope_main_multiuser")


def test_store_combines_with_config(tmp_path: Path) -> None:
    write_store(tmp_path, "telegram-allowFrom.json", ["456"])
    cfg = with_channels(telegram={**TG, "allowFrom": ["123"]})
    assert by_id(chans(cfg, state_dir=tmp_path), "channels.telegram.dm.scope_main_multiuser")
    write_store(tmp_path, "telegram-allowFrom.json", ["tg:123"])
    assert chans(cfg, state_dir=tmp_path) == []


def test_store_wildcard_is_not_a_dm_wildcard(tmp_path: Path) -> None:
    write_store(tmp_path, "signal-allowFrom.json", ["*", "+1555"])
    cfg = with_channels(signal={"dmPolicy": "open"})
    out = chans(cfg, state_dir=tmp_path)
    assert by_id(out, "channels.signal.dm.open_invalid")
    assert not by_id(out, "channels.signal.dm.scope_main_multiuser")


def test_per_account_store_file(tmp_path: Path) -> None:
    write_store(tmp_path, "signal-work-allowFrom.json", ["a", "b"])
    cfg = with_channels(signal={"accounts": {"default": {}, "Work": {}}})
    out = by_id(chans(cfg, state_dir=tmp_path), "channels.signal.dm.scope_main_multiuser")
    assert [f.subject for f in out] == ["channels.signal.accounts.Work"]


def test_store_name_is_sanitised(tmp_path: Path) -> None:
    write_store(tmp_path, "signal-a_b_c-allowFrom.json", ["a", "b"])
    cfg = with_channels(signal={"accounts": {"a/b:c": {}}})
    assert by_id(chans(cfg, state_dir=tmp_path), "channels.signal.dm.scope_main_multiuser")


def test_creds_dir_override(tmp_path: Path) -> None:
    creds = tmp_path / "oauth"
    creds.mkdir()
    (creds / "signal-allowFrom.json").write_text(json.dumps({"allowFrom": ["a", "b"]}))
    out = chans(with_channels(signal={}), state_dir=tmp_path, creds_dir=creds)
    assert by_id(out, "channels.signal.dm.scope_main_multiuser")


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"allowFrom": "a,b"}',
        '{"allowFrom": {"a": 1}}',
        '{"version": 1}',
        "\x00\xff",
        '{"allowFrom": [null, true, {"a": 1}, ["x"], "a"]}',
    ],
)
def test_invalid_store_reads_as_empty(tmp_path: Path, content: str) -> None:
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "signal-allowFrom.json").write_text(content)
    assert chans(with_channels(signal={}), state_dir=tmp_path) == []


def test_oversized_store_is_ignored(tmp_path: Path) -> None:
    entries = [f"+1{i:09d}" for i in range(120_000)]
    write_store(tmp_path, "signal-allowFrom.json", entries)
    assert (tmp_path / "credentials" / "signal-allowFrom.json").stat().st_size > 1 << 20
    assert chans(with_channels(signal={}), state_dir=tmp_path) == []


def test_store_directory_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "credentials" / "signal-allowFrom.json").mkdir(parents=True)
    assert chans(with_channels(signal={}), state_dir=tmp_path) == []


def test_pairing_requests_file_is_not_read(tmp_path: Path) -> None:
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "signal-pairing.json").write_text(json.dumps({"allowFrom": ["a", "b"]}))
    assert chans(with_channels(signal={}), state_dir=tmp_path) == []


# --- name matching and mutable identities ----------------------------------------------------


def test_name_matching_flag_info_and_account_suffix() -> None:
    single = one(
        chans(with_channels(signal={"dangerouslyAllowNameMatching": True})),
        "channels.signal.allowFrom.dangerous_name_matching_enabled",
    )
    assert single.severity is Severity.INFO
    assert "(account:" not in single.title
    cfg = with_channels(
        signal={"dangerouslyAllowNameMatching": True, "accounts": {"a": {}, "b": {}}}
    )
    titles = [
        f.title
        for f in by_id(chans(cfg), "channels.signal.allowFrom.dangerous_name_matching_enabled")
    ]
    assert [t.endswith(f"(account: {a})") for a, t in zip("ab", titles, strict=True)] == [
        True,
        True,
    ]


def test_account_flag_wins_over_channel_flag() -> None:
    cfg = with_channels(
        signal={
            "dangerouslyAllowNameMatching": True,
            "accounts": {"off": {"dangerouslyAllowNameMatching": False}, "inherit": {}},
        }
    )
    out = by_id(chans(cfg), "channels.signal.allowFrom.dangerous_name_matching_enabled")
    assert [f.subject for f in out] == ["channels.signal.accounts.inherit"]


@pytest.mark.parametrize("flag", ["true", 1, False, None])
def test_only_literal_true_enables_name_matching(flag: Any) -> None:
    out = chans(with_channels(signal={"dangerouslyAllowNameMatching": flag}))
    assert not by_id(out, "channels.signal.allowFrom.dangerous_name_matching_enabled")


MUTABLE_CASES: list[tuple[str, dict[str, Any], list[Any], list[Any]]] = [
    # channel, credentials, mutable entries, stable entries
    (
        "discord",
        DC,
        ["alice", "alice#1234", "discord:", "@bob"],
        ["123456789", "<@123>", "<@!123>", "discord:alice", "user:42", "pk:x", 987, "*", ""],
    ),
    (
        "slack",
        SL,
        ["alice", "alice@example.com", "<@abc>", "slack:bob"],
        ["U012AB3CD", "W0123", "<@U0123456>", "slack:U0AB", "user:abcdefgh12", "*"],
    ),
    (
        "googlechat",
        {"serviceAccountFile": "/sa.json"},
        ["alice@example.com", "users/alice@example.com", "gchat:bob@x.org"],
        ["users/1234567890", "googlechat:", "users/42", "alice"],
    ),
    (
        "msteams",
        {"appId": "id", "appPassword": "pw"},
        ["Alice Smith", "alice@contoso.com", "msteams:bob@x"],
        ["29:1abc-def", "user:00000000-0000-0000-0000-000000000000", "alice"],
    ),
    (
        "mattermost",
        {"botToken": "mm-secret"},
        ["alice", "@alice", "user:bob"],
        ["abcdefghijklmnopqrstuvwxyz", "@ABCDEFGHIJKLMNOPQRSTUVWXYZ", "mattermost:" + "1" * 26],
    ),
    (
        "irc",
        {"host": "irc.libera.chat"},
        ["alice", "irc:bob", "user:carol"],
        ["alice!~a@host", "bob@host", "IRC:nick!u@h", "user:nick!ident"],
    ),
]


@pytest.mark.parametrize(("ch", "creds", "mutable", "stable"), MUTABLE_CASES)
def test_name_based_entries_detected(
    ch: str, creds: dict[str, Any], mutable: list[Any], stable: list[Any]
) -> None:
    list_key = "groupAllowFrom" if ch == "googlechat" else "allowFrom"
    cfg = with_channels(**{ch: {**creds, list_key: [*mutable, *stable]}})
    f = one(chans(cfg), f"channels.{ch}.allowFrom.name_based_entries")
    assert f.severity is Severity.WARN
    shown = [f"channels.{ch}.{list_key}:{str(m).strip()}" for m in mutable]
    assert f"Found: {', '.join(shown)}." in f.detail
    assert "ignored" in f.detail


@pytest.mark.parametrize(("ch", "creds", "mutable", "stable"), MUTABLE_CASES)
def test_stable_entries_only_is_quiet(
    ch: str, creds: dict[str, Any], mutable: list[Any], stable: list[Any]
) -> None:
    list_key = "groupAllowFrom" if ch == "googlechat" else "allowFrom"
    cfg = with_channels(**{ch: {**creds, list_key: stable}})
    assert not by_id(chans(cfg), f"channels.{ch}.allowFrom.name_based_entries")


def test_name_based_nested_scan_paths_and_more_suffix() -> None:
    cfg = with_channels(
        discord={
            **DC,
            "dm": {"allowFrom": ["d1"]},
            "guilds": {
                "g1": {"users": ["u1", "u2"], "channels": {"c1": {"users": ["u3", "123"]}}},
                "g2": "oops",
            },
            "allowFrom": ["a1", "a1"],
        }
    )
    f = one(chans(cfg), "channels.discord.allowFrom.name_based_entries")
    assert (
        "Found: channels.discord.allowFrom:a1, channels.discord.dm.allowFrom:d1, "
        "channels.discord.guilds.g1.users:u1, channels.discord.guilds.g1.users:u2, "
        "channels.discord.guilds.g1.channels.c1.users:u3."
    ) in f.detail
    cfg["channels"]["discord"]["allowFrom"] = ["a1", "a2"]
    f = one(chans(cfg), "channels.discord.allowFrom.name_based_entries")
    assert " (+1 more)." in f.detail


def test_name_based_other_scan_paths() -> None:
    cfg = with_channels(
        slack={**SL, "channels": {"C1": {"users": ["bob"]}}},
        googlechat={"serviceAccount": "x", "groups": {"spaces/1": {"users": ["a@b.c"]}}},
        irc={"server": "s", "groups": {"#chan": {"allowFrom": ["nick"]}}},
    )
    out = chans(cfg)
    assert (
        "channels.slack.channels.C1.users:bob"
        in one(out, "channels.slack.allowFrom.name_based_entries").detail
    )
    assert (
        "channels.googlechat.groups.spaces/1.users:a@b.c"
        in one(out, "channels.googlechat.allowFrom.name_based_entries").detail
    )
    assert (
        "channels.irc.groups.#chan.allowFrom:nick"
        in one(out, "channels.irc.allowFrom.name_based_entries").detail
    )


def test_name_based_from_pairing_store_with_home_shortened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    state = home / ".openclaw"
    write_store(state, "discord-allowFrom.json", ["alice", "123"])
    out = chans(with_channels(discord={**DC}), state_dir=state, home=str(home))
    f = one(out, "channels.discord.allowFrom.name_based_entries")
    assert "~/.openclaw/credentials/discord-allowFrom.json:alice" in f.detail
    assert str(home) not in f.detail


def test_name_based_downgraded_when_name_matching_on() -> None:
    cfg = with_channels(
        discord={**DC, "allowFrom": ["alice"], "dangerouslyAllowNameMatching": True}
    )
    out = chans(cfg)
    f = one(out, "channels.discord.allowFrom.name_based_entries")
    assert f.severity is Severity.INFO
    assert "break-glass mode explicitly selected by the operator" in f.detail
    assert "back to false" in (f.remediation or "")
    assert ids(out)[:2] == [
        "channels.discord.allowFrom.dangerous_name_matching_enabled",
        "channels.discord.allowFrom.name_based_entries",
    ]


def test_name_matching_does_not_change_dm_findings() -> None:
    base = {**TG, "dmPolicy": "open"}
    off = chans(with_channels(telegram=base))
    on = chans(with_channels(telegram={**base, "dangerouslyAllowNameMatching": True}))
    assert [f for f in on if not f.check_id.endswith("dangerous_name_matching_enabled")] == off


def test_name_based_per_account() -> None:
    cfg = with_channels(
        slack={
            **SL,
            "accounts": {
                "a": {"allowFrom": ["alice"]},
                "b": {"allowFrom": ["bob"], "dangerouslyAllowNameMatching": True},
                "c": {"allowFrom": ["U0123ABCD"]},
            },
        }
    )
    out = by_id(chans(cfg), "channels.slack.allowFrom.name_based_entries")
    assert [(f.subject, f.severity) for f in out] == [
        ("channels.slack.accounts.a", Severity.WARN),
        ("channels.slack.accounts.b", Severity.INFO),
    ]


def test_zalouser_group_keys() -> None:
    groups = {"Family chat": {}, "group:123": {}, "g-AbC1": {}, "zlu:group:": {}, "456": {}}
    f = one(
        chans(with_channels(zalouser={"groups": groups})),
        "channels.zalouser.groups.mutable_entries",
    )
    assert f.severity is Severity.WARN
    assert "Found: channels.zalouser.groups:Family chat." in f.detail
    on = chans(with_channels(zalouser={"groups": groups, "dangerouslyAllowNameMatching": True}))
    assert one(on, "channels.zalouser.groups.mutable_entries").severity is Severity.INFO
    quiet = {"group:1": {}, "g-x": {}, "zalouser:99": {}}
    assert not by_id(
        chans(with_channels(zalouser={"groups": quiet})), "channels.zalouser.groups.mutable_entries"
    )


def test_synology_reply_flag() -> None:
    cfg = with_channels(**{"synology-chat": {"token": "t", "dangerouslyAllowNameMatching": True}})
    out = chans(cfg)
    assert ids(out) == [
        "channels.synology-chat.allowFrom.dangerous_name_matching_enabled",
        "channels.synology-chat.reply.dangerous_name_matching_enabled",
    ]
    assert chans(with_channels(**{"synology-chat": {"token": "t"}})) == []


# --- native / slash commands -----------------------------------------------------------------


def discord_guilds(**extra: Any) -> dict[str, Any]:
    return with_channels(discord={**DC, "guilds": {"111": {"requireMention": True}}, **extra})


def test_discord_native_unrestricted() -> None:
    cfg = {**discord_guilds(), "commands": {"useAccessGroups": False}}
    f = one(chans(cfg), "channels.discord.commands.native.unrestricted")
    assert f.severity is Severity.CRITICAL
    assert not by_id(chans(cfg), "channels.discord.commands.native.no_allowlists")


def test_discord_native_no_allowlists() -> None:
    f = one(chans(discord_guilds()), "channels.discord.commands.native.no_allowlists")
    assert f.severity is Severity.WARN


OWNER_TWEAKS: list[dict[str, Any]] = [{"allowFrom": ["123"]}, {"dm": {"allowFrom": ["123"]}}]
SCOPE_TWEAKS: list[dict[str, Any]] = [
    {"groupPolicy": "disabled"},
    {"commands": {"native": False, "nativeSkills": False}},
    {"guilds": {}},
    {"guilds": "111"},
    {"guilds": {"111": {"users": ["123"]}}},
    {"guilds": {"111": {"channels": {"c": {"users": ["123"]}}}}},
]


@pytest.mark.parametrize("tweak", OWNER_TWEAKS + SCOPE_TWEAKS)
def test_discord_no_allowlists_near_misses(tweak: dict[str, Any]) -> None:
    out = ids(chans(discord_guilds(**tweak)))
    assert "channels.discord.commands.native.no_allowlists" not in out


@pytest.mark.parametrize("tweak", SCOPE_TWEAKS)
def test_discord_unrestricted_near_misses(tweak: dict[str, Any]) -> None:
    cfg = {**discord_guilds(**tweak), "commands": {"useAccessGroups": False}}
    assert "channels.discord.commands.native.unrestricted" not in ids(chans(cfg))


def test_discord_owner_list_does_not_help_when_access_groups_off() -> None:
    cfg = {**discord_guilds(allowFrom=["123"]), "commands": {"useAccessGroups": False}}
    assert by_id(chans(cfg), "channels.discord.commands.native.unrestricted")


def test_discord_pairing_store_counts_as_owner(tmp_path: Path) -> None:
    write_store(tmp_path, "discord-allowFrom.json", ["123"])
    assert not by_id(
        chans(discord_guilds(), state_dir=tmp_path),
        "channels.discord.commands.native.no_allowlists",
    )


def test_discord_native_setting_resolution() -> None:
    global_off = {**discord_guilds(), "commands": {"native": False, "nativeSkills": False}}
    assert not by_id(chans(global_off), "channels.discord.commands.native.no_allowlists")
    # An account "auto" wins over the global switch and means "on" for Discord.
    acct_auto = {
        **discord_guilds(commands={"native": "auto"}),
        "commands": {"native": False, "nativeSkills": False},
    }
    assert by_id(chans(acct_auto), "channels.discord.commands.native.no_allowlists")
    defaults_disabled = {**discord_guilds(), "channels": {**discord_guilds()["channels"]}}
    defaults_disabled["channels"]["defaults"] = {"groupPolicy": "disabled"}
    assert not by_id(chans(defaults_disabled), "channels.discord.commands.native.no_allowlists")


def test_slack_commands_off_by_default() -> None:
    assert not [i for i in ids(chans(with_channels(slack={**SL}))) if ".commands." in i]


def test_slack_access_groups_off() -> None:
    cfg = {
        **with_channels(slack={**SL, "slashCommand": {"enabled": True}}),
        "commands": {"useAccessGroups": False},
    }
    f = one(chans(cfg), "channels.slack.commands.slash.useAccessGroups_off")
    assert f.severity is Severity.CRITICAL
    assert not by_id(chans(cfg), "channels.slack.commands.slash.no_allowlists")


def test_slack_no_allowlists_and_near_misses(tmp_path: Path) -> None:
    base = {**SL, "commands": {"native": True}}
    assert one(chans(with_channels(slack=base)), "channels.slack.commands.slash.no_allowlists")
    for tweak in (
        {"allowFrom": ["U0123ABCD"]},
        {"dm": {"allowFrom": ["U0123ABCD"]}},
        {"channels": {"C1": {"users": ["U0123ABCD"]}}},
    ):
        assert not by_id(
            chans(with_channels(slack={**base, **tweak})),
            "channels.slack.commands.slash.no_allowlists",
        )
    write_store(tmp_path, "slack-allowFrom.json", ["U0123ABCD"])
    assert not by_id(
        chans(with_channels(slack=base), state_dir=tmp_path),
        "channels.slack.commands.slash.no_allowlists",
    )


def test_slack_empty_allow_from_array_hides_legacy_list() -> None:
    cfg = with_channels(
        slack={
            **SL,
            "slashCommand": {"enabled": True},
            "allowFrom": [],
            "dm": {"allowFrom": ["U0123ABCD"]},
        }
    )
    assert by_id(chans(cfg), "channels.slack.commands.slash.no_allowlists")


# --- Telegram groups -------------------------------------------------------------------------


def test_telegram_missing_sender_allowlist() -> None:
    f = one(
        chans(with_channels(telegram={**TG, "groupPolicy": "open"})),
        "channels.telegram.groups.allowFrom.missing",
    )
    assert f.severity is Severity.CRITICAL
    assert "skill commands" in f.detail
    cfg = {
        **with_channels(telegram={**TG, "groupPolicy": "open"}),
        "commands": {"nativeSkills": False},
    }
    assert (
        "skill commands" not in one(chans(cfg), "channels.telegram.groups.allowFrom.missing").detail
    )


def test_telegram_allowlist_with_groups_triggers() -> None:
    cfg = with_channels(telegram={**TG, "groups": {"-100123": {"requireMention": True}}})
    assert by_id(chans(cfg), "channels.telegram.groups.allowFrom.missing")


@pytest.mark.parametrize(
    "tweak",
    [
        {"groupPolicy": "allowlist"},
        {"groupPolicy": "disabled", "groups": {"-1": {}}},
        {"groupPolicy": "open", "groupAllowFrom": ["123"]},
        {"groupPolicy": "open", "groups": {"-1": {"allowFrom": ["123"]}}},
        {"groupPolicy": "open", "groups": {"-1": {"topics": {"7": {"allowFrom": ["123"]}}}}},
    ],
)
def test_telegram_missing_near_misses(tweak: dict[str, Any]) -> None:
    out = ids(chans(with_channels(telegram={**TG, **tweak})))
    assert "channels.telegram.groups.allowFrom.missing" not in out


def test_telegram_text_commands_off_skips_block() -> None:
    cfg = {
        **with_channels(telegram={**TG, "groupPolicy": "open", "allowFrom": ["@bob"]}),
        "commands": {"text": False},
    }
    assert [i for i in ids(chans(cfg)) if "groups" in i or "invalid" in i] == []


def test_telegram_store_satisfies_missing(tmp_path: Path) -> None:
    write_store(tmp_path, "telegram-allowFrom.json", ["123"])
    cfg = with_channels(telegram={**TG, "groupPolicy": "open"})
    assert chans(cfg, state_dir=tmp_path) == []


def test_telegram_wildcard_in_group_allow_from_or_store(tmp_path: Path) -> None:
    cfg = with_channels(telegram={**TG, "groupPolicy": "open", "groupAllowFrom": [" * "]})
    out = chans(cfg)
    assert one(out, "channels.telegram.groups.allowFrom.wildcard").severity is Severity.CRITICAL
    assert not by_id(out, "channels.telegram.groups.allowFrom.missing")
    write_store(tmp_path, "telegram-allowFrom.json", ["*"])
    out = chans(with_channels(telegram={**TG, "groupPolicy": "open"}), state_dir=tmp_path)
    assert by_id(out, "channels.telegram.groups.allowFrom.wildcard")


def test_telegram_per_group_wildcard_does_not_count() -> None:
    cfg = with_channels(
        telegram={**TG, "groupPolicy": "open", "groups": {"-1": {"allowFrom": ["*"]}}}
    )
    assert ids(chans(cfg)) == []


def test_telegram_invalid_entries(tmp_path: Path) -> None:
    write_store(tmp_path, "telegram-allowFrom.json", ["@store_user", "789"])
    cfg = with_channels(
        telegram={
            **TG,
            "groupPolicy": "open",
            "groupAllowFrom": ["tg:@g1", "-100123", 42, "*"],
            "allowFrom": ["telegram:@dm", "TG:555"],
            "groups": {"-1": {"allowFrom": ["x1"], "topics": {"2": {"allowFrom": ["x2", "x3"]}}}},
        }
    )
    f = one(chans(cfg, state_dir=tmp_path), "channels.telegram.allowFrom.invalid_entries")
    assert f.severity is Severity.WARN
    assert f.detail.endswith("@store_user, @g1, @dm, x1, x2 (+1 more).")


def test_telegram_numeric_entries_are_valid() -> None:
    cfg = with_channels(
        telegram={**TG, "groupPolicy": "open", "groupAllowFrom": ["123", "-100", "tg:5", 7]}
    )
    assert ids(chans(cfg)) == []


def test_telegram_block_per_account_and_dedupe() -> None:
    cfg = with_channels(
        telegram={
            "groupPolicy": "open",
            "allowFrom": ["@x"],
            "accounts": {"a": {**TG}, "b": {**TG}},
        }
    )
    out = chans(cfg)
    # The invalid-entries detail does not name the account, so identical findings collapse.
    assert len(by_id(out, "channels.telegram.allowFrom.invalid_entries")) == 1
    assert [f.subject for f in by_id(out, "channels.telegram.groups.allowFrom.missing")] == [
        "channels.telegram.accounts.a",
        "channels.telegram.accounts.b",
    ]


# --- emission order, robustness, secrets -----------------------------------------------------


def test_emission_order_within_one_account() -> None:
    cfg = {
        **with_channels(
            discord={
                **DC,
                "dangerouslyAllowNameMatching": True,
                "accounts": {"x": {"enabled": "yes"}, "bad": 3},
                "allowFrom": ["alice"],
                "dmPolicy": "open",
                "guilds": {"1": {}},
            },
        ),
        "commands": {"useAccessGroups": False},
    }
    out = chans(cfg)
    assert ids(out) == [
        "channels.discord.allowFrom.dangerous_name_matching_enabled",
        "channels.discord.allowFrom.name_based_entries",
        "channels.discord.commands.native.unrestricted",
        "channels.discord.dm.open",
        "channels.discord.dm.open_invalid",
        "channels.discord.account.read_only_resolution",
    ]


ODD_VALUES: list[Any] = [None, 5, "x", [1, {"a": None}], True, {"": {}}, -1.5, float("nan")]


@pytest.mark.parametrize("odd", ODD_VALUES)
def test_wrong_types_never_raise(odd: Any, tmp_path: Path) -> None:
    keys = [
        "enabled", "accounts", "dmPolicy", "allowFrom", "dm", "groupPolicy", "groups",
        "groupAllowFrom", "guilds", "channels", "commands", "slashCommand",
        "dangerouslyAllowNameMatching", "defaultAccount", "topics", "users",
    ]  # fmt: skip
    channels: dict[str, Any] = {}
    for ch in ("telegram", "discord", "slack", "googlechat", "irc", "zalouser", "msteams"):
        section: dict[str, Any] = {k: odd for k in keys}
        section.update({"token": "t", "botToken": "b", "host": "h", "serviceAccount": "s"})
        section["accounts"] = {"a": odd, "b": {k: odd for k in keys}}
        channels[ch] = section
    cfg = {"channels": channels, "commands": odd, "session": odd}
    (tmp_path / "credentials").mkdir()
    (tmp_path / "credentials" / "discord-allowFrom.json").write_text(json.dumps(odd))
    chans(cfg, state_dir=tmp_path)
    chans({"channels": {ch: odd for ch in channels}}, state_dir=tmp_path)


def test_credential_values_never_in_findings(tmp_path: Path) -> None:
    canaries = ["CANARY-tg-4411", "CANARY-dc-5522", "CANARY-sl-6633", "CANARY-mm-7744"]
    write_store(tmp_path, "discord-allowFrom.json", ["alice"])
    cfg = {
        **with_channels(
            telegram={"botToken": canaries[0], "dmPolicy": "open", "groupPolicy": "open",
                      "allowFrom": ["@x"], "dangerouslyAllowNameMatching": True},
            discord={"token": canaries[1], "dmPolicy": "open", "guilds": {"1": {}},
                     "allowFrom": ["bob"], "accounts": {"a": {"token": canaries[1]}, "z": "s"}},
            slack={"botToken": canaries[2], "appToken": canaries[2], "commands": {"native": True}},
            mattermost={"botToken": canaries[3], "allowFrom": ["carol", "dave"]},
        ),
        "commands": {"useAccessGroups": False},
    }  # fmt: skip
    out = chans(cfg, state_dir=tmp_path)
    assert len(out) >= 10
    for f in out:
        for text in (f.title, f.detail, f.remediation or "", f.subject or ""):
            for canary in canaries:
                assert canary not in text


def test_many_accounts_scale(tmp_path: Path) -> None:
    accounts = {f"acct{i}": {"botToken": f"t{i}", "allowFrom": ["@x"]} for i in range(2000)}
    cfg = with_channels(telegram={"groupPolicy": "open", "accounts": accounts})
    out = chans(cfg, state_dir=tmp_path)
    assert len(by_id(out, "channels.telegram.groups.allowFrom.missing")) == 2000
