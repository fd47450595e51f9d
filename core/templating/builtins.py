"""Go's built-in template functions: ``and or not len index eq ne lt le gt ge print printf println html js
urlquery call`` (``slice`` is sprig's in kOps, which replaces Go's).

Comparisons follow Go's rules to the letter: integers compare across sizes, but an ``int`` and a ``float64``
are "incompatible types for comparison", and ``eq`` with several arguments is true when the first equals
any of the others. These builtins take ``reflect.Value`` parameters, so they see missing values
(``INVALID``) and nil interfaces as Go's do.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from kops.templating import gofmt
from kops.templating.errors import FuncError
from kops.templating.executor import AND, ANY, OR, REFLECT, GoFunc, go_func, indirect_interface, is_true
from kops.templating.gotypes import INVALID, Boxed, GoTime, Uint8, element_is_interface, is_int, type_name


def _kind(value: Any) -> str:
    """Go's ``basicKind``: the comparison class of a value, or "" when it has none."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Uint8):
        return "uint"
    if is_int(value):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, complex):
        return "complex"
    if isinstance(value, str):
        return "string"
    return ""


def _reflect_kind(value: Any) -> str:
    if value is INVALID:
        return "invalid"
    if isinstance(value, list | tuple):
        return "slice"
    if isinstance(value, dict):
        return "map"
    return _kind(value) or "struct"


def _eq(arg1: Any, *others: Any) -> bool:
    arg1 = indirect_interface(arg1)
    if not others:
        raise FuncError("missing argument for comparison")
    k1 = _kind(arg1)
    for arg in others:
        arg = indirect_interface(arg)
        k2 = _kind(arg)
        if k1 != k2:
            if {k1, k2} == {"int", "uint"}:
                truth = arg1 == arg
            elif arg1 is not INVALID and arg is not INVALID:
                raise FuncError(f"incompatible types for comparison: {type_name(arg1)} and {type_name(arg)}")
            else:
                truth = False
        elif k1:
            truth = arg1 == arg
        else:
            if _reflect_kind(arg1) != _reflect_kind(arg) and INVALID not in (arg1, arg):
                raise FuncError(f"non-comparable types {gofmt.value_string(arg1)}: {type_name(arg1)}, "
                                f"{type_name(arg)}: {gofmt.value_string(arg)}")
            if arg1 is INVALID or arg is INVALID:
                truth = arg1 is arg
            elif isinstance(arg, list | tuple | dict):
                raise FuncError(f"non-comparable type {gofmt.value_string(arg)}: {type_name(arg)}")
            else:
                truth = isinstance(arg1, GoTime) and arg1 == arg
        if truth:
            return True
    return False


def _ne(a: Any, b: Any) -> bool:
    return not _eq(a, b)


def _lt(a: Any, b: Any) -> bool:
    a, b = indirect_interface(a), indirect_interface(b)
    k1, k2 = _kind(a), _kind(b)
    if not k1 or not k2:
        raise FuncError("invalid type for comparison")
    if k1 != k2:
        if {k1, k2} == {"int", "uint"}:
            return bool(a < b)
        raise FuncError(f"incompatible types for comparison: {type_name(a)} and {type_name(b)}")
    if k1 in ("bool", "complex"):
        raise FuncError("invalid type for comparison")
    return bool(a < b)


def _le(a: Any, b: Any) -> bool:
    return _lt(a, b) or _eq(a, b)


def _gt(a: Any, b: Any) -> bool:
    return not _le(a, b)


def _ge(a: Any, b: Any) -> bool:
    return not _lt(a, b)


def _not(value: Any) -> bool:
    return not is_true(value)[0]


def _len(item: Any) -> int:
    if isinstance(item, Boxed):
        if item.value is None:
            raise FuncError("len of nil pointer")
        item = item.value
    if item is INVALID:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return len(item.encode())
    if isinstance(item, list | tuple | dict | bytes):
        return len(item)
    raise FuncError(f"len of type {type_name(item)}")


