"""Which deep probes run: ``--probe`` / ``--skip-probe`` (output-ux.md §2).

Stdlib only: the CLI parses the names without loading any probe. A probe left out is never
imported or started; ``report.deep`` still names it, as skipped, with the reason.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from openclaw_audit.errors import UsageError

# Canonical order, as in report.deep.
PROBE_NAMES: tuple[str, ...] = ("gateway", "http", "docker", "mdns")

SKIPPED_BY_NAME = "left out by --probe/--skip-probe"
SKIPPED_BY_CHECKS = "every check of this probe is excluded by --check/--skip-check"
UNAVAILABLE = "the probe could not be loaded (a missing dependency?)"


def _names(values: Iterable[str], flag: str) -> list[str]:
    names: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                raise UsageError(f"{flag}: empty probe name (choose from {', '.join(PROBE_NAMES)})")
            if name not in PROBE_NAMES:
                near = difflib.get_close_matches(name, PROBE_NAMES, n=1, cutoff=0.5)
                hint = f"; did you mean {near[0]}?" if near else ""
                raise UsageError(
                    f"{flag}: unknown probe {part.strip()!r} "
                    f"(choose from {', '.join(PROBE_NAMES)}){hint}"
                )
            names.append(name)
    return names


def choose_probes(probe: Iterable[str] = (), skip: Iterable[str] = ()) -> frozenset[str] | None:
    """The probes to run from ``--probe`` and ``--skip-probe`` values (comma lists allowed);
    None when neither was given (every probe runs)."""
    chosen, skipped = _names(probe, "--probe"), _names(skip, "--skip-probe")
    if not chosen and not skipped:
        return None
    base = set(chosen) if chosen else set(PROBE_NAMES)
    return frozenset(base - set(skipped))


def module_selected(module: str, probes: frozenset[str] | None) -> bool:
    """Whether the collector module ``<name>_probe`` may be imported at all."""
    return probes is None or module.removesuffix("_probe") in probes


def skip_reason(name: str, probes: frozenset[str] | None) -> str:
    """Why a probe that was loaded did not run."""
    return SKIPPED_BY_NAME if probes is not None and name not in probes else SKIPPED_BY_CHECKS


def skipped_section(reason: str) -> dict[str, Any]:
    """``report.deep.<name>`` of a probe that did not run."""
    return {"attempted": False, "skipped": reason}
