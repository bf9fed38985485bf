"""mDNS verdicts on recorded browse results (no network)."""

from __future__ import annotations

from typing import Any

from builders import ids, make_ctx
from openclaw_audit.facts import gateway as gw
from openclaw_audit.probes import mdns_judge as mj
from openclaw_audit.probes.mdns_judge import Instance, MdnsFacts
from openclaw_audit.probes.mdns_probe import bounded_txt, instance_label
from openclaw_audit.report.model import Severity

LEAK = "discovery.mdns.txt_leak"
OFF = "discovery.mdns.advertising_while_off"
HOME = "/home/alice"
FULL_TXT = {
    "role": "gateway",
    "gatewayPort": "18789",
    "lanHost": "box.local",
    "cliPath": f"{HOME}/.local/bin/openclaw",
    "sshPort": "22",
    "tailnetDns": "box.tail1234.ts.net",
}
MINIMAL_TXT = {"role": "gateway", "gatewayPort": "18789", "lanHost": "box.local"}


def inst(name: str = "box (OpenClaw)", **kw: Any) -> Instance:
    base: dict[str, Any] = {
        "host": "box.local.",
        "port": 18789,
        "addresses": ("192.0.2.10",),
        "txt": dict(FULL_TXT),
    }
    base.update(kw)
    return Instance(name=name, **base)


def facts(*instances: Instance, **kw: Any) -> MdnsFacts:
    base: dict[str, Any] = {
        "browse_ms": 2000,
        "local_addresses": frozenset({"127.0.0.1", "192.0.2.10"}),
        "system_hostname": "box",
    }
    base.update(kw)
    return MdnsFacts(instances=instances, **base)


def run(config: dict[str, Any] | None, f: MdnsFacts, **env: str) -> list:
    return mj.findings(make_ctx(config or {}, env=env, home=HOME), f)


# --- which instance is ours -------------------------------------------------------------


def test_local_by_address_and_port() -> None:
    ctx = make_ctx({})
    assert mj.is_local(inst(txt={}), ctx, facts())
    assert not mj.is_local(inst(txt={}, port=18790), ctx, facts())  # other port


def test_txt_gateway_port_counts_when_srv_port_differs() -> None:
    ctx = make_ctx({})
    assert mj.is_local(inst(port=1), ctx, facts())  # TXT gatewayPort=18789


def test_a_name_without_a_local_address_is_a_possible_spoof_not_ours() -> None:
    # trust.md §7: anyone on the LAN can publish lanHost=box.local or an SRV target box.local.
    ctx = make_ctx({})
    remote_addr: dict[str, Any] = {"addresses": ("198.51.100.7",)}
    by_txt = inst(**remote_addr)  # lanHost box.local
    by_srv = inst(**remote_addr, txt={"gatewayPort": "18789"}, host="BOX.local.")
    for record in (by_txt, by_srv):
        assert not mj.is_local(record, ctx, facts())
        assert mj.names_this_host(record, ctx, facts())
    stranger = inst(**remote_addr, txt={"gatewayPort": "18789"}, host="other.local.")
    assert not mj.is_local(stranger, ctx, facts())
    assert not mj.names_this_host(stranger, ctx, facts())
    assert not mj.names_this_host(inst(), ctx, facts())  # ours: a local address


def test_spoofed_full_mode_record_is_not_judged_as_this_gateway() -> None:
    spoof = inst(name="box (OpenClaw)", addresses=("198.51.100.7",))  # full-mode TXT
    out = run({"discovery": {"mdns": {"mode": "off"}}}, facts(spoof))
    assert ids(out) == ["discovery.mdns.possible_spoof"]
    assert "198.51.100.7" in out[0].detail and out[0].subject == "box (OpenClaw)"
    section = mj.section(make_ctx({}, home=HOME), facts(spoof))
    [entry] = section["instances"]
    assert entry["local"] is False and entry["txt"] is None and entry["possibleSpoof"] is True


def test_at_most_20_findings_then_one_summary() -> None:
    # 300 instances of this host, each leaking and advertising while off: 600 findings.
    many = [inst(name=f"gw-{i:03d} (OpenClaw)") for i in range(300)]
    ctx = make_ctx({"discovery": {"mdns": {"mode": "off"}}}, home=HOME)
    result = mj.judge(ctx, facts(*many))
    assert len(result.findings) == 21
    assert ids(result.findings)[:20] == [LEAK] * 20
    summary = result.findings[-1]
    assert summary.check_id == "discovery.mdns.findings_capped"
    assert summary.severity is Severity.WARN  # the highest omitted severity
    assert "580 more mDNS findings" in summary.detail
    assert f"{LEAK}: 280" in summary.detail and f"{OFF}: 300" in summary.detail
    assert len(result.section["instances"]) == 300  # the section still lists every instance
    lan = make_ctx({"discovery": {"mdns": {"mode": "off"}}, "gateway": {"bind": "lan"}})
    assert mj.judge(lan, facts(*many)).findings[-1].severity is Severity.CRITICAL


