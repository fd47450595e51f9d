"""Label and field selectors, with the real server's grammar and its refusals.

Label selectors come in two forms: the query-string form of ``?labelSelector=`` (``a=b``, ``a!=b``, ``a``, ``!a``,
``a in (x,y)``, ``a notin (x,y)``, ``a>1``, ``a<1``; all must hold) and the structured ``LabelSelector`` of
workloads and disruption budgets (``matchLabels`` and ``matchExpressions``). Field selectors (``a=b``, ``a==b``,
``a!=b``) may only name the fields the real server indexes for that resource; anything else is refused with its
``field label not supported`` error, which is how a client learns it asked for something a cluster cannot answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import bad_request
from .kinds import FIELD_LABELS

_KEY = r"[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_EXISTS = re.compile(rf"^(!?)\s*({_KEY})$")
_SET = re.compile(rf"^({_KEY})\s+(in|notin)\s*\((.*)\)$")
_COMPARE = re.compile(rf"^({_KEY})\s*(==|=|!=|>|<)\s*({_VALUE})$")

Labels = dict[str, str]


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside parentheses: ``a in (x,y),b`` is two requirements."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _requirement(key: str, operator: str, values: list[str]) -> Callable[[Labels], bool]:
    """One requirement, with the operators of both selector forms."""
    if operator in ("=", "==", "In", "in"):
        return lambda labels: key in labels and labels[key] in values
    if operator in ("!=", "NotIn", "notin"):
        return lambda labels: labels.get(key) not in values
    if operator in ("", "Exists"):
        return lambda labels: key in labels
    if operator in ("!", "DoesNotExist"):
        return lambda labels: key not in labels
    bound, greater = int(values[0]), operator in (">", "Gt")

    def compare(labels: Labels) -> bool:
        number = _integer(labels.get(key))
        return number is not None and (number > bound if greater else number < bound)

    return compare


def _integer(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def parse_label_selector(selector: str) -> Callable[[Labels], bool]:
    """A test of an object's labels for the query-string form (an empty selector matches everything)."""
    tests = []
    for raw in _split_top_level(selector) if selector.strip() else []:
        requirement = raw.strip()
        if (found := _EXISTS.match(requirement)) is not None:
            tests.append(_requirement(found[2], "!" if found[1] else "", []))
        elif (found := _SET.match(requirement)) is not None:
            values = [v.strip() for v in found[3].split(",")]
            if not all(re.fullmatch(_VALUE, v) for v in values):
                raise bad_request(f"unable to parse requirement: values {values} are not valid label values")
            tests.append(_requirement(found[1], found[2], values))
        elif (found := _COMPARE.match(requirement)) is not None:
            if found[2] in "<>" and _integer(found[3]) is None:
                raise bad_request(f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an "
                                  f"integer: {found[3]!r}")
            tests.append(_requirement(found[1], found[2], [found[3]]))
        else:
            raise bad_request(f"unable to parse requirement: {requirement!r}")
    return lambda labels: all(test(labels) for test in tests)


def label_selector_matches(selector: dict[str, Any] | None, labels: Labels) -> bool:
    """Whether a structured ``LabelSelector`` selects ``labels``. A null selector selects nothing and an empty one
    everything (the ``policy/v1`` meaning, which workloads share)."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        if not _requirement(expression["key"], expression["operator"], list(expression.get("values") or []))(labels):
            return False
    return True


def field_value(obj: dict[str, Any], field: str) -> str:
    """A field's value as field selectors compare it: a string, booleans as ``true``/``false``, absent as empty."""
    value: Any = obj
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def parse_field_selector(selector: str, plural: str) -> Callable[[dict[str, Any]], bool]:
    """A test of an object for a field selector on resource ``plural``."""
    supported = ("metadata.name", "metadata.namespace", *FIELD_LABELS.get(plural, ()))
    tests = []
    for term in (t for t in _split_unescaped(selector) if t):
        field, operator, value = _term(term, selector)
        if field not in supported:
            raise bad_request(f"field label not supported: {field}")
        tests.append((field, operator != "!=", value))
    return lambda obj: all((field_value(obj, field) == value) == equal for field, equal, value in tests)


def _split_unescaped(text: str) -> list[str]:
    """The terms of a field selector, split at unescaped commas and still escaped (a value may hold ``\\,``)."""
    terms, current, escaped = [], "", False
    for char in text:
        if char == "," and not escaped:
            terms.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\" and not escaped
    return [*terms, current]


def _term(term: str, selector: str) -> tuple[str, str, str]:
    """(field, operator, value) of one term; backslash escapes ``\\``, ``,`` and ``=`` in values."""
    index = 0
    while index < len(term):
        if term[index] == "\\":
            index += 2
            continue
        for operator in ("!=", "==", "="):
            if term.startswith(operator, index):
                value = re.sub(r"\\(.)", r"\1", term[index + len(operator):])
                return term[:index], operator, value
        index += 1
    raise bad_request(f"invalid selector: '{selector}'; can't understand '{term}'")
