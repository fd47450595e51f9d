"""``snapshot-controller.addons.k8s.io``: in the channel only when enabled, valid for every supported Kubernetes,
refused without cert-manager."""

from __future__ import annotations

import pytest
from kops_addons.versions import SNAPSHOT_CONTROLLER_IMAGE

NAME = "snapshot-controller.addons.k8s.io"


def test_enabled_is_in_the_channel_and_valid(completed, channel, schema_problems):
    manifest = channel(completed(snapshotController={"enabled": True}, certManager={"enabled": True}))[NAME]
    assert schema_problems(manifest) == []


@pytest.mark.parametrize("config", [None, {"enabled": False}])
def test_disabled_is_absent(completed, channel, config):
    spec = {"snapshotController": config} if config is not None else {}
    assert NAME not in channel(completed(certManager={"enabled": True}, **spec))


def test_controller_rbac_and_crds(completed, addons, objects):
    addon = addons(completed(snapshotController={"enabled": True}, certManager={"enabled": True}))[NAME]
    assert addon.version == SNAPSHOT_CONTROLLER_IMAGE.rpartition(":")[2]
    found = objects(addon.manifest)
    pod = found["Deployment", "snapshot-controller"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == SNAPSHOT_CONTROLLER_IMAGE
    assert pod["serviceAccountName"] == "snapshot-controller"
    assert found["ClusterRoleBinding", "snapshot-controller-role"]["roleRef"]["name"] == "snapshot-controller-runner"
    crds = {name: crd["spec"] for (kind, name), crd in found.items() if kind == "CustomResourceDefinition"}
    assert {name: spec["scope"] for name, spec in crds.items()} == {
        "volumesnapshots.snapshot.storage.k8s.io": "Namespaced",
        "volumesnapshotcontents.snapshot.storage.k8s.io": "Cluster",
        "volumesnapshotclasses.snapshot.storage.k8s.io": "Cluster"}
    assert all(s["versions"][0]["schema"]["openAPIV3Schema"]["x-kubernetes-preserve-unknown-fields"]
               for s in crds.values())


def test_requires_cert_manager(completed, problems):
    found = problems(completed(snapshotController={"enabled": True}))
    assert list(found) == ["spec.snapshotController.enabled"]
    assert "cert-manager" in found["spec.snapshotController.enabled"]
    assert problems(completed(snapshotController={"enabled": True},
                              certManager={"enabled": True, "managed": False})) == {}
