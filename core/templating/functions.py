"""Sprig's template functions (``sprig.TxtFuncMap()``), which upstream kOps gives every template.

Each function keeps sprig's argument order (built for pipelines: ``.name | trimPrefix "x-"``), its Go
parameter types (``repeat`` wants an ``int``, so a number from a values file, a ``float64``, must go through
``int`` first) and its quirks users see: ``default`` treats every zero value as unset, ``join`` skips nils,
``add`` truncates floats, ``keys`` returns a ``[]string``, ``split`` returns a map with keys ``_0``, ``_1``.

The handful of sprig functions that generate keys and certificates, look names up in DNS or derive
passwords are registered but fail when called, so a template that uses them fails with a clear reason.
"""

from __future__ import annotations

import base64
import copy
import datetime
import decimal
import hashlib
import math
import os
import posixpath
import re
import secrets
import string
import uuid
import zlib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kops.templating import goregexp, gotime
from kops.templating.errors import FuncError
from kops.templating.executor import ANY, GoFunc
from kops.templating.gofmt import quote as go_quote
from kops.templating.gofmt import sprintf, value_string
from kops.templating.gojson import dumps as json_dumps
from kops.templating.gotypes import (
    MAP,
    GoTime,
    Int64,
    IntList,
    ListList,
    StrList,
    StrMap,
    deep_equal,
    is_int,
    kind_name,
    type_name,
    wrap_int64,
)
from kops.templating.parser import parse_go_float, parse_go_int

NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"

# -- conversions (spf13/cast and sprig's strval) ---------------------------------------------------------


def strval(v: Any) -> str:
    """sprig's ``strval``: strings as they are, anything else as ``%v`` prints it."""
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return value_string(v)


def to_int64(v: Any) -> int:
    """``cast.ToInt64``: numbers truncated, booleans 1/0, numeric strings parsed, anything else 0."""
    if v is None or v is False:
        return 0
    if v is True:
        return 1
    if is_int(v):
        return wrap_int64(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return -(1 << 63)
        return wrap_int64(int(v))
    if isinstance(v, str):
        text = v
        if "." in text:
            m = re.fullmatch(r"([-+]?\d*)(\.\d*)?", text)
            if m:
                text = m.group(1) if m.group(1) not in ("", "-", "+") else m.group(1) + "0"
        parsed = parse_go_int(text)
        return parsed if parsed is not None and -(1 << 63) <= parsed < (1 << 63) else 0
    return 0


def to_float64(v: Any) -> float:
    """``cast.ToFloat64``."""
    if v is None or v is False:
        return 0.0
    if v is True:
        return 1.0
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        parsed = parse_go_float(v)
        return parsed if parsed is not None else 0.0
    return 0.0


def strslice(v: Any) -> StrList:
    """sprig's ``strslice``: a list's non-nil elements as strings, or a scalar as a one-element list."""
    if isinstance(v, list | tuple):
        return StrList(strval(x) for x in v if x is not None)
    if v is None:
        return StrList()
    return StrList([strval(v)])


def empty(v: Any) -> bool:
    """sprig's ``empty``: the zero value of its type (nil, 0, "", false, an empty list or map)."""
    if v is None:
        return True
    if isinstance(v, GoTime):
        return False
    if isinstance(v, str | list | tuple | dict | bytes):
        return len(v) == 0
    if isinstance(v, bool | int | float | complex):
        return not v
    return False


def _list_kind(v: Any, what: str) -> list[Any]:
    """A list argument, or the panic sprig raises for anything else."""
    if v is None:
        raise FuncError(NIL_DEREF)
    if isinstance(v, list | tuple):
        return list(v)
    raise FuncError(f"Cannot {what} on type {kind_name(v)}")


def _as_list(v: Any, like: Any) -> list[Any]:
    """A new list of the same Go type as ``like``."""
    return type(like)(v) if isinstance(like, StrList | IntList | ListList) else list(v)


# -- strings ------------------------------------------------------------------------------------------------


def _go_slice(s: str, start: int, end: int) -> str:
    data = s.encode()
    if not 0 <= start <= end <= len(data):
        raise FuncError(f"runtime error: slice bounds out of range [{start}:{end}] with length {len(data)}")
    return data[start:end].decode("utf-8", "replace")


def substr(start: int, end: int, s: str) -> str:
    length = len(s.encode())
    if start < 0:
        return _go_slice(s, 0, end)
    if end < 0 or end > length:
        return _go_slice(s, start, length)
    return _go_slice(s, start, end)


def trunc(c: int, s: str) -> str:
    length = len(s.encode())
    if c < 0 and length + c > 0:
        return _go_slice(s, length + c, length)
    if c >= 0 and length > c:
        return _go_slice(s, 0, c)
    return s


def title(s: str) -> str:
    """Go's ``strings.Title``: upper-case the first letter of each word (words end at non-letters)."""
    out, prev = [], " "
    for ch in s:
        if ord(prev) < 0x80:
            separator = not (prev.isalnum() or prev == "_")
        else:  # beyond ASCII, Go counts only spaces as separators (letters, digits and symbols join words)
            separator = prev.isspace()
        out.append(ch.upper() if separator else ch)
        prev = ch
    return "".join(out)


def untitle(s: str) -> str:
    return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).lower(), s)


