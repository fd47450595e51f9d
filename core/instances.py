"""A running cluster's machines, as day-2 commands (``get instances``, ``validate``, ``rolling-update``) see them:
the cloud's view (:meth:`kops.cloud.CloudProvider.cloud_groups`) joined with the Kubernetes Nodes, when the API
can be reached.

A Node belongs to the machine whose ``provider_id`` its ``spec.providerID`` names. A Node annotated
``kops.k8s.io/needs-update`` counts as needing an update whatever its machine was launched from, as upstream.
"""

from __future__ import annotations

from typing import Any

from kops.cloud import NEEDS_UPDATE, CloudInstance, CloudInstanceGroup

#: The annotation by which an operator marks a node for replacement by the next rolling update.
NEEDS_UPDATE_ANNOTATION = "kops.k8s.io/needs-update"
#: How a role is shown (``get instances``' ROLES column): upstream's lowercase names.
ROLE_NAMES = {"ControlPlane": "control-plane", "APIServer": "apiserver", "Node": "node", "Bastion": "bastion"}


def cloud_groups(model: Any, nodes: list[Any] | None = None) -> list[CloudInstanceGroup]:
    """The cluster's groups and machines from its cloud (with the run's patience for the cloud's errors), each
    machine joined with its Node when ``nodes`` are given."""
    from kops.update import with_retries

    ctx = model.cloud.engine_context(model)
    groups = with_retries(ctx, lambda: model.cloud.cloud_groups(model.cluster, model.instance_groups, nodes))
    if nodes is not None:
        join_nodes(groups, nodes)
    return groups


def join_nodes(groups: list[CloudInstanceGroup], nodes: list[Any]) -> None:
    """Give each machine its Node (matched by provider ID) and the Node's annotation's say on its status."""
    by_provider_id = {node.spec.provider_id: node for node in nodes if node.spec and node.spec.provider_id}
    for group in groups:
        for instance in group.instances:
            node = by_provider_id.get(instance.provider_id)
            if node is None:
                continue
            instance.node, instance.node_name = node, node.metadata.name
            if NEEDS_UPDATE_ANNOTATION in (node.metadata.annotations or {}):
                instance.status = NEEDS_UPDATE


def as_dict(instance: CloudInstance) -> dict[str, str]:
    """One machine as ``get instances -o json|yaml`` prints it."""
    return {"id": instance.id, "nodeName": instance.node_name, "status": instance.status,
            "role": ROLE_NAMES.get(instance.role, instance.role.lower()), "state": instance.state,
            "internalIP": instance.internal_ip, "instanceGroup": instance.instance_group,
            "machineType": instance.machine_type}
