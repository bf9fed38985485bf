"""The command line (cli.md). Thin: parse → AuditOptions → run_audit → render → exit code.

stdout carries only the report; warnings, progress and errors go to stderr. The free text of
every message (errors, warnings, log lines) passes through the run's safety net (the Scrubber).
"""

import logging
import os
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openclaw_audit import __version__
from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.engine.options import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_S, AuditOptions
from openclaw_audit.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, AuditError, UsageError
from openclaw_audit.face.cli_help import EPILOG
from openclaw_audit.face.history_cli import history_app
from openclaw_audit.face.outputs import write_stderr, write_stdout
from openclaw_audit.face.probe_choice import probe_choice
from openclaw_audit.face.settings import SettingsGroup, command_line_wins, raise_settings_error
from openclaw_audit.redaction import Scrubber
from openclaw_audit.report.model import Severity
from openclaw_audit.report.redact import redact_error
from openclaw_audit.textsafe import printable

if TYPE_CHECKING:
    from openclaw_audit.face.scheduled import ScheduledOptions

EXIT_INTERNAL = 3

app = typer.Typer(
    # AuditGroup (rich help with panels, loaded only for --help; misplaced-option hints) that
    # also reads --settings (or the state dir's openclaw-audit.toml) first
    cls=SettingsGroup,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    no_args_is_help=False,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Security audit for OpenClaw gateways: static checks, live probes, safe fixes.",
    epilog=EPILOG,
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    html = "html"


class FailOn(StrEnum):
    critical = "critical"
    warn = "warn"
    info = "info"
    none = "none"


class DiffFailOn(StrEnum):
    new = "new"
    escalated = "escalated"
    critical = "critical"
    warn = "warn"


class ColorMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class AuthMode(StrEnum):
    none = "none"
    token = "token"
    password = "password"
    trusted_proxy = "trusted-proxy"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"openclaw-audit {__version__}")
        raise typer.Exit(EXIT_OK)


def _read_secret_file(path: Path, what: str) -> str:
    from openclaw_audit.face.inputs import read_first_line

    value = read_first_line(str(path), f"{what} file").strip()
    if not value:
        raise UsageError(f"{what} file {path} is empty")
    return value


