"""Upstream kOps manifests used as the yardstick for the API types."""

import os
from pathlib import Path

UPSTREAM = Path(
    os.environ.get("KOPS_UPSTREAM_FIXTURES", Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "kops")
)


def upstream_manifests() -> list[Path]:
    """Every v1alpha2 manifest upstream ships with its tests: inputs, create-cluster outputs and completed specs."""
    return sorted(
        [
            *UPSTREAM.glob("update_cluster/*/in-v1alpha2.yaml"),
            *UPSTREAM.glob("create_cluster/*/expected-v1alpha2.yaml"),
            *UPSTREAM.glob("update_cluster/*/data/*cluster-completed.spec_content"),
        ]
    )


def manifest_id(path: Path) -> str:
    return str(path.relative_to(UPSTREAM))
