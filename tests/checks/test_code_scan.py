"""The --deep code scanner: rules, file selection, bounds, and the findings it produces."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from builders import by_id, ids, make_ctx, one, run_checks
from openclaw_audit.engine.registry import Stage
from openclaw_audit.facts.code_scan import (
    ScanTimeout,
    scan_root,
    scan_source,
    sensitive_parameter_lines,
    strip_comments,
    walk_files,
)
from openclaw_audit.report.model import Severity
from openclaw_audit.state.view import StateView
from openclaw_audit.static_checks import code_safety


def rules(src: str) -> list[tuple[str, int]]:
    return [(f.rule_id, f.line) for f in scan_source(src, "f.js")]


def deep(cfg: dict, state: Path) -> list:
    return run_checks(make_ctx(cfg, state_dir=state, deep=True), stages=[Stage.CODE_SCAN])


EXEC_SRC = 'const cp = require("child_process");\ncp.exec("ls");\n'


# --- line rules -------------------------------------------------------------------------------


def test_dangerous_exec_needs_child_process() -> None:
    assert rules(EXEC_SRC) == [("dangerous-exec", 2)]
    assert rules('run.exec("x");\nspawn("ls")\n') == []


def test_member_exec_is_benign_unless_child_process_object() -> None:
    src = 'import "child_process";\nregex.exec(s);\nfoo . exec(s)\n'
    assert rules(src) == [("dangerous-exec", 3)]  # "foo . exec(" is not preceded by "."
    assert rules('import "child_process";\nre.exec(s)\n') == []
    assert rules('const child_process = require("child_process");\nchild_process . exec(c)') == [
        ("dangerous-exec", 2)
    ]
    assert rules('require("child_process");\nx.execSync("ls")\n') == [("dangerous-exec", 2)]


def test_dynamic_code_and_mining_first_line_only() -> None:
    assert rules("a\neval (x)\neval(y)\n") == [("dynamic-code-execution", 2)]
    assert rules("const f = new Function('return 1')") == [("dynamic-code-execution", 1)]
    assert rules("medieval(x)\n") == []
    assert rules("// pool\nconst u = 'stratum+tcp://pool'\nXMRig\n") == [("crypto-mining", 2)]


def test_websocket_ports() -> None:
    src = "new WebSocket('wss://a.example:443/x')\nnew WebSocket(\"ws://b:6667\")\n"
    assert rules(src) == [("suspicious-network", 2)]
    assert rules("new WebSocket('ws://localhost:3000')") == []
    assert rules("new WebSocket('wss://host/path')") == []


# --- source rules -----------------------------------------------------------------------------


def test_exfiltration_and_env_harvesting() -> None:
    src = "const a = 1;\nconst d = fs.readFileSync(p);\nawait fetch(u, {body: d});\n"
    assert rules(src) == [("potential-exfiltration", 2)]
    # The send is 8 lines below the env read: inside the window.
    env = "const k = process.env.KEY;\n" + "\n" * 7 + "axios.post(u, k)\n"
    assert rules(env) == [("env-harvesting", 1)]


def test_env_harvesting_window_near_miss() -> None:
    far = "const k = process.env.KEY;\n" + "\n" * 8 + "fetch(u)\n"  # 9 lines apart
    assert rules(far) == []


def test_comments_do_not_count_for_source_rules() -> None:
    src = "// fetch(u)\nconst d = readFileSync(p) /* post( */\n"
    assert rules(src) == []
    assert rules("const s = '// not a comment'; fetch(u); readFile(p)") == [
        ("potential-exfiltration", 1)
    ]


def test_obfuscation_rules() -> None:
    assert rules('x = "\\x41\\x42\\x43\\x44\\x45\\x46"') == [("obfuscated-code", 1)]
    assert rules('x = "\\x41\\x42\\x43\\x44\\x45"') == []
    payload = "A" * 200
    found = scan_source(f'a\nconst b = atob("{payload}")\n', "f.js")
    assert [(f.rule_id, f.line, f.severity) for f in found] == [
        ("obfuscated-code", 2, Severity.WARN)
    ]
    assert rules(f'atob("{"A" * 199}")') == []


def test_whole_text_match_without_line_match_reports_line_one() -> None:
    # readFile and fetch are split across a comment-free multi-line string literal boundary.
    src = "x\nconst s = `read${''}File`;\nfetch(u)\nreadFile\n"
    assert ("potential-exfiltration", 4) in rules(src)


def test_strip_comments_keeps_strings_and_newlines() -> None:
    src = "a = \"x//y\"; // c\nb = `q/*z*/`; /* one\ntwo */ c\n'it\\'s' // d"
    assert strip_comments(src) == "a = \"x//y\"; \nb = `q/*z*/`; \n c\n'it\\'s' "


# --- SKILL.md parameters ----------------------------------------------------------------------


def test_sensitive_parameter_lines() -> None:
    md = "\n".join(
        [
            "# Setup",
            "Use your API key here.",  # prose: not parameter-like
            "- api_key: the key",
            "```",
            "- password: in code",
            "```",
            "1. Provide a Bearer header",
            "token: value",
            "| name | secret |",
            "* just a list item",
            "user - their login",
        ]
    )
    assert sensitive_parameter_lines(md) == [
        (3, "api_key"),
        (7, "bearer"),
        (8, "token"),
        (9, "secret"),
    ]


# --- walking and bounds -----------------------------------------------------------------------


def test_walk_skips_hidden_node_modules_symlinks_and_special_files(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text("x")
    (tmp_path / "src" / "B.JS").write_text("x")
    (tmp_path / "readme.md").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "h.js").write_text("x")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "m.js").write_text("x")
    os.symlink(tmp_path / "src" / "a.ts", tmp_path / "link.js")
    os.symlink(tmp_path, tmp_path / "loop")  # a symlink loop: never followed
    os.mkfifo(tmp_path / "pipe.js")
    files = walk_files(StateView(), str(tmp_path), limit=500)
    assert [os.path.relpath(f, tmp_path) for f in files] == ["src/B.JS", "src/a.ts"]


def test_binary_unreadable_and_huge_files(tmp_path: Path) -> None:
    (tmp_path / "bin.js").write_bytes(b"\x00\xff\xfe eval(x) \x00" * 10)
    (tmp_path / "huge.js").write_bytes(b"eval(x)\n" + b" " * (1 << 20))
    # A FIFO stands in for an unreadable file (tests run as root, so chmod 000 would still
    # be readable); it must be skipped without blocking.
    os.mkfifo(tmp_path / "fifo.js")
    summary = scan_root(StateView(), str(tmp_path))
    assert summary.scanned_files == 1
    assert [(f.rule_id, f.file) for f in summary.findings] == [("dynamic-code-execution", "bin.js")]


def test_max_files_and_forced_entries_first(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"f{i}.js").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "entry.js").write_text("eval(x)")
    summary = scan_root(StateView(), str(tmp_path), forced=[".hidden/entry.js"], max_files=3)
    assert summary.scanned_files == 3
    assert summary.findings[0].file == ".hidden/entry.js"


def test_deadline_raises_timeout(tmp_path: Path) -> None:
    for i in range(300):
        (tmp_path / f"f{i}.js").write_text("x")
    with pytest.raises(ScanTimeout):
        scan_root(StateView(), str(tmp_path), deadline=time.monotonic() - 1)


def test_5000_file_flat_dir_mostly_unscannable_is_fast(tmp_path: Path) -> None:
    # 4,990 assets the scanner must list but not read, then 10 scripts at the end.
    skill = tmp_path / "skills" / "assets"
    skill.mkdir(parents=True)
    for i in range(4990):
        (skill / f"a{i:04}.png").write_bytes(b"\x89PNG\x00")
    for i in range(10):
        (skill / f"z{i}.js").write_text("fetch(u)\n")
    (skill / "SKILL.md").write_text("- api key: yours\n")
    start = time.perf_counter()
    found = deep({}, tmp_path)
    elapsed = time.perf_counter() - start
    assert ids(found) == ["skills.markdown_sensitive_network"]
    print(f"\n5,000-file flat skill dir (10 scripts) scanned in {elapsed * 1000:.0f} ms")
    assert elapsed < 10


def test_5000_file_skill_dir_is_bounded_and_fast(tmp_path: Path) -> None:
    state = tmp_path / "state"
    skill = state / "skills" / "big"
    for d in range(50):
        sub = skill / f"d{d:02}"
        sub.mkdir(parents=True)
        for i in range(100):
            (sub / f"f{i:03}.js").write_text(f"export const v{i} = {i};\n")
    (skill / "SKILL.md").write_text("# big\n")
    (skill / "d00" / "f000.js").write_text("eval(x)\n")
    start = time.perf_counter()
    found = deep({}, state)
    elapsed = time.perf_counter() - start
    f = one(found, "skills.code_safety")
    assert "in 500 scanned files" in f.detail
    print(f"\n5,000-file skill dir scanned in {elapsed * 1000:.0f} ms")
    assert elapsed < 10


# --- findings ---------------------------------------------------------------------------------


def make_plugin(state: Path, name: str, files: dict[str, str], entries: list | None = None) -> Path:
    d = state / "extensions" / name
    d.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    if entries is not None:
        (d / "package.json").write_text(json.dumps({"openclaw": {"extensions": entries}}))
    return d


def test_not_run_without_deep(tmp_path: Path) -> None:
    make_plugin(tmp_path, "evil", {"index.js": EXEC_SRC})
    ctx = make_ctx({}, state_dir=tmp_path)
    assert run_checks(ctx, stages=[Stage.CODE_SCAN]) == []


def test_plugin_code_safety_critical_lists_only_critical(tmp_path: Path) -> None:
    make_plugin(
        tmp_path,
        "evil",
        {"src/index.js": EXEC_SRC, "src/ws.js": "new WebSocket('ws://h:6667')"},
    )
    f = one(deep({}, tmp_path), "plugins.code_safety")
    assert f.severity is Severity.CRITICAL
    lines = f.detail.split("\n")
    assert "1 critical finding in 2 scanned files" in lines[0]
    assert lines[1].startswith("  - [dangerous-exec] ")
    assert lines[1].endswith("(src/index.js:2)")
    assert len(lines) == 2


def test_plugin_code_safety_warn_and_clean(tmp_path: Path) -> None:
    make_plugin(tmp_path, "a-warn", {"x.js": "new WebSocket('ws://h:6667')"})
    make_plugin(tmp_path, "b-clean", {"x.js": "export default 1"})
    found = deep({}, tmp_path)
    assert ids(found) == ["plugins.code_safety"]
    assert found[0].severity is Severity.WARN
    assert found[0].subject == "a-warn"


def test_entry_findings_before_code_safety(tmp_path: Path) -> None:
    d = make_plugin(
        tmp_path,
        "evil",
        {".hidden/index.js": EXEC_SRC, "node_modules/x/i.js": "1"},
        entries=[".hidden/index.js", "../../outside.js", "node_modules/x/i.js", "./dist/ok.js"],
    )
    os.symlink("/etc", d / "etc-link")
    (d / "package.json").write_text(
        json.dumps(
            {
                "openclaw": {
                    "extensions": [
                        ".hidden/index.js",
                        "../../outside.js",
                        "node_modules/x/i.js",
                        "./dist/ok.js",
                        "etc-link/passwd",
                    ]
                }
            }
        )
    )
    found = deep({}, tmp_path)
    assert ids(found) == [
        "plugins.code_safety.entry_escape",
        "plugins.code_safety.entry_path",
        "plugins.code_safety",
    ]
    assert "- ../../outside.js" in found[0].detail
    assert "- etc-link/passwd" in found[0].detail
    assert "./dist/ok.js" not in found[0].detail + found[1].detail
    assert "- .hidden/index.js" in found[1].detail
    assert "- node_modules/x/i.js" in found[1].detail
    assert found[2].severity is Severity.CRITICAL  # the hidden entry file was scanned


def test_invalid_package_json_still_scans(tmp_path: Path) -> None:
    d = make_plugin(tmp_path, "p", {"i.js": "eval(x)"})
    (d / "package.json").write_text("{oops")
    assert ids(deep({}, tmp_path)) == ["plugins.code_safety"]


def test_unlistable_extensions_dir_is_scan_failed(tmp_path: Path) -> None:
    (tmp_path / "extensions").mkdir()
    real = StateView.entries

    def boom(self: StateView, path: str | os.PathLike[str]) -> list:
        if os.fspath(path) == str(tmp_path / "extensions"):
            raise PermissionError(13, "Permission denied")
        return real(self, path)

    mp = pytest.MonkeyPatch()
    mp.setattr(StateView, "entries", boom)
    try:
        f = one(deep({}, tmp_path), "plugins.code_safety.scan_failed")
    finally:
        mp.undo()
    assert "Permission denied" in f.detail


def test_plugin_scan_error_and_timeout_become_scan_failed(tmp_path: Path) -> None:
    make_plugin(tmp_path, "p", {"i.js": "1"})
    ctx = make_ctx({}, state_dir=tmp_path, deep=True)
    f = one(
        list(code_safety.scan_installed_code(ctx, deadline_s=-1)), "plugins.code_safety.scan_failed"
    )
    assert "timed out" in f.detail


def test_skill_code_safety_and_markdown(tmp_path: Path) -> None:
    state = tmp_path / "state"
    skill = state / "workspace" / "skills" / "leaky"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: leaky\n---\n- token: sk-live-abcdef123\n")
    (skill / "run.js").write_text("const k = process.env.K;\nfetch(u, {body: k})\n")
    make_plugin(state, "p", {"i.js": "eval(x)"})
    found = deep({}, state)
    assert ids(found) == [
        "plugins.code_safety",
        "skills.code_safety",
        "skills.markdown_sensitive_network",
    ]
    assert found[1].severity is Severity.CRITICAL
    assert "leaky" in found[1].detail and str(skill) in found[1].detail
    md = found[2]
    assert md.severity is Severity.CRITICAL
    assert "SKILL.md:4" in md.detail
    assert "sk-live-abcdef123" not in md.detail


@pytest.mark.parametrize(
    ("skill_md", "code"),
    [
        ("- token: x\n", "export const a = 1\n"),  # no network send
        ("Keep your token safe.\n", "fetch(u)\n"),  # prose, not a parameter
        ("```\n- token: x\n```\n", "fetch(u)\n"),  # inside a fence
        ("- token: x\n", "// fetch(u)\n"),  # network call only in a comment
    ],
)
def test_markdown_sensitive_network_near_misses(tmp_path: Path, skill_md: str, code: str) -> None:
    skill = tmp_path / "skills" / "s"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(skill_md)
    (skill / "a.js").write_text(code)
    assert by_id(deep({}, tmp_path), "skills.markdown_sensitive_network") == []


def test_skill_scan_failed_when_unlistable(tmp_path: Path) -> None:
    skill = tmp_path / "skills" / "s"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("# s")
    real = StateView.entries

    def boom(self: StateView, path: str | os.PathLike[str]) -> list:
        if os.fspath(path) == str(skill):
            raise PermissionError(13, "Permission denied")
        return real(self, path)

    mp = pytest.MonkeyPatch()
    mp.setattr(StateView, "entries", boom)
    try:
        f = one(deep({}, tmp_path), "skills.code_safety.scan_failed")
    finally:
        mp.undo()
    assert f.severity is Severity.WARN
    assert "Permission denied" in f.detail


def test_wedged_scan_is_abandoned_at_the_deadline(tmp_path: Path) -> None:
    make_plugin(tmp_path, "slow", {"i.js": "1"})
    make_plugin(tmp_path, "zfast", {"i.js": "eval(x)"})
    real = code_safety.scan_root

    def maybe_hang(fs: StateView, root: str, **kw: object) -> object:
        if root.endswith("slow"):
            time.sleep(2.5)  # ignores the cooperative deadline, like a stuck read
        return real(fs, root, **kw)  # type: ignore[arg-type]

    mp = pytest.MonkeyPatch()
    mp.setattr(code_safety, "scan_root", maybe_hang)
    try:
        ctx = make_ctx({}, state_dir=tmp_path, deep=True)
        start = time.perf_counter()
        found = list(code_safety.scan_installed_code(ctx, deadline_s=0.2))
        elapsed = time.perf_counter() - start
    finally:
        mp.undo()
    assert elapsed < 2.0
    assert ids(found) == ["plugins.code_safety.scan_failed", "plugins.code_safety"]
    assert "slow" in found[0].detail and "timed out" in found[0].detail
    assert found[1].subject == "zfast"


def test_many_plugins_keep_sorted_order(tmp_path: Path) -> None:
    for name in ("delta", "Alpha", "charlie", "bravo", "echo", "foxtrot"):
        make_plugin(tmp_path, name, {"i.js": "eval(x)"})
    found = deep({}, tmp_path)
    assert [f.subject for f in found] == ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
