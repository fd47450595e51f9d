"""``cluster-autoscaler.addons.k8s.io``: resizes node groups to fit pods that cannot be scheduled.

It runs on the control plane, whose instance role kops-aws already grants the Auto Scaling permissions
(resizing limited to the cluster's own groups); where service accounts have IAM roles of their own, its account
(``cluster-autoscaler``) has them and it runs on any node. Where upstream lists every node group with ``--nodes``, this
add-on finds them by the tags kops-aws puts on the Auto Scaling groups of node groups that do not opt out
with ``autoscale: false`` (``k8s.io/cluster-autoscaler/enabled`` and ``k8s.io/cluster-autoscaler/<cluster>``),
so a group's size change or a new group needs no new manifest. Settings are ``spec.clusterAutoscaler``,
completed by core; only AWS is supported.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ServiceAccount, facts
from kops.addons.facts import region
from kops.addons.facts import section_enabled as is_enabled
from kops.addons.render import render
from kops.errors import FieldError

NAME = "cluster-autoscaler.addons.k8s.io"
PATH = "spec.clusterAutoscaler"
EXPANDERS = ("least-waste", "random", "most-pods", "price", "priority")


#: The manifest configures the autoscaler's AWS provider; other clouds' providers are not written yet.
CLOUDS = ("aws",)
SERVICE_ACCOUNT = ServiceAccount("kube-system", "cluster-autoscaler", "cluster-autoscaler")


def enabled(cluster: Any) -> bool:
    return is_enabled(cluster.spec.clusterAutoscaler)


def validate(cluster: Any) -> list[FieldError]:
    config = cluster.spec.clusterAutoscaler
    if not enabled(cluster):
        return []
    errors = []
    if cluster.spec.cloudProvider == "openstack":
        errors.append(FieldError(PATH, "the cluster autoscaler is not supported on OpenStack"))
    if config.expander and config.expander not in EXPANDERS:
        errors.append(FieldError(f"{PATH}.expander", f"unsupported value {config.expander!r}: must be one of "
                                                     f"{', '.join(EXPANDERS)}"))
    elif config.expander == "price" and cluster.spec.cloudProvider != "gce":
        errors.append(FieldError(f"{PATH}.expander", "the price expander is only supported on GCE"))
    for priority in config.customPriorityExpanderConfig or {}:
        if not str(priority).lstrip("-").isdigit():
            errors.append(FieldError(f"{PATH}.customPriorityExpanderConfig.{priority}",
                                     "a priority must be an integer"))
    return errors


def addon(cluster: Any) -> Addon:
    from kops.addons.channel import identity_lookup

    config = cluster.spec.clusterAutoscaler
    values = {
        "image": config.image,
        "region": region(cluster),
        "args": _args(cluster, config),
        "pod_annotations": dict(config.podAnnotations or {}),
        "cpu_request": str(config.cpuRequest or "100m"),
        "memory_request": str(config.memoryRequest or "300Mi"),
        # Leader election lets a second replica wait on another control-plane machine.
        "replicas": 2 if facts.control_plane_count(cluster) > 1 else 1,
        "priorities": _priorities(config) if config.expander == "priority" else None,
        # With a cloud identity of its own (IAM roles for service accounts) it runs on any node.
        "service_account_role": identity_lookup(cluster)(SERVICE_ACCOUNT) is not None,
    }
    return Addon(name=NAME, version=config.image.rpartition(":")[2],
                 manifest=render("kops_addons", "cluster-autoscaler.yaml.j2", values),
                 service_accounts=[SERVICE_ACCOUNT])


def _args(cluster: Any, config: Any) -> list[str]:
    def flag(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    settings = [
        ("balance-similar-node-groups", config.balanceSimilarNodeGroups),
        ("emit-per-nodegroup-metrics", config.emitPerNodegroupMetrics),
        ("cloud-provider", "aws"),
        ("aws-use-static-instance-list", config.awsUseStaticInstanceList),
        ("expander", config.expander),
        ("node-group-auto-discovery",
         f"asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/{cluster.metadata.name}"),
        ("ignore-daemonsets-utilization", config.ignoreDaemonSetsUtilization),
        ("scale-down-utilization-threshold", config.scaleDownUtilizationThreshold),
        ("skip-nodes-with-custom-controller-pods", config.skipNodesWithCustomControllerPods),
        ("skip-nodes-with-local-storage", config.skipNodesWithLocalStorage),
        ("skip-nodes-with-system-pods", config.skipNodesWithSystemPods),
        ("scale-down-delay-after-add", config.scaleDownDelayAfterAdd),
        ("scale-down-unneeded-time", config.scaleDownUnneededTime),
        ("scale-down-unready-time", config.scaleDownUnreadyTime),
        ("new-pod-scale-up-delay", config.newPodScaleUpDelay),
        ("max-node-provision-time", config.maxNodeProvisionTime),
        ("cordon-node-before-terminating", config.cordonNodeBeforeTerminating is not False),
    ]
    return [f"--{name}={flag(value)}" for name, value in settings if value is not None] + [
        "--logtostderr=true", "--stderrthreshold=info", "--v=4"]


def _priorities(config: Any) -> str:
    """The priority expander's ConfigMap value: priorities, highest first, each with its group name patterns."""
    import yaml

    table = {int(priority): list(patterns) for priority, patterns in config.customPriorityExpanderConfig.items()}
    return yaml.safe_dump(dict(sorted(table.items(), reverse=True)), sort_keys=False)
