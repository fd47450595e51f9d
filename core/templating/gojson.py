"""Go's ``encoding/json`` output, for sprig's ``toJson``, ``toPrettyJson`` and ``toRawJson``.

Templates put JSON straight into manifests (``kubernetesApiAccess: {{ .ips | toJson }}``), so the text
must be Go's: keys sorted, floats as Go prints them (``3`` not ``3.0``, ``1e-7`` not ``1e-07``), and
``<``, ``>``, ``&`` escaped as ``\\u003c`` unless raw.
"""

from __future__ import annotations

import math
from typing import Any

from kops.templating.errors import FuncError
from kops.templating.gofmt import format_float
from kops.templating.gotypes import GoTime, is_int, unbox


def _float(x: float) -> str:
    if math.isnan(x) or math.isinf(x):
        raise FuncError(f"json: unsupported value: {format_float(x)}")
    ax = abs(x)
    if ax != 0 and (ax < 1e-6 or ax >= 1e21):
        text = format_float(x, "e", -1)
        mantissa, _, exp = text.partition("e")
        sign, digits = exp[0], exp[1:].lstrip("0") or "0"
        return f"{mantissa}e{sign}{digits}"
    return format_float(x, "f", -1)


def _string(s: str, escape_html: bool) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif code < 0x20 or (escape_html and ch in "<>&") or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def dumps(value: Any, indent: str = "", escape_html: bool = True, _level: int = 0) -> str:
    """``json.Marshal`` (or ``json.MarshalIndent`` with ``indent``) of a template value."""
    value = unbox(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_int(value):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value, escape_html)
    if isinstance(value, GoTime):
        from kops.templating.gotime import format_time

        return _string(format_time(value, "2006-01-02T15:04:05.999999999Z07:00"), escape_html)
    if isinstance(value, list | tuple | dict):
        is_map = isinstance(value, dict)
        if isinstance(value, dict):
            items = [_string(str(k), escape_html) + (": " if indent else ":") + dumps(v, indent, escape_html, _level + 1)
                     for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
        else:
            items = [dumps(v, indent, escape_html, _level + 1) for v in value]
        open_, close = ("{", "}") if is_map else ("[", "]")
        if not items:
            return open_ + close
        if not indent:
            return open_ + ",".join(items) + close
        inner = "\n" + indent * (_level + 1)
        return open_ + inner + ("," + inner).join(items) + "\n" + indent * _level + close
    if isinstance(value, complex):
        raise FuncError("json: unsupported type: complex128")
    raise FuncError(f"json: unsupported type: {type(value).__name__}")