@app.callback()
def main_command(
    ctx: typer.Context,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep",
            help="Also probe the live gateway, Docker sandbox and mDNS.",
            rich_help_panel="Live probes",
        ),
    ] = False,
    auth: Annotated[
        AuthMode | None,
        typer.Option(
            "--auth",
            help="Runtime gateway auth mode to evaluate instead of gateway.auth.mode.",
            rich_help_panel="Live probes",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            help="Gateway token for the deep probe (and --auth token).",
            show_default=False,
            rich_help_panel="Live probes",
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            metavar="PASSWORD",
            help="Gateway password for the deep probe (and --auth password).",
            show_default=False,
            rich_help_panel="Live probes",
        ),
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            metavar="PATH",
            help="Read the token from a file (first line).",
            rich_help_panel="Live probes",
        ),
    ] = None,
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            metavar="PATH",
            help="Read the password from a file (first line).",
            rich_help_panel="Live probes",
        ),
    ] = None,
    probe: Annotated[
        list[str] | None,
        typer.Option(
            "--probe",
            metavar="NAME[,NAME]",
            help="With --deep: run only these probes (gateway, http, docker, mdns).",
            rich_help_panel="Live probes",
        ),
    ] = None,
    skip_probe: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-probe",
            metavar="NAME",
            help="With --deep: do not run this probe (repeatable).",
            rich_help_panel="Live probes",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix", help="Apply the safe remediations, then audit again.", rich_help_panel="Fix"
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="With --fix: show planned changes, change nothing.",
            rich_help_panel="Fix",
        ),
    ] = False,
    json_out: Annotated[
        bool,
        typer.Option("--json", help="JSON report (upstream envelope).", rich_help_panel="Output"),
    ] = False,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option("-f", "--format", help="Output format.", rich_help_panel="Output"),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option(
            "-o",
            "--output",
            metavar="[FMT=]PATH",
            help="PATH: write the report there instead of stdout. FMT=PATH (repeatable): "
            "also write that format (text, json, sarif, metrics, ...) from the same run.",
            rich_help_panel="Output",
        ),
    ] = None,
    sarif_include_suppressed: Annotated[
        bool,
        typer.Option(
            "--sarif-include-suppressed",
            help="With --format sarif: also emit suppressed findings.",
            rich_help_panel="Output",
        ),
    ] = False,
    sarif_category: Annotated[
        str | None,
        typer.Option(
            "--sarif-category",
            metavar="NAME",
            help="With --format sarif: the run's category (automationDetails.id NAME/), to "
            "upload several audits of one repository side by side.",
            rich_help_panel="Output",
        ),
    ] = None,
    sarif_base: Annotated[
        str | None,
        typer.Option(
            "--sarif-base",
            metavar="DIR",
            help="With --format sarif or github: make file paths relative to DIR (default: "
            "the working directory; use the repository root).",
            rich_help_panel="Output",
        ),
    ] = None,
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            metavar="PATH",
            help="Config file to audit (repeatable; a directory or @list.txt audits several).",
            rich_help_panel="Target",
        ),
    ] = None,
    state_dir: Annotated[
        str | None,
        typer.Option(
            "--state-dir", metavar="DIR", help="OpenClaw state directory.", rich_help_panel="Target"
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Audit a temporary copy of the bundled demo gateway.",
            rich_help_panel="Target",
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Per-probe deadline for --deep, seconds (>= 0.25).",
            rich_help_panel="Live probes",
        ),
    ] = DEFAULT_TIMEOUT_S,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            help="With several targets and --deep: how many targets are probed at once.",
            rich_help_panel="Live probes",
        ),
    ] = DEFAULT_CONCURRENCY,
    allow_exec: Annotated[
        bool,
        typer.Option(
            "--allow-exec", help="Allow exec SecretRef providers to run.", rich_help_panel="Target"
        ),
    ] = False,
    trust_cwd_dotenv: Annotated[
        bool,
        typer.Option(
            "--trust-cwd-dotenv",
            help="Let ./.env choose the gateway URL, state dir or config for --deep and --fix.",
            rich_help_panel="Target",
        ),
    ] = False,
    strict_config: Annotated[
        bool,
        typer.Option(
            "--strict-config",
            help="Refuse a config OpenClaw's schema rejects (exit 2) instead of auditing it.",
            rich_help_panel="Target",
        ),
    ] = False,
    config_schema: Annotated[
        str | None,
        typer.Option(
            "--config-schema",
            metavar="PATH",
            help="Validate against this schema (`openclaw config schema` output) "
            "instead of the bundled 2026.9.6 one.",
            rich_help_panel="Target",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding at or above this severity remains.",
            rich_help_panel="CI policy",
        ),
    ] = FailOn.none,
    fail_on_probe_error: Annotated[
        bool,
        typer.Option(
            "--fail-on-probe-error",
            help="Exit 4 when a live probe that was asked for could not run or failed.",
            rich_help_panel="CI policy",
        ),
    ] = False,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            metavar="ID|PREFIX*",
            help="Only checks matching ID or prefix* (repeatable).",
            rich_help_panel="CI policy",
        ),
    ] = None,
    skip_check: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-check",
            metavar="ID|PREFIX*",
            help="Skip checks matching ID or prefix* (repeatable).",
            rich_help_panel="CI policy",
        ),
    ] = None,
    min_severity: Annotated[
        FailOn | None,
        typer.Option(
            "-s",
            "--min-severity",
            help="Drop findings below this severity.",
            rich_help_panel="CI policy",
        ),
    ] = None,
    settings: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            metavar="PATH",
            help="Defaults for these options from a TOML file (default: openclaw-audit.toml "
            "in the state dir, when present); the command line wins.",
            rich_help_panel="CI policy",
        ),
    ] = None,
    ignore_file: Annotated[
        Path | None,
        typer.Option(
            "--ignore-file",
            metavar="PATH",
            help="Suppressions file (TOML) with reasons and expiry.",
            rich_help_panel="Suppressions and baselines",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="PATH",
            help="Show only findings not in this saved JSON report.",
            rich_help_panel="Suppressions and baselines",
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline",
            help="After the run, rewrite the --baseline file with this run's full report.",
            rich_help_panel="Suppressions and baselines",
        ),
    ] = False,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            metavar="PATH",
            envvar="OPENCLAW_AUDIT_HISTORY",
            help="Record this run in a SQLite history database (created when missing).",
            rich_help_panel="History and notifications",
        ),
    ] = None,
    history_keep: Annotated[
        float | None,
        typer.Option(
            "--history-keep",
            metavar="DAYS",
            help="With --history: drop runs older than DAYS.",
            rich_help_panel="History and notifications",
        ),
    ] = None,
    notify_cmd: Annotated[
        str | None,
        typer.Option(
            "--notify-cmd",
            metavar="CMD",
            help="Run CMD (no shell) with the drift JSON on stdin when something qualifies.",
            rich_help_panel="History and notifications",
        ),
    ] = None,
    notify_webhook: Annotated[
        str | None,
        typer.Option(
            "--notify-webhook",
            metavar="URL",
            help="POST the drift JSON to URL when something qualifies (https; http only to "
            "loopback).",
            rich_help_panel="History and notifications",
        ),
    ] = None,
    notify_on: Annotated[
        list[str] | None,
        typer.Option(
            "--notify-on",
            metavar="EVENTS",
            help="Which drift notifies: new,escalated,probe-failed,resolved,always "
            "(default new,escalated,probe-failed).",
            rich_help_panel="History and notifications",
        ),
    ] = None,
    notify_insecure: Annotated[
        bool,
        typer.Option(
            "--notify-insecure",
            help="Allow --notify-webhook over plain http to a non-loopback host.",
            rich_help_panel="History and notifications",
        ),
    ] = False,
    notify_timeout: Annotated[
        float,
        typer.Option(
            "--notify-timeout",
            metavar="SECONDS",
            help="Deadline for each notification.",
            rich_help_panel="History and notifications",
        ),
    ] = 10.0,
    advisories: Annotated[
        Path | None,
        typer.Option(
            "--advisories",
            metavar="PATH",
            help="OSV advisory data: a directory of OSV JSON files, osv.dev's all.zip, or a "
            "JSON file (default: the `advisories update` cache, when present).",
            rich_help_panel="Target",
        ),
    ] = None,
    compact: Annotated[
        bool,
        typer.Option("--compact", help="Text: one line per finding.", rich_help_panel="Output"),
    ] = False,
    color: Annotated[
        ColorMode,
        typer.Option(
            "--color",
            help="Colour: auto (on a TTY, unless NO_COLOR; FORCE_COLOR forces it), always, never.",
            rich_help_panel="Output",
        ),
    ] = ColorMode.auto,
    no_color: Annotated[
        bool,
        typer.Option("--no-color", help="Same as --color never.", hidden=True),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="Less on stderr.", rich_help_panel="Output")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "-v",
            "--verbose",
            help="More on stderr; with --fix --dry-run also the full report.",
            rich_help_panel="Output",
        ),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"history": history}  # `openclaw-audit --history DB history ...`
        return
    json_out, fmt = command_line_wins(ctx, ("json_out", json_out), ("fmt", fmt))
    out_format = OutputFormat.json if json_out and fmt is None else (fmt or OutputFormat.text)
    if json_out and fmt not in (None, OutputFormat.json):
        _fail_usage("--json conflicts with --format " + fmt.value, out_format)
    scrubber = Scrubber([token, password])
    _setup_logging(verbose, quiet, scrubber)
    try:
        raise_settings_error(ctx)
        if token_file is not None:
            token = _read_secret_file(token_file, "token")
        if password_file is not None:
            password = _read_secret_file(password_file, "password")
        scrubber.add([token, password])
        if dry_run and not fix:
            raise UsageError("--dry-run only makes sense with --fix")
        auth_override = _auth_override(auth, token, password)
        probes = probe_choice(deep, probe or (), skip_probe or ())
        options = AuditOptions(
            config_path=config[0] if config and len(config) == 1 else None,
            state_dir=state_dir,
            deep=deep,
            timeout=timeout,
            auth_override=auth_override,
            probe_token=token,
            probe_password=password,
            allow_exec=allow_exec,
            trust_cwd_dotenv=trust_cwd_dotenv,
            checks=tuple(check or ()),
            skip_checks=tuple(skip_check or ()),
            min_severity=Severity(min_severity.value)
            if min_severity and min_severity is not FailOn.none
            else None,
            strict_config=strict_config,
            config_schema=config_schema,
            probes=probes,
        )
        from openclaw_audit.face.app import Invocation, execute

        code = execute(
            Invocation(
                options=options,
                configs=tuple(config or ()),
                fmt=out_format.value,
                fix=fix,
                dry_run=dry_run,
                fail_on=fail_on.value,
                ignore_file=str(ignore_file) if ignore_file else None,
                baseline=str(baseline) if baseline else None,
                sarif_include_suppressed=sarif_include_suppressed,
                color=_want_color(ColorMode.never if no_color else color),
                quiet=quiet,
                verbose=verbose,
                advisories=str(advisories) if advisories else None,
                sarif_category=sarif_category,
                sarif_base=sarif_base,
                width=_tty_width(),
                compact=compact,
                demo=demo,
                concurrency=concurrency,
                scheduled=_scheduled_options(
                    history,
                    history_keep,
                    notify_cmd,
                    notify_webhook,
                    notify_on,
                    notify_insecure,
                    notify_timeout,
                ),
                outputs=tuple(output or ()),
                update_baseline=update_baseline,
                fail_on_probe_error=fail_on_probe_error,
            ),
            scrubber,
        )
    except AuditError as exc:
        _print_error(exc, out_format, scrubber)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        raise typer.Exit(130) from None
    except Exception as exc:  # a bug in us: one line, details only with -v
        sys.stderr.write(
            scrubber(f"error: internal error ({type(exc).__name__}); rerun with -v for details\n")
        )
        if verbose:
            sys.stderr.write(printable(scrubber(traceback.format_exc())))
        raise typer.Exit(EXIT_INTERNAL) from None
    raise typer.Exit(code)


