"""Input and usage errors: one clear line for the user, an exit code, never a traceback."""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_FINDINGS = 1  # --fail-on threshold reached, or --fix recorded errors
EXIT_INPUT = 2  # usage error, or the input could not be loaded


class AuditError(Exception):
    """An error the user must see as one line (plus an optional hint), exit code 2.

    Messages never contain secret values: callers pass paths and positions, not content.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        kind: str = "input_error",
        exit_code: int = EXIT_INPUT,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        self.kind = kind
        self.exit_code = exit_code

    def location(self) -> str:
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """``error: <file>:<line>:<col>: <message>`` (plus a ``hint:`` line): each exactly one
        line, whatever characters the file name or the message carry."""
        from openclaw_audit.textsafe import one_line

        loc = self.location()
        head = one_line(f"error: {loc}: {self.message}" if loc else f"error: {self.message}")
        return f"{head}\nhint: {one_line(self.hint)}" if self.hint else head

    def to_json(self) -> dict[str, Any]:
        err: dict[str, Any] = {"type": "cli_error", "kind": self.kind, "message": self.message}
        if self.file is not None:
            err["file"] = self.file
        if self.line is not None:
            err["line"] = self.line
        if self.column is not None:
            err["column"] = self.column
        if self.hint:
            err["hint"] = self.hint
        return {"ok": False, "error": err}


class UsageError(AuditError):
    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, kind="usage_error")


class ConfigError(AuditError):
    """The config (or an include) could not be read or parsed."""


class ConfigInvalid(ConfigError):
    """``--strict-config``: the config loads but OpenClaw's schema rejects it. The JSON form
    adds upstream's ``issues`` list (``[{"path", "message"}]``) next to ``error``."""

    def __init__(self, message: str, *, issues: list[dict[str, str]], **where: Any) -> None:
        super().__init__(message, kind="config_invalid", **where)
        self.issues = issues

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "issues": self.issues}
