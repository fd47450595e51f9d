"""Upstream kOps manifests used as the yardstick for the API types."""

from pathlib import Path
from typing import Any

from kops.testing import upstream

UPSTREAM = upstream.root()


def upstream_manifests(completed: bool = True) -> list[Any]:
    """Every v1alpha2 manifest upstream ships with its tests: inputs, create-cluster outputs and (unless not
    ``completed``) completed specs; for ``parametrize``, so one skipped case where the fixtures are missing."""
    if not upstream.available():
        return upstream.cases("")
    patterns = ["update_cluster/*/in-v1alpha2.yaml", "create_cluster/*/expected-v1alpha2.yaml"]
    if completed:
        patterns.append("update_cluster/*/data/*cluster-completed.spec_content")
    return sorted(p for pattern in patterns for p in UPSTREAM.glob(pattern))


def manifest_id(path: Path) -> str:
    return str(path.relative_to(UPSTREAM))
