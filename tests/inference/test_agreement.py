"""Agreement with upstream kOps' completed specs, case by case (see :mod:`tests.inference.agreement`).

What keeps a case below 100%: ``dnsZone`` (upstream looks the hosted zone up in Route 53), and values
the user wrote that upstream rewrites into a canonical form (``kubernetesVersion`` without its leading
``v``, resource quantities such as ``3.14`` as ``3140m``): this completion never rewrites a user's value.
"""

from __future__ import annotations

import pytest
from kops.testing import upstream

from tests.inference.agreement import aws_cases, flatten, load_input, score

pytestmark = upstream.needed

CASES = aws_cases()
#: Lowest share per case, of all upstream's fields and of the fields upstream filled in.
CASE_MINIMUM = 0.97
CASE_FILLED_MINIMUM = 0.95
MEAN_MINIMUM = 0.98


@pytest.mark.parametrize("case", CASES)
def test_case_agreement(case: str) -> None:
    s = score(case)
    misses = "\n".join(f"  {path}: upstream {want!r}, here {got!r}" for path, want, got in s.misses)
    assert s.agreement >= CASE_MINIMUM, f"{case}: {s.agreement:.1%}\n{misses}"
    assert s.filled_agreement >= CASE_FILLED_MINIMUM, f"{case}: filled-in {s.filled_agreement:.1%}\n{misses}"


def test_mean_agreement() -> None:
    scores = [score(case) for case in CASES]
    assert len(scores) >= 40, "expected the upstream AWS cases"
    assert sum(s.agreement for s in scores) / len(scores) >= MEAN_MINIMUM
    assert sum(s.filled_agreement for s in scores) / len(scores) >= MEAN_MINIMUM


def test_only_known_differences_remain() -> None:
    """Every miss is one of the documented ones; anything else is a regression."""
    unexpected = [(s.case, path, want, got) for s in map(score, CASES) for path, want, got in s.misses
                  if not _known(s.case, path, got)]
    assert unexpected == []


def _known(case: str, path: str, got: object) -> bool:
    if path == "spec.dnsZone":
        return got is None
    # A user's value kept as written where upstream stores it canonically.
    user = flatten(load_input(case)[0])
    return path in user and user[path] == got
