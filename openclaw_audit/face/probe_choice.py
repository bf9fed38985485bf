"""``--probe`` / ``--skip-probe`` as the CLI gives them -> ``AuditOptions.probes``."""

from __future__ import annotations

from collections.abc import Sequence

from openclaw_audit.errors import UsageError
from openclaw_audit.probes.selection import choose_probes


def probe_choice(deep: bool, probe: Sequence[str], skip: Sequence[str]) -> frozenset[str] | None:
    """The probes to run; unknown names are an input error with a did-you-mean (exit 2)."""
    probes = choose_probes(probe, skip)
    if probes is not None and not deep:
        flag = "--probe" if probe else "--skip-probe"
        raise UsageError(f"{flag} only makes sense with --deep")
    return probes
