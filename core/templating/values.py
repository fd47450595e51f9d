"""The values a template sees: ``--values`` files merged in order, then ``--set`` and ``--set-string``.

Upstream's rules, which users' pipelines depend on:

* Each ``--values`` path is a file or a folder (walked, files in lexical order). Files are decoded through
  JSON, so numbers become ``float64`` (``{{ .replicas }}`` of ``1000000`` prints ``1e+06``). Later files
  win; maps merge deeply, anything else is replaced.
* ``--set a.b=c,d[0]=e`` follows Helm's strvals syntax: ``.`` nests maps, ``[i]`` indexes lists, ``{x,y}``
  is a list, ``\\`` escapes, and values are typed: ``true``/``false``, ``null``, integers as ``int64``
  (``0`` too, but not ``007``), anything else a string. ``--set-string`` keeps every value a string.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kops.errors import KopsError
from kops.templating import yamlio
from kops.templating.gofmt import quote
from kops.templating.gotypes import Int64

#: Helm's limits, kept so that a runaway ``--set`` fails the same way.
MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30


def expand_files(path: str) -> list[Path]:
    """A file as itself; a folder as every file below it, in lexical order (``filepath.Walk``)."""
    p = Path(os.path.expanduser(path)) if path.startswith("~/") else Path(path)
    if not p.exists():
        raise KopsError(f"stat {path}: no such file or directory")
    if not p.is_dir():
        return [p]
    found: list[Path] = []
    for root, dirs, files in os.walk(p):
        dirs.sort()
        found.extend(Path(root) / name for name in sorted(files))
    return sorted(found, key=lambda f: str(f).split(os.sep))


def merge_maps(dst: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``src`` into a copy of ``dst``: nested maps merge, other values from ``src`` replace."""
    out = dict(dst)
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def load_values(paths: list[str]) -> dict[str, Any]:
    """The ``--values`` files merged in order."""
    context: dict[str, Any] = {}
    for path in paths:
        for file in expand_files(path):
            try:
                text = file.read_text()
            except OSError as exc:
                raise KopsError(f"unable to read the configuration file: {file}, error: {exc.strerror}") from None
            try:
                data = yamlio.load(text)
            except Exception as exc:  # noqa: BLE001 - PyYAML raises several types; all mean "not YAML"
                mark = getattr(exc, "problem_mark", None)
                where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
                reason = getattr(exc, "problem", None) or str(exc)
                raise KopsError(f"unable decode the configuration file: {file}, error: {reason}{where}") from None
            if data is None:
                continue
            if not isinstance(data, dict):
                raise KopsError(f"unable decode the configuration file: {file}, error: expected a map of values, "
                                f"found a {type(data).__name__}")
            context = merge_maps(context, yamlio.json_numbers(data))
    return context


class _StrvalsError(Exception):
    pass


