"""Durations as Go writes them (``15m``, ``1h30m``, ``300ms``, ``-1.5s``), the form upstream's flags take, and the
click type of flags that take one."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import click

_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def nanoseconds(text: str) -> int:
    """Go's ``time.ParseDuration``, in nanoseconds; ValueError (Go's message) when malformed."""
    s, sign = text, 1
    if s[:1] in ("+", "-"):
        sign, s = (-1 if s[0] == "-" else 1), s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'time: invalid duration "{text}"')
    total, pos = 0, 0
    while pos < len(s):
        m = _PART.match(s, pos)
        if not m:
            raise ValueError(f'time: invalid duration "{text}"')
        total += round(float(m.group(1)) * _UNITS[m.group(2)])
        pos = m.end()
    return sign * total


def parse(text: str) -> timedelta:
    return timedelta(microseconds=nanoseconds(text) / 1000)


class Duration(click.ParamType):
    """A flag's duration: ``--drain-timeout 15m``; a malformed or negative one is a usage error naming the flag."""

    name = "duration"

    def convert(self, value: Any, param: Any, ctx: Any) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            parsed = parse(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a duration such as 30s, 15m or 1h30m", param, ctx)
        if parsed < timedelta(0):
            self.fail(f"{value!r} is negative", param, ctx)
        return parsed


DURATION = Duration()
