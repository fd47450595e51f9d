"""pytest fixtures shared by the tests of plugins that contribute add-ons (kops-addons, a cloud plugin's own add-ons,
an organisation's): the installed ``kops`` run as a user would, AWS clusters completed as ``kops update cluster``
completes them, the plugin's own hooks, and manifests checked against Kubernetes' own schemas for every supported
minor.

A plugin's ``tests/conftest.py`` names its ``kops.plugins`` entry point and imports the fixtures by name::

    from kops.testing.addons import *  # noqa: F403 - the shared fixtures, found by pytest by name

    @pytest.fixture
    def addons_plugin():
        return "addons"
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from kops.testing.manifests import KUBERNETES_MINORS

__all__ = ["CLUSTER", "SPEC", "addons", "channel", "completed", "kops", "objects", "plugin", "problems",
           "schema_problems", "tree"]

KOPS = str(Path(sys.executable).with_name("kops"))
CLUSTER = "addons.example.com"

#: API groups whose kinds are defined by CustomResourceDefinitions (cert-manager's, the snapshot API's, the
#: load balancer controller's): Kubernetes' schemas do not know them, the CRDs in the add-ons do.
CUSTOM_GROUPS = ("cert-manager.io", "acme.cert-manager.io", "snapshot.storage.k8s.io", "groupsnapshot.storage.k8s.io",
                 "elbv2.k8s.aws")

SPEC = {
    "cloudProvider": "aws", "kubernetesVersion": "v1.34.0", "networkCIDR": "172.20.0.0/16",
    "nonMasqueradeCIDR": "100.64.0.0/10", "dnsZone": "example.com", "networking": {"calico": {}},
    "topology": {"dns": {"type": "Public"}}, "kubernetesApiAccess": ["0.0.0.0/0"], "sshAccess": ["0.0.0.0/0"],
    "subnets": [{"name": "us-east-1a", "zone": "us-east-1a", "cidr": "172.20.32.0/19", "type": "Public"}],
    "etcdClusters": [{"name": name, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-east-1a"}]}
                     for name in ("main", "events")],
    "iam": {"legacy": False}, "authorization": {"rbac": {}},
}


@pytest.fixture
def kops(tmp_path: Path):
    """Run ``kops ARGS...`` on a fresh machine: empty HOME, a local file:// state store, no cloud credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_", "GOOGLE_", "OS_"))}
    (tmp_path / "home").mkdir()
    env.update(HOME=str(tmp_path / "home"), KOPS_STATE_STORE=f"file://{tmp_path / 'store'}")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([KOPS, *args], env=env, capture_output=True, text=True, timeout=180)

    return run


@pytest.fixture
def tree():
    """``tree(**spec)``: the cluster as its YAML tree, ``spec`` laid over the base spec key by key."""

    def build(**spec: Any) -> dict[str, Any]:
        return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": CLUSTER},
                "spec": {**copy.deepcopy(SPEC), **copy.deepcopy(spec)}}

    return build


@pytest.fixture
def completed(tree):
    """``completed(**spec)``: the cluster completed for update, as a :class:`kops.api.Cluster`."""
    from kops import api
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster
    from kops_aws.cloud import AWSCloud

    return lambda **spec: api.from_dict(complete_cluster(tree(**spec), [], AWSCloud(), load_channel("stable")))


@pytest.fixture
def plugin(addons_plugin: str):
    """The hooks of the plugin under test (the ``addons_plugin`` fixture names its ``kops.plugins`` entry point) as
    kops registered them. Tests call them directly so that other plugins' contributions neither hide nor break
    what is tested here."""
    from kops.testing.plugins import registered

    return registered(addons_plugin)


@pytest.fixture
def addons(plugin):
    """``addons(cluster, secrets=None)``: the add-ons this plugin contributes for a cluster, by name, its hook given
    the arguments it declares (``secrets``: a :class:`kops.addons.ClusterSecrets`; by default one without a store)."""
    from kops.addons import call_hook

    return lambda cluster, secrets=None: {a.name: a for a in call_hook(plugin.kops_addons, cluster, secrets)}


@pytest.fixture
def channel():
    """The add-ons of a cluster's whole bootstrap channel (every plugin's), by name, as the channel stores them."""
    from kops.addons.channel import addons as channel_addons
    from kops.addons.channel import finish

    return lambda cluster: {a.name: finish(a) for a in channel_addons(cluster)}


@pytest.fixture
def problems(plugin):
    """The validation errors this plugin reports for a cluster, as {path: reason}."""
    return lambda cluster: {e.path: e.reason for e in plugin.kops_validate(cluster=cluster, instance_groups=[])}


@pytest.fixture
def objects():
    """``objects(manifest)``: a manifest's objects by (kind, name)."""
    return lambda manifest: {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest) if d}


@pytest.fixture
def schema_problems():
    """Every object of a manifest that does not validate strictly against each supported Kubernetes minor's
    schemas (or whose built-in kind those schemas do not know), as readable lines; empty when all is well."""
    from kops.testing.manifests import schema_problems as problems

    return lambda manifest: problems(manifest, KUBERNETES_MINORS, CUSTOM_GROUPS)
