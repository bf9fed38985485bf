"""``.env`` files, read the way OpenClaw reads them (trust.md §4, config-model.md §2 step 1).

OpenClaw uses Node's ``dotenv`` package (``dotenv.config()``), so this follows that parser line
for line: ``KEY=VALUE`` or ``KEY: VALUE``, keys of ``[A-Za-z0-9_.-]``, an optional ``export ``,
values in single, double or back quotes (which may span lines), ``#`` comments, the last
assignment of a key wins. Where Node's dotenv differs from python-dotenv we follow Node:

- an unquoted value ends at the first ``#``, even without a space before it (``A=b#c`` is ``b``);
- in double quotes only ``\\n`` and ``\\r`` are escapes; ``\\"``, ``\\t``, ``\\\\`` stay as written;
  single and back quotes keep every backslash;
- no ``${VAR}`` interpolation (upstream does not use dotenv-expand);
- a line that does not parse (``A="b" c``) falls back to the unquoted form, quotes included.

Files only fill names that are not already set; the process environment is never touched.
"""

from __future__ import annotations

import os
import re
import stat

from openclaw_audit import lazyre

MAX_DOTENV_BYTES = 1 << 20

# JavaScript's \s (WhiteSpace + LineTerminator): what Node's pattern and String.trim() use.
_JS_WS = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_S = f"[{re.escape(_JS_WS)}]"
# In JavaScript, ^ and $ (multiline) and . also treat U+2028/U+2029 as line ends.
_BOL = r"(?:^|(?<=[\u2028\u2029]))"
_EOL = r"(?=[\n\u2028\u2029]|\Z)"
_DOT = r"[^\n\u2028\u2029]"
# Node dotenv's LINE pattern, with ^ $ . \s \w spelled out as JavaScript means them.
_LINE = lazyre.compile(
    rf"{_BOL}{_S}*(?:export{_S}+)?([A-Za-z0-9_.-]+)(?:{_S}*={_S}*?|:{_S}+?)"
    rf"({_S}*'(?:\\'|[^'])*'|{_S}*\"(?:\\\"|[^\"])*\"|{_S}*`(?:\\`|[^`])*`|[^#\r\n]+)?"
    rf"{_S}*(?:#{_DOT}*)?{_EOL}",
    re.MULTILINE,
)


# Node's quote removal: /^(['"`])([\s\S]*)\1$/mg, replaced with the inner text.
_QUOTED = lazyre.compile(rf"{_BOL}(['\"`])([\s\S]*)\1{_EOL}", re.MULTILINE)


def _js_trim(value: str) -> str:
    return value.strip(_JS_WS)


def parse_dotenv(text: str) -> dict[str, str]:
    """The variables a ``.env`` text defines, as Node's dotenv ``parse`` returns them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: dict[str, str] = {}
    for match in _LINE.finditer(text):
        value = _js_trim(match.group(2) or "")
        quote = value[:1]
        value = _QUOTED.sub(r"\2", value)
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        out[match.group(1)] = value
    return out


def read_dotenv(path: str) -> dict[str, str]:
    """The variables of the ``.env`` file at ``path``; nothing when it is missing, unreadable,
    too large or not a regular file (a FIFO there must not block the audit)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_DOTENV_BYTES:
            return {}
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return {}
            data = os.read(fd, MAX_DOTENV_BYTES + 1)
        finally:
            os.close(fd)
    except OSError:
        return {}
    return parse_dotenv(data.decode("utf-8", errors="replace"))


def load_dotenv_into(env: dict[str, str], path: str) -> list[str]:
    """Fill the names ``path`` defines that ``env`` lacks; returns the names it set."""
    added = []
    for key, value in read_dotenv(path).items():
        if key not in env:
            env[key] = value
            added.append(key)
    return added
