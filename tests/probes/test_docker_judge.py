"""The sandbox browser container verdicts, on recorded Docker facts (no daemon needed)."""

from __future__ import annotations

from builders import by_id, ids, make_ctx
from openclaw_audit.probes import docker_judge as dj
from openclaw_audit.probes.docker_judge import (
    SANDBOX_BROWSER_SECURITY_HASH_EPOCH as EPOCH,
)
from openclaw_audit.probes.docker_judge import ContainerFacts, DockerFacts
from openclaw_audit.report.model import Severity

MISSING = "sandbox.browser_container.hash_label_missing"
STALE = "sandbox.browser_container.hash_epoch_stale"
EXPOSED = "sandbox.browser_container.non_loopback_publish"
TIMEOUT = "sandbox.browser_container.docker_probe_timeout"


def current(name: str, *ports: str, **extra: str) -> ContainerFacts:
    labels = {
        "openclaw.sandboxBrowser": "1",
        "openclaw.configHash": "0123abcd",
        "openclaw.browserConfigEpoch": EPOCH,
        **extra,
    }
    return ContainerFacts(name=name, state="running", labels=labels, ports=tuple(ports))


def facts(*containers: ContainerFacts, **kw: object) -> DockerFacts:
    return DockerFacts(timeout_ms=5000, host="DOCKER_HOST", containers=containers, **kw)  # type: ignore[arg-type]


def judge(f: DockerFacts, env: dict[str, str] | None = None) -> list:
    return dj.findings(make_ctx({}, env=env or {}), f)


# --- label and port parsing -------------------------------------------------------------


def test_label_value_treats_blank_and_no_value_as_missing() -> None:
    labels = {"a": "  ", "b": "<no value>", "c": " x ", "d": 5}
    assert [dj.label_value(labels, k) for k in "abcde"] == [None, None, "x", None, None]


def test_port_lines_render_like_docker_port() -> None:
    ports = {
        "9222/tcp": [{"HostIp": "127.0.0.1", "HostPort": "19222"}],
        "6080/tcp": [{"HostIp": "", "HostPort": "16080"}, {"HostIp": "::", "HostPort": "16080"}],
        "5900/tcp": None,  # exposed in the image but not published
        "53/udp": [{"HostIp": "::1", "HostPort": "1053"}],
        "junk": "not a list",
    }
    assert dj.port_lines(ports) == (
        "53/udp -> [::1]:1053",
        "6080/tcp -> 0.0.0.0:16080",
        "6080/tcp -> [::]:16080",
        "9222/tcp -> 127.0.0.1:19222",
    )
    assert dj.port_lines(None) == ()
    assert dj.port_lines(["odd"]) == ()


def test_published_host_takes_the_text_after_the_last_arrow() -> None:
    assert dj.published_host("6080/tcp -> 0.0.0.0:16080") == "0.0.0.0"
    assert dj.published_host("6080/tcp -> [::]:16080") == "::"
    assert dj.published_host("a -> b -> 127.0.0.1:1") == "127.0.0.1"
    assert dj.published_host("6080/tcp -> garbage") is None
    assert dj.published_host("   ") is None


def test_loopback_hosts_are_not_exposed() -> None:
    for line in ("x -> 127.0.0.1:1", "x -> [::1]:1", "x -> LOCALHOST:1", "x -> nonsense"):
        assert not dj.is_exposed(line), line
    for line in ("x -> 0.0.0.0:1", "x -> [::]:1", "x -> 192.0.2.7:1", "x -> 127.0.0.2:1"):
        assert dj.is_exposed(line), line


# --- findings ---------------------------------------------------------------------------


def test_up_to_date_loopback_container_yields_nothing() -> None:
    ok = current("ok", "9222/tcp -> 127.0.0.1:19222", "5900/tcp -> [::1]:15900")
    assert judge(facts(ok)) == []


def test_missing_hash_label() -> None:
    c = current("b", **{"openclaw.configHash": "<no value>"})
    c2 = ContainerFacts(name="a", labels={"openclaw.browserConfigEpoch": EPOCH})
    out = judge(facts(c, c2))
    assert ids(out) == [MISSING]
    (f,) = out
    assert f.severity is Severity.WARN
    assert f.detail.startswith("Containers: a, b.")
    assert f.remediation is not None
    assert "openclaw sandbox recreate --browser --all" in f.remediation
    assert "--force" in f.remediation


def test_stale_and_missing_epoch() -> None:
    old = current("old", **{"openclaw.browserConfigEpoch": "2026-04-05-cdp-source-range"})
    none = ContainerFacts(name="none", labels={"openclaw.configHash": "h"})
    out = judge(facts(old, none))
    assert ids(out) == [STALE]
    assert out[0].detail == (
        f"Containers: none, old. Expected openclaw.browserConfigEpoch={EPOCH}."
    )


def test_epoch_is_compared_after_trimming() -> None:
    padded = current("p", **{"openclaw.browserConfigEpoch": f"  {EPOCH} "})
    assert judge(facts(padded)) == []


