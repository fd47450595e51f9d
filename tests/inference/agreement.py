"""How closely ``complete_cluster`` agrees with upstream kOps' own completed specs.

Each upstream update-cluster case holds its input manifest (``in-v1alpha2.yaml``) and the completed spec
upstream stored for it (``data/aws_s3_object_cluster-completed.spec_content``). Both trees are flattened
to leaf paths; the score of a case is the share of upstream's leaves that the completion reproduces.
Most leaves are the user's own values carried over, so the share of the leaves upstream filled in
(absent from the input, or written differently there) is reported too: it measures the rules alone.

Left out of the score: ``configBase`` and creation timestamps, paths that embed the state store's
location (key and secret stores, etcd backup stores), and the internals of CNI providers that
plugins other than core complete (everything but kubenet, cni and external).

Run ``python -m tests.inference.agreement [-v]`` for a report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from kops.testing import upstream

UPDATE_CLUSTER = upstream.root() / "update_cluster"
COMPLETED = "data/aws_s3_object_cluster-completed.spec_content"
CORE_NETWORKING = ("kubenet", "cni", "external")
IGNORED = ("metadata.creationTimestamp", "spec.configBase", "spec.keyStore", "spec.secretStore")


def aws_cases() -> list[Any]:
    """Cases whose input is an AWS cluster and for which upstream stored a completed spec (for ``parametrize``:
    one skipped case where the fixtures are missing)."""
    return upstream.cases("update_cluster/*", value=lambda p: p.name, keep=lambda p: (p / COMPLETED).is_file()
                          and load_input(p.name)[0]["spec"].get("cloudProvider") == "aws")


def load_input(case: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    docs = [d for d in yaml.safe_load_all((UPDATE_CLUSTER / case / "in-v1alpha2.yaml").read_text()) if d]
    cluster = next(d for d in docs if d.get("kind") == "Cluster")
    return cluster, [d for d in docs if d.get("kind") == "InstanceGroup"]


def load_expected(case: str) -> dict[str, Any]:
    return yaml.safe_load((UPDATE_CLUSTER / case / COMPLETED).read_text())


def flatten(node: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Leaf paths of a YAML tree. Lists of maps that all have a ``name`` are keyed by it (``etcdClusters[main]``);
    other lists, and empty maps, are leaves."""
    out = {} if out is None else out
    if isinstance(node, dict) and node:
        for key, value in node.items():
            flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(node, list) and node and all(isinstance(i, dict) and "name" in i for i in node):
        for item in node:
            flatten({k: v for k, v in item.items() if k != "name"}, f"{prefix}[{item['name']}]", out)
            out[f"{prefix}[{item['name']}].name"] = item["name"]
    else:
        out[prefix] = node
    return out


def scored(path: str) -> bool:
    if path in IGNORED or path.startswith(tuple(p + "." for p in IGNORED)):
        return False
    if path.startswith("spec.etcdClusters[") and path.endswith(".backups.backupStore"):
        return False
    if path.startswith("spec.networking."):
        return path.split(".")[2] in CORE_NETWORKING
    return True


@dataclass
class Score:
    case: str
    matched: int = 0
    total: int = 0
    #: Of those, the leaves upstream filled in (absent from the input, or different there).
    filled_matched: int = 0
    filled_total: int = 0
    misses: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return self.matched / self.total if self.total else 1.0

    @property
    def filled_agreement(self) -> float:
        return self.filled_matched / self.filled_total if self.filled_total else 1.0


def score(case: str) -> Score:
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster
    from kops.plugins import load_driver

    cluster, groups = load_input(case)
    channel = load_channel(cluster["spec"].get("channel") or "stable")
    cloud = load_driver("cloud", "aws")()
    completed = flatten(complete_cluster(cluster, groups, cloud, channel))
    given = flatten(cluster)
    result = Score(case)
    for path, want in flatten(load_expected(case)).items():
        if not scored(path):
            continue
        filled = given.get(path) != want
        got = completed.get(path)
        result.total += 1
        result.filled_total += filled
        if got == want:
            result.matched += 1
            result.filled_matched += filled
        else:
            result.misses.append((path, want, got))
    return result


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    if not upstream.available():
        print(upstream.reason(), file=sys.stderr)
        return 1
    scores = [score(case) for case in aws_cases()]
    for s in scores:
        print(f"{s.agreement:7.1%} {s.matched:4d}/{s.total:<4d}  filled {s.filled_agreement:7.1%} "
              f"{s.filled_matched:4d}/{s.filled_total:<4d} {s.case}")
        if verbose:
            for path, want, got in s.misses:
                print(f"           {path}: upstream {want!r}, here {got!r}")
    mean = sum(s.agreement for s in scores) / len(scores)
    filled = sum(s.filled_agreement for s in scores) / len(scores)
    print(f"mean agreement over {len(scores)} AWS cases: {mean:.1%} of all fields, {filled:.1%} of filled-in fields")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
