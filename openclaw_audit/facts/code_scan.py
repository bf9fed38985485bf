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

from openclaw_audit import lazyre
from openclaw_audit.facts.files import is_inside
from openclaw_audit.report.model import Severity
from openclaw_audit.state.view import StateView

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
_EXEC_MEMBER_OK = lazyre.compile(r"\b(?:cp|childProcess|child_process)\s*\.\s*exec\s*\(")
_DYNAMIC = re.compile(r"\beval\s*\(|new\s+Function\s*\(")
_MINING = re.compile(r"stratum\+tcp|stratum\+ssl|coinhive|cryptonight|xmrig", re.IGNORECASE)
_WS_PORT = re.compile(r"""new\s+WebSocket\s*\(\s*["']wss?://[^"']*:(\d+)""")
_STANDARD_PORTS = frozenset({80, 443, 8080, 8443, 3000})

NET = re.compile(r"\bfetch\s*\(|\bpost\s*\(|\.\s*post\s*\(|http\.request\s*\(", re.IGNORECASE)
_READ_FILE = re.compile(r"readFileSync|readFile")
_HEX = re.compile(r"(\\x[0-9a-fA-F]{2}){6,}")
_B64 = re.compile(r"""(?:atob|Buffer\.from)\s*\(\s*["'][A-Za-z0-9+/=]{200,}["']""")
_ENV = lazyre.compile(r"process\.env")
_ENV_WINDOW = 8

_DYNAMIC_HINTS = ("eval", "Function")
_MINING_HINTS = ("stratum+", "coinhive", "cryptonight", "xmrig")
_NET_HINTS = ("fetch", "post", "http.request")  # lower-cased text
_B64_HINTS = ("atob", "Buffer.from")
_SEND_HINTS = ("fetch", "axios", "got", "ky", "request", "post", "put", "patch", "WebSocket")

# Network sends for the skill-markdown rule (a wider list than NET).
NETWORK_SEND = re.compile(
    r"\b(?:fetch|axios|got|ky)\s*\(|\bhttps?\.request\s*\("
    r"|\.\s*(?:post|put|patch|request)\s*\(|\bnew\s+WebSocket\s*\("
)


# One token per match: a comment (dropped) or a string literal (kept), leftmost first, so a
# "//" inside a string is never taken for a comment. Unterminated literals and block comments
# run to the end of the text.
_TOKENS = lazyre.compile(
    r"//[^\n]*|/\*.*?(?:\*/|\Z)|'(?:\\.|[^'\\])*'?|\"(?:\\.|[^\"\\])*\"?|`(?:\\.|[^`\\])*`?",
    re.DOTALL,
)


def _keep_strings(m: re.Match[str]) -> str:
    tok = m.group(0)
    if tok.startswith("//"):
        return ""
    if tok.startswith("/*"):
        return "\n" * tok.count("\n")
    return tok


def strip_comments(source: str) -> str:
    """Drop ``//`` and ``/* */`` comments (newlines kept), leaving string literals intact."""
    if "/" not in source:
        return source
    return _TOKENS.sub(_keep_strings, source)


