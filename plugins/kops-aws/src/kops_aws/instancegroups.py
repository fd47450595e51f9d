"""Facts about instance groups that several AWS builders need: roles, names, tags, warm pools.

Names and tags follow upstream kOps, so an Auto Scaling group, an IAM role or an instance tag made
here is the one upstream made for the same cluster (and the cluster autoscaler, the node termination
handler and kops-controller find what they look for).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kops.model import API_SERVER, BASTION, CONTROL_PLANE, INSTANCE_GROUP_LABEL, NODE, role_of

from kops_aws.naming import iam_name

#: Prefix of the role tags (``k8s.io/role/node: 1``).
ROLE_TAG_PREFIX = "k8s.io/role/"


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


def instance_tags(aws: Any, group: Any) -> dict[str, str]:
    """The tags of a group's launch template, Auto Scaling group and instances (upstream's
    ``CloudTagsForInstanceGroup``): the cluster's and the group's cloud labels under the cluster's own tags, the
    node termination handler's tag, the cluster autoscaler's tags, then the role and group tags, which win."""
    spec = aws.spec
    tags = aws.tags(asg_name(group, aws.cluster_name), labels=group.spec.cloudLabels)
    nth = spec.nodeTerminationHandler
    if nth_queue_mode(spec) and nth.managedASGTag and nth.managedASGTag not in tags:
        tags[nth.managedASGTag] = ""
    tags.update(aws.model.autoscaler_tags(group))
    role = role_of(group)
    if role == CONTROL_PLANE:
        tags[ROLE_TAG_PREFIX + "master"] = "1"
        tags[ROLE_TAG_PREFIX + "control-plane"] = "1"
    else:
        tags[ROLE_TAG_PREFIX + role.lower()] = "1"
    tags[INSTANCE_GROUP_LABEL] = group.metadata.name
    return tags


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
