"""``snapshot-controller.addons.k8s.io``: the CSI snapshot controller, which turns VolumeSnapshots into snapshots
taken by the volume's CSI driver (the EBS driver of kops-aws among others).

Enabled by ``spec.snapshotController.enabled``. Upstream kOps refuses it without cert-manager (its manifest
serves a validation webhook with a cert-manager certificate); the same rule holds here, so a spec accepted by
one is accepted by the other. The manifest is the controller, its RBAC and the snapshot API's CRDs.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon
from kops.addons.facts import section_enabled as is_enabled
from kops.addons.render import render
from kops.errors import FieldError

from kops_addons.common import cert_manager_enabled
from kops_addons.versions import SNAPSHOT_CONTROLLER_IMAGE

NAME = "snapshot-controller.addons.k8s.io"
PATH = "spec.snapshotController"


def enabled(cluster: Any) -> bool:
    return is_enabled(cluster.spec.snapshotController)


def validate(cluster: Any) -> list[FieldError]:
    if enabled(cluster) and not cert_manager_enabled(cluster):
        return [FieldError(f"{PATH}.enabled", "the snapshot controller needs cert-manager: set "
                                              "spec.certManager.enabled to true")]
    return []


def addon(cluster: Any) -> Addon:
    return Addon(name=NAME, version=SNAPSHOT_CONTROLLER_IMAGE.rpartition(":")[2],
                 manifest=render("kops_addons", "snapshot-controller.yaml.j2", {"image": SNAPSHOT_CONTROLLER_IMAGE}))
