"""Fixtures for the Flannel plugin's tests: the installed ``kops`` run as a user would, clusters built from a
spec, completed by the inference rules, and manifests checked against Kubernetes' own schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kops.testing import cli, manifests, plugins


@pytest.fixture
def kops(tmp_path: Path):
    """Run ``kops ARGS...`` on a fresh machine: empty HOME, a local file:// state store, no cloud credentials."""
    return cli.runner(cli.isolated_env(tmp_path))


@pytest.fixture
def spec_tree():
    """A cluster as its YAML tree: an AWS cluster using Flannel (VXLAN), with ``overrides`` merged into its spec."""

    def build(networking: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        spec = {"cloudProvider": "aws", "kubernetesVersion": "v1.33.0", "networkCIDR": "172.20.0.0/16",
                "nonMasqueradeCIDR": "100.64.0.0/10",
                "networking": networking if networking is not None else {"flannel": {"backend": "vxlan"}}}
        spec.update(overrides)
        return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "flannel.example.com"},
                "spec": spec}

    return build


@pytest.fixture
def make_cluster(spec_tree):
    """The same cluster as a :class:`kops.api.Cluster`, as hooks receive it."""
    from kops import api

    return lambda networking=None, **overrides: api.from_dict(spec_tree(networking, **overrides))


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
def plugin():
    """This distribution's hooks as kops registered them from the ``flannel`` entry point. Tests call them
    directly so that other installed plugins' contributions neither hide nor break what is tested here."""
    return plugins.registered("flannel")


@pytest.fixture
def addons(plugin):
    """The add-ons this plugin contributes for a cluster, by name."""
    return lambda cluster: {a.name: a for a in plugin.kops_addons(cluster=cluster)}


@pytest.fixture
def firewall_rules(plugin):
    """The firewall rules this plugin contributes for a cluster."""
    return lambda cluster: plugin.kops_firewall_rules(cluster=cluster)


@pytest.fixture
def problems(plugin):
    """The validation errors this plugin reports for a cluster, as {path: reason}."""
    return lambda cluster: {e.path: e.reason for e in plugin.kops_validate(cluster=cluster, instance_groups=[])}
