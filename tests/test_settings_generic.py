"""The settings file maps keys onto whatever long options the command has (scheduled-scans.md
§8): options that other parts of the tool add (``--history``, ``--output FMT=PATH``,
``--notify-*``) need nothing here. Shown on a small command built like the real one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.testing import CliRunner

from openclaw_audit.errors import AuditError
from openclaw_audit.face.settings import SettingsGroup, raise_settings_error

SEEN: dict[str, Any] = {}
app = typer.Typer(cls=SettingsGroup, add_completion=False, invoke_without_command=True)


@app.callback()
def main(
    ctx: typer.Context,
    settings: Annotated[Path | None, typer.Option("--settings")] = None,
    state_dir: Annotated[str | None, typer.Option("--state-dir")] = None,
    history: Annotated[
        Path | None, typer.Option("--history", envvar="OPENCLAW_AUDIT_HISTORY")
    ] = None,
    output: Annotated[list[str] | None, typer.Option("-o", "--output")] = None,
    notify_on: Annotated[str, typer.Option("--notify-on")] = "new,escalated,probe-failed",
    notify_webhook: Annotated[str | None, typer.Option("--notify-webhook")] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet")] = False,
) -> None:
    raise_settings_error(ctx)
    SEEN.clear()
    values = {
        "history": history,
        "output": output,
        "notify_on": notify_on,
        "notify_webhook": notify_webhook,
        "quiet": quiet,
    }
    for name, value in values.items():  # as the command receives them, and from where
        source = ctx.get_parameter_source(name)
        SEEN[name] = (value, source.name if source else None)


def invoke(tmp_path: Path, text: str, *args: str, env: dict[str, str] | None = None) -> Any:
    path = tmp_path / "s.toml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["--settings", str(path), *args], env=env or {})
    return result


SETTINGS = """
history = "/var/lib/file.db"
output = ["metrics=/m.prom", "html=/r.html"]
notify-on = "always"
notify-webhook = "https://hooks.example.com/x"
quiet = true
"""


def test_keys_reach_options_this_module_does_not_know(tmp_path: Path) -> None:
    result = invoke(tmp_path, SETTINGS, env={"OPENCLAW_AUDIT_HISTORY": ""})
    assert result.exit_code == 0, result.output
    assert SEEN["history"] == (Path("/var/lib/file.db"), "DEFAULT_MAP")
    assert SEEN["output"] == (["metrics=/m.prom", "html=/r.html"], "DEFAULT_MAP")
    assert SEEN["notify_on"] == ("always", "DEFAULT_MAP")
    assert SEEN["notify_webhook"] == ("https://hooks.example.com/x", "DEFAULT_MAP")
    assert SEEN["quiet"] == (True, "DEFAULT_MAP")


def test_command_line_then_environment_then_file(tmp_path: Path) -> None:
    result = invoke(
        tmp_path, SETTINGS, "--output", "json=/j.json", "--notify-on", "new",
        env={"OPENCLAW_AUDIT_HISTORY": "/env.db"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert SEEN["output"] == (["json=/j.json"], "COMMANDLINE")  # replaces the file's list
    assert SEEN["notify_on"] == ("new", "COMMANDLINE")
    assert SEEN["history"] == (Path("/env.db"), "ENVIRONMENT")
    assert SEEN["quiet"] == (True, "DEFAULT_MAP")


def test_one_string_for_a_repeatable_option(tmp_path: Path) -> None:
    result = invoke(tmp_path, 'output = "metrics=/m.prom"\n')
    assert result.exit_code == 0, result.output
    assert SEEN["output"] == (["metrics=/m.prom"], "DEFAULT_MAP")


def test_errors_name_the_key_and_line(tmp_path: Path) -> None:
    result = invoke(tmp_path, 'quiet = true\nnotify-onn = "new"\n')
    assert isinstance(result.exception, AuditError)
    assert result.exception.render() == (
        f"error: {tmp_path / 's.toml'}:2: unknown key 'notify-onn'\nhint: did you mean 'notify-on'?"
    )
    result = invoke(tmp_path, 'quiet = true\n\n[history]\npath = "x"\n')
    assert isinstance(result.exception, AuditError)
    assert result.exception.line == 3 and "key 'history' must be" in result.exception.message