def _scheduled_options(
    history: Path | None,
    keep: float | None,
    cmd: str | None,
    webhook: str | None,
    on: list[str] | None,
    insecure: bool,
    timeout: float,
) -> "ScheduledOptions | None":
    """The History and notifications options; None (nothing imported) when none was given."""
    if history is None and keep is None and cmd is None and webhook is None and not on:
        return None
    from openclaw_audit.face.scheduled import ScheduledOptions

    return ScheduledOptions(
        history=str(history) if history else None,
        history_keep=keep,
        notify_cmd=cmd,
        notify_webhook=webhook,
        notify_insecure=insecure,
        notify_on=tuple(on or ()),
        notify_timeout=timeout,
    )


def _auth_override(
    auth: AuthMode | None, token: str | None, password: str | None
) -> AuthOverride | None:
    if auth is None:
        return None
    if auth is AuthMode.token and not token:
        raise UsageError("--auth token requires --token (or --token-file)")
    if auth is AuthMode.password and not password:
        raise UsageError("--auth password requires --password (or --password-file)")
    return AuthOverride(mode=auth.value, token=token, password=password)


def _want_color(mode: ColorMode) -> bool:
    from openclaw_audit.render.terminal import color_wanted

    return color_wanted(mode.value, os.environ, sys.stdout.isatty())


