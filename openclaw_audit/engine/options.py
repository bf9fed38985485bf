"""AuditOptions: everything the CLI parsed, as one frozen object the runner consumes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.probes.base import DEFAULT_TIMEOUT_S, MIN_TIMEOUT_S
from openclaw_audit.report.model import Severity
from openclaw_audit.report.selectors import any_matches


@dataclass(frozen=True, slots=True)
class AuditOptions:
    config_path: str | None = None
    state_dir: str | None = None
    env: Mapping[str, str] | None = None  # None: the real environment (+ .env files)
    deep: bool = False
    timeout: float = DEFAULT_TIMEOUT_S
    auth_override: AuthOverride | None = None
    probe_token: str | None = None
    probe_password: str | None = None
    allow_exec: bool = False
    checks: tuple[str, ...] = ()  # --check patterns (exact id or prefix with *)
    skip_checks: tuple[str, ...] = ()
    min_severity: Severity | None = None
    strict_config: bool = False  # a config the schema rejects is an input error (exit 2)
    config_schema: str | None = None  # validate against this schema file instead of 2026.9.6

    def __post_init__(self) -> None:
        if self.timeout < MIN_TIMEOUT_S:
            object.__setattr__(self, "timeout", MIN_TIMEOUT_S)

    def wants(self, check_id: str) -> bool:
        """Whether --check/--skip-check select ``check_id``."""
        if self.checks and not any_matches(self.checks, check_id):
            return False
        return not any_matches(self.skip_checks, check_id)
