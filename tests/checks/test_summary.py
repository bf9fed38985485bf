from builders import audit, one
from openclaw_audit.report.model import Severity


def test_attack_surface_is_first_and_counts_top_level_groups() -> None:
    findings = audit(
        {
            "channels": {
                "telegram": {"groupPolicy": "open"},
                "discord": {"groupPolicy": "allowlist", "accounts": {"a": {"groupPolicy": "open"}}},
                "defaults": {"groupPolicy": "open"},
            },
            "tools": {"elevated": {"enabled": False}},
            "hooks": {"enabled": True},
        }
    )
    assert findings[0].check_id == "summary.attack_surface"
    f = one(findings, "summary.attack_surface")
    assert f.severity is Severity.INFO
    assert f.remediation is None
    lines = f.detail.split("\n")
    assert lines[0] == "groups: open=2, allowlist=1"
    assert lines[1] == "tools.elevated: disabled"
    assert lines[2] == "hooks.webhooks: enabled"
    assert lines[3] == "hooks.internal: disabled"
    assert lines[4] == "browser control: enabled"
    assert "multi-tenant-hosting" in lines[5]


def test_browser_blocked_by_plugin_allowlist() -> None:
    f = one(audit({"plugins": {"allow": ["other"]}}), "summary.attack_surface")
    assert "browser control: disabled" in f.detail.split("\n")


def test_internal_hooks_enabled_by_entry_but_not_by_disabled_entry() -> None:
    on = one(audit({"hooks": {"internal": {"entries": {"x": {}}}}}), "summary.attack_surface")
    off = one(
        audit({"hooks": {"internal": {"entries": {"x": {"enabled": False}}}}}),
        "summary.attack_surface",
    )
    assert "hooks.internal: enabled" in on.detail
    assert "hooks.internal: disabled" in off.detail
