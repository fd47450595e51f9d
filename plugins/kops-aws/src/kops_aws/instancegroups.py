"""Facts about instance groups that several AWS builders need: roles, names, tags, warm pools.

Names and tags follow upstream kOps, so an Auto Scaling group, an IAM role or an instance tag made
here is the one upstream made for the same cluster (and the cluster autoscaler, the node termination
handler and kops-controller find what they look for).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kops_aws.naming import iam_name

CONTROL_PLANE, API_SERVER, NODE, BASTION = "ControlPlane", "APIServer", "Node", "Bastion"

#: Prefix of the tags that tell the cluster autoscaler a group's node labels and taints before it has nodes.
AUTOSCALER_LABEL_PREFIX = "k8s.io/cluster-autoscaler/node-template/label/"
AUTOSCALER_TAINT_PREFIX = "k8s.io/cluster-autoscaler/node-template/taint/"
#: The tag the cluster autoscaler discovers the groups it may resize by, alongside one naming the cluster.
AUTOSCALER_DISCOVERY_TAG = "k8s.io/cluster-autoscaler/enabled"
#: Prefix of the role tags (``k8s.io/role/node: 1``).
ROLE_TAG_PREFIX = "k8s.io/role/"
#: Labels every control-plane node carries.
CONTROL_PLANE_LABELS = {
    "node-role.kubernetes.io/control-plane": "",
    "kops.k8s.io/kops-controller-pki": "",
    "node.kubernetes.io/exclude-from-external-load-balancers": "",
}


def role_of(group: Any) -> str:
    """The group's role, with upstream's old spelling ``Master`` read as ``ControlPlane``."""
    role = group.spec.role or NODE
    return CONTROL_PLANE if role == "Master" else role


def role_key(role: str) -> str:
    """Upstream's short name of a role in IAM names, outputs and spec maps: ``master``, ``node``..."""
    return {CONTROL_PLANE: "master", API_SERVER: "apiserver", NODE: "node", BASTION: "bastion"}[role]


def iam_role_name(role: str, cluster_name: str) -> str:
    """The IAM role and instance profile name of a role: ``masters.<cluster>``, ``nodes.<cluster>``..."""
    prefix = {CONTROL_PLANE: "masters", API_SERVER: "apiservers", NODE: "nodes", BASTION: "bastions"}[role]
    return iam_name(f"{prefix}.{cluster_name}")


def asg_name(group: Any, cluster_name: str) -> str:
    """The Auto Scaling group (and launch template) name: ``nodes.<cluster>``, ``<ig>.masters.<cluster>``."""
    middle = {CONTROL_PLANE: ".masters", API_SERVER: ".apiservers"}.get(role_of(group), "")
    return f"{group.metadata.name}{middle}.{cluster_name}"


def custom_profile_name(group: Any) -> str | None:
    """The name of the instance profile a group brings (``iam.profile``, an ARN), or None."""
    profile = group.spec.iam.profile if group.spec.iam else None
    return profile.rsplit("/", 1)[-1] if profile else None


def node_labels(spec: Any, group: Any) -> dict[str, str]:
    """The Kubernetes labels the group's nodes get (upstream's ``BuildNodeLabels``)."""
    role = role_of(group)
    labels: dict[str, str] = {}
    kubelet = spec.masterKubelet if role == CONTROL_PLANE else spec.kubelet
    for source in (kubelet, group.spec.kubelet):
        if source is not None and source.nodeLabels:
            labels.update(source.nodeLabels)
    if role == API_SERVER:
        labels["node-role.kubernetes.io/api-server"] = ""
    if role == NODE:
        labels["node-role.kubernetes.io/node"] = ""
    if role == CONTROL_PLANE:
        labels.update(CONTROL_PLANE_LABELS)
    labels.update(group.spec.nodeLabels or {})
    return labels


def instance_tags(aws: Any, group: Any) -> dict[str, str]:
    """The tags of a group's launch template, Auto Scaling group and instances (upstream's
    ``CloudTagsForInstanceGroup``): the cluster's and the group's cloud labels under the cluster's own tags, node
    labels and taints for the cluster autoscaler, the node termination handler's tag, then the role and group
    tags, which win."""
    spec = aws.spec
    tags = aws.tags(asg_name(group, aws.cluster_name), labels=group.spec.cloudLabels)
    nth = spec.nodeTerminationHandler
    if nth_queue_mode(spec) and nth.managedASGTag and nth.managedASGTag not in tags:
        tags[nth.managedASGTag] = ""
    for key, value in node_labels(spec, group).items():
        tags[AUTOSCALER_LABEL_PREFIX + key] = value
    for taint in group.spec.taints or []:
        head, _, effect = taint.rpartition(":")  # key=value:effect, or key:effect
        key, _, value = head.partition("=")
        if key and effect:
            tags[AUTOSCALER_TAINT_PREFIX + key] = f"{value}:{effect}"
    role = role_of(group)
    if autoscaled(spec, group):
        tags[AUTOSCALER_DISCOVERY_TAG] = "1"
        tags[f"k8s.io/cluster-autoscaler/{aws.cluster_name}"] = "owned"
    if role == CONTROL_PLANE:
        tags[ROLE_TAG_PREFIX + "master"] = "1"
        tags[ROLE_TAG_PREFIX + "control-plane"] = "1"
    else:
        tags[ROLE_TAG_PREFIX + role.lower()] = "1"
    tags["kops.k8s.io/instancegroup"] = group.metadata.name
    return tags


def autoscaled(spec: Any, group: Any) -> bool:
    """Whether the cluster autoscaler may resize ``group``: a node group, when the autoscaler is enabled and
    the group does not opt out with ``autoscale: false`` (upstream's rule for the groups it lists)."""
    autoscaler = spec.clusterAutoscaler
    return (bool(autoscaler and autoscaler.enabled) and role_of(group) == NODE
            and group.spec.autoscale is not False)


def nth_queue_mode(spec: Any) -> bool:
    """Whether the node termination handler runs in queue mode (upstream's default when it is enabled)."""
    nth = spec.nodeTerminationHandler
    return bool(nth and nth.enabled) and nth.enableSQSTerminationDraining is not False


@dataclass(frozen=True)
class WarmPool:
    """A group's warm pool after the cluster default is applied; ``enabled`` is False for no pool."""

    enabled: bool
    min_size: int = 0
    max_size: int | None = None
    lifecycle_hook: bool = False
    hook_timeout: int = 600


def warm_pool(spec: Any, group: Any) -> WarmPool:
    """The group's warm pool (upstream's ``ResolveDefaults``): its own settings over the cluster's; the
    cluster's default never applies to control-plane and bastion groups."""
    own, default = group.spec.warmPool, spec.warmPool
    if role_of(group) in (CONTROL_PLANE, BASTION):
        default = None
    if own is None and default is None:
        return WarmPool(enabled=False)
    first, second = (own, default) if own is not None else (default, None)

    def pick(attr: str) -> Any:
        value = getattr(first, attr)
        return value if value not in (None, 0, False) or second is None else getattr(second, attr)

    max_size = first.maxSize if first.maxSize is not None or second is None else second.maxSize
    timeout = first.lifecycleHookTimeout or (second.lifecycleHookTimeout if second else None) or 600
    return WarmPool(enabled=max_size != 0, min_size=pick("minSize") or 0, max_size=max_size,
                    lifecycle_hook=bool(pick("enableLifecycleHook")), hook_timeout=timeout)
