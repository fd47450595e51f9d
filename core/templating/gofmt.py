"""Go's ``fmt`` and ``strconv`` printing: how templates turn values into text.

Everything a template prints goes through Go's formatting: ``{{ .x }}`` is ``fmt.Print``, ``print``,
``printf`` and ``println`` are ``fmt.Sprint``, ``fmt.Sprintf`` and ``fmt.Sprintln``, and sprig's
``toString``, ``quote`` and ``cat`` use ``%v`` and ``%q``. Users rely on the exact text (``[a b]`` for
a list, ``map[a:1]`` for a map, ``1e+06`` for a float, ``%!d(string=x)`` for a wrong verb), so this
module reproduces those rules rather than Python's ``str``/``repr``.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

from kops.templating.gotypes import GoTime, Uint8, is_int, type_name, unbox


def shortest_digits(x: float) -> tuple[str, int]:
    """The shortest decimal digits that read back as ``x`` (positive, finite), and the decimal point's
    position: ``123.5`` is ``("1235", 3)``. Python's ``repr`` finds the same digits as Go's ``strconv``."""
    if x == 0:
        return "0", 1
    sign, digits, exponent = decimal.Decimal(repr(x)).normalize().as_tuple()
    text = "".join(map(str, digits))
    return text, len(text) + int(exponent)


def _exp_form(digits: str, dp: int, e_char: str) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = dp - 1
    return f"{mantissa}{e_char}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def format_float(x: float, verb: str = "g", prec: int = -1) -> str:
    """``strconv.FormatFloat(x, verb, prec, 64)`` for the verbs e, E, f, F, g, G; ``prec`` -1 is shortest."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    neg = "-" if math.copysign(1.0, x) < 0 else ""
    ax = abs(x)
    if verb in "fF":
        if prec < 0:
            digits, dp = shortest_digits(ax)
            if dp >= len(digits):
                return neg + digits + "0" * (dp - len(digits)) if digits != "0" else neg + "0"
            if dp <= 0:
                return neg + "0." + "0" * (-dp) + digits
            return neg + digits[:dp] + "." + digits[dp:]
        return neg + format(ax, f".{prec}f")
    if verb in "eE":
        if prec < 0:
            digits, dp = shortest_digits(ax)
            return neg + _exp_form(digits, dp, verb)
        text = format(ax, f".{prec}e")
        return neg + (text.upper() if verb == "E" else text)
    # g, G: Go's rules for choosing %e or %f (see strconv's ftoa).
    e_char = "e" if verb == "g" else "E"
    if prec < 0:
        digits, dp = shortest_digits(ax)
        eprec = 6
    else:
        if prec == 0:
            prec = 1
        rounded = format(ax, f".{prec - 1}e") if ax else "0e+00"
        mantissa, _, exp_text = rounded.partition("e")
        digits = mantissa.replace(".", "").rstrip("0") or "0"
        dp = int(exp_text) + 1 if ax else 1
        eprec = prec
        if eprec > len(digits) and len(digits) >= dp:
            eprec = len(digits)
    exp = dp - 1
    if exp < -4 or exp >= eprec:
        return neg + _exp_form(digits, dp, e_char)
    if dp <= 0:
        return neg + "0." + "0" * (-dp) + digits
    if dp >= len(digits):
        return neg + digits + "0" * (dp - len(digits))
    return neg + digits[:dp] + "." + digits[dp:]


def _is_print(ch: str) -> bool:
    return ch == " " or ch.isprintable()


