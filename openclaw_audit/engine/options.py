"""AuditOptions: everything the CLI parsed, as one frozen object the runner consumes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openclaw_audit.engine.context import AuthOverride
from openclaw_audit.errors import UsageError
from openclaw_audit.report.model import Severity
from openclaw_audit.report.selectors import any_matches

if TYPE_CHECKING:
    from openclaw_audit.advisories.store import AdvisoryDb

# Live-probe deadlines (deep-probes.md §1). Here, not in probes/base.py, so that parsing the
# options does not import the deep-probe package on the static path.
DEFAULT_TIMEOUT_S = 5.0
MIN_TIMEOUT_S = 0.25
# A --deep fleet probes this many targets at once (each opens a WebSocket and a few HTTP
# connections), all in one event loop.
DEFAULT_CONCURRENCY = 64


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
    trust_cwd_dotenv: bool = False  # --trust-cwd-dotenv
    fixing: bool = False  # the audits of a --fix run (they decide which files change)
    advisories: AdvisoryDb | None = None  # loaded by the face: --advisories or the cache
    strict_config: bool = False  # a config the schema rejects is an input error (exit 2)
    config_schema: str | None = None  # validate against this schema file instead of 2026.9.6
    # --probe/--skip-probe: the deep probes to run, by name (gateway, http, docker, mdns);
    # None runs every probe. A probe left out is never started (it costs nothing).
    probes: frozenset[str] | None = None

    def __post_init__(self) -> None:
        # A deadline below the floor, NaN or infinity is a typo, not a wish (trust.md §2).
        if not math.isfinite(self.timeout) or self.timeout < MIN_TIMEOUT_S:
            raise UsageError(
                f"--timeout must be a finite number of seconds, at least {MIN_TIMEOUT_S}"
            )

    @property
    def cwd_dotenv_locations(self) -> bool:
        """Whether the current directory's .env may choose locations (trust.md §4): only
        when nothing is sent or changed, or when the user said so."""
        return self.trust_cwd_dotenv or not (self.deep or self.fixing)

    def wants(self, check_id: str) -> bool:
        """Whether --check/--skip-check select ``check_id``."""
        if self.checks and not any_matches(self.checks, check_id):
            return False
        return not any_matches(self.skip_checks, check_id)
