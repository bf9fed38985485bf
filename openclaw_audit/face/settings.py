"""Defaults from a settings file (scheduled-scans.md §8): ``--settings PATH``, or
``openclaw-audit.toml`` in the state dir when present.

The file holds top-level keys named like the audit's long options without the dashes
(``fail-on = "critical"``, ``skip-check = ["channels.*"]``, ``timeout = 10``, ``deep = true``).
They become click's ``default_map`` for the audit command, so click applies them with the
precedence it already has: the command line first, then an option's environment variable, then
the settings file, then the built-in default. Keys map onto the command's options by name, so
an option added later (``--history``, ``--notify-*``) is settable without touching this module.

Values are taken exactly as if they were typed on the command line (a relative path is
relative to the working directory). Unknown keys, values of the wrong type, and keys that must
not come from a file (the secrets ``token``/``password``: use ``token-file``; ``fix``, which
would let a defaults file change the gateway's files) are input errors (exit 2) naming the key
and ``file:line``. A run of a subcommand (``diff``, ``checks``, ...) reads no settings file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import typer
from typer.core import TyperGroup

from openclaw_audit.config.locate import resolve_state_dir
from openclaw_audit.errors import AuditError
from openclaw_audit.face.cli_help import AuditGroup

DEFAULT_NAME = "openclaw-audit.toml"
MAX_BYTES = 1024 * 1024
# ctx.meta key: a settings error found while parsing, raised by the command where the error
# is printed like every other input error (text or JSON).
ERROR_KEY = "openclaw_audit.settings_error"
# Options a settings file may not set: itself, the eager ones, secrets, and what changes files.
DENIED = frozenset({"settings", "help", "version", "token", "password", "fix", "dry-run"})


class SettingsError(AuditError):
    def __init__(
        self, message: str, *, file: str, line: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, file=file, line=line, hint=hint, kind="usage_error")


class SettingsGroup(AuditGroup):
    """The root command (help panels and hints from AuditGroup) that reads the settings file
    before click processes the options."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:  # not while completing a shell word
            try:
                defaults = settings_defaults(self, ctx, list(args))
            except AuditError as exc:
                ctx.meta[ERROR_KEY] = exc
            else:
                if defaults:
                    ctx.default_map = {**(ctx.default_map or {}), **defaults}
        return super().parse_args(ctx, args)


def raise_settings_error(ctx: typer.Context) -> None:
    """Raise the error the settings file caused, if any (called inside the command's error
    handling, so it prints as every input error does)."""
    error = ctx.meta.get(ERROR_KEY)
    if error is not None:
        raise error


def command_line_wins(ctx: typer.Context, *pairs: tuple[str, Any]) -> tuple[Any, ...]:
    """Two options that conflict (``--json`` and ``--format``): when one came from the command
    line and the other only from the settings file, the file's one is dropped (None/False)."""
    sources = {name: _source(ctx, name) for name, _ in pairs}
    if "COMMANDLINE" not in sources.values():
        return tuple(value for _, value in pairs)
    return tuple(
        (False if isinstance(value, bool) else None) if sources[name] == "DEFAULT_MAP" else value
        for name, value in pairs
    )


def _source(ctx: typer.Context, name: str) -> str | None:
    source = ctx.get_parameter_source(name)
    return source.name if source is not None else None


def settings_defaults(
    command: TyperGroup, ctx: typer.Context, args: list[str]
) -> dict[str, Any] | None:
    """Parse the command line once, without processing it, to learn ``--settings`` and
    ``--state-dir``; then load the file and turn it into ``default_map`` entries."""
    parser = command.make_parser(ctx)
    try:
        opts, rest, _ = parser.parse_args(args=list(args))
    except Exception:  # click's own usage errors: the real parse reports them
        return None
    eager = ("help", "version", "install_completion", "show_completion")
    if rest or any(opts.get(name) for name in eager):
        return None  # a subcommand, help, version or completion: no audit runs
    explicit = opts.get("settings")
    if explicit is not None:
        path = str(explicit)
        if not os.path.isfile(path):
            raise SettingsError("settings file not found", file=path)
    else:
        state_dir = opts.get("state_dir")
        sd = resolve_state_dir(os.environ, str(state_dir) if state_dir else None)
        path = os.path.join(sd, DEFAULT_NAME)
        if not os.path.isfile(path):
            return None
    text = _read(path)
    return to_default_map(_parse(text, path), command, ctx, text, path)


def _read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        what = exc.strerror or type(exc).__name__
        raise SettingsError(f"cannot read settings file: {what}", file=path) from None
    if len(data) > MAX_BYTES:
        raise SettingsError("settings file is larger than 1 MiB", file=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError("settings file is not UTF-8", file=path) from None


def _parse(text: str, path: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)$", message)
        line = int(match.group(1)) if match else None
        message = message[: match.start()].strip() if match else message
        error = SettingsError(f"settings file is not valid TOML: {message}", file=path, line=line)
        raise error from None


def _options(command: TyperGroup) -> dict[str, Any]:
    """Settings key (long option name without dashes) -> the click option."""
    out: dict[str, Any] = {}
    for param in command.params:
        if getattr(param, "param_type_name", "") != "option":
            continue
        for opt in param.opts:
            if opt.startswith("--"):
                out[opt[2:]] = param
    return out


def _line_of(text: str, key: str) -> int | None:
    k = re.escape(key)
    # `key = ...`, `"key" = ...`, `key.sub = ...` or a table header `[key]` / `[[key]]`
    pattern = re.compile(rf"^\s*(?:\[\[?\s*)?(?:{k}|\"{k}\"|'{k}')\s*[=.\]]")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def to_default_map(
    doc: Mapping[str, Any], command: TyperGroup, ctx: typer.Context, text: str, path: str
) -> dict[str, Any]:
    options = _options(command)
    allowed = sorted(k for k in options if k not in DENIED)
    out: dict[str, Any] = {}
    for key, value in doc.items():
        line = _line_of(text, key)
        if key in DENIED:
            why = (
                "secrets do not belong in a settings file; use token-file / password-file"
                if key in ("token", "password")
                else "it cannot be set in a settings file"
            )
            raise SettingsError(f"key {key!r}: {why}", file=path, line=line)
        param = options.get(key)
        if param is None:
            import difflib

            close = difflib.get_close_matches(key.replace("_", "-"), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "keys: " + ", ".join(allowed)
            raise SettingsError(f"unknown key {key!r}", file=path, line=line, hint=hint)
        out[param.name] = _value(key, value, param, ctx, path, line)
    return out


def _value(
    key: str, value: Any, param: Any, ctx: typer.Context, path: str, line: int | None
) -> Any:
    def wrong(expected: str) -> SettingsError:
        got = type(value).__name__
        return SettingsError(f"key {key!r} must be {expected}, not {got}", file=path, line=line)

    scalar = (str, int, float)
    if param.is_flag and not param.multiple:
        if not isinstance(value, bool):
            raise wrong("true or false")
    elif param.multiple:
        if isinstance(value, scalar) and not isinstance(value, bool):
            value = [value]  # one value where the option may be repeated
        if not isinstance(value, list) or not all(
            isinstance(v, scalar) and not isinstance(v, bool) for v in value
        ):
            raise wrong("a string or an array of strings")
    elif isinstance(value, bool) or not isinstance(value, scalar):
        raise wrong("a string or a number")
    try:
        param.type_cast_value(ctx, value)
    except Exception as exc:  # click's BadParameter: say which key, never a traceback
        message = getattr(exc, "message", None) or str(exc)
        raise SettingsError(f"key {key!r}: {message}", file=path, line=line) from None
    return value