def test_cap_counts_only_wanted_findings() -> None:
    many = [inst(name=f"gw-{i:03d} (OpenClaw)") for i in range(15)]
    ctx = make_ctx({"discovery": {"mdns": {"mode": "off"}}}, home=HOME)
    assert len(mj.judge(ctx, facts(*many)).findings) == 21  # 30 findings: capped
    only_leaks = mj.judge(ctx, facts(*many), wants=lambda cid: cid == LEAK)
    assert ids(only_leaks.findings) == [LEAK] * 15  # 15 wanted: nothing to summarise
    assert len(mj.judge(ctx, facts(*many[:10])).findings) == 20  # exactly 20: no summary


def test_gateway_port_from_env_then_config() -> None:
    assert gw.gateway_port(make_ctx({"gateway": {"port": 19000}})) == 19000
    env_ctx = make_ctx({"gateway": {"port": 19000}}, env={"OPENCLAW_GATEWAY_PORT": " 20000 "})
    assert gw.gateway_port(env_ctx) == 20000
    bad = make_ctx({"gateway": {"port": "x"}}, env={"OPENCLAW_GATEWAY_PORT": "abc"})
    assert gw.gateway_port(bad) == 18789
    assert gw.gateway_port(make_ctx({"gateway": {"port": -1}})) == 18789


def test_local_hostname_rules() -> None:
    ctx = make_ctx({})
    assert gw.local_mdns_hostname(ctx, "box.example.com") == "box"
    assert gw.local_mdns_hostname(ctx, "box.local") == "box"
    assert gw.local_mdns_hostname(ctx, "") == "openclaw"
    assert len(gw.local_mdns_hostname(ctx, "x" * 100).encode()) == 63
    env_ctx = make_ctx({}, env={"OPENCLAW_MDNS_HOSTNAME": "Studio.local"})
    assert gw.local_mdns_hostname(env_ctx, "box") == "Studio"


# --- txt_leak ---------------------------------------------------------------------------


def test_full_mode_keys_leak_with_home_as_tilde() -> None:
    out = run({}, facts(inst()))
    assert ids(out) == [LEAK]
    f = out[0]
    assert f.severity is Severity.WARN
    assert "cliPath=~/.local/bin/openclaw" in f.detail
    assert "sshPort=22" in f.detail and "tailnetDns=box.tail1234.ts.net" in f.detail
    assert HOME not in f.detail
    assert 'defaults to discovery.mdns.mode "minimal"' in f.detail
    assert f.subject == "box (OpenClaw)"


def test_leak_says_config_claims_minimal() -> None:
    out = run({"discovery": {"mdns": {"mode": "minimal"}}}, facts(inst()))
    assert 'sets discovery.mdns.mode "minimal"' in out[0].detail
    assert "does not match" in out[0].detail


def test_leak_in_full_mode_does_not_claim_a_mismatch() -> None:
    out = run({"discovery": {"mdns": {"mode": "full"}}}, facts(inst()))
    assert ids(out) == [LEAK]
    assert "does not match" not in out[0].detail


def test_leak_is_critical_when_bind_is_not_loopback() -> None:
    out = run({"gateway": {"bind": "lan"}}, facts(inst()))
    assert out[0].severity is Severity.CRITICAL
    out = run({"gateway": {"bind": "loopback"}}, facts(inst()))
    assert out[0].severity is Severity.WARN


def test_minimal_records_do_not_leak() -> None:
    assert run({}, facts(inst(txt=dict(MINIMAL_TXT)))) == []


def test_remote_instances_are_listed_but_not_judged() -> None:
    far = Instance(
        name="far (OpenClaw)",
        host="far.local.",
        port=18789,
        addresses=("198.51.100.7",),
        txt={**FULL_TXT, "lanHost": "far.local"},
    )
    f = facts(far)
    assert run({}, f) == []
    sec = mj.section(make_ctx({}, home=HOME), f)
    assert sec["instances"][0]["local"] is False
    assert sec["instances"][0]["txt"] is None


def test_one_finding_per_local_instance_sorted_by_name() -> None:
    b = inst("b (OpenClaw)")
    a = inst("a (OpenClaw)", txt={"gatewayPort": "18789", "sshPort": "2222"})
    out = run({}, facts(b, a))
    assert [f.subject for f in out] == ["a (OpenClaw)", "b (OpenClaw)"]


