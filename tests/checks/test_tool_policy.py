from hypothesis import given, settings
from hypothesis import strategies as st

from builders import make_ctx
from openclaw_audit.facts.tool_policy import (
    TOOL_GROUPS,
    Layer,
    _matches,
    normalize_tool_name,
    policy_layers,
    tool_allowed,
    tool_contexts,
)


def _ctx(cfg: dict):  # type: ignore[no-untyped-def]
    ctx = make_ctx(cfg)
    return ctx, {c.label: c for c in tool_contexts(ctx)}


def test_contexts_defaults_then_agents_keyed_and_list_and_implicit_main() -> None:
    _, keyed = _ctx({"agents": {"entries": {"a": {}, "b": {}}}})
    assert list(keyed) == ["agents.defaults", "agents.entries.a", "agents.entries.b"]
    _, listed = _ctx({"agents": {"list": [{"id": "x"}, {"noid": 1}, "junk"]}})
    assert list(listed) == ["agents.defaults", "agents.entries.x"]
    _, implicit = _ctx({})
    assert list(implicit) == ["agents.defaults", "agents.entries.main"]


def test_aliases_and_groups() -> None:
    assert normalize_tool_name(" Bash ") == "exec"
    assert normalize_tool_name("cron") == "automations"
    assert normalize_tool_name("apply-patch") == "apply_patch"
    assert "secrets" in TOOL_GROUPS["group:runtime"]
    assert "exec" not in TOOL_GROUPS["group:openclaw"]
    assert "web_search" in TOOL_GROUPS["group:openclaw"]
    ctx, c = _ctx({"tools": {"deny": ["bash", "group:fs"]}})
    d = c["agents.defaults"]
    assert not tool_allowed(ctx, d, "exec")
    assert not tool_allowed(ctx, d, "apply-patch")
    assert tool_allowed(ctx, d, "process")
    ctx, c = _ctx({"tools": {"deny": ["cron"]}})
    assert not tool_allowed(ctx, c["agents.defaults"], "automations")


def test_profiles_and_also_allow() -> None:
    ctx, c = _ctx({"tools": {"profile": "minimal"}})
    d = c["agents.defaults"]
    assert tool_allowed(ctx, d, "gateway") and not tool_allowed(ctx, d, "exec")
    ctx, c = _ctx({"tools": {"profile": "messaging", "alsoAllow": ["exec"]}})
    assert tool_allowed(ctx, c["agents.defaults"], "exec")
    assert not tool_allowed(ctx, c["agents.defaults"], "read")
    ctx, c = _ctx({"tools": {"profile": "full"}})
    assert tool_allowed(ctx, c["agents.defaults"], "anything")
    ctx, c = _ctx({"tools": {"profile": "bogus"}})
    assert policy_layers(ctx, c["agents.defaults"]) == []


def test_agent_profile_wins_over_global() -> None:
    cfg = {
        "tools": {"profile": "minimal"},
        "agents": {"entries": {"dev": {"tools": {"profile": "coding"}}}},
    }
    ctx, c = _ctx(cfg)
    assert tool_allowed(ctx, c["agents.entries.dev"], "exec")
    assert not tool_allowed(ctx, c["agents.defaults"], "exec")


def test_deny_wins_and_also_allow_does_not_bypass_deny() -> None:
    cfg = {
        "tools": {
            "profile": "coding",
            "alsoAllow": ["browser"],
            "deny": ["browser"],
            "allow": ["*"],
        }
    }
    ctx, c = _ctx(cfg)
    assert not tool_allowed(ctx, c["agents.defaults"], "browser")


def test_agent_layer_applies_only_to_agent_and_globs() -> None:
    cfg = {"agents": {"entries": {"a": {"tools": {"allow": ["sessions_*"]}}}}}
    ctx, c = _ctx(cfg)
    a = c["agents.entries.a"]
    assert tool_allowed(ctx, a, "sessions_list") and not tool_allowed(ctx, a, "exec")
    assert tool_allowed(ctx, c["agents.defaults"], "exec")


def test_sandbox_layer_only_in_mode_all_and_overridable() -> None:
    ctx, c = _ctx({"agents": {"defaults": {"sandbox": {"mode": "all"}}}})
    d = c["agents.defaults"]
    assert not tool_allowed(ctx, d, "browser") and not tool_allowed(ctx, d, "web_fetch")
    assert tool_allowed(ctx, d, "exec")
    ctx, c = _ctx({"agents": {"defaults": {"sandbox": {"mode": "non-main"}}}})
    assert tool_allowed(ctx, c["agents.defaults"], "browser")
    cfg = {
        "agents": {"defaults": {"sandbox": {"mode": "all"}}},
        "tools": {"sandbox": {"tools": {"allow": ["*"], "deny": []}}},
    }
    ctx, c = _ctx(cfg)
    assert tool_allowed(ctx, c["agents.defaults"], "browser")


def test_by_provider_layer_model_key_before_provider() -> None:
    cfg = {
        "tools": {
            "byProvider": {"ollama": {"deny": ["browser"]}, "ollama/x-7b": {"deny": ["exec"]}}
        }
    }
    ctx, c = _ctx(cfg)
    d = c["agents.defaults"]
    assert not tool_allowed(ctx, d, "exec", "ollama/x-7b")
    assert tool_allowed(ctx, d, "browser", "ollama/x-7b")
    assert not tool_allowed(ctx, d, "browser", "ollama/other")
    assert tool_allowed(ctx, d, "browser")


def test_wrong_types_never_raise() -> None:
    for cfg in (
        {"tools": "x"},
        {"tools": {"allow": "exec", "deny": 5, "profile": 3, "alsoAllow": {}}},
        {"agents": {"entries": {"a": "str", "b": {"tools": []}}}},
        {"agents": {"defaults": {"sandbox": {"mode": 7}}, "list": 3}},
        {"tools": {"byProvider": [1, 2], "sandbox": {"tools": "no"}}},
    ):
        ctx, c = _ctx(cfg)
        for context in c.values():
            assert tool_allowed(ctx, context, "exec", "p/m") in (True, False)


_ENTRY = st.sampled_from(
    [*TOOL_GROUPS, "exec", "Bash", "apply-patch", "sessions_*", "*", "web_*", "READ", " x "]
)
_TOOL = st.sampled_from(["exec", "bash", "read", "sessions_send", "web_fetch", "x", "canvas"])


@settings(max_examples=300, deadline=None)
@given(
    allow=st.one_of(st.none(), st.lists(_ENTRY, max_size=5).map(tuple)),
    deny=st.lists(_ENTRY, max_size=4).map(tuple),
    tool=_TOOL,
)
def test_layer_matchers_agree_with_entry_by_entry(
    allow: tuple[str, ...] | None, deny: tuple[str, ...], tool: str
) -> None:
    # The folded name set and patterns answer as the entries one by one do.
    name = normalize_tool_name(tool)
    expected = not _matches(deny, name) and (not allow or _matches(allow, name))
    assert Layer("x", allow=allow, deny=deny).allows(tool) is expected
