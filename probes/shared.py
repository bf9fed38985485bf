"""Facts gathered once per run and shared by every target's judge (deep-probes.md §7, fleet).

The mDNS browse listens to the whole network and the Docker query asks the one local daemon:
neither depends on the target, so a fleet run makes each once (per distinct key: the
interfaces browsed, the Docker endpoint, the timeout) and every target judges the same facts.

The work runs in the fleet's own task group, not inside the first target that asked for it: a
target whose deadline fires stops waiting (its probe times out as usual) without cancelling
what the other targets wait for. Each computation is bounded by its own deadline too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from anyio.abc import TaskGroup

T = TypeVar("T")


@dataclass
class _Pending:
    done: anyio.Event = field(default_factory=anyio.Event)
    value: Any = None
    error: BaseException | None = None


class SharedFacts:
    """Each key computed at most once for the run; later callers wait for the first result."""

    def __init__(self, tg: TaskGroup) -> None:
        self._tg = tg
        self._pending: dict[Hashable, _Pending] = {}
        self.computed: list[Hashable] = []  # keys actually computed, in order (for tests)

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]], deadline_s: float) -> T:
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending()
            self.computed.append(key)
            self._tg.start_soon(self._compute, pending, compute, deadline_s)
        await pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.value  # type: ignore[no-any-return]

    @staticmethod
    async def _compute(
        pending: _Pending, compute: Callable[[], Awaitable[Any]], deadline_s: float
    ) -> None:
        try:
            with anyio.fail_after(deadline_s):
                pending.value = await compute()
        except Exception as exc:  # TimeoutError included: each waiter's probe reports it
            pending.error = exc
        finally:
            pending.done.set()


async def shared_or_own(
    shared: SharedFacts | None,
    key: Hashable,
    compute: Callable[[], Awaitable[T]],
    deadline_s: float,
) -> T:
    """The run's shared result for ``key`` when there is a shared store, else compute it."""
    if shared is None:
        return await compute()
    return await shared.get(key, compute, deadline_s)
