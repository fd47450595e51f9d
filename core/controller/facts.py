"""What the node credential service knows of its cluster, read from the state store as plain trees.

The completed spec (``cluster-completed.spec``, which ``kops update cluster`` writes) and the instance groups
(``instancegroup/<name>``) are read as YAML, not through kops' API types (pydantic is not on machines); the
service needs their names, roles and node labels only. They are read for each request, so a group added by an
update is known to the next machine that asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kops.errors import KopsError


@dataclass
class ClusterFacts:
    #: The completed Cluster's tree.
    cluster: dict[str, Any]
    #: Instance groups' trees by name.
    groups: dict[str, dict[str, Any]]

    @property
    def name(self) -> str:
        return str(self.cluster["metadata"]["name"])


def read_facts(store: Any, name: str) -> ClusterFacts:
    """Cluster ``name``'s completed spec and instance groups from ``store`` (a :class:`kops.state.StateStore`)."""
    cluster = _yaml(store, f"{name}/cluster-completed.spec")
    if cluster is None:
        raise KopsError(f"cluster {name!r} has no completed spec in {store.url}; run kops update cluster first")
    groups = {}
    for path in store.list(f"{name}/instancegroup/"):
        tree = _yaml(store, path)
        if isinstance(tree, dict) and isinstance(tree.get("spec"), dict):
            groups[str(tree.get("metadata", {}).get("name") or path.rsplit("/", 1)[-1])] = tree
    return ClusterFacts(cluster, groups)


def _yaml(store: Any, path: str) -> Any:
    import yaml

    obj = store.read(path)
    if obj is None:
        return None
    try:
        tree = yaml.safe_load(obj.data)
    except yaml.YAMLError:
        raise KopsError(f"{store.url}/{path}: not valid YAML") from None
    if not isinstance(tree, dict) or not isinstance(tree.get("spec"), dict):
        raise KopsError(f"{store.url}/{path}: expected a kops.k8s.io object with a spec")
    return tree
