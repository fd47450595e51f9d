"""Compare two checkov JSON reports: ours must fail at most a third as many checks, in proportion, as
upstream's Terraform for the same cluster (``make checkov``). Exit 1 when it does not."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def proportion(path: str) -> tuple[int, int, float]:
    """Failed and total checks of a report, and the failed proportion. checkov writes a list of reports
    when it ran several frameworks; only Terraform's counts here."""
    report = json.loads(Path(path).read_text())
    if isinstance(report, list):
        report = next(r for r in report if r.get("check_type") == "terraform")
    summary = report["summary"]
    failed, total = summary["failed"], summary["passed"] + summary["failed"]
    return failed, total, failed / total if total else 0.0


def main(ours: str, upstream: str) -> int:
    o_failed, o_total, o_share = proportion(ours)
    u_failed, u_total, u_share = proportion(upstream)
    print(f"ours:     {o_failed} failed of {o_total} ({o_share:.1%})")
    print(f"upstream: {u_failed} failed of {u_total} ({u_share:.1%})")
    ok = o_share <= u_share / 3
    print(f"ours at most a third of upstream's ({u_share / 3:.1%}): {'yes' if ok else 'no'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
