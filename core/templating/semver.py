"""Masterminds/semver constraints, for sprig's ``semver`` and ``semverCompare``.

``semverCompare ">=1.27.0-0" .kubernetesVersion`` is how templates branch on versions. The constraint
language is Masterminds', not the channel files': ``~1.2`` (patch updates), ``^1.2`` (minor updates),
``1.2.x`` wildcards, ``1.2 - 1.4`` ranges, ``,`` or spaces for AND and ``||`` for OR. A pre-release version
satisfies a constraint only when the constraint names a pre-release itself, as Masterminds decides.
"""

from __future__ import annotations

import re

from kops.templating.errors import FuncError
from kops.versions import Version

_VERSION = re.compile(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?")
_PART = re.compile(r"(\d+|[xX*])")


def _version(text: str) -> Version:
    m = _VERSION.fullmatch(text.strip())
    if not m:
        raise FuncError("Invalid Semantic Version")
    pre = tuple(int(p) if p.isdigit() else p for p in m.group(4).split(".")) if m.group(4) else ()
    return Version(int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0), pre)


def parse_version(text: str) -> str:
    """``semver``: the version, normalised to ``MAJOR.MINOR.PATCH[-pre]``."""
    return str(_version(text))


def _comparator(op: str, text: str) -> list[tuple[str, Version, bool]]:
    """One constraint element as simple comparisons (operator, version, whether it names a pre-release)."""
    wild = re.fullmatch(r"v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?",
                        text)
    if not wild:
        raise FuncError(f"improper constraint: {op}{text}")
    parts = [wild.group(1), wild.group(2), wild.group(3)]
    pre = wild.group(4) or ""
    given = [p for p in parts if p is not None]
    wildcard_at = next((i for i, p in enumerate(parts) if p is None or p in "xX*"), None)
    nums = [int(p) if p is not None and p not in "xX*" else 0 for p in parts]
    base = _version(".".join(map(str, nums)) + pre)
    has_pre = bool(pre)
    if wildcard_at == 0:
        return [] if op in ("", "=", ">=", "<=", "~", "~>", "^") else [(op, base, has_pre)]

    def bump(index: int) -> Version:
        n = nums[:]
        n[index] += 1
        for j in range(index + 1, 3):
            n[j] = 0
        return Version(n[0], n[1], n[2], ())

    if op in ("~", "~>"):
        return [(">=", base, has_pre), ("<", bump(1 if len(given) > 1 else 0), has_pre)]
    if op == "^":
        if nums[0] > 0 or len(given) == 1:
            upper = bump(0)
        elif nums[1] > 0 or len(given) == 2:
            upper = bump(1)
        else:
            upper = bump(2)
        return [(">=", base, has_pre), ("<", upper, has_pre)]
    if wildcard_at is not None:
        upper = bump(wildcard_at - 1)
        if op in ("", "="):
            return [(">=", base, has_pre), ("<", upper, has_pre)]
        if op == "!=":
            return [("<", base, has_pre), ("||>=", upper, has_pre)]
        if op == ">":
            return [(">=", upper, has_pre)]
        if op == "<=":
            return [("<", upper, has_pre)]
        return [(op, base, has_pre)]
    return [(op or "=", base, has_pre)]


def _check(op: str, want: Version, names_pre: bool, have: Version) -> bool:
    if have.pre and not names_pre:
        return False
    return {"=": have == want, "!=": have != want, ">": have > want, "<": have < want, ">=": have >= want,
            "<=": have <= want}[op]


def satisfies(constraint: str, version: str) -> bool:
    """``semverCompare``: whether ``version`` meets ``constraint``."""
    have = _version(version)
    for alternative in constraint.split("||"):
        text = alternative.strip()
        hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", text)
        elements = [(">=", hyphen.group(1)), ("<=", hyphen.group(2))] if hyphen else [
            (m.group(1), m.group(2)) for m in re.finditer(r"(=>|=<|>=|<=|!=|~>|[=<>~^]?)\s*([^\s,<>=!~^][^\s,]*)", text)]
        if not elements and text:
            raise FuncError(f"improper constraint: {constraint}")
        checks = []
        for op, value in elements:
            op = {"=>": ">=", "=<": "<="}.get(op, op)
            checks.extend(_comparator(op, value))
        ok = True
        for i, (op, want, names_pre) in enumerate(checks):
            if op == "||>=":  # the second half of "outside a wildcard range", already decided with the first
                continue
            passed = _check(op, want, names_pre, have)
            if not passed and i + 1 < len(checks) and checks[i + 1][0] == "||>=":
                passed = _check(">=", checks[i + 1][1], names_pre, have)
            if not passed:
                ok = False
                break
        if ok:
            return True
    return False
