"""Semantic versions and the range expressions release channels use (``>=1.27.0 <1.32.0``).

Kubernetes and kOps versions are semver (``v1.32.0``, ``1.36.0-alpha.1``); PEP 440 parsing would
misread their pre-release tags, so this small parser follows semver ordering instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from kops.errors import KopsError

#: The upstream kOps release whose behaviour and channel entries this product matches.
KOPS_COMPAT_VERSION = "1.35.0"

_SEMVER = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: tuple[int | str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        m = _SEMVER.match(str(text).strip())
        if not m:
            raise KopsError(f"invalid version {text!r}: expected a semantic version such as v1.32.0")
        pre = tuple(int(p) if p.isdigit() else p for p in m.group(4).split(".")) if m.group(4) else ()
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), pre)

    def _key(self) -> tuple:
        # A release sorts after its pre-releases; numeric identifiers sort before alphanumeric ones.
        pre_key = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre_key)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return base + ("-" + ".".join(str(p) for p in self.pre) if self.pre else "")

    @property
    def minor_version(self) -> tuple[int, int]:
        return (self.major, self.minor)


_COMPARATOR = re.compile(r"^(>=|<=|>|<|=|==|!=)?\s*(\S+)$")


def in_range(version: Version | str, expression: str) -> bool:
    """Whether ``version`` satisfies a channel range: comparators joined by spaces (AND) or ``||`` (OR)."""
    v = version if isinstance(version, Version) else Version.parse(version)
    for alternative in expression.split("||"):
        if all(_compare(v, part) for part in alternative.split()):
            return True
    return False


def _compare(v: Version, part: str) -> bool:
    m = _COMPARATOR.match(part)
    if not m:
        raise KopsError(f"invalid version range element {part!r}")
    op, other = m.group(1) or "=", Version.parse(m.group(2))
    return {
        ">=": v >= other, "<=": v <= other, ">": v > other, "<": v < other,
        "=": v == other, "==": v == other, "!=": v != other,
    }[op]