def _words(s: str) -> list[str]:
    """Words of an identifier-like string: ``HTTPServer_name`` is HTTP, Server, name."""
    return re.findall(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+", s)


def snakecase(s: str) -> str:
    return "_".join(w.lower() for w in _words(s))


def kebabcase(s: str) -> str:
    return "-".join(w.lower() for w in _words(s))


def camelcase(s: str) -> str:
    return "".join(w[:1].upper() + w[1:].lower() for w in re.split(r"[_\-\s.]+", s) if w)


def swapcase(s: str) -> str:
    return s.swapcase()


def initials(s: str) -> str:
    return "".join(w[0] for w in s.split())


def wrap_with(length: int, sep: str, s: str) -> str:
    """goutils' ``WrapCustom`` with long words broken: lines of at most ``length`` characters."""
    if length < 1:
        length = 1
    lines = []
    for paragraph in s.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            while len(word) > length:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:length])
                word = word[length:]
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= length:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return sep.join(lines)


def abbrev(width: int, s: str) -> str:
    if width < 4 or len(s) <= width:
        return s
    return s[: width - 3] + "..."


def abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    if len(s) <= right:
        return s
    left = max(0, min(left, len(s)))
    if len(s) - left < right - 3:
        left = len(s) - (right - 3)
    if left <= 4:
        return s[: right - 3] + "..."
    if left + right - 3 < len(s):
        return "..." + abbrev(right - 3, s[left:])
    return "..." + s[len(s) - (right - 3):]


def indent(spaces: int, v: str) -> str:
    """sprig's ``indent``: every line, the first included, gets the padding."""
    pad = " " * spaces
    return pad + v.replace("\n", "\n" + pad)


def nindent(spaces: int, v: str) -> str:
    return "\n" + indent(spaces, v)


def quote(*args: Any) -> str:
    return " ".join(go_quote(strval(a)) for a in args if a is not None)


def squote(*args: Any) -> str:
    return " ".join(f"'{value_string(a)}'" for a in args if a is not None)


def cat(*args: Any) -> str:
    values = [a for a in args if a is not None]
    return sprintf(" ".join(["%v"] * len(values)), *values)


def repeat(count: int, s: str) -> str:
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    return s * count


def nospace(s: str) -> str:
    return "".join(ch for ch in s if not ch.isspace())


def plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


def split(sep: str, s: str) -> StrMap:
    return StrMap((f"_{i}", part) for i, part in enumerate(_go_split(s, sep)))


def splitn(sep: str, n: int, s: str) -> StrMap:
    return StrMap((f"_{i}", part) for i, part in enumerate(_go_split(s, sep, n)))


def _go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """Go's ``strings.SplitN``: an empty separator splits into characters; n 0 gives nothing."""
    if n == 0:
        return []
    if sep == "":
        chars = list(s)
        if 0 < n < len(chars):
            return chars[: n - 1] + ["".join(chars[n - 1:])]
        return chars
    return s.split(sep, n - 1) if n > 0 else s.split(sep)


