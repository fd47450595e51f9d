"""The ``filter`` parameter of Compute's list calls.

Forms understood, as the API documents them: ``FIELD OP VALUE`` with ``=``, ``!=``, ``>``, ``<``, ``>=``,
``<=``, ``:`` (substring; ``:*`` means the field is set), and ``eq`` / ``ne`` whose value is a regular
expression that must match the whole field; nested fields by dots (``labels.KEY``, ``networkInterfaces.networkIP``,
any element of a list matching); values bare, single- or double-quoted; expressions in parentheses, joined by
``AND`` (also implied by juxtaposition) or ``OR``, negated by ``NOT``. A ``*`` in an ``=`` value is a wildcard.
A malformed filter is the 400 the API answers.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

from kops_gce.testing.fakegce.errors import invalid_field

Predicate = Callable[[dict[str, Any]], bool]
_OPERATORS = ("!=", ">=", "<=", "=", ":", ">", "<")


class _Parser:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def fail(self) -> Exception:
        return invalid_field("filter", self.text, "Invalid list filter expression.")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek_word(self) -> str:
        self.skip()
        m = re.compile(r"[^\s()]+").match(self.text, self.pos)
        return m.group(0) if m else ""

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        self.skip()
        if self.pos != len(self.text):
            raise self.fail()
        return predicate

    def disjunction(self) -> Predicate:
        terms = [self.conjunction()]
        while self.peek_word() == "OR":
            self.pos += 2
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda r: any(t(r) for t in terms))

    def conjunction(self) -> Predicate:
        terms = [self.unary()]
        while True:
            self.skip()
            if self.pos >= len(self.text) or self.text[self.pos] == ")" or self.peek_word() == "OR":
                break
            if self.peek_word() == "AND":
                self.pos += 3
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (lambda r: all(t(r) for t in terms))

    def unary(self) -> Predicate:
        self.skip()
        if self.peek_word() in ("NOT", "-") or self.text.startswith("-", self.pos):
            self.pos += 3 if self.peek_word() == "NOT" else 1
            inner = self.unary()
            return lambda r: not inner(r)
        if self.text.startswith("(", self.pos):
            self.pos += 1
            inner = self.disjunction()
            self.skip()
            if not self.text.startswith(")", self.pos):
                raise self.fail()
            self.pos += 1
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        self.skip()
        m = re.compile(r"[A-Za-z_][\w.\-]*").match(self.text, self.pos)
        if not m:
            raise self.fail()
        field = m.group(0)
        self.pos = m.end()
        self.skip()
        word = self.peek_word()
        if word in ("eq", "ne"):
            self.pos += 2
            return _regex(field, self.value(regex=True), negate=word == "ne", fail=self.fail)
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                return _compare(field, op, self.value(regex=False))
        raise self.fail()

    def value(self, regex: bool) -> str:
        self.skip()
        if self.pos < len(self.text) and self.text[self.pos] in "\"'":
            quote = self.text[self.pos]
            end = self.pos + 1
            out = []
            while end < len(self.text) and self.text[end] != quote:
                if self.text[end] == "\\" and end + 1 < len(self.text):
                    end += 1
                out.append(self.text[end])
                end += 1
            if end >= len(self.text):
                raise self.fail()
            self.pos = end + 1
            return "".join(out)
        # A bare regular expression may hold parentheses when balanced; other bare values end at one.
        start, depth = self.pos, 0
        while self.pos < len(self.text) and not self.text[self.pos].isspace():
            ch = self.text[self.pos]
            if ch == "(" and regex:
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "(":
                break
            self.pos += 1
        if self.pos == start:
            raise self.fail()
        return self.text[start:self.pos]


def _values(resource: Any, path: list[str]) -> list[Any]:
    """Every value at a dotted path, descending into lists (a repeated field matches if any element does)."""
    if isinstance(resource, list):
        return [v for item in resource for v in _values(item, path)]
    if not path:
        return [resource]
    if not isinstance(resource, dict) or path[0] not in resource:
        return []
    return _values(resource[path[0]], path[1:])


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _ordered(a: Any, b: str) -> tuple[Any, Any]:
    try:
        return float(a), float(b)
    except (TypeError, ValueError):
        return _as_text(a), b


def _compare(field: str, op: str, expected: str) -> Predicate:
    path = field.split(".")

    def one(value: Any) -> bool:
        text = _as_text(value)
        if op == ":":
            return expected == "*" or expected.lower() in text.lower()
        if op in ("=", "!="):
            same = fnmatch.fnmatchcase(text, expected) if "*" in expected else text == expected
            if not same:
                a, b = _ordered(value, expected)
                same = isinstance(a, float) and a == b
            return same if op == "=" else not same
        a, b = _ordered(value, expected)
        if type(a) is not type(b):
            return False
        return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]

    def predicate(resource: dict[str, Any]) -> bool:
        found = _values(resource, path)
        if op == "!=":
            return not found or all(one(v) for v in found)
        return any(one(v) for v in found)

    return predicate


def _regex(field: str, pattern: str, negate: bool, fail: Callable[[], Exception]) -> Predicate:
    try:
        compiled = re.compile(pattern)
    except re.error:
        raise fail() from None
    path = field.split(".")

    def predicate(resource: dict[str, Any]) -> bool:
        matched = any(compiled.fullmatch(_as_text(v)) for v in _values(resource, path))
        return not matched if negate else matched

    return predicate


def compile_filter(text: str | None) -> Predicate:
    """A predicate over a resource (its JSON form) for a list call's ``filter``; no filter matches everything."""
    if not text or not text.strip():
        return lambda r: True
    return _Parser(text).parse()