def _index_arg(index: Any, cap: int) -> int:
    if index is INVALID:
        raise FuncError("cannot index slice/array with nil")
    if not is_int(index):
        raise FuncError(f"cannot index slice/array with type {type_name(index)}")
    if index < 0 or index > cap:
        raise FuncError(f"index out of range: {index}")
    return int(index)


def _index(item: Any, *indexes: Any) -> Any:
    """``index x 1 2`` is ``x[1][2]``; a missing map key gives the element type's zero value."""
    item = indirect_interface(item)
    if item is INVALID:
        raise FuncError("index of untyped nil")
    for index in indexes:
        index = indirect_interface(index)
        if isinstance(item, Boxed):
            if item.value is None:
                raise FuncError("index of nil pointer")
            item = item.value
        if isinstance(item, str | list | tuple):
            sequence = item.encode() if isinstance(item, str) else item
            x = _index_arg(index, len(sequence))
            if x >= len(sequence):
                raise FuncError("reflect: slice index out of range")
            if isinstance(item, str):
                item = Uint8(sequence[x])
            else:
                item = Boxed(sequence[x]) if element_is_interface(item) else sequence[x]
        elif isinstance(item, dict):
            if index is INVALID:
                raise FuncError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise FuncError(f"value has type {type_name(index)}; should be string")
            if index in item:
                item = Boxed(item[index]) if element_is_interface(item) else item[index]
            else:
                item = Boxed(None) if element_is_interface(item) else ""
        else:
            raise FuncError(f"can't index item of type {type_name(item)}")
    return item


def _call(fn: Any, *args: Any) -> Any:
    """Template data never holds functions, so ``call`` always fails as Go's does for a non-function."""
    fn = indirect_interface(fn)
    if fn is INVALID:
        raise FuncError("call of nil")
    raise FuncError(f"non-function of type {type_name(fn)}")


def eval_args(args: tuple[Any, ...]) -> str:
    """``fmt.Sprint`` of the arguments, a nil one printing as ``<no value>``: the text ``html``, ``js`` and
    ``urlquery`` escape."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return gofmt.sprint(*("<no value>" if a is None else a for a in args))


def html_escape(text: str) -> str:
    replacements = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
    return "".join(replacements.get(ch, ch) for ch in text)


def js_escape(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch in "<>&=":
            out.append(f"\\u{code:04X}")
        elif code < 0x20:
            out.append(f"\\u00{code:02X}")
        elif code >= 0x80 and not ch.isprintable():
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    return "".join(out)


BUILTINS: dict[str, GoFunc] = {
    "and": AND,
    "or": OR,
    "not": GoFunc(_not, (REFLECT,)),
    "len": GoFunc(_len, (REFLECT,)),
    "index": GoFunc(_index, (REFLECT,), REFLECT),
    "call": GoFunc(_call, (REFLECT,), REFLECT),
    "eq": GoFunc(_eq, (REFLECT,), REFLECT),
    "ne": GoFunc(_ne, (REFLECT, REFLECT)),
    "lt": GoFunc(_lt, (REFLECT, REFLECT)),
    "le": GoFunc(_le, (REFLECT, REFLECT)),
    "gt": GoFunc(_gt, (REFLECT, REFLECT)),
    "ge": GoFunc(_ge, (REFLECT, REFLECT)),
    "print": go_func(variadic=ANY)(gofmt.sprint),
    "printf": go_func("string", variadic=ANY)(gofmt.sprintf),
    "println": go_func(variadic=ANY)(gofmt.sprintln),
    "html": go_func(variadic=ANY)(lambda *a: html_escape(eval_args(a))),
    "js": go_func(variadic=ANY)(lambda *a: js_escape(eval_args(a))),
    "urlquery": go_func(variadic=ANY)(lambda *a: quote_plus(eval_args(a), safe="")),
}