def _tty_width() -> int | None:
    """Wrap to the terminal on a TTY; off a TTY never (byte-stable output)."""
    if not sys.stdout.isatty():
        return None
    from openclaw_audit.render.terminal import terminal_width

    return terminal_width(os.environ)


def _setup_logging(verbose: bool, quiet: bool, scrubber: Scrubber) -> None:
    level = logging.DEBUG if verbose else (logging.ERROR if quiet else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)

    class _Scrub(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return printable(scrubber(super().format(record)))

    handler.setFormatter(_Scrub("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("openclaw_audit")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _print_error(exc: AuditError, fmt: OutputFormat, scrubber: Scrubber) -> None:
    exc = redact_error(exc, scrubber)  # the message is free text; the JSON keys are ours
    write_stderr(exc.render() + "\n")
    if fmt is OutputFormat.github:  # CI shows it on the run, like the findings
        from openclaw_audit.render.github import error_annotation

        write_stdout(error_annotation(exc.render()))
    elif fmt is not OutputFormat.text:
        import json

        from openclaw_audit.textsafe import json_text

        write_stdout(json_text(json.dumps(exc.to_json(), indent=2)) + "\n")


def _fail_usage(message: str, fmt: OutputFormat) -> None:
    _print_error(UsageError(message), fmt, Scrubber())
    raise typer.Exit(EXIT_INPUT)


@app.command("checks")
def checks_command(
    json_out: Annotated[bool, typer.Option("--json", help="List as JSON.")] = False,
) -> None:
    """List the check catalog (id, severity, title)."""
    from openclaw_audit.face.catalog import list_checks

    write_stdout(list_checks(as_json=json_out))


@app.command("explain")
def explain_command(
    check_id: Annotated[str, typer.Argument(help="A checkId, e.g. gateway.bind_no_auth")],
) -> None:
    """Explain a check: what it looks at, why it matters, how to fix it."""
    from openclaw_audit.face.catalog import explain

    try:
        write_stdout(explain(check_id))
    except AuditError as exc:
        sys.stderr.write(exc.render() + "\n")
        raise typer.Exit(exc.exit_code) from None


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier JSON report.")],
    new: Annotated[Path, typer.Argument(help="The later JSON report.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the drift as JSON.")] = False,
    fail_on: Annotated[
        list[DiffFailOn] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when NEW has a new finding (new), a finding whose severity rose "
            "(escalated), or a new or escalated one at critical / warn or above (repeatable).",
        ),
    ] = None,
) -> None:
    """Compare two saved JSON reports: new, resolved and changed-severity findings."""
    from openclaw_audit.render.formats import FORMATS, DriftOutput, RenderOptions
    from openclaw_audit.report.drift import diff_files
    from openclaw_audit.report.drift_gate import fails

    try:
        drift = diff_files(str(old), str(new))
        write_stdout(FORMATS["json" if json_out else "text"](DriftOutput(drift), RenderOptions()))
    except AuditError as exc:
        _print_error(exc, OutputFormat.json if json_out else OutputFormat.text, Scrubber())
        raise typer.Exit(exc.exit_code) from None
    if fails(drift, [c.value for c in fail_on or ()]):
        raise typer.Exit(EXIT_FINDINGS)


advisories_app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Known-vulnerability data (OSV) for openclaw.version.vulnerable.",
)
app.add_typer(advisories_app, name="advisories")
app.add_typer(history_app, name="history")


