"""Node labels on the emulator: ``kops controller serve`` gives each registered Node its instance group's labels
(the group, the role, the group's own ``nodeLabels``), found from the Node's providerID through EC2, as upstream's
kops-controller; Nodes of other machines are left alone, and a labelled Node is not written to again."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
import yaml
from kops.testing.kube_api import FakeKubeAPI
from node_kit import create_cluster

WORKERS, CONTROL_PLANE = "nodes-us-east-1a", "control-plane-us-east-1a"


@pytest.fixture(scope="module")
def labelled(moto_server, tmp_path_factory):
    import subprocess

    from cli_kit import KOPS

    tmp = tmp_path_factory.mktemp("labels")
    joined = create_cluster(moto_server, tmp / "home")
    joined.kops("edit", "instancegroup", WORKERS, "--name", joined.name, "--set", "spec.nodeLabels.team=payments")
    joined.update()
    with FakeKubeAPI() as api:
        # Nodes as kubelets register them: no label of the kops.k8s.io or node-role namespaces.
        for name, provider_id in [(i, f"aws:///us-east-1a/{i}") for i in joined.instances.values()] + [
                ("stranger", "aws:///us-east-1a/i-0123456789abcdef0"), ("bare-metal", "")]:
            node = {"apiVersion": "v1", "kind": "Node", "spec": {"providerID": provider_id} if provider_id else {},
                    "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}
            urllib.request.urlopen(urllib.request.Request(f"{api.url}/api/v1/nodes", data=json.dumps(node).encode(),
                                                          method="POST", headers={"Content-Type": "application/json"}))
        (tmp / "kubeconfig").write_text(yaml.safe_dump(api.kubeconfig("fake")))
        service = subprocess.Popen([KOPS, "controller", "serve", joined.name, "--listen", "127.0.0.1:0",
                                    "--kubeconfig", str(tmp / "kubeconfig"), "--label-interval", "0.2"],
                                   env=joined.env, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not all(
                    "kops.k8s.io/instancegroup" in api.get("v1", "Node", i)["metadata"]["labels"]
                    for i in joined.instances.values()):
                time.sleep(0.1)
            time.sleep(1)  # a few more rounds of the loop
            yield joined, api
        finally:
            service.terminate()
            service.communicate(timeout=10)


def _labels(api, name: str) -> dict[str, str]:
    return api.get("v1", "Node", name)["metadata"]["labels"]


def test_a_worker_gets_its_groups_labels_and_the_users(labelled):
    joined, api = labelled
    name = joined.instances[WORKERS]
    assert _labels(api, name) == {"kubernetes.io/hostname": name, "kops.k8s.io/instancegroup": WORKERS,
                                  "node-role.kubernetes.io/node": "", "team": "payments"}


def test_a_control_plane_gets_the_control_plane_labels(labelled):
    joined, api = labelled
    name = joined.instances[CONTROL_PLANE]
    assert _labels(api, name) == {"kubernetes.io/hostname": name, "kops.k8s.io/instancegroup": CONTROL_PLANE,
                                  "node-role.kubernetes.io/control-plane": "", "kops.k8s.io/kops-controller-pki": "",
                                  "node.kubernetes.io/exclude-from-external-load-balancers": ""}


def test_other_nodes_are_left_alone_and_labelled_nodes_not_written_again(labelled):
    joined, api = labelled
    assert _labels(api, "stranger") == {"kubernetes.io/hostname": "stranger"}
    assert _labels(api, "bare-metal") == {"kubernetes.io/hostname": "bare-metal"}
    patches = [r.path for r in api.requests if r.method == "PATCH"]
    assert sorted(patches) == sorted(f"/api/v1/nodes/{i}" for i in joined.instances.values())