def test_non_loopback_publish_is_critical_and_lists_only_exposed_lines() -> None:
    c = current(
        "browser-1",
        "6080/tcp -> 0.0.0.0:16080",
        "9222/tcp -> 127.0.0.1:19222",
        "5900/tcp -> [::]:15900",
    )
    out = judge(facts(c))
    assert ids(out) == [EXPOSED]
    f = out[0]
    assert f.severity is Severity.CRITICAL
    assert f.detail.startswith(
        "Containers: browser-1 (6080/tcp -> 0.0.0.0:16080; 5900/tcp -> [::]:15900)."
    )
    assert f.remediation is not None and "127.0.0.1" in f.remediation


def test_findings_come_in_spec_order_with_containers_sorted_by_name() -> None:
    z = ContainerFacts(name="z", labels={}, ports=("1/tcp -> 0.0.0.0:1",))
    a = ContainerFacts(name="a", labels={}, ports=("2/tcp -> 0.0.0.0:2",))
    out = judge(facts(z, a, timed_out=True))
    assert ids(out) == [MISSING, STALE, EXPOSED, TIMEOUT]
    assert out[0].detail.startswith("Containers: a, z.")
    assert out[2].detail.startswith("Containers: a (2/tcp -> 0.0.0.0:2), z (1/tcp")


def test_uninspected_containers_are_skipped() -> None:
    gone = ContainerFacts(name="gone", inspected=False)
    assert judge(facts(gone)) == []


def test_timeout_keeps_findings_for_containers_already_processed() -> None:
    out = judge(facts(ContainerFacts(name="a", labels={}), timed_out=True))
    assert ids(out) == [MISSING, STALE, TIMEOUT]
    assert "5000ms" in out[-1].detail
    assert by_id(out, TIMEOUT)[0].severity is Severity.WARN


def test_skipped_docker_gives_no_findings_but_a_note() -> None:
    f = facts(skipped="no Docker socket at the configured endpoint")
    assert judge(f) == []
    sec = dj.section(f)
    assert sec["skipped"] == "no Docker socket at the configured endpoint"
    assert sec["ok"] is False


def test_profile_is_inserted_into_the_recreate_command() -> None:
    out = judge(facts(ContainerFacts(name="a", labels={})), env={"OPENCLAW_PROFILE": "work"})
    for f in out:
        assert "openclaw --profile work sandbox recreate --browser --all" in f.remediation


def test_section_shape() -> None:
    c = current("b", "6080/tcp -> 0.0.0.0:16080")
    sec = dj.section(facts(c, elapsed_ms=12))
    assert sec["attempted"] is True and sec["ok"] is True and sec["timedOut"] is False
    assert sec["expectedEpoch"] == EPOCH
    assert sec["containers"] == [
        {
            "name": "b",
            "state": "running",
            "inspected": True,
            "configHash": "0123abcd",
            "browserConfigEpoch": EPOCH,
            "ports": ["6080/tcp -> 0.0.0.0:16080"],
            "exposed": ["6080/tcp -> 0.0.0.0:16080"],
        }
    ]


def test_failure_result_timeout_vs_error() -> None:
    ctx = make_ctx({})
    timed = dj.failure_result(ctx, 0.25, "DOCKER_HOST", "timeout")
    assert ids(timed.findings) == [TIMEOUT]
    assert "250ms" in timed.findings[0].detail
    assert timed.section is not None and timed.section["timedOut"] is True
    broken = dj.failure_result(ctx, 5, "DOCKER_HOST", "RuntimeError: boom")
    assert broken.findings == []
    assert broken.section is not None and "boom" in broken.section["skipped"]


def test_checkids_are_registered_as_deep() -> None:
    from openclaw_audit.engine.registry import REGISTRY

    for cid in dj.CHECK_IDS:
        meta = REGISTRY.meta_for(cid)
        assert meta is not None and meta.deep
    assert REGISTRY.metas[EXPOSED].severity is Severity.CRITICAL


def test_skip_reasons_come_from_exception_types_only() -> None:
    import errno

    from openclaw_audit.probes.docker_probe import _is_timeout, skip_reason

    wrapped = RuntimeError("tcp://user:hunter2@host failed")
    wrapped.__cause__ = PermissionError(errno.EACCES, "Permission denied")
    assert skip_reason(wrapped).startswith("permission denied")
    assert "hunter2" not in skip_reason(wrapped)
    nested = RuntimeError(ConnectionError(OSError(errno.ECONNREFUSED, "refused")))
    assert "refused" in skip_reason(nested)
    assert skip_reason(ValueError("x")) == "Docker unreachable (ValueError)"

    class ConnectTimeoutError(Exception):  # urllib3's hierarchy, reduced
        pass

    class NewConnectionError(ConnectTimeoutError):
        pass

    assert _is_timeout(RuntimeError(ConnectTimeoutError()))
    assert not _is_timeout(RuntimeError(NewConnectionError()))
    assert _is_timeout(RuntimeError(TimeoutError()))