# --- advertising_while_off --------------------------------------------------------------


def test_advertising_while_mode_off() -> None:
    out = run({"discovery": {"mdns": {"mode": "off"}}}, facts(inst(txt=dict(MINIMAL_TXT))))
    assert ids(out) == [OFF]
    assert 'discovery.mdns.mode is "off"' in out[0].detail
    assert out[0].severity is Severity.WARN


def test_advertising_while_disabled_by_env_and_leak_come_in_table_order() -> None:
    out = run({}, facts(inst()), OPENCLAW_DISABLE_BONJOUR=" Yes ")
    assert ids(out) == [LEAK, OFF]
    assert "OPENCLAW_DISABLE_BONJOUR" in out[1].detail


def test_disable_env_falsy_values_do_not_count() -> None:
    for value in ("0", "false", "", "no"):
        out = run({}, facts(inst(txt=dict(MINIMAL_TXT))), OPENCLAW_DISABLE_BONJOUR=value)
        assert out == [], value


def test_mode_off_with_only_remote_instances_is_fine() -> None:
    far = inst(addresses=("198.51.100.7",), host="far.local.", txt={"lanHost": "far.local"})
    assert run({"discovery": {"mdns": {"mode": "off"}}}, facts(far)) == []


# --- errors, section, bounds ------------------------------------------------------------


def test_error_gives_no_findings_and_the_section_says_why() -> None:
    f = facts(inst(), error="could not open the mDNS socket: No such device")
    assert run({"discovery": {"mdns": {"mode": "off"}}}, f) == []
    sec = mj.section(make_ctx({}), f)
    assert sec["error"] == "could not open the mDNS socket: No such device"
    assert all(i["local"] is False for i in sec["instances"])


def test_failure_result_timeout() -> None:
    res = mj.failure_result(make_ctx({}), "timeout")
    assert res.findings == []
    assert res.section == {"attempted": True, "browseMs": 0, "error": "timeout", "instances": []}


def test_section_shape_redacts_secret_looking_keys_and_home() -> None:
    txt = {**FULL_TXT, "authToken": "s3cr3t-value", "gatewayTlsSha256": "ab:cd"}
    sec = mj.section(make_ctx({}, home=HOME), facts(inst(txt=txt), dropped=3))
    (entry,) = sec["instances"]
    assert entry["local"] is True
    assert entry["txt"]["authToken"] == "<redacted>"
    assert entry["txt"]["gatewayTlsSha256"] == "ab:cd"
    assert entry["txt"]["cliPath"] == "~/.local/bin/openclaw"
    assert sec["dropped"] == 3
    assert set(sec) == {"attempted", "browseMs", "error", "instances", "dropped"}
    assert set(entry) == {"name", "host", "port", "addresses", "local", "txt"}


def test_tilde_only_replaces_whole_path_components() -> None:
    assert mj.tilde("/home/alice", HOME) == "~"
    assert mj.tilde("/home/alice/x", HOME) == "~/x"
    assert mj.tilde("/home/alicexyz/x", HOME) == "/home/alicexyz/x"
    assert mj.tilde("/srv/home/alice/x", HOME) == "/srv/home/alice/x"
    assert mj.tilde("/x", "") == "/x"


def test_bounded_txt_limits_keys_and_sizes() -> None:
    props: dict[Any, Any] = {f"k{i}".encode(): b"v" * 300 for i in range(100)}
    props[b"flag"] = None
    out = bounded_txt(props)
    assert len(out) == 64
    assert all(len(v) <= 200 for v in out.values())
    assert bounded_txt({b"\xff": b"\xfe", b"flag": None}) == {"\ufffd": "\ufffd", "flag": ""}


def test_bounded_txt_keeps_judged_keys_behind_padding() -> None:
    props: dict[Any, Any] = {f"pad{i}".encode(): b"x" for i in range(500)}
    props[b"cliPath"] = b"/home/alice/bin/openclaw"
    props[b"gatewayPort"] = b"18789"
    out = bounded_txt(props)
    assert len(out) == 64
    assert out["cliPath"] == "/home/alice/bin/openclaw" and out["gatewayPort"] == "18789"
    assert list(out)[:2] == ["pad0", "pad1"]  # wire order otherwise preserved


def test_instance_label_strips_the_service_type() -> None:
    assert instance_label(f"box (OpenClaw).{mj.SERVICE_TYPE}") == "box (OpenClaw)"
    assert len(instance_label("x" * 1000)) == 255


def test_checkids_registered() -> None:
    from openclaw_audit.engine.registry import REGISTRY

    assert REGISTRY.metas[LEAK].escalates and REGISTRY.metas[LEAK].deep
    assert REGISTRY.metas[OFF].severity is Severity.WARN