@advisories_app.command("update")
def advisories_update_command(
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            help="OSV API base URL (default: osv.dev's; env OPENCLAW_AUDIT_OSV_API_URL).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Per-request deadline, seconds.")
    ] = 30.0,
) -> None:
    """Download the OSV records of openclaw, clawdbot and moltbot into the user's cache."""
    from openclaw_audit.advisories.update import API_URL_ENV, DEFAULT_API_URL, update_cache

    url = api_url or os.environ.get(API_URL_ENV, "").strip() or DEFAULT_API_URL
    try:
        result = update_cache(os.environ, url, timeout)
    except AuditError as exc:
        sys.stderr.write(exc.render() + "\n")
        raise typer.Exit(exc.exit_code) from None
    except Exception as exc:  # a bug in us: one line, like the audit
        sys.stderr.write(f"error: internal error ({type(exc).__name__})\n")
        raise typer.Exit(EXIT_INTERNAL) from None
    sys.stdout.write(
        f"{result.advisories} OpenClaw advisories ({result.records} records) saved to "
        f"{result.path}, fetched {result.fetched_at:%Y-%m-%dT%H:%M:%SZ}\n"
    )


def main() -> None:
    """Console-script entry point. Usage errors from click also exit 2."""
    try:
        app(prog_name="openclaw-audit")
    except SystemExit:
        raise
