"""Pause the cyclic garbage collector while an audit builds its (acyclic) data.

An audit of a 10,000-entry config allocates millions of small containers; each allocation
burst triggers a collection that scans every live object again, so the collector's work grows
faster than the input (30-50 % of the run at that size). Nothing the audit builds depends on
cycle collection, so it is paused for the run; the cycles a run leaves (tracebacks of failed
checks, say) are collected once it is resumed. No ``gc.freeze()``: a fleet runs many audits in
one process, and frozen garbage would never be collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
