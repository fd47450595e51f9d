"""The AWS add-ons of the bootstrap channel: the cloud controller manager, the EBS CSI driver and the
storage classes that use it, the node termination handler (on by default, as upstream) and the load balancer
controller (when its spec section enables it). Contributed through the plugin's ``kops_addons`` hook, for AWS
clusters only.
"""

from __future__ import annotations

from typing import Any


def addons(cluster: Any) -> list[Any]:
    """The AWS add-ons ``cluster`` enables; ``[]`` for another cloud."""
    if cluster.spec.cloudProvider != "aws":
        return []
    from kops_aws.addons import (
        aws_load_balancer_controller,
        cloud_controller,
        ebs_csi,
        node_termination_handler,
        storage,
    )

    found = [cloud_controller.addon(cluster)]
    if ebs_csi.applies(cluster):
        found.append(ebs_csi.addon(cluster))
    if storage.applies(cluster):
        found.append(storage.addon(cluster))
    for optional in (aws_load_balancer_controller, node_termination_handler):
        if optional.enabled(cluster):
            found.append(optional.addon(cluster))
    return found