def b64dec(s: str) -> str:
    try:
        return base64.b64decode(s, validate=True).decode("utf-8", "replace")
    except ValueError:
        return _illegal_data("base64", s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def b32dec(s: str) -> str:
    try:
        return base64.b32decode(s).decode("utf-8", "replace")
    except ValueError:
        return _illegal_data("base32", s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _illegal_data(kind: str, s: str, alphabet: str) -> str:
    """The text sprig returns for bad input: Go's error, naming the first bad byte."""
    stripped = s.rstrip("=")
    for i, ch in enumerate(stripped):
        if ch not in alphabet and ch not in "\r\n":
            return f"illegal {kind} data at input byte {i}"
    return f"illegal {kind} data at input byte {len(stripped)}"


def regex_find_all(pattern: str, s: str, n: int) -> StrList:
    return StrList(m.group() for m in goregexp.find_all(goregexp.compile(pattern), s, n))


def regex_find(pattern: str, s: str) -> str:
    found = goregexp.find_all(goregexp.compile(pattern), s, 1)
    return found[0].group() if found else ""


def regex_split(pattern: str, s: str, n: int) -> StrList:
    return StrList(goregexp.split(goregexp.compile(pattern), s, n))


def regex_quote_meta(s: str) -> str:
    return "".join("\\" + ch if ch in "\\.+*?()|[]{}^$" else ch for ch in s)


# -- numbers ------------------------------------------------------------------------------------------------


def _int_div(a: Any, b: Any, op: str) -> Int64:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise FuncError("runtime error: integer divide by zero")
    quotient = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)  # Go truncates toward zero
    return Int64(wrap_int64(quotient if op == "div" else x - quotient * y))


def _mul(a: Any, *rest: Any) -> Int64:
    value = to_int64(a)
    for b in rest:
        value = wrap_int64(value * to_int64(b))
    return Int64(value)


def _decimal(v: Any) -> decimal.Decimal:
    return decimal.Decimal(repr(to_float64(v)))


def _decimal_op(first: Any, rest: tuple[Any, ...], op: str) -> float:
    """shopspring/decimal arithmetic on the arguments' float values, returned as a float: ``addf 0.1 0.2`` is
    0.3, not 0.30000000000000004."""
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        value = _decimal(first)
        for x in rest:
            d = _decimal(x)
            if op == "add":
                value += d
            elif op == "sub":
                value -= d
            elif op == "mul":
                value *= d
            elif d == 0:
                raise FuncError("decimal division by 0")
            else:
                value /= d
        return float(value)


def until_step(start: int, stop: int, step: int) -> IntList:
    if stop < start:
        return IntList(range(start, stop, step)) if step < 0 else IntList()
    return IntList(range(start, stop, step)) if step > 0 else IntList()


def until(count: int) -> IntList:
    return until_step(0, count, -1 if count < 0 else 1)


def seq(*params: int) -> str:
    if len(params) == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        values = until_step(start, end + inc, inc)
    elif len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
        values = until_step(start, end + step, step)
    elif len(params) == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        values = until_step(start, end + inc, step)
    else:
        return ""
    return " ".join(str(v) for v in values)


def go_round(a: Any, places: int, *round_on: float) -> float:
    threshold = round_on[0] if round_on else 0.5
    value = to_float64(a)
    pow10 = math.pow(10, places)
    digit = pow10 * value
    frac = math.modf(digit)[0]
    return (math.ceil(digit) if frac >= threshold else math.floor(digit)) / pow10


def atoi(s: str) -> int:
    m = re.fullmatch(r"[+-]?\d+", s)
    if not m:
        return 0
    n = int(s)
    return n if -(1 << 63) <= n < (1 << 63) else 0


def to_decimal(v: Any) -> Int64:
    text = value_string(v)
    m = re.fullmatch(r"[+-]?[0-7]+(_[0-7]+)*", text)
    return Int64(int(text.replace("_", ""), 8)) if m else Int64(0)


# -- lists --------------------------------------------------------------------------------------------------


def go_list(*values: Any) -> list[Any]:
    return list(values)


def push(lst: Any, v: Any) -> list[Any]:
    return _list_kind(lst, "push") + [v]


def prepend(lst: Any, v: Any) -> list[Any]:
    return [v] + _list_kind(lst, "prepend")


def first(lst: Any) -> Any:
    items = _list_kind(lst, "find first")
    return items[0] if items else None


def last(lst: Any) -> Any:
    items = _list_kind(lst, "find last")
    return items[-1] if items else None


def rest(lst: Any) -> Any:
    items = _list_kind(lst, "find rest")
    return items[1:] if items else None


def initial(lst: Any) -> Any:
    items = _list_kind(lst, "find initial")
    return items[:-1] if items else None


def reverse(lst: Any) -> list[Any]:
    return list(reversed(_list_kind(lst, "find reverse")))


def compact(lst: Any) -> list[Any]:
    return [x for x in _list_kind(lst, "compact") if not empty(x)]


def uniq(lst: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list_kind(lst, "find uniq"):
        if not any(deep_equal(item, seen) for seen in out):
            out.append(item)
    return out


def without(lst: Any, *omit: Any) -> list[Any]:
    return [x for x in _list_kind(lst, "find without") if not any(deep_equal(x, o) for o in omit)]


def has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return any(deep_equal(needle, x) for x in _list_kind(haystack, "find has"))


def sprig_slice(lst: Any, *indices: Any) -> Any:
    """sprig's ``slice`` (which replaces Go's in kOps): lists only, ``slice $l 1 3`` is ``$l[1:3]``."""
    if lst is None:
        raise FuncError(NIL_DEREF)
    if not isinstance(lst, list | tuple):
        raise FuncError(f"list should be type of slice or array but {kind_name(lst)}")
    if not lst:
        return None
    start = to_int64(indices[0]) if indices else 0
    end = to_int64(indices[1]) if len(indices) > 1 else len(lst)
    if not 0 <= start <= end <= len(lst):
        raise FuncError("reflect: slice index out of range")
    return _as_list(lst[start:end], lst)


def concat(*lists: Any) -> Any:
    out: list[Any] = []
    for lst in lists:
        if lst is None:
            raise FuncError(NIL_DEREF)
        if not isinstance(lst, list | tuple):
            raise FuncError(f"Cannot concat type {kind_name(lst)} as list")
        out.extend(lst)
    return out or None


def chunk(size: int, lst: Any) -> ListList:
    items = _list_kind(lst, "chunk")
    if size <= 0:
        raise FuncError("runtime error: integer divide by zero")
    return ListList(items[i:i + size] for i in range(0, len(items), size))


def sort_alpha(lst: Any) -> StrList:
    if isinstance(lst, list | tuple):
        return StrList(sorted(strslice(lst), key=lambda s: s.encode()))
    return StrList([strval(lst)])


# -- dicts --------------------------------------------------------------------------------------------------


def go_dict(*args: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(args), 2):
        out[strval(args[i])] = args[i + 1] if i + 1 < len(args) else ""
    return out


def get(d: dict[str, Any], key: str) -> Any:
    return d.get(key, "")


def set_(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    d[key] = value
    return d


def unset(d: dict[str, Any], key: str) -> dict[str, Any]:
    d.pop(key, None)
    return d


def keys(*dicts: dict[str, Any]) -> StrList:
    return StrList(k for d in dicts for k in sorted(d))


def values(d: dict[str, Any]) -> list[Any]:
    return [d[k] for k in sorted(d)]


def pick(d: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: d[k] for k in names if k in d}


def omit(d: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in names}


def pluck(key: str, *dicts: dict[str, Any]) -> list[Any]:
    return [d[key] for d in dicts if key in d]


def _merge_into(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo's deep merge: nested maps merge; other values fill empty destinations (or overwrite, when asked,
    unless the source value is empty)."""
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            _merge_into(dst[key], value, overwrite)
        elif key not in dst or empty(dst[key]) or (overwrite and not empty(value)):
            dst[key] = copy.deepcopy(value) if isinstance(value, dict) else value


def merge(dst: dict[str, Any], *srcs: dict[str, Any]) -> dict[str, Any]:
    for src in srcs:
        _merge_into(dst, src, overwrite=False)
    return dst


def merge_overwrite(dst: dict[str, Any], *srcs: dict[str, Any]) -> dict[str, Any]:
    for src in srcs:
        _merge_into(dst, src, overwrite=True)
    return dst


def dig(*args: Any) -> Any:
    if len(args) < 3:
        raise FuncError("dig needs at least three arguments")
    d, default, path = args[-1], args[-2], args[:-2]
    for i, key in enumerate(path):
        if not isinstance(d, dict):
            raise FuncError(f"interface conversion: interface {{}} is {type_name(d)}, not {MAP}")
        if not isinstance(key, str):
            raise FuncError(f"interface conversion: interface {{}} is {type_name(key)}, not string")
        if key not in d:
            return default
        d = d[key]
        if i == len(path) - 1:
            return d
    return default


# -- defaults, encoding, types -----------------------------------------------------------------------------


def default(d: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return d
    return given[0]


def coalesce(*values: Any) -> Any:
    return next((v for v in values if not empty(v)), None)


def ternary(vt: Any, vf: Any, condition: bool) -> Any:
    return vt if condition else vf


def from_json(s: str) -> Any:
    try:
        return _from_json(s)
    except FuncError:
        return None


def _from_json(s: str) -> Any:
    import json

    try:
        return json.loads(s, parse_int=float, parse_constant=_bad_json_constant)
    except ValueError as exc:
        raise FuncError(f"invalid character in JSON: {exc}") from None


def _bad_json_constant(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def to_raw_json(v: Any) -> str:
    return json_dumps(v, escape_html=False)


def env(name: str) -> str:
    return os.environ.get(name, "")


def expandenv(s: str) -> str:
    """Go's ``os.ExpandEnv``: ``$VAR`` and ``${VAR}``, unset variables empty."""
    return re.sub(r"\$(\{([^}]*)\}|[A-Za-z0-9_]+|[*#$@!?\-0-9])",
                  lambda m: os.environ.get(m.group(2) if m.group(2) is not None else m.group(1), ""), s)


def path_clean(p: str) -> str:
    if p == "":
        return "."
    cleaned = posixpath.normpath(p)
    return "/" if cleaned.startswith("//") and cleaned.strip("/") == "" else cleaned.replace("//", "/")


def path_base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    return p.rsplit("/", 1)[-1] if p else "/"


def path_dir(p: str) -> str:
    return path_clean(p[: p.rfind("/") + 1]) if "/" in p else "."


def path_ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


def url_parse(s: str) -> dict[str, Any]:
    parts = urlsplit(s)
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return {"scheme": parts.scheme, "host": parts.netloc.rpartition("@")[2], "hostname": parts.hostname or "",
            "path": parts.path, "query": parts.query, "opaque": "", "fragment": parts.fragment,
            "userinfo": userinfo}


def url_join(d: dict[str, Any]) -> str:
    host = str(d.get("host", ""))
    userinfo = str(d.get("userinfo", ""))
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((str(d.get("scheme", "")), netloc, str(d.get("path", "")), str(d.get("query", "")),
                       str(d.get("fragment", ""))))


def semver_compare(constraint: str, version: str) -> bool:
    from kops.templating.semver import satisfies

    return satisfies(constraint, version)


def semver(version: str) -> str:
    from kops.templating.semver import parse_version

    return parse_version(version)


def _rand(alphabet: str, count: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(max(count, 0)))


def unsupported(name: str) -> GoFunc:
    """A sprig function kops does not provide: defined, so templates parse, but failing when called."""

    def fail(*_args: Any) -> Any:
        raise FuncError(f"{name} is not supported by this kops")

    return GoFunc(fail, (), ANY)


# -- dates --------------------------------------------------------------------------------------------------


def now() -> GoTime:
    dt = datetime.datetime.now(gotime.local_zone())
    return GoTime(dt)


def _as_time(value: Any) -> GoTime:
    if isinstance(value, GoTime):
        return value
    if is_int(value):
        return GoTime(datetime.datetime.fromtimestamp(int(value), gotime.local_zone()), 0)
    return now()


def date_in_zone(layout: str, value: Any, zone: str) -> str:
    t = _as_time(value)
    tz = gotime.load_zone(zone) or datetime.UTC
    return gotime.format_time(GoTime(t.dt.astimezone(tz), t.nanos), layout)


def to_date(layout: str, value: str) -> GoTime:
    """Go's ``time.ParseInLocation`` for the common layouts, in the local zone."""
    formats = {"2006-01-02": "%Y-%m-%d", "2006-01-02 15:04:05": "%Y-%m-%d %H:%M:%S",
               "2006-01-02T15:04:05Z07:00": "%Y-%m-%dT%H:%M:%S%z", "15:04:05": "%H:%M:%S",
               "02 Jan 06 15:04 MST": "%d %b %y %H:%M %Z", "Jan 2, 2006": "%b %d, %Y"}
    if layout not in formats:
        raise FuncError(f"parsing time {go_quote(value)} with layout {go_quote(layout)} is not supported")
    try:
        dt = datetime.datetime.strptime(value.replace("Z", "+00:00") if "%z" in formats[layout] else value,
                                        formats[layout])
    except ValueError:
        raise FuncError(f"parsing time {go_quote(value)} as {go_quote(layout)}: cannot parse") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=gotime.local_zone())
    return GoTime(dt, 0)


def date_modify(delta: str, t: GoTime) -> GoTime:
    nanos = gotime.parse_duration(delta)
    total = t.nanos + nanos
    return GoTime(t.dt.replace(microsecond=0) + datetime.timedelta(microseconds=total // 1000),
                  total % 1_000_000_000)


def duration(sec: Any) -> str:
    if isinstance(sec, str):
        n = to_int64(sec)
    elif is_int(sec):
        n = int(sec)
    else:
        n = 0
    return gotime.format_duration(n * 1_000_000_000)


def ago(value: Any) -> str:
    t = _as_time(value)
    seconds = round((datetime.datetime.now(datetime.UTC) - t.dt).total_seconds())
    return gotime.format_duration(seconds * 1_000_000_000)


def _sum(*values: Any) -> Int64:
    return Int64(wrap_int64(sum(to_int64(v) for v in values)))


def _hash(name: str) -> GoFunc:
    return GoFunc(lambda s: hashlib.new(name, s.encode()).hexdigest(), ("string",))


def _regex_match(pattern: str, s: str) -> bool:
    return goregexp.compile(pattern).search(s) is not None


def _regex_replace(literal: bool) -> GoFunc:
    return GoFunc(lambda pattern, s, repl: goregexp.replace_all(goregexp.compile(pattern), s, repl, literal),
                  ("string", "string", "string"))


def _fail(message: str) -> str:
    raise FuncError(message)


def _deep_copy(v: Any) -> Any:
    return copy.deepcopy(v)


S, N, A, M = "string", "int", ANY, MAP

SPRIG: dict[str, GoFunc] = {
    "hello": GoFunc(lambda: "Hello!"),
    # dates
    "now": GoFunc(now),
    "date": GoFunc(lambda layout, value: date_in_zone(layout, value, "Local"), (S, A)),
    "dateInZone": GoFunc(date_in_zone, (S, A, S)),
    "date_in_zone": GoFunc(date_in_zone, (S, A, S)),
    "htmlDate": GoFunc(lambda value: date_in_zone("2006-01-02", value, "Local"), (A,)),
    "htmlDateInZone": GoFunc(lambda value, zone: date_in_zone("2006-01-02", value, zone), (A, S)),
    "unixEpoch": GoFunc(lambda t: str(int(t.dt.timestamp())), ("time.Time",)),
    "toDate": GoFunc(lambda layout, value: _try(to_date, layout, value), (S, S)),
    "mustToDate": GoFunc(to_date, (S, S)),
    "dateModify": GoFunc(lambda delta, t: _try(date_modify, delta, t, default=t), (S, "time.Time")),
    "date_modify": GoFunc(lambda delta, t: _try(date_modify, delta, t, default=t), (S, "time.Time")),
    "mustDateModify": GoFunc(date_modify, (S, "time.Time")),
    "must_date_modify": GoFunc(date_modify, (S, "time.Time")),
    "duration": GoFunc(duration, (A,)),
    "ago": GoFunc(ago, (A,)),
    # strings
    "abbrev": GoFunc(abbrev, (N, S)),
    "abbrevboth": GoFunc(abbrevboth, (N, N, S)),
    "trunc": GoFunc(trunc, (N, S)),
    "trim": GoFunc(lambda s: s.strip(), (S,)),
    "upper": GoFunc(lambda s: s.upper(), (S,)),
    "lower": GoFunc(lambda s: s.lower(), (S,)),
    "title": GoFunc(title, (S,)),
    "untitle": GoFunc(untitle, (S,)),
    "substr": GoFunc(substr, (N, N, S)),
    "repeat": GoFunc(repeat, (N, S)),
    "trimall": GoFunc(lambda cutset, s: s.strip(cutset), (S, S)),
    "trimAll": GoFunc(lambda cutset, s: s.strip(cutset), (S, S)),
    "trimSuffix": GoFunc(lambda suffix, s: s.removesuffix(suffix), (S, S)),
    "trimPrefix": GoFunc(lambda prefix, s: s.removeprefix(prefix), (S, S)),
    "nospace": GoFunc(nospace, (S,)),
    "initials": GoFunc(initials, (S,)),
    "randAlphaNum": GoFunc(lambda n: _rand(string.ascii_letters + string.digits, n), (N,)),
    "randAlpha": GoFunc(lambda n: _rand(string.ascii_letters, n), (N,)),
    "randAscii": GoFunc(lambda n: _rand("".join(chr(c) for c in range(32, 127)), n), (N,)),
    "randNumeric": GoFunc(lambda n: _rand(string.digits, n), (N,)),
    "swapcase": GoFunc(swapcase, (S,)),
    "shuffle": GoFunc(lambda s: "".join(secrets.SystemRandom().sample(s, len(s))), (S,)),
    "snakecase": GoFunc(snakecase, (S,)),
    "camelcase": GoFunc(camelcase, (S,)),
    "kebabcase": GoFunc(kebabcase, (S,)),
    "wrap": GoFunc(lambda n, s: wrap_with(n, "\n", s), (N, S)),
    "wrapWith": GoFunc(wrap_with, (N, S, S)),
    "contains": GoFunc(lambda sub, s: sub in s, (S, S)),
    "hasPrefix": GoFunc(lambda prefix, s: s.startswith(prefix), (S, S)),
    "hasSuffix": GoFunc(lambda suffix, s: s.endswith(suffix), (S, S)),
    "quote": GoFunc(quote, (), A),
    "squote": GoFunc(squote, (), A),
    "cat": GoFunc(cat, (), A),
    "indent": GoFunc(indent, (N, S)),
    "nindent": GoFunc(nindent, (N, S)),
    "replace": GoFunc(lambda old, new, s: s.replace(old, new), (S, S, S)),
    "plural": GoFunc(plural, (S, S, N)),
    "sha1sum": _hash("sha1"),
    "sha256sum": _hash("sha256"),
    "sha512sum": _hash("sha512"),
    "adler32sum": GoFunc(lambda s: str(zlib.adler32(s.encode())), (S,)),
    "toString": GoFunc(strval, (A,)),
    "atoi": GoFunc(atoi, (S,)),
    "int64": GoFunc(lambda v: Int64(to_int64(v)), (A,)),
    "int": GoFunc(to_int64, (A,)),
    "float64": GoFunc(to_float64, (A,)),
    "seq": GoFunc(seq, (), N),
    "toDecimal": GoFunc(to_decimal, (A,)),
    "split": GoFunc(split, (S, S)),
    "splitList": GoFunc(lambda sep, s: StrList(_go_split(s, sep)), (S, S)),
    "splitn": GoFunc(splitn, (S, N, S)),
    "toStrings": GoFunc(strslice, (A,)),
    "until": GoFunc(until, (N,)),
    "untilStep": GoFunc(until_step, (N, N, N)),
    # arithmetic
    "add1": GoFunc(lambda v: Int64(wrap_int64(to_int64(v) + 1)), (A,)),
    "add": GoFunc(_sum, (), A),
    "sub": GoFunc(lambda a, b: Int64(wrap_int64(to_int64(a) - to_int64(b))), (A, A)),
    "div": GoFunc(lambda a, b: _int_div(a, b, "div"), (A, A)),
    "mod": GoFunc(lambda a, b: _int_div(a, b, "mod"), (A, A)),
    "mul": GoFunc(_mul, (A,), A),
    "randInt": GoFunc(lambda lo, hi: secrets.randbelow(hi - lo) + lo if hi > lo else _fail("invalid argument to Intn"),
                      (N, N)),
    "add1f": GoFunc(lambda v: _decimal_op(v, (1,), "add"), (A,)),
    "addf": GoFunc(lambda *v: _decimal_op(0.0, v, "add"), (), A),
    "subf": GoFunc(lambda a, *v: _decimal_op(a, v, "sub"), (A,), A),
    "divf": GoFunc(lambda a, *v: _decimal_op(a, v, "div"), (A,), A),
    "mulf": GoFunc(lambda a, *v: _decimal_op(a, v, "mul"), (A,), A),
    "biggest": GoFunc(lambda a, *r: Int64(max([to_int64(a)] + [to_int64(x) for x in r])), (A,), A),
    "max": GoFunc(lambda a, *r: Int64(max([to_int64(a)] + [to_int64(x) for x in r])), (A,), A),
    "min": GoFunc(lambda a, *r: Int64(min([to_int64(a)] + [to_int64(x) for x in r])), (A,), A),
    "maxf": GoFunc(lambda a, *r: max([to_float64(a)] + [to_float64(x) for x in r]), (A,), A),
    "minf": GoFunc(lambda a, *r: min([to_float64(a)] + [to_float64(x) for x in r]), (A,), A),
    "ceil": GoFunc(lambda a: float(math.ceil(to_float64(a))), (A,)),
    "floor": GoFunc(lambda a: float(math.floor(to_float64(a))), (A,)),
    "round": GoFunc(go_round, (A, N), "float64"),
    # lists of strings
    "join": GoFunc(lambda sep, v: sep.join(strslice(v)), (S, A)),
    "sortAlpha": GoFunc(sort_alpha, (A,)),
    # defaults
    "default": GoFunc(default, (A,), A),
    "empty": GoFunc(empty, (A,)),
    "coalesce": GoFunc(coalesce, (), A),
    "all": GoFunc(lambda *v: all(not empty(x) for x in v), (), A),
    "any": GoFunc(lambda *v: any(not empty(x) for x in v), (), A),
    "compact": GoFunc(compact, (A,)),
    "mustCompact": GoFunc(compact, (A,)),
    "fromJson": GoFunc(from_json, (S,)),
    "toJson": GoFunc(lambda v: _try(json_dumps, v, default=""), (A,)),
    "toPrettyJson": GoFunc(lambda v: _try(json_dumps, v, "  ", default=""), (A,)),
    "toRawJson": GoFunc(to_raw_json, (A,)),
    "mustFromJson": GoFunc(_from_json, (S,)),
    "mustToJson": GoFunc(json_dumps, (A,)),
    "mustToPrettyJson": GoFunc(lambda v: json_dumps(v, "  "), (A,)),
    "mustToRawJson": GoFunc(to_raw_json, (A,)),
    "ternary": GoFunc(ternary, (A, A, "bool")),
    "deepCopy": GoFunc(_deep_copy, (A,)),
    "mustDeepCopy": GoFunc(_deep_copy, (A,)),
    # reflection
    "typeOf": GoFunc(lambda v: type_name(v), (A,)),
    "typeIs": GoFunc(lambda target, v: target == type_name(v), (S, A)),
    "typeIsLike": GoFunc(lambda target, v: type_name(v) in (target, "*" + target), (S, A)),
    "kindOf": GoFunc(kind_name, (A,)),
    "kindIs": GoFunc(lambda target, v: target == kind_name(v), (S, A)),
    "deepEqual": GoFunc(deep_equal, (A, A)),
    # environment
    "env": GoFunc(env, (S,)),
    "expandenv": GoFunc(expandenv, (S,)),
    # paths
    "base": GoFunc(path_base, (S,)),
    "dir": GoFunc(path_dir, (S,)),
    "clean": GoFunc(path_clean, (S,)),
    "ext": GoFunc(path_ext, (S,)),
    "isAbs": GoFunc(lambda p: p.startswith("/"), (S,)),
    "osBase": GoFunc(path_base, (S,)),
    "osClean": GoFunc(path_clean, (S,)),
    "osDir": GoFunc(path_dir, (S,)),
    "osExt": GoFunc(path_ext, (S,)),
    "osIsAbs": GoFunc(lambda p: p.startswith("/"), (S,)),
    # encoding
    "b64enc": GoFunc(lambda s: base64.b64encode(s.encode()).decode(), (S,)),
    "b64dec": GoFunc(b64dec, (S,)),
    "b32enc": GoFunc(lambda s: base64.b32encode(s.encode()).decode(), (S,)),
    "b32dec": GoFunc(b32dec, (S,)),
    # data structures
    "tuple": GoFunc(go_list, (), A),
    "list": GoFunc(go_list, (), A),
    "dict": GoFunc(go_dict, (), A),
    "get": GoFunc(get, (M, S)),
    "set": GoFunc(set_, (M, S, A)),
    "unset": GoFunc(unset, (M, S)),
    "hasKey": GoFunc(lambda d, k: k in d, (M, S)),
    "pluck": GoFunc(pluck, (S,), M),
    "keys": GoFunc(keys, (), M),
    "pick": GoFunc(pick, (M,), S),
    "omit": GoFunc(omit, (M,), S),
    "merge": GoFunc(merge, (M,), M),
    "mergeOverwrite": GoFunc(merge_overwrite, (M,), M),
    "mustMerge": GoFunc(merge, (M,), M),
    "mustMergeOverwrite": GoFunc(merge_overwrite, (M,), M),
    "values": GoFunc(values, (M,)),
    "append": GoFunc(push, (A, A)),
    "push": GoFunc(push, (A, A)),
    "mustAppend": GoFunc(push, (A, A)),
    "mustPush": GoFunc(push, (A, A)),
    "prepend": GoFunc(prepend, (A, A)),
    "mustPrepend": GoFunc(prepend, (A, A)),
    "first": GoFunc(first, (A,)),
    "mustFirst": GoFunc(first, (A,)),
    "rest": GoFunc(rest, (A,)),
    "mustRest": GoFunc(rest, (A,)),
    "last": GoFunc(last, (A,)),
    "mustLast": GoFunc(last, (A,)),
    "initial": GoFunc(initial, (A,)),
    "mustInitial": GoFunc(initial, (A,)),
    "reverse": GoFunc(reverse, (A,)),
    "mustReverse": GoFunc(reverse, (A,)),
    "uniq": GoFunc(uniq, (A,)),
    "mustUniq": GoFunc(uniq, (A,)),
    "without": GoFunc(without, (A,), A),
    "mustWithout": GoFunc(without, (A,), A),
    "has": GoFunc(has, (A, A)),
    "mustHas": GoFunc(has, (A, A)),
    "slice": GoFunc(sprig_slice, (A,), A),
    "mustSlice": GoFunc(sprig_slice, (A,), A),
    "concat": GoFunc(concat, (), A),
    "dig": GoFunc(dig, (), A),
    "chunk": GoFunc(chunk, (N, A)),
    "mustChunk": GoFunc(chunk, (N, A)),
    # unique ids
    "uuidv4": GoFunc(lambda: str(uuid.uuid4())),
    "randBytes": GoFunc(lambda n: base64.b64encode(secrets.token_bytes(max(n, 0))).decode(), (N,)),
    # semantic versions
    "semver": GoFunc(semver, (S,)),
    "semverCompare": GoFunc(semver_compare, (S, S)),
    # flow control
    "fail": GoFunc(_fail, (S,)),
    # regular expressions
    "regexMatch": GoFunc(lambda p, s: _try(_regex_match, p, s, default=False), (S, S)),
    "mustRegexMatch": GoFunc(_regex_match, (S, S)),
    "regexFindAll": GoFunc(regex_find_all, (S, S, N)),
    "mustRegexFindAll": GoFunc(regex_find_all, (S, S, N)),
    "regexFind": GoFunc(regex_find, (S, S)),
    "mustRegexFind": GoFunc(regex_find, (S, S)),
    "regexReplaceAll": _regex_replace(literal=False),
    "mustRegexReplaceAll": _regex_replace(literal=False),
    "regexReplaceAllLiteral": _regex_replace(literal=True),
    "mustRegexReplaceAllLiteral": _regex_replace(literal=True),
    "regexSplit": GoFunc(regex_split, (S, S, N)),
    "mustRegexSplit": GoFunc(regex_split, (S, S, N)),
    "regexQuoteMeta": GoFunc(regex_quote_meta, (S,)),
    # URLs
    "urlParse": GoFunc(url_parse, (S,)),
    "urlJoin": GoFunc(url_join, (M,)),
}

#: Sprig functions that generate keys or certificates, derive passwords, encrypt, or query DNS.
UNSUPPORTED = ("bcrypt", "htpasswd", "genPrivateKey", "derivePassword", "buildCustomCert", "genCA", "genCAWithKey",
               "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey",
               "encryptAES", "decryptAES", "getHostByName", "durationRound")
SPRIG.update({name: unsupported(name) for name in UNSUPPORTED if name not in SPRIG})


def _try(fn: Any, *args: Any, default: Any = None) -> Any:
    """The non-``must`` form of a sprig function: its error becomes a default result."""
    try:
        return fn(*args)
    except (FuncError, ValueError):
        return default
