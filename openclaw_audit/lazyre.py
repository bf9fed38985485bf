"""Regular expressions compiled on first use.

Compiling every module-level pattern at import costs the cold start (~0.1-0.3 ms each), and
most of them serve config sections a given run never reaches. :func:`compile` returns a
stand-in that compiles on the first attribute access (``.match``, ``.search``, ...) and then
hands out the real pattern's methods directly. Use it only where the pattern is used through
its methods; ``re.sub(PATTERN, ...)`` needs a real pattern.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LazyPattern", "compile"]


class LazyPattern:
    __slots__ = ("__dict__", "_args")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        value = getattr(re.compile(*self._args), name)
        self.__dict__[name] = value  # later accesses skip __getattr__
        return value

    def __repr__(self) -> str:
        return f"lazyre.compile({self._args[0]!r}, {self._args[1]!r})"


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile``, deferred to the first use (typed as the pattern it stands for)."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]