class _Scanner:
    """Helm's strvals parser: one ``--set`` argument read character by character into ``data``."""

    def __init__(self, text: str, data: dict[str, Any], string_values: bool):
        self.text = text
        self.pos = 0
        self.data = data
        self.string_values = string_values

    def read(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def until(self, stop: str) -> tuple[str, str | None]:
        """Characters up to one in ``stop`` (which is consumed and returned; None at the end)."""
        out: list[str] = []
        while True:
            ch = self.read()
            if ch is None:
                return "".join(out), None
            if ch in stop:
                return "".join(out), ch
            if ch == "\\":
                escaped = self.read()
                if escaped is None:
                    return "".join(out), None
                out.append(escaped)
            else:
                out.append(ch)

    def typed(self, text: str) -> Any:
        if self.string_values:
            return text
        lower = text.lower()
        if lower in ("true", "false"):
            return lower == "true"
        if lower == "null":
            return None
        if text == "0":
            return Int64(0)
        if text and text[0] != "0":
            body = text[1:] if text[0] in "+-" else text
            if body.isdigit() and body.isascii():
                n = int(text)
                if -(1 << 63) <= n < (1 << 63):
                    return Int64(n)
        return text

    def parse(self) -> None:
        while not self.key(self.data, 0):
            pass

    def key(self, data: dict[str, Any], level: int) -> bool:
        """Read one ``key=value`` (or nested key) into ``data``; True when the input is used up."""
        while True:
            k, last = self.until("=[,.")
            if last is None:
                if not k:
                    return True
                raise _StrvalsError(f'key "{k}" has no value')
            if last == "[":
                index = self.index()
                current = data.get(k, [])
                if not isinstance(current, list):
                    raise _StrvalsError(f"unable to parse key: interface conversion: interface {{}} is "
                                        f"{_go_type(current)}, not []interface {{}}")
                current, done = self.list_item(current, index, level)
                if k:
                    data[k] = current
                return done
            if last == "=":
                items, state = self.value_list()
                if state == "list":
                    if k:
                        data[k] = items
                    return False
                if state == "eof":
                    if k:
                        data[k] = ""
                    return True
                text, last_value = self.until(",")
                if k:
                    data[k] = self.typed(text)
                return last_value is None
            if last == ",":
                if k:
                    data[k] = ""
                raise _StrvalsError(f'key "{k}" has no value (cannot end with ,)')
            # last == "."
            level += 1
            if level > MAX_NESTED_NAME_LEVEL:
                raise _StrvalsError(f"value name nested level is greater than maximum supported nested level of "
                                    f"{MAX_NESTED_NAME_LEVEL}")
            inner = data.get(k, {})
            if not isinstance(inner, dict):
                raise _StrvalsError(f"unable to parse key: interface conversion: interface {{}} is "
                                    f"{_go_type(inner)}, not map[string]interface {{}}")
            done = self.key(inner, level)
            if not inner:
                if not done:
                    raise _StrvalsError(f'key map "{k}" has no value')
            elif k:
                data[k] = inner
            return done

    def index(self) -> int:
        text, _ = self.until("]")
        try:
            if not text.lstrip("+-").isdigit():
                raise ValueError
            return int(text)
        except ValueError:
            raise _StrvalsError(f'error parsing index: strconv.Atoi: parsing "{text}": invalid syntax') from None

    def set_index(self, items: list[Any], index: int, value: Any) -> list[Any]:
        if index < 0:
            raise _StrvalsError(f"negative {index} index not allowed")
        if index > MAX_INDEX:
            raise _StrvalsError(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
        items = list(items)
        if len(items) <= index:
            items.extend([None] * (index + 1 - len(items)))
        items[index] = value
        return items

    def list_item(self, items: list[Any], index: int, level: int) -> tuple[list[Any], bool]:
        if index < 0:
            raise _StrvalsError(f"negative {index} index not allowed")
        k, last = self.until("[.=")
        if k:
            raise _StrvalsError(f"unexpected data at end of array index: {quote(k)}")
        if last is None:
            return items, True
        if last == "=":
            values, state = self.value_list()
            if state == "list":
                return self.set_index(items, index, values), False
            if state == "eof":
                return self.set_index(items, index, ""), False
            text, _ = self.until(",")
            return self.set_index(items, index, self.typed(text)), False
        if last == "[":
            next_index = self.index()
            current = items[index] if len(items) > index and items[index] is not None else []
            if not isinstance(current, list):
                raise _StrvalsError(f"unable to parse key: interface conversion: interface {{}} is "
                                    f"{_go_type(current)}, not []interface {{}}")
            inner_list, done = self.list_item(current, next_index, level)
            return self.set_index(items, index, inner_list), done
        # last == "."
        inner = items[index] if len(items) > index and isinstance(items[index], dict) else {}
        done = self.key(inner, level)
        return self.set_index(items, index, inner), done

    def value_list(self) -> tuple[list[Any], str]:
        """A ``{a,b}`` list: ("list", items); "eof" at the end of input; "scalar" when no list starts here."""
        ch = self.read()
        if ch is None:
            return [], "eof"
        if ch != "{":
            self.pos -= 1
            return [], "scalar"
        items: list[Any] = []
        while True:
            text, last = self.until(",}")
            if last is None:
                raise _StrvalsError("list must terminate with '}'")
            items.append(self.typed(text))
            if last == "}":
                if self.pos < len(self.text) and self.text[self.pos] == ",":
                    self.pos += 1
                return items, "list"


def _go_type(value: Any) -> str:
    from kops.templating.gotypes import type_name

    return type_name(value)


def apply_set(text: str, data: dict[str, Any], string_values: bool = False) -> None:
    """Merge one ``--set`` (or, with ``string_values``, ``--set-string``) argument into ``data``."""
    flag = "--set-string" if string_values else "--set"
    try:
        _Scanner(text, data, string_values).parse()
    except _StrvalsError as exc:
        raise KopsError(f"failed parsing {flag} data: {exc}") from None


def build_context(values_files: list[str], sets: list[str], string_sets: list[str]) -> dict[str, Any]:
    """The template's values: files merged in order, then each ``--set``, then each ``--set-string``."""
    context = load_values(values_files)
    for text in sets:
        apply_set(text, context)
    for text in string_sets:
        apply_set(text, context, string_values=True)
    return context