def quote(s: str, ascii_only: bool = False, quote_char: str = '"') -> str:
    """``strconv.Quote``: Go escapes (``\\n``, ``\\x1b``, ``\\u00a0``), printable Unicode kept."""
    out = [quote_char]
    for ch in s:
        code = ord(ch)
        if ch == quote_char or ch == "\\":
            out.append("\\" + ch)
        elif (code < 0x80 if ascii_only else True) and _is_print(ch) and not 0xD800 <= code <= 0xDFFF:
            out.append(ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                        "\v": "\\v"}[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append(quote_char)
    return "".join(out)


def can_backquote(s: str) -> bool:
    """``strconv.CanBackquote``: a single-line string without backquotes or control characters."""
    return all(ch != "`" and ch != "\ufeff" and (ch == "\t" or ord(ch) >= 0x20) and ch != "\x7f" for ch in s)


class _Formatter:
    """One verb's flags, width and precision, applied to a value as Go's ``fmt`` applies them."""

    def __init__(self, verb: str = "v", *, plus: bool = False, minus: bool = False, sharp: bool = False,
                 space: bool = False, zero: bool = False, width: int | None = None, prec: int | None = None):
        self.verb, self.plus, self.minus, self.sharp = verb, plus, minus, sharp
        self.space, self.zero, self.width, self.prec = space, zero, width, prec

    def pad(self, text: str, numeric: bool = False) -> str:
        if self.width is None or len(text) >= self.width:
            return text
        fill = self.width - len(text)
        if self.minus:
            return text + " " * fill
        if self.zero and numeric:
            sign = text[0] if text[:1] in ("+", "-", " ") else ""
            body = text[len(sign):]
            prefix = ""
            for p in ("0x", "0X", "0b", "0o"):
                if self.sharp and body.startswith(p):
                    prefix, body = p, body[len(p):]
            return sign + prefix + "0" * fill + body
        if self.zero and not numeric:
            return "0" * fill + text
        return " " * fill + text

    def bad_verb(self, value: Any) -> str:
        if value is None:
            return f"%!{self.verb}(<nil>)"
        return f"%!{self.verb}({type_name(value)}={_Formatter().format(value)})"

    def format(self, value: Any, depth: int = 0) -> str:
        value = unbox(value)
        verb = self.verb
        if verb == "T":
            return self.pad(type_name(value) if value is not None else "<nil>")
        if value is None:
            return self.pad("<nil>") if verb == "v" else self.bad_verb(None)
        if isinstance(value, bool):
            if verb in "vt":
                return self.pad("true" if value else "false")
            return self.bad_verb(value)
        if is_int(value):
            return self.format_int(value)
        if isinstance(value, float):
            return self.format_float(value)
        if isinstance(value, complex):
            return self.format_complex(value)
        if isinstance(value, str):
            return self.format_str(value)
        if isinstance(value, GoTime):
            from kops.templating.gotime import time_string

            return self.format_str(time_string(value)) if verb in "vs" else self.bad_verb(value)
        if isinstance(value, bytes):
            return self.format_str(value.decode("utf-8", "replace"))
        if isinstance(value, list | tuple):
            if self.sharp and verb == "v":
                return type_name(value) + "{" + ", ".join(self.format(v, depth + 1) for v in value) + "}"
            return "[" + " ".join(self.format(v, depth + 1) for v in value) + "]"
        if isinstance(value, dict):
            items = sorted(value.items(), key=lambda kv: str(kv[0]))
            if self.sharp and verb == "v":
                return type_name(value) + "{" + ", ".join(
                    f"{self.format(k, depth + 1)}:{self.format(v, depth + 1)}" for k, v in items) + "}"
            return "map[" + " ".join(f"{self.format(k, depth + 1)}:{self.format(v, depth + 1)}"
                                     for k, v in items) + "]"
        return self.pad(str(value))

    def format_int(self, n: int) -> str:
        verb = self.verb
        if verb == "c":
            return self.pad(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd")
        if verb == "q":
            ch = chr(n) if 0 <= n <= 0x10FFFF else "\ufffd"
            return self.pad(quote(ch, ascii_only=self.plus, quote_char="'"))
        if verb == "U":
            text = f"U+{n:04X}"
            if self.sharp and 0 <= n <= 0x10FFFF and _is_print(chr(n)):
                text += f" '{chr(n)}'"
            return self.pad(text)
        if verb == "v" and self.sharp and isinstance(n, Uint8):
            return self.pad(f"0x{n:x}")
        bases = {"v": 10, "d": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}
        if verb not in bases:
            return self.bad_verb(n)
        base = bases[verb]
        digits = format(abs(n), {2: "b", 8: "o", 10: "d", 16: "x"}[base])
        if verb == "X":
            digits = digits.upper()
        if self.prec is not None:
            digits = "" if self.prec == 0 and n == 0 else digits.rjust(self.prec, "0")
        prefix = ""
        if verb == "O":
            prefix = "0o"
        elif self.sharp:
            prefix = {2: "0b", 8: "0" if not digits.startswith("0") else "", 16: "0x" if verb == "x" else "0X"}.get(
                base, "")
        sign = "-" if n < 0 else ("+" if self.plus else (" " if self.space else ""))
        text = sign + prefix + digits
        zero, self.zero = self.zero, self.zero and self.prec is None and not self.minus
        try:
            return self.pad(text, numeric=True)
        finally:
            self.zero = zero

    def format_float(self, x: float) -> str:
        verb = self.verb
        if verb == "v":
            verb = "g"
        if verb not in "eEfFgGxX":
            return self.bad_verb(x)
        if verb in "xX":
            text = _hex_float(x, self.prec, upper=verb == "X")
        else:
            prec = self.prec if self.prec is not None else (6 if verb in "eEfF" else -1)
            text = format_float(x, verb, prec)
            if self.sharp and "." not in text and not math.isinf(x) and not math.isnan(x):
                mant, e, rest = text.partition("e" if verb in "eg" else "E")
                text = mant + "." + (e + rest if e else "")
        if self.plus and not text.startswith(("-", "+")):
            text = "+" + text
        elif self.space and not text.startswith(("-", "+")):
            text = " " + text
        if math.isinf(x) or math.isnan(x):
            zero, self.zero = self.zero, False
            try:
                return self.pad(text)
            finally:
                self.zero = zero
        return self.pad(text, numeric=True)

    def format_complex(self, z: complex) -> str:
        """Go's ``(1+2i)``: both parts in the verb, the imaginary one always signed."""
        if self.verb not in "vgGeEfF":
            return self.bad_verb(z)
        width, self.width = self.width, None
        plus = self.plus
        try:
            real = self.format_float(z.real)
            self.plus = True
            imag = self.format_float(z.imag)
        finally:
            self.width, self.plus = width, plus
        return self.pad("(" + real + imag + "i)")

    def format_str(self, s: str) -> str:
        verb = self.verb
        if verb in "vs":
            if self.prec is not None:
                s = s[: self.prec]
            return self.pad(s)
        if verb == "q":
            if self.prec is not None:
                s = s[: self.prec]
            if self.sharp and can_backquote(s):
                return self.pad("`" + s + "`")
            return self.pad(quote(s, ascii_only=self.plus))
        if verb in "xX":
            data = s.encode()
            if self.prec is not None:
                data = data[: self.prec]
            fmt_byte = "{:02x}" if verb == "x" else "{:02X}"
            prefix = ("0x" if verb == "x" else "0X") if self.sharp else ""
            if self.space:
                text = " ".join(prefix + fmt_byte.format(b) for b in data)
            else:
                text = prefix + "".join(fmt_byte.format(b) for b in data)
            return self.pad(text)
        return self.bad_verb(s)


def _hex_float(x: float, prec: int | None, upper: bool) -> str:
    """Go's ``%x`` of a float: ``0x1.8p+01``."""
    if math.isnan(x) or math.isinf(x):
        return format_float(x)
    text = float.hex(x)  # -0x1.8000000000000p+1
    sign = "-" if text.startswith("-") else ""
    mantissa, _, exp = text.lstrip("-").removeprefix("0x").partition("p")
    whole, _, frac = mantissa.partition(".")
    frac = frac.rstrip("0")
    if prec is not None:
        frac = frac[:prec].ljust(prec, "0")
    exp_n = int(exp)
    result = f"{sign}0x{whole}{'.' + frac if frac else ''}p{'-' if exp_n < 0 else '+'}{abs(exp_n):02d}"
    return result.upper() if upper else result


def value_string(value: Any) -> str:
    """``fmt.Sprint(value)`` of one value: what ``{{ .x }}`` prints."""
    return _Formatter().format(value)


def sprint(*args: Any) -> str:
    """``fmt.Sprint``: spaces between operands when neither side is a string."""
    out: list[str] = []
    prev_string = False
    for i, arg in enumerate(args):
        arg = unbox(arg)
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(value_string(arg))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: Any) -> str:
    """``fmt.Sprintln``: spaces between all operands and a newline."""
    return " ".join(value_string(unbox(a)) for a in args) + "\n"


def sprintf(format_string: str, *args: Any) -> str:
    """``fmt.Sprintf`` with Go's verbs, flags, widths, precisions, ``*`` and ``[n]`` argument indexes, and
    Go's in-band errors (``%!d(string=x)``, ``%!v(MISSING)``, ``%!(EXTRA int=1)``)."""
    values = [unbox(a) for a in args]
    out: list[str] = []
    i, n = 0, len(format_string)
    arg_num = 0
    reordered = False
    while i < n:
        j = format_string.find("%", i)
        if j < 0:
            out.append(format_string[i:])
            break
        out.append(format_string[i:j])
        i = j + 1
        flags = {"plus": False, "minus": False, "sharp": False, "space": False, "zero": False}
        while i < n and format_string[i] in "+-# 0":
            flags[{"+": "plus", "-": "minus", "#": "sharp", " ": "space", "0": "zero"}[format_string[i]]] = True
            i += 1
        width: int | None = None
        prec: int | None = None
        bad_index = False

        def arg_index(pos: int, current: int) -> tuple[int, int, bool]:
            nonlocal reordered
            if pos < n and format_string[pos] == "[":
                end = format_string.find("]", pos)
                reordered = True
                if end < 0 or not format_string[pos + 1:end].isdigit():
                    return current, (end + 1 if end >= 0 else n), False
                index = int(format_string[pos + 1:end]) - 1
                if index < 0 or index >= len(values):
                    return current, end + 1, False
                return index, end + 1, True
            return current, pos, True

        arg_num, i, ok = arg_index(i, arg_num)
        bad_index |= not ok
        if i < n and format_string[i] == "*":
            i += 1
            if arg_num < len(values) and is_int(values[arg_num]):
                width = values[arg_num]
                if width < 0:
                    flags["minus"], width = True, -width
                arg_num += 1
            else:
                out.append("%!(BADWIDTH)")
                arg_num += 1
        else:
            start = i
            while i < n and format_string[i].isdigit():
                i += 1
            if i > start:
                width = int(format_string[start:i])
        if i < n and format_string[i] == ".":
            i += 1
            arg_num, i, ok = arg_index(i, arg_num)
            bad_index |= not ok
            if i < n and format_string[i] == "*":
                i += 1
                if arg_num < len(values) and is_int(values[arg_num]):
                    prec = values[arg_num] if values[arg_num] >= 0 else None
                    arg_num += 1
                else:
                    out.append("%!(BADPREC)")
                    arg_num += 1
            else:
                start = i
                while i < n and format_string[i].isdigit():
                    i += 1
                prec = int(format_string[start:i] or "0")
        arg_num, i, ok = arg_index(i, arg_num)
        bad_index |= not ok
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = format_string[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if bad_index:
            out.append(f"%!{verb}(BADINDEX)")
            continue
        if arg_num >= len(values):
            out.append(f"%!{verb}(MISSING)")
            continue
        if flags["minus"]:
            flags["zero"] = False
        formatter = _Formatter(verb, width=width, prec=prec, **flags)
        out.append(formatter.format(values[arg_num]))
        arg_num += 1
    if not reordered and arg_num < len(values):
        extra = ", ".join("<nil>" if v is None else f"{type_name(v)}={value_string(v)}" for v in values[arg_num:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def printable(value: Any) -> str:
    """What an action prints for its pipeline's value: ``<no value>`` for a missing or nil one."""
    value = unbox(value)
    return "<no value>" if value is None else value_string(value)