def _line_no(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _first_line_match(
    pattern: re.Pattern[str], text: str, lines: list[str], accept: object = None
) -> int | None:
    """1-based first line where ``pattern`` matches (and ``accept(line, match)`` holds).

    A match inside one line is also a match of the whole text, so the per-line search can
    start at the line of the first whole-text match; texts without any match cost one search.
    """
    m = pattern.search(text)
    if m is None:
        return None
    for idx in range(_line_no(text, m.start()) - 1, len(lines)):
        lm = pattern.search(lines[idx])
        if lm is not None and (accept is None or accept(lines[idx], lm)):  # type: ignore[operator]
            return idx + 1
    return None


def _real_exec(line: str, m: re.Match[str]) -> bool:
    """``x.exec(`` is usually RegExp.exec; only child_process objects count."""
    start = m.start(1)
    member = m.group(1) == "exec" and start > 0 and line[start - 1] == "."
    return not member or _EXEC_MEMBER_OK.search(line) is not None


def _odd_ws_port(_line: str, m: re.Match[str]) -> bool:
    return int(m.group(1)) not in _STANDARD_PORTS


# Python's re has no literal-prefix scan for these alternations; cheap substring checks on the
# text (lower-cased once) skip most files before any regex runs.
def _has_any(text: str, needles: tuple[str, ...]) -> bool:
    return any(n in text for n in needles)


def _line_rules(source: str, lines: list[str], file: str) -> Iterable[ScanFinding]:
    low = source.lower()
    if "child_process" in source:
        no = _first_line_match(_EXEC, source, lines, _real_exec)
        if no is not None:
            yield ScanFinding("dangerous-exec", Severity.CRITICAL, _MSG_EXEC, file, no)
    no = _first_line_match(_DYNAMIC, source, lines) if _has_any(source, _DYNAMIC_HINTS) else None
    if no is not None:
        yield ScanFinding("dynamic-code-execution", Severity.CRITICAL, _MSG_DYNAMIC, file, no)
    no = _first_line_match(_MINING, source, lines) if _has_any(low, _MINING_HINTS) else None
    if no is not None:
        yield ScanFinding("crypto-mining", Severity.CRITICAL, _MSG_MINING, file, no)
    no = _first_line_match(_WS_PORT, source, lines, _odd_ws_port) if "WebSocket" in source else None
    if no is not None:
        yield ScanFinding("suspicious-network", Severity.WARN, _MSG_WS_PORT, file, no)


def _source_rules(stripped: str, lines: list[str], file: str) -> Iterable[ScanFinding]:
    # Windowless rules: the whole text decides; the line is the first matching line, or 1.
    has_net = _has_any(stripped.lower(), _NET_HINTS) and NET.search(stripped) is not None
    if has_net and _READ_FILE.search(stripped):
        line = _first_line_match(_READ_FILE, stripped, lines) or 1
        yield ScanFinding("potential-exfiltration", Severity.WARN, _MSG_EXFIL, file, line)
    if "\\x" in stripped and _HEX.search(stripped):
        line = _first_line_match(_HEX, stripped, lines) or 1
        yield ScanFinding("obfuscated-code", Severity.WARN, _MSG_HEX, file, line)
    if _has_any(stripped, _B64_HINTS) and _B64.search(stripped):
        line = _first_line_match(_B64, stripped, lines) or 1
        yield ScanFinding("obfuscated-code", Severity.WARN, _MSG_B64, file, line)
    if has_net and "process.env" in stripped:
        for idx, line_text in enumerate(lines):
            if "process.env" not in line_text:
                continue
            lo, hi = max(0, idx - _ENV_WINDOW), min(len(lines), idx + _ENV_WINDOW + 1)
            if NET.search("\n".join(lines[lo:hi])):
                yield ScanFinding("env-harvesting", Severity.CRITICAL, _MSG_ENV, file, idx + 1)
                break


@dataclass(frozen=True, slots=True)
class SourceScan:
    findings: list[ScanFinding]
    network_send: bool  # NETWORK_SEND in the comment-stripped text


def analyze_source(source: str, file: str) -> SourceScan:
    """Rule findings (line rules first, then source rules) plus the network-send flag."""
    findings = list(_line_rules(source, source.split("\n"), file))
    stripped = strip_comments(source)
    findings.extend(_source_rules(stripped, stripped.split("\n"), file))
    sends = _has_any(stripped, _SEND_HINTS) and NETWORK_SEND.search(stripped) is not None
    return SourceScan(findings, sends)


def scan_source(source: str, file: str) -> list[ScanFinding]:
    return analyze_source(source, file).findings


# ---------------------------------------------------------------------------------------------
# Files of a root


def is_scannable(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in SCANNABLE_EXTENSIONS


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ScanTimeout


def resolve_forced(fs: StateView, root: str, entries: Iterable[str]) -> list[str]:
    """Manifest entry files that stay inside ``root``, are scannable and are regular files."""
    root_abs = os.path.abspath(root)
    root_real = fs.resolve(root_abs)
    out: list[str] = []
    for entry in entries:
        cand = os.path.normpath(os.path.join(root_abs, entry))
        if cand in out or not is_inside(root_abs, cand) or not is_scannable(cand):
            continue
        info = fs.inspect(cand)
        if not info.ok or not info.is_file or not is_inside(root_real, fs.resolve(cand)):
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
        result = analyze_source(text, rel)
        summary.findings.extend(result.findings)
        summary.network_send = summary.network_send or result.network_send
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
    root_real = fs.resolve(root_abs)
    escaping: list[str] = []
    hidden: list[str] = []
    for entry in entries:
        cand = os.path.normpath(os.path.join(root_abs, entry.strip()))
        inside = (
            is_inside(root_real, fs.resolve(cand))
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
_FENCE = lazyre.compile(r"^\s{0,3}(`{3,}|~{3,})")
_PARAM_LINE = lazyre.compile(
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
