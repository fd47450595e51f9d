"""Fixtures for the Calico plugin's tests: the installed ``kops`` run as a user would, clusters built from a
spec, completed by the inference rules, and manifests checked against Kubernetes' own schemas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

KOPS = str(Path(sys.executable).with_name("kops"))
#: The Kubernetes minor versions kops supports; every manifest must be valid for each.
KUBERNETES_MINORS = ("1.32", "1.33", "1.34", "1.35")


@pytest.fixture
def kops(tmp_path: Path):
    """Run ``kops ARGS...`` on a fresh machine: empty HOME, a local file:// state store, no cloud credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_", "GOOGLE_", "OS_"))}
    (tmp_path / "home").mkdir()
    env.update(HOME=str(tmp_path / "home"), KOPS_STATE_STORE=f"file://{tmp_path / 'store'}")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([KOPS, *args], env=env, capture_output=True, text=True, timeout=120)

    return run


@pytest.fixture
def spec_tree():
    """A cluster as its YAML tree: an AWS cluster using Calico, with ``overrides`` merged into its spec."""

    def build(networking: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        spec = {"cloudProvider": "aws", "kubernetesVersion": "v1.33.0", "networkCIDR": "172.20.0.0/16",
                "nonMasqueradeCIDR": "100.64.0.0/10",
                "networking": networking if networking is not None else {"calico": {}}}
        spec.update(overrides)
        return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "calico.example.com"},
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
    import kubernetes_validate

    def check(manifest: str) -> list[str]:
        problems = []
        for doc in (d for d in yaml.safe_load_all(manifest) if d):
            for minor in KUBERNETES_MINORS:
                try:
                    kubernetes_validate.validate(doc, minor, strict=True)
                except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as exc:
                    path = ".".join(str(p) for p in getattr(exc, "path", []))
                    problems.append(f"{minor} {doc['kind']}/{doc['metadata']['name']} {path}: {exc.message}")
        return problems

    return check


@pytest.fixture
def plugin():
    """This distribution's hooks as kops registered them from the ``calico`` entry point. Tests call them
    directly so that other installed plugins' contributions neither hide nor break what is tested here."""
    from kops.plugins import plugin_manager

    module = plugin_manager().get_plugin("calico")
    assert module is not None, "the calico entry point of kops.plugins is not registered"
    return module


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
