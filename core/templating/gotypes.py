"""Go's types for the Python values a template sees.

Go templates are dynamically typed only on the surface: every value still has a Go type, and that type
decides what users see. ``{{ .n }}`` of a number read from a values file prints ``1e+06`` because
upstream decodes YAML numbers as ``float64``; ``eq .n 3`` fails there because ``float64`` and ``int``
do not compare; ``typeOf`` prints ``[]interface {}``. Plain Python values stand for the common Go
types (``str`` is ``string``, ``int`` is ``int``, ``float`` is ``float64``, ``list`` is
``[]interface {}``, ``dict`` is ``map[string]interface {}``, ``None`` is ``nil``) and a few small
subclasses carry the other types functions return (``int64`` from sprig's arithmetic, ``[]string``
from ``splitList``...).

The executor also needs Go's distinction between a missing value (``INVALID``, the zero
``reflect.Value``) and a value read out of an ``interface{}`` container (``Boxed``), because error
messages and nil handling differ between the two; see ``executor.py``.
"""

from __future__ import annotations

import datetime
from typing import Any


class Int64(int):
    """A Go ``int64`` (sprig's arithmetic, ``--set`` integers)."""


class Uint8(int):
    """A Go ``byte``: what ``index`` returns for a string."""


class StrList(list):
    """A Go ``[]string``."""


class IntList(list):
    """A Go ``[]int``."""


class ListList(list):
    """A Go ``[][]interface {}`` (sprig's ``chunk``)."""


class StrMap(dict):
    """A Go ``map[string]string`` (sprig's ``split``)."""


class GoTime:
    """A Go ``time.Time``: an aware datetime with nanoseconds, which Python's datetime lacks."""

    __slots__ = ("dt", "nanos")

    def __init__(self, dt: datetime.datetime, nanos: int | None = None):
        self.dt = dt
        self.nanos = dt.microsecond * 1000 if nanos is None else nanos

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and self.dt == other.dt and self.nanos == other.nanos

    def __hash__(self) -> int:
        return hash((self.dt, self.nanos))


class Boxed:
    """A value read from an ``interface{}`` element of a map or list, as Go's reflection sees it.

    Go keeps such a value behind its interface until a pipeline ends; ``Boxed(None)`` is a nil
    interface, which fails differently from a missing key (``nil pointer evaluating interface {}.x``).
    """

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __repr__(self) -> str:
        return f"Boxed({self.value!r})"


class _Invalid:
    """The zero ``reflect.Value``: what a missing map key or an unset variable evaluates to."""

    _instance: _Invalid | None = None

    def __new__(cls) -> _Invalid:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID = _Invalid()

ANY = "interface {}"
MAP = "map[string]interface {}"
LIST = "[]interface {}"
REFLECT = "reflect.Value"


def unbox(value: Any) -> Any:
    """The concrete value: a missing value and a nil interface are both Go's untyped ``nil`` (``None``)."""
    if isinstance(value, Boxed):
        return value.value
    if value is INVALID:
        return None
    return value


def type_name(value: Any) -> str:
    """The Go type of a value, as ``%T`` and error messages print it."""
    if isinstance(value, Boxed):
        return ANY
    if value is None or value is INVALID:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, Uint8):
        return "uint8"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string"
    if isinstance(value, StrList):
        return "[]string"
    if isinstance(value, IntList):
        return "[]int"
    if isinstance(value, ListList):
        return "[][]interface {}"
    if isinstance(value, list | tuple):
        return LIST
    if isinstance(value, StrMap):
        return "map[string]string"
    if isinstance(value, dict):
        return MAP
    if isinstance(value, GoTime):
        return "time.Time"
    if isinstance(value, bytes):
        return "[]uint8"
    return type(value).__name__


def kind_name(value: Any) -> str:
    """The Go ``reflect.Kind`` of a value, as sprig's ``kindOf`` prints it."""
    value = unbox(value)
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, Uint8):
        return "uint8"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple | bytes):
        return "slice"
    if isinstance(value, dict):
        return "map"
    return "struct"


def element_is_interface(container: Any) -> bool:
    """Whether the container's elements are ``interface{}`` (and so come out ``Boxed``)."""
    return not isinstance(container, StrList | IntList | ListList | StrMap | str | bytes)


def assignable(value: Any, go_type: str) -> bool:
    """Whether a value of the value's type can be passed where ``go_type`` is expected, as Go decides."""
    if go_type in (ANY, REFLECT):
        return True
    return type_name(value) == go_type


def can_be_nil(go_type: str) -> bool:
    """Whether an untyped nil may stand for a value of this type (interfaces, maps, slices)."""
    return go_type in (ANY, REFLECT) or go_type.startswith(("map[", "[]", "*"))


def zero(go_type: str) -> Any:
    """The zero value a nil becomes when passed as a map or slice (Go's nil map and nil slice)."""
    if go_type == MAP:
        return {}
    if go_type == "map[string]string":
        return StrMap()
    if go_type == "[]string":
        return StrList()
    if go_type == "[]int":
        return IntList()
    if go_type.startswith("[]"):
        return []
    return None


def is_int(value: Any) -> bool:
    """A Go integer of any size (not a bool, which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def deep_equal(a: Any, b: Any) -> bool:
    """Go's ``reflect.DeepEqual``: equal values of identical types (``1`` and ``1.0`` differ)."""
    a, b = unbox(a), unbox(b)
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def wrap_int64(n: int) -> int:
    """Go's two's-complement overflow of a 64-bit integer."""
    return ((n + (1 << 63)) % (1 << 64)) - (1 << 63)
