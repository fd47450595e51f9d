"""Go's ``regexp`` (RE2 syntax) on top of Python's ``re``, for sprig's regex functions.

The two syntaxes mostly agree; the differences templates can meet are handled here: ``$`` matches only at
the very end unless ``(?m)``, POSIX classes such as ``[[:alpha:]]``, ``(?<name>...)`` groups, ``$1`` and
``${name}`` in replacements, and Go's rule that an empty match right after a previous match is skipped.
"""

from __future__ import annotations

import re

from kops.templating.errors import FuncError

_POSIX = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ", "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, in_class = 0, False
    multiline = "(?m" in pattern or ("(?" in pattern and re.search(r"\(\?[a-zA-Z]*m", pattern) is not None)
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\Z" if nxt == "z" and not in_class else ch + nxt)
            i += 2
            continue
        if in_class:
            m = re.match(r"\[:(\^?)([a-z]+):\]", pattern[i:])
            if m and m.group(2) in _POSIX:
                if m.group(1):
                    raise FuncError("negated POSIX classes are not supported")
                out.append(_POSIX[m.group(2)])
                i += m.end()
                continue
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern[i:i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i:i + 1] == "]":
                out.append("\\]")
                i += 1
            continue
        elif ch == "$" and not multiline:
            out.append("(?!(?s:.))")
            i += 1
            continue
        elif pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def compile(pattern: str) -> re.Pattern[str]:
    """The pattern compiled, or Go's ``regexp.Compile`` error."""
    try:
        return re.compile(_translate(pattern))
    except re.error as exc:
        raise FuncError(f"error parsing regexp: {exc}: `{pattern}`") from None


def find_all(regex: re.Pattern[str], s: str, n: int) -> list[re.Match[str]]:
    """Go's ``FindAll...(s, n)``: at most n matches (all when n < 0), skipping an empty match that touches the
    previous match."""
    if n == 0:
        return []
    found: list[re.Match[str]] = []
    prev_end = -1
    for m in regex.finditer(s):
        if m.start() == m.end() and m.start() == prev_end:
            continue
        found.append(m)
        prev_end = m.end()
        if 0 < n <= len(found):
            break
    return found


def expand(template: str, m: re.Match[str]) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``; unknown groups are empty."""
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch != "$" or i + 1 >= len(template):
            out.append(ch)
            i += 1
            continue
        if template[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        braced = re.match(r"\{([A-Za-z0-9_]+)\}", template[i + 1:])
        plain = re.match(r"[A-Za-z0-9_]+", template[i + 1:])
        match = braced or plain
        if not match:
            out.append("$")
            i += 1
            continue
        name = match.group(1) if braced else match.group(0)
        i += 1 + match.end()
        try:
            group = m.group(int(name)) if name.isdigit() else m.group(name)
        except IndexError:
            group = None
        out.append(group or "")
    return "".join(out)


def replace_all(regex: re.Pattern[str], s: str, repl: str, literal: bool) -> str:
    out: list[str] = []
    last = 0
    for m in find_all(regex, s, -1):
        out.append(s[last:m.start()])
        out.append(repl if literal else expand(repl, m))
        last = m.end()
    out.append(s[last:])
    return "".join(out)


def split(regex: re.Pattern[str], s: str, n: int) -> list[str]:
    """Go's ``Regexp.Split``."""
    if n == 0:
        return []
    if regex.pattern and s == "":
        return [""]
    parts: list[str] = []
    beg = end = 0
    for m in find_all(regex, s, n):
        if n > 0 and len(parts) == n - 1:
            break
        end = m.start()
        if m.end() != 0:
            parts.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        parts.append(s[beg:])
    return parts
