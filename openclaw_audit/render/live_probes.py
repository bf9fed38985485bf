"""The LIVE PROBES block of the text report (output-ux.md §2): one row per probe of
``report.deep`` — name, outcome, and every fact behind it.

Pure: reads only ``report.deep``. Values there came from live peers (server versions, TXT
records, error messages, close reasons), so each one is neutralised for terminals here, whatever
the caller does with the lines afterwards. Keys a renderer does not know yet are still shown
(``key=value``): every fact in ``deep`` is visible in the block.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from openclaw_audit.report.model import Report
from openclaw_audit.textsafe import one_line

HEADING = "LIVE PROBES"
ORDER: tuple[str, ...] = ("gateway", "http", "docker", "mdns")

OK, ENFORCED, OPEN, FAILED, SKIPPED, TIMED_OUT = (
    "ok",
    "enforced",
    "open",
    "failed",
    "skipped",
    "timed out",
)
STYLE: Mapping[str, str] = {
    OK: "green",
    ENFORCED: "green",
    OPEN: "bold red",
    FAILED: "yellow",
    TIMED_OUT: "yellow",
    SKIPPED: "dim",
}
_NAME_W, _OUTCOME_W = 8, 10
_SUB_INDENT = " " * (2 + _NAME_W + 1 + _OUTCOME_W + 1)
SEP = " · "

Line = tuple[str, str | None]
Section = Mapping[str, Any]


def _s(value: Any) -> str:
    """A value from a peer or the environment, made safe for one terminal line."""
    if isinstance(value, str):
        return one_line(value)
    return one_line(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _ms(value: Any) -> str:
    return f"{value} ms"


def _extras(section: Section, known: Iterable[str]) -> list[str]:
    """Facts this renderer does not know about: still shown, as ``key=value``."""
    skip = set(known)
    return [f"{_s(k)}={_s(v)}" for k, v in section.items() if k not in skip and v is not None]


def _skipped(section: Section) -> str | None:
    """The reason when the probe did not run at all."""
    if section.get("attempted") is False and section.get("skipped"):
        return _s(section["skipped"])
    return None


# -- gateway ---------------------------------------------------------------------------------

_GATEWAY_KEYS = (
    "attempted",
    "url",
    "ok",
    "error",
    "close",
    "urlSource",
    "helloOk",
    "protocol",
    "serverVersion",
    "scopes",
    "latencyMs",
    "timeoutMs",
    "via",
    "skipped",
)


def gateway_outcome(sec: Section) -> str:
    if _skipped(sec) is not None:
        return SKIPPED
    if sec.get("ok") is True:
        return OK
    return TIMED_OUT if sec.get("error") == "timeout" else FAILED


def gateway_facts(sec: Section) -> tuple[list[str], list[str]]:
    facts: list[str] = []
    url = _s(sec["url"]) if sec.get("url") else "no URL"
    if sec.get("urlSource"):
        url += f" ({_s(sec['urlSource'])})"
    facts.append(url)
    if sec.get("via"):
        facts.append(f"via {_s(sec['via'])}")
    if sec.get("attempted") is False:
        facts.append("not contacted")
    if sec.get("helloOk") is True:
        latency = sec.get("latencyMs")
        facts.append(f"hello ok in {_ms(latency)}" if latency is not None else "hello ok")
    elif sec.get("latencyMs") is not None:
        facts.append(f"latency {_ms(sec['latencyMs'])}")
    if sec.get("serverVersion") is not None:
        facts.append(f"server {_s(sec['serverVersion'])}")
    if sec.get("protocol") is not None:
        facts.append(f"protocol {_s(sec['protocol'])}")
    scopes = sec.get("scopes")
    if isinstance(scopes, list):
        facts.append("scopes " + (", ".join(_s(x) for x in scopes) if scopes else "none"))
    if sec.get("error"):
        facts.append(f"error: {_s(sec['error'])}")
    close = sec.get("close")
    if isinstance(close, Mapping):
        reason = f" {_s(close.get('reason'))}" if close.get("reason") else ""
        facts.append(f"closed {_s(close.get('code'))}{reason}")
    if sec.get("timeoutMs") is not None:
        facts.append(f"timeout {_ms(sec['timeoutMs'])}")
    return facts + _extras(sec, _GATEWAY_KEYS), []


# -- http ------------------------------------------------------------------------------------

_HTTP_KEYS = ("baseUrl", "endpoints", "credentialAccepted", "error", "attempted", "skipped")


def http_outcome(sec: Section) -> str:
    if _skipped(sec) is not None:
        return SKIPPED
    results = [
        ep.get("result") for ep in (sec.get("endpoints") or {}).values() if isinstance(ep, Mapping)
    ]
    if OPEN in results:
        return OPEN
    tools = (sec.get("endpoints") or {}).get("/tools/invoke")
    if isinstance(tools, Mapping) and tools.get("result") == ENFORCED:
        return ENFORCED
    if results and all(r == "timeout" for r in results):
        return TIMED_OUT
    if sec.get("error") or not results or all(r in ("unreachable", "timeout") for r in results):
        return FAILED
    return OK


def http_facts(sec: Section) -> tuple[list[str], list[str]]:
    facts = [_s(sec["baseUrl"]) if sec.get("baseUrl") else "no URL"]
    endpoints = sec.get("endpoints") or {}
    for path, ep in endpoints.items():
        if not isinstance(ep, Mapping):
            facts.append(f"{_s(path)} {_s(ep)}")
            continue
        status = ep.get("status")
        answer = f"{_s(status)} " if status is not None else ""
        facts.append(f"POST {_s(path)} → {answer}{_s(ep.get('result'))}")
        facts.extend(_extras(ep, ("status", "result")))
    accepted = sec.get("credentialAccepted")
    if accepted is True:
        facts.append("credential accepted")
    elif accepted is False:
        facts.append("credential rejected")
    elif http_outcome(sec) == ENFORCED:
        facts.append("no credential to test")
    if sec.get("error"):
        facts.append(f"error: {_s(sec['error'])}")
    return facts + _extras(sec, _HTTP_KEYS), []


# -- docker ----------------------------------------------------------------------------------

_DOCKER_KEYS = (
    "attempted",
    "host",
    "ok",
    "skipped",
    "timedOut",
    "timeoutMs",
    "expectedEpoch",
    "elapsedMs",
    "containers",
)
_CONTAINER_KEYS = (
    "name",
    "state",
    "inspected",
    "configHash",
    "browserConfigEpoch",
    "ports",
    "exposed",
)


def docker_outcome(sec: Section) -> str:
    if _skipped(sec) is not None:
        return SKIPPED
    if sec.get("timedOut") is True:
        return TIMED_OUT
    skipped = sec.get("skipped")
    if skipped:
        return FAILED if str(skipped).startswith("probe failed") else SKIPPED
    return OK


def _container_line(c: Mapping[str, Any]) -> str:
    parts = [_s(c.get("name"))]
    if c.get("state"):
        parts[0] += f" ({_s(c['state'])})"
    if c.get("inspected") is False:
        parts.append("not inspected")
    else:
        parts.append(f"configHash {_s(c['configHash']) if c.get('configHash') else 'missing'}")
        epoch = c.get("browserConfigEpoch")
        parts.append(f"epoch {_s(epoch) if epoch else 'missing'}")
        ports = c.get("ports") or []
        parts.append("ports " + ("; ".join(_s(p) for p in ports) if ports else "none published"))
        exposed = c.get("exposed") or []
        if exposed:
            parts.append("exposed beyond loopback: " + "; ".join(_s(p) for p in exposed))
    return SEP.join(parts + _extras(c, _CONTAINER_KEYS))


def docker_facts(sec: Section) -> tuple[list[str], list[str]]:
    facts = [f"endpoint {_s(sec['host'])}" if sec.get("host") else "no endpoint"]
    containers = [c for c in sec.get("containers") or [] if isinstance(c, Mapping)]
    if sec.get("skipped"):
        facts.append(f"skipped: {_s(sec['skipped'])}")
    elif sec.get("timedOut") is True:
        facts.append(f"no answer within {_ms(sec.get('timeoutMs'))}")
        facts.append(f"{len(containers)} sandbox browser container(s) checked before that")
    else:
        facts.append(f"{len(containers)} sandbox browser container(s) checked")
    if sec.get("expectedEpoch"):
        facts.append(f"expected epoch {_s(sec['expectedEpoch'])}")
    if sec.get("timeoutMs") is not None and sec.get("timedOut") is not True:
        facts.append(f"timeout {_ms(sec['timeoutMs'])}")
    if sec.get("elapsedMs") is not None:
        facts.append(f"took {_ms(sec['elapsedMs'])}")
    return facts + _extras(sec, _DOCKER_KEYS), [_container_line(c) for c in containers]


# -- mdns ------------------------------------------------------------------------------------

_MDNS_KEYS = ("attempted", "browseMs", "error", "instances", "dropped", "skipped")
_INSTANCE_KEYS = ("name", "host", "port", "addresses", "local", "txt", "possibleSpoof")


def mdns_outcome(sec: Section) -> str:
    if _skipped(sec) is not None:
        return SKIPPED
    error = sec.get("error")
    if error == "timeout":
        return TIMED_OUT
    return FAILED if error else OK


def _instance_line(inst: Mapping[str, Any]) -> str:
    parts = [_s(inst.get("name"))]
    if inst.get("host") or inst.get("port") is not None:
        host = _s(inst["host"]) if inst.get("host") else "?"
        port = f":{_s(inst['port'])}" if inst.get("port") is not None else ""
        parts.append(f"{host}{port}")
    else:
        parts.append("not resolved")
    addresses = inst.get("addresses") or []
    if addresses:
        parts.append(", ".join(_s(a) for a in addresses))
    parts.append("this host" if inst.get("local") is True else "another host")
    txt = inst.get("txt")
    if isinstance(txt, Mapping):
        pairs = ", ".join(f"{_s(k)}={_s(v)}" for k, v in txt.items())
        parts.append(f"TXT {pairs}" if pairs else "TXT empty")
    if inst.get("possibleSpoof") is True:
        parts.append("possible spoof (names this host)")
    return SEP.join(parts + _extras(inst, _INSTANCE_KEYS))


def mdns_facts(sec: Section) -> tuple[list[str], list[str]]:
    instances = [i for i in sec.get("instances") or [] if isinstance(i, Mapping)]
    facts = [f"browse window {_ms(sec.get('browseMs'))}"]
    if sec.get("error"):
        facts.append(f"error: {_s(sec['error'])}")
    else:
        facts.append(f"{len(instances)} instance(s) seen" if instances else "no instances seen")
    if sec.get("dropped"):
        facts.append(f"{_s(sec['dropped'])} more not kept")
    return facts + _extras(sec, _MDNS_KEYS), [_instance_line(i) for i in instances]


# -- the block -------------------------------------------------------------------------------

Facts = Callable[[Section], tuple[list[str], list[str]]]
PROBES: Mapping[str, tuple[Callable[[Section], str], Facts]] = {
    "gateway": (gateway_outcome, gateway_facts),
    "http": (http_outcome, http_facts),
    "docker": (docker_outcome, docker_facts),
    "mdns": (mdns_outcome, mdns_facts),
}


def _generic(sec: Section) -> tuple[str, tuple[list[str], list[str]]]:
    reason = _skipped(sec)
    if reason is not None:
        return SKIPPED, ([reason], [])
    outcome = OK if sec.get("ok", True) is not False and not sec.get("error") else FAILED
    return outcome, (_extras(sec, ()), [])


def probe_row(name: str, sec: Section) -> tuple[str, list[str], list[str]]:
    """(outcome, facts on the row, one sub-row per container / instance)."""
    reason = _skipped(sec)
    if reason is not None:
        return SKIPPED, [reason], []
    if name in PROBES:
        outcome_of, facts_of = PROBES[name]
        facts, subrows = facts_of(sec)
        return outcome_of(sec), facts, subrows
    outcome, (facts, subrows) = _generic(sec)
    return outcome, facts, subrows


def live_probe_lines(report: Report) -> list[Line]:
    """(text, style) lines of the block; empty without ``--deep``."""
    deep = report.deep
    if not deep:
        return []
    names = [n for n in ORDER if n in deep] + [n for n in deep if n not in ORDER]
    lines: list[Line] = [("", None), (HEADING, "bold")]
    for name in names:
        sec = deep[name]
        if not isinstance(sec, Mapping):
            lines.append((f"  {_s(name):<{_NAME_W}} {FAILED:<{_OUTCOME_W}} {_s(sec)}", None))
            continue
        outcome, facts, subrows = probe_row(name, sec)
        row = f"  {_s(name):<{_NAME_W}} {outcome:<{_OUTCOME_W}} {SEP.join(facts)}".rstrip()
        lines.append((row, STYLE.get(outcome)))
        lines.extend((f"{_SUB_INDENT}{sub}", None) for sub in subrows)
    lines.append(("", None))
    return lines
