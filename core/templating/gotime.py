"""Go's time layouts (``2006-01-02 15:04:05``), used by sprig's date functions and by printing a time.

Go formats dates by example: a layout spells the reference time Mon Jan 2 15:04:05 MST 2006 the way the
output should look. Templates pass such layouts to ``date`` and ``dateInZone``, so they are parsed here
rather than translated to ``strftime``, which has no way to say "day without padding" or "fraction
without trailing zeros".
"""

from __future__ import annotations

import datetime
import re

from kops.durations import nanoseconds
from kops.templating.gotypes import GoTime

# Longest first, so "2006" wins over "2" and "January" over "Jan".
_TOKENS = re.compile(
    r"January|Monday|2006|Jan|Mon|MST|002|__2|_2|01|02|03|04|05|06|15|PM|pm|"
    r"Z07:00:00|-07:00:00|Z070000|-070000|Z07:00|-07:00|Z0700|-0700|Z07|-07|"
    r"[.,](?:0+|9+)(?!\d)|1|2|3|4|5"
)


def _zone(t: GoTime) -> tuple[str, int]:
    offset = t.dt.utcoffset() or datetime.timedelta(0)
    name = t.dt.tzname() or ""
    return name, int(offset.total_seconds())


def _offset(seconds: int, z: bool, colon: bool, with_seconds: bool, hours_only: bool) -> str:
    if z and seconds == 0:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    if hours_only:
        return f"{sign}{h:02d}"
    sep = ":" if colon else ""
    text = f"{sign}{h:02d}{sep}{m:02d}"
    return text + f"{sep}{s:02d}" if with_seconds else text


def format_time(t: GoTime, layout: str) -> str:
    """``time.Time.Format(layout)``."""
    dt = t.dt
    out: list[str] = []
    pos = 0
    for m in _TOKENS.finditer(layout):
        out.append(layout[pos:m.start()])
        pos = m.end()
        tok = m.group()
        name, offset = _zone(t)
        hour12 = dt.hour % 12 or 12
        if tok[0] in ".," and len(tok) > 1:
            digits = f"{t.nanos:09d}"[: len(tok) - 1]
            if tok[1] == "9":
                digits = digits.rstrip("0")
                out.append(tok[0] + digits if digits else "")
            else:
                out.append(tok[0] + digits)
            continue
        out.append({
            "January": dt.strftime("%B"), "Monday": dt.strftime("%A"), "2006": f"{dt.year:04d}",
            "Jan": dt.strftime("%b"), "Mon": dt.strftime("%a"),
            "MST": name if name and not name.startswith(("+", "-")) else _offset(offset, False, False, False, True)
            if offset % 3600 == 0 else _offset(offset, False, False, False, False),
            "002": f"{dt.timetuple().tm_yday:03d}", "__2": f"{dt.timetuple().tm_yday:>3d}",
            "_2": f"{dt.day:>2d}", "01": f"{dt.month:02d}", "02": f"{dt.day:02d}", "03": f"{hour12:02d}",
            "04": f"{dt.minute:02d}", "05": f"{dt.second:02d}", "06": f"{dt.year % 100:02d}", "15": f"{dt.hour:02d}",
            "PM": "PM" if dt.hour >= 12 else "AM", "pm": "pm" if dt.hour >= 12 else "am",
            "Z07:00:00": _offset(offset, True, True, True, False), "-07:00:00": _offset(offset, False, True, True, False),
            "Z070000": _offset(offset, True, False, True, False), "-070000": _offset(offset, False, False, True, False),
            "Z07:00": _offset(offset, True, True, False, False), "-07:00": _offset(offset, False, True, False, False),
            "Z0700": _offset(offset, True, False, False, False), "-0700": _offset(offset, False, False, False, False),
            "Z07": _offset(offset, True, False, False, True), "-07": _offset(offset, False, False, False, True),
            "1": str(dt.month), "2": str(dt.day), "3": str(hour12), "4": str(dt.minute), "5": str(dt.second),
        }[tok])
    out.append(layout[pos:])
    return "".join(out)


def time_string(t: GoTime) -> str:
    """``time.Time.String()``: what ``{{ now }}`` prints."""
    return format_time(t, "2006-01-02 15:04:05.999999999 -0700 MST")


def local_zone() -> datetime.tzinfo:
    """The machine's zone, which Go calls ``Local``."""
    return datetime.datetime.now().astimezone().tzinfo or datetime.UTC


def load_zone(name: str) -> datetime.tzinfo | None:
    """``time.LoadLocation``: ``UTC``, ``Local`` or an IANA name; None when unknown."""
    if name in ("", "UTC"):
        return datetime.UTC
    if name == "Local":
        return local_zone()
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ValueError, OSError, LookupError):
        return None


def format_duration(nanos: int) -> str:
    """``time.Duration.String()``: ``1h2m3s``, ``1.5s``, ``2ms``."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    n = abs(nanos)
    if n < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if n >= size:
                whole, frac = divmod(n, size)
                frac_text = f"{frac:0{len(str(size)) - 1}d}".rstrip("0") if size > 1 else ""
                return f"{sign}{whole}{'.' + frac_text if frac_text else ''}{unit}"
    seconds, frac = divmod(n, 1_000_000_000)
    frac_text = f"{frac:09d}".rstrip("0")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs}{'.' + frac_text if frac_text else ''}s"
    if hours or minutes:
        text = f"{minutes}m" + text
    if hours:
        text = f"{hours}h" + text
    return sign + text


def parse_duration(text: str) -> int:
    """``time.ParseDuration`` in nanoseconds (``1h30m``, ``-1.5s``); ValueError when malformed."""
    return nanoseconds(text)
