"""The AWS add-ons of the bootstrap channel: the cloud controller manager, the EBS CSI driver and the
storage classes that use it. Contributed through the plugin's ``kops_addons`` hook, for AWS clusters only.
"""

from __future__ import annotations

from typing import Any


def addons(cluster: Any) -> list[Any]:
    """The AWS add-ons ``cluster`` enables; ``[]`` for another cloud."""
    if cluster.spec.cloudProvider != "aws":
        return []
    from kops_aws.addons import cloud_controller, ebs_csi, storage

    found = [cloud_controller.addon(cluster)]
    if ebs_csi.applies(cluster):
        found.append(ebs_csi.addon(cluster))
    if storage.applies(cluster):
        found.append(storage.addon(cluster))
    return found
