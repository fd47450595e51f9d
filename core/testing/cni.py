"""pytest fixtures shared by networking (CNI) plugins' tests.

A plugin's ``tests/conftest.py`` defines one fixture, ``cni_case``, naming its entry point and the small
cluster its tests start from, and imports the fixtures below by name::

    from kops.testing.cni import *  # noqa: F403 - the shared fixtures, found by pytest by name

    @pytest.fixture
    def cni_case():
        return CNICase("mycni", cluster_tree("mycni.example.com", {"mycni": {}}))

Every hook fixture calls the plugin's own registered hooks, so other installed plugins' contributions
neither hide nor break what a plugin's tests check.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kops.testing import cli, manifests, plugins

__all__ = ["CNICase", "addons", "cluster_doc", "cluster_tree", "complete", "create_cluster", "firewall_rules", "kops",
           "make_cluster", "plugin", "problems", "schema_problems", "spec_tree", "to_cluster"]


@dataclass(frozen=True)
class CNICase:
    #: The plugin's ``kops.plugins`` entry-point name.
    plugin: str
    #: The cluster tests start from, as its YAML tree (see :func:`cluster_tree`).
    cluster: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.cluster["metadata"]["name"])


def cluster_tree(name: str, networking: dict[str, Any], *, kubernetes_version: str = "v1.32.0",
                 non_masquerade_cidr: str = "100.64.0.0/10", **spec: Any) -> dict[str, Any]:
    """A small AWS cluster using ``networking``, with any further ``spec`` fields."""
    return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": name},
            "spec": {"cloudProvider": "aws", "kubernetesVersion": kubernetes_version, "networkCIDR": "172.20.0.0/16",
                     "nonMasqueradeCIDR": non_masquerade_cidr, "networking": networking, **spec}}


@pytest.fixture
def kops(tmp_path: Path):
    """Run ``kops ARGS...`` on a fresh machine: empty HOME, a local file:// state store, no cloud credentials."""
    return cli.runner(cli.isolated_env(tmp_path))


@pytest.fixture
def create_cluster(kops, cni_case: CNICase):
    """``kops create cluster NAME --cloud aws --zones us-test-1a --dry-run -o yaml ARGS...``: the Cluster it prints."""
    return lambda *args: cli.dry_run_cluster(kops, cni_case.name, "--cloud", "aws", "--zones", "us-test-1a", *args)


@pytest.fixture
def cluster_doc(cni_case: CNICase) -> dict[str, Any]:
    """A fresh copy of the case's cluster tree, to adjust per test."""
    return copy.deepcopy(cni_case.cluster)


@pytest.fixture
def spec_tree(cni_case: CNICase):
    """The case's cluster tree with another ``networking`` section and ``overrides`` merged into its spec."""

    def build(networking: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        tree = copy.deepcopy(cni_case.cluster)
        if networking is not None:
            tree["spec"]["networking"] = networking
        tree["spec"].update(overrides)
        return tree

    return build


@pytest.fixture
def to_cluster():
    """Turn a cluster tree into the :class:`kops.api.Cluster` the hooks receive."""
    from kops.api import from_dict

    return from_dict


@pytest.fixture
def make_cluster(spec_tree, to_cluster):
    """:func:`spec_tree`'s cluster as the :class:`kops.api.Cluster` the hooks receive."""
    return lambda networking=None, **overrides: to_cluster(spec_tree(networking, **overrides))


@pytest.fixture
def complete():
    """Run every rule of the ``complete`` stage over a cluster tree and return the tree."""
    from kops.inference import InferenceContext, run_stage

    def run(tree: dict[str, Any]) -> dict[str, Any]:
        run_stage("complete", InferenceContext(cluster=tree))
        return tree

    return run


@pytest.fixture
def schema_problems():
    """Every object of a manifest that does not validate strictly against a Kubernetes version's schemas
    (or whose kind those schemas do not know), as readable lines; empty when all is well."""
    return manifests.schema_problems


@pytest.fixture
def plugin(cni_case: CNICase):
    """This distribution's hooks as kops registered them from its entry point."""
    return plugins.registered(cni_case.plugin)


@pytest.fixture
def addons(plugin):
    """``addons(cluster, secrets=None)``: the add-ons this plugin contributes for a cluster, by name, its hook given
    the arguments it declares (``secrets``: a :class:`kops.addons.ClusterSecrets`; by default one without a store)."""
    from kops.addons import call_hook

    return lambda cluster, secrets=None: {a.name: a for a in call_hook(plugin.kops_addons, cluster, secrets)}


@pytest.fixture
def firewall_rules(plugin):
    """The firewall rules this plugin contributes for a cluster."""
    return lambda cluster: plugin.kops_firewall_rules(cluster=cluster)


@pytest.fixture
def problems(plugin):
    """The validation errors this plugin reports for a cluster, as {path: reason}."""
    return lambda cluster: {e.path: e.reason for e in plugin.kops_validate(cluster=cluster, instance_groups=[])}
