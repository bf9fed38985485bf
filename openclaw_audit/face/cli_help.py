"""The command line's conventions (output-ux.md §5) that are not options: the ``--help``
layout (option panels, the epilog with examples, exit codes and environment), and the hint
for an audit option given after a subcommand that does not take it.

Help is drawn with rich, which is imported only when help is printed: a plain audit never
pays for it (errors keep click's plain one-line style, not rich's boxes).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

from openclaw_audit.errors import EXIT_INPUT
from openclaw_audit.face.outputs import write_stderr
from openclaw_audit.textsafe import one_line

# Every environment variable the audit reads, by purpose (tests/test_cli_help.py checks the
# code reads no other). Plain text: rich markup would eat square brackets.
ENVIRONMENT = (
    "  where to look: OPENCLAW_CONFIG_PATH, OPENCLAW_STATE_DIR, OPENCLAW_HOME,",
    "    HOME, OPENCLAW_PROFILE, OPENCLAW_OAUTH_DIR, OPENCLAW_INCLUDE_ROOTS,",
    "    CLAWDBOT_CONFIG_PATH, CLAWDBOT_STATE_DIR",
    "  --deep: OPENCLAW_GATEWAY_URL, OPENCLAW_GATEWAY_PORT, CLAWDBOT_GATEWAY_PORT,",
    "    OPENCLAW_GATEWAY_TOKEN, OPENCLAW_GATEWAY_PASSWORD,",
    "    OPENCLAW_ALLOW_INSECURE_PRIVATE_WS, DOCKER_HOST, DOCKER_TLS_VERIFY,",
    "    DOCKER_CERT_PATH, OPENCLAW_AUDIT_MDNS_INTERFACES",
    "  checks: OPENCLAW_DISABLE_BONJOUR, OPENCLAW_MDNS_HOSTNAME,",
    "    OPENCLAW_SERVICE_KIND",
    "  advisories: OPENCLAW_AUDIT_OSV_API_URL, XDG_CACHE_HOME",
    "  output: NO_COLOR, FORCE_COLOR, COLUMNS (terminal width),",
    "    GITHUB_STEP_SUMMARY (with --format github)",
    "  history: OPENCLAW_AUDIT_HISTORY (--history)",
)
# The panels in the order output-ux.md §5 lists them (typer shows them in parameter order).
PANELS = (
    "Target",
    "Live probes",
    "Fix",
    "Output",
    "CI policy",
    "Suppressions and baselines",
    "History and notifications",
)

# Lines of at most 78 characters: help is 80 columns wide (1 of padding each side) off a TTY.
EPILOG = "\n".join(
    [
        "Examples:",
        "  # static, read-only audit of ~/.openclaw",
        "  openclaw-audit",
        "  # also probe the running gateway, Docker sandbox and mDNS",
        "  openclaw-audit --deep --token-file ~/.gw-token",
        "  # show the safe fixes as a diff, change nothing",
        "  openclaw-audit --fix --dry-run",
        "  # CI: SARIF for GitHub code scanning, exit 1 on a critical finding",
        "  openclaw-audit -f sarif -o audit.sarif --fail-on critical",
        "",
        "Exit codes: 0 the audit ran · 1 --fail-on threshold reached or --fix had",
        "errors · 2 usage or input error · 3 internal error · 4 a live probe failed",
        "(only with --fail-on-probe-error).",
        "",
        "Environment (also read from the state dir's .env):",
        *ENVIRONMENT,
    ]
)


class AuditGroup(TyperGroup):
    """The top-level command: rich help with panels; misplaced audit options get a hint."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from typer import core

        if not core.HAS_RICH:  # TYPER_USE_RICH=0: click's plain help
            super().format_help(ctx, formatter)
            return
        from typer import rich_utils

        params = self.params
        rank = {name: i for i, name in enumerate(PANELS)}
        # Stable: options keep their order inside a panel; unknown panels come last.
        self.params = sorted(
            params, key=lambda p: rank.get(getattr(p, "rich_help_panel", None) or "", len(rank))
        )
        try:
            rich_utils.rich_format_help(obj=self, ctx=ctx, markup_mode="rich")
        finally:
            self.params = params

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            lines = misplaced_option(self, exc)
            if lines is None:
                raise
            write_stderr("".join(one_line(line) + "\n" for line in lines))
            ctx.exit(EXIT_INPUT)


def misplaced_option(group: Any, exc: Exception) -> list[str] | None:
    """``openclaw-audit checks --deep``: the error and where the option goes, or None when
    ``exc`` is not an unknown option that the audit itself takes."""
    if type(exc).__name__ != "NoSuchOption":
        return None
    name = getattr(exc, "option_name", "")
    sub = getattr(getattr(exc, "ctx", None), "command_path", "") or "the subcommand"
    audit_opts = {opt for p in group.params for opt in (*p.opts, *p.secondary_opts)}
    if name not in audit_opts:
        return None
    sub_ctx = getattr(exc, "ctx", None)
    prog = (sub_ctx.find_root().info_name if sub_ctx is not None else "") or "openclaw-audit"
    return [
        f"error: {name} is not an option of `{sub}`",
        f"hint: {name} is an audit option: give it without a subcommand, e.g. `{prog} {name} …`",
    ]
