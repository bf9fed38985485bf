"""Static code scanner for installed plugins and skills (checks-plugins-skills.md §4).

Read-only and bounded: at most ``max_files`` scannable files per root, files above
``max_bytes`` skipped, a cap on directory entries visited, a cooperative deadline, symlinks
never followed during the walk. It never executes anything. Text rules are pure functions over
strings (``scan_source``); the directory side goes through ``StateView`` only.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from openclaw_audit.model import Severity
from openclaw_audit.state import StateView

SCANNABLE_EXTENSIONS = frozenset({".js", ".ts", ".mjs", ".cjs", ".mts", ".cts", ".jsx", ".tsx"})
MAX_FILES = 500
MAX_FILE_BYTES = 1 << 20
# Directory entries looked at per root, scannable or not: a tree of a million assets must not
# stall the audit even though only 500 files would be scanned.
MAX_WALK_ENTRIES = 50_000


class ScanTimeout(Exception):
    """The root did not finish before its deadline."""


@dataclass(frozen=True, slots=True)
class ScanFinding:
    rule_id: str
    severity: Severity
    message: str
    file: str  # relative to the scanned root, "/" separators
    line: int


@dataclass(slots=True)
class ScanSummary:
    scanned_files: int = 0
    findings: list[ScanFinding] = field(default_factory=list)
    network_send: bool = False  # some scanned file sends over the network (skill markdown rule)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


# ---------------------------------------------------------------------------------------------
# Rules over text


_MSG_EXEC = "runs shell commands through child_process"
_MSG_DYNAMIC = "evaluates code built at runtime (eval / new Function)"
_MSG_MINING = "references crypto-mining software or pools"
_MSG_WS_PORT = "opens a WebSocket to a non-standard port"
_MSG_EXFIL = "reads files and also sends data over the network"
_MSG_HEX = "contains a long hex-escaped string (possible obfuscation)"
_MSG_B64 = "decodes a large base64 literal (possible obfuscation)"
_MSG_ENV = "reads process.env close to a network send (possible credential harvesting)"

_EXEC = re.compile(r"\b(exec|execSync|spawn|spawnSync|execFile|execFileSync)\s*\(")
_EXEC_MEMBER_OK = re.compile(r"\b(?:cp|childProcess|child_process)\s*\.\s*exec\s*\(")
_DYNAMIC = re.compile(r"\beval\s*\(|new\s+Function\s*\(")
_MINING = re.compile(r"stratum\+tcp|stratum\+ssl|coinhive|cryptonight|xmrig", re.IGNORECASE)
_WS_PORT = re.compile(r"""new\s+WebSocket\s*\(\s*["']wss?://[^"']*:(\d+)""")
_STANDARD_PORTS = frozenset({80, 443, 8080, 8443, 3000})

NET = re.compile(r"\bfetch\s*\(|\bpost\s*\(|\.\s*post\s*\(|http\.request\s*\(", re.IGNORECASE)
_READ_FILE = re.compile(r"readFileSync|readFile")
_HEX = re.compile(r"(\\x[0-9a-fA-F]{2}){6,}")
_B64 = re.compile(r"""(?:atob|Buffer\.from)\s*\(\s*["'][A-Za-z0-9+/=]{200,}["']""")
_ENV = re.compile(r"process\.env")
_ENV_WINDOW = 8

# Network sends for the skill-markdown rule (a wider list than NET).
NETWORK_SEND = re.compile(
    r"\b(?:fetch|axios|got|ky)\s*\(|\bhttps?\.request\s*\("
    r"|\.\s*(?:post|put|patch|request)\s*\(|\bnew\s+WebSocket\s*\("
)


def strip_comments(source: str) -> str:
    """Drop ``//`` and ``/* */`` comments (newlines kept), leaving string literals intact."""
    out: list[str] = []
    i, n = 0, len(source)
    quote: str | None = None
    while i < n:
        ch = source[i]
        if quote is not None:
            # Copy the literal up to its closing quote, honouring backslash escapes.
            j = i
            while j < n:
                c = source[j]
                if c == "\\":
                    j += 2
                    continue
                if c == quote:
                    j += 1
                    quote = None
                    break
                j += 1
            out.append(source[i:j])
            i = j
            continue
        if ch in "'\"`":
            quote = ch
            out.append(ch)
            i += 1
            continue
        if ch == "/" and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "/":
                j = source.find("\n", i)
                if j < 0:
                    break
                i = j  # the newline itself is copied by the next iteration
                continue
            if nxt == "*":
                j = source.find("*/", i + 2)
                body = source[i + 2 : j] if j >= 0 else source[i + 2 :]
                out.append("\n" * body.count("\n"))
                if j < 0:
                    break
                i = j + 2
                continue
        # Copy a run of ordinary characters in one go.
        j = i + 1
        while j < n and source[j] not in "'\"`/":
            j += 1
        out.append(source[i:j])
        i = j
    return "".join(out)


def _line_rules(source: str, lines: list[str], file: str) -> Iterable[ScanFinding]:
    if "child_process" in source:
        for no, line in enumerate(lines, 1):
            m = _EXEC.search(line)
            if m is None:
                continue
            start = m.start(1)
            benign_member = (
                m.group(1) == "exec"
                and start > 0
                and line[start - 1] == "."
                and _EXEC_MEMBER_OK.search(line) is None
            )
            if not benign_member:
                yield ScanFinding("dangerous-exec", Severity.CRITICAL, _MSG_EXEC, file, no)
                break
    for no, line in enumerate(lines, 1):
        if _DYNAMIC.search(line):
            yield ScanFinding("dynamic-code-execution", Severity.CRITICAL, _MSG_DYNAMIC, file, no)
            break
    for no, line in enumerate(lines, 1):
        if _MINING.search(line):
            yield ScanFinding("crypto-mining", Severity.CRITICAL, _MSG_MINING, file, no)
            break
    for no, line in enumerate(lines, 1):
        m = _WS_PORT.search(line)
        if m is not None and int(m.group(1)) not in _STANDARD_PORTS:
            yield ScanFinding("suspicious-network", Severity.WARN, _MSG_WS_PORT, file, no)
            break


def _first_line(pattern: re.Pattern[str], lines: list[str]) -> int:
    """1-based first line matching, or 1 when only the whole text matches."""
    for no, line in enumerate(lines, 1):
        if pattern.search(line):
            return no
    return 1


def _source_rules(stripped: str, lines: list[str], file: str) -> Iterable[ScanFinding]:
    has_net = NET.search(stripped) is not None
    if has_net and _READ_FILE.search(stripped):
        line = _first_line(_READ_FILE, lines)
        yield ScanFinding("potential-exfiltration", Severity.WARN, _MSG_EXFIL, file, line)
    if _HEX.search(stripped):
        yield ScanFinding(
            "obfuscated-code", Severity.WARN, _MSG_HEX, file, _first_line(_HEX, lines)
        )
    if _B64.search(stripped):
        yield ScanFinding(
            "obfuscated-code", Severity.WARN, _MSG_B64, file, _first_line(_B64, lines)
        )
    if has_net and _ENV.search(stripped):
        for idx, line in enumerate(lines):
            if not _ENV.search(line):
                continue
            lo, hi = max(0, idx - _ENV_WINDOW), min(len(lines), idx + _ENV_WINDOW + 1)
            if NET.search("\n".join(lines[lo:hi])):
                yield ScanFinding("env-harvesting", Severity.CRITICAL, _MSG_ENV, file, idx + 1)
                break


def scan_source(source: str, file: str) -> list[ScanFinding]:
    """All rule findings for one file's text: line rules first, then source rules."""
    findings = list(_line_rules(source, source.split("\n"), file))
    stripped = strip_comments(source)
    findings.extend(_source_rules(stripped, stripped.split("\n"), file))
    return findings


# ---------------------------------------------------------------------------------------------
# Files of a root


def is_scannable(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in SCANNABLE_EXTENSIONS


def is_inside(root: str, path: str) -> bool:
    try:
        return os.path.commonpath([root, path]) == root
    except ValueError:
        return False


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ScanTimeout


def resolve_forced(fs: StateView, root: str, entries: Iterable[str]) -> list[str]:
    """Manifest entry files that stay inside ``root``, are scannable and are regular files."""
    root_abs = os.path.abspath(root)
    root_real = fs.realpath(root_abs)
    out: list[str] = []
    for entry in entries:
        cand = os.path.normpath(os.path.join(root_abs, entry))
        if cand in out or not is_inside(root_abs, cand) or not is_scannable(cand):
            continue
        info = fs.inspect(cand)
        if not info.ok or not info.is_file or not is_inside(root_real, fs.realpath(cand)):
            continue
        out.append(cand)
    return out


def walk_files(
    fs: StateView,
    root: str,
    *,
    limit: int,
    deadline: float | None = None,
    max_entries: int = MAX_WALK_ENTRIES,
) -> list[str]:
    """Scannable regular files under ``root`` (depth-first, sorted), hidden/node_modules skipped.

    Raises OSError only when ``root`` itself cannot be listed; unreadable subdirectories are
    skipped. Symlinks and special files (FIFOs, sockets, devices) are never selected or followed.
    """
    files: list[str] = []
    seen = 0
    stack = [root]
    first = True
    while stack and len(files) < limit:
        current = stack.pop()
        try:
            entries = fs.entries(current)
        except (FileNotFoundError, NotADirectoryError):
            entries = []
        except OSError:
            if first:
                raise
            entries = []
        first = False
        subdirs: list[str] = []
        for e in entries:
            seen += 1
            if seen % 256 == 0:
                _check_deadline(deadline)
            if seen > max_entries or len(files) >= limit:
                return files
            if e.name.startswith(".") or e.name == "node_modules":
                continue
            path = os.path.join(current, e.name)
            if e.kind == "dir":
                subdirs.append(path)
            elif e.kind == "file" and is_scannable(e.name):
                files.append(path)
        stack.extend(reversed(subdirs))  # visit subdirectories in name order
    return files


def scan_root(
    fs: StateView,
    root: str,
    *,
    forced: Iterable[str] = (),
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_FILE_BYTES,
    deadline: float | None = None,
) -> ScanSummary:
    """Scan one plugin or skill directory. Raises OSError if ``root`` cannot be listed and
    ScanTimeout past ``deadline``; every per-file problem is skipped instead."""
    root_abs = os.path.abspath(root)
    files = resolve_forced(fs, root_abs, forced)[:max_files]
    if len(files) < max_files:
        chosen = set(files)
        for path in walk_files(fs, root_abs, limit=max_files, deadline=deadline):
            if len(files) >= max_files:
                break
            if path not in chosen:
                files.append(path)
                chosen.add(path)
    summary = ScanSummary()
    for path in files:
        _check_deadline(deadline)
        # None when too large, unreadable, or no longer a regular file: skipped, not counted.
        text = fs.read_text(path, max_bytes=max_bytes)
        if text is None:
            continue
        summary.scanned_files += 1
        rel = os.path.relpath(path, root_abs).replace(os.sep, "/")
        summary.findings.extend(scan_source(text, rel))
        if not summary.network_send and NETWORK_SEND.search(strip_comments(text)):
            summary.network_send = True
    return summary


# ---------------------------------------------------------------------------------------------
# Plugin manifest entries (§4.4)


@dataclass(frozen=True, slots=True)
class ManifestEntries:
    entries: tuple[str, ...] = ()
    escaping: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()


def _segments(entry: str) -> list[str]:
    return [s for s in re.split(r"[\\/]+", entry) if s]


def manifest_entries(fs: StateView, plugin_dir: str, package_json: object) -> ManifestEntries:
    """Judge ``openclaw.extensions`` of a parsed package.json (None/invalid ⇒ nothing)."""
    if not isinstance(package_json, dict):
        return ManifestEntries()
    oc = package_json.get("openclaw")
    raw = oc.get("extensions") if isinstance(oc, dict) else None
    if not isinstance(raw, list):
        return ManifestEntries()
    entries = tuple(e for e in raw if isinstance(e, str) and e.strip())
    root_abs = os.path.abspath(plugin_dir)
    root_real = fs.realpath(root_abs)
    escaping: list[str] = []
    hidden: list[str] = []
    for entry in entries:
        cand = os.path.normpath(os.path.join(root_abs, entry.strip()))
        inside = (
            is_inside(root_real, fs.realpath(cand))
            if fs.inspect(cand).ok
            else is_inside(root_abs, cand)
        )
        if not inside:
            escaping.append(entry)
            continue
        segs = [s for s in _segments(entry) if s not in (".", "..")]
        if any(s == "node_modules" or s.startswith(".") for s in segs):
            hidden.append(entry)
    return ManifestEntries(entries, tuple(escaping), tuple(hidden))


# ---------------------------------------------------------------------------------------------
# SKILL.md parameters (§4.5 skills.markdown_sensitive_network)

SENSITIVE_TERMS = (
    "api key",
    "apikey",
    "api_key",
    "auth",
    "authorization",
    "bearer",
    "credential",
    "cookie",
    "oauth",
    "passphrase",
    "password",
    "passwd",
    "private key",
    "process.env",
    "secret",
    "token",
)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_PARAM_LINE = re.compile(
    r"^\s*(?:[-*+]\s+\S|\d+[.)]\s+\S|[A-Za-z0-9_.$-]+\s*:\s*\S|[A-Za-z0-9_.$-]+\s+-\s+\S|\|.*\|\s*$)"
)


def sensitive_parameter_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, first term) of parameter-like lines outside fenced code that mention a
    credential-ish term. The line text itself is not returned: it may hold a secret."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    for no, line in enumerate(markdown.split("\n"), 1):
        m = _FENCE.match(line)
        if m is not None:
            marker = m.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None or not _PARAM_LINE.match(line):
            continue
        low = line.lower()
        term = next((t for t in SENSITIVE_TERMS if t in low), None)
        if term is not None:
            out.append((no, term))
    return out
