"""``aws-cloud-controller.addons.k8s.io``: the AWS cloud controller manager, on every control-plane machine.

It initialises nodes (addresses, zone and instance-type labels), removes nodes whose instances are gone,
and runs load balancers for Services of type LoadBalancer. Its flags come from
``spec.cloudControllerManager``, completed by the AWS plugin; it reads the cloud configuration nodeup
writes to ``/etc/kubernetes/cloud.config`` and reaches the API server on the machine it runs on. Its AWS
permissions are the control-plane role's, or, where service accounts have IAM roles of their own, those of
its account's role (``aws-cloud-controller-manager``).
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ServiceAccount
from kops.addons.render import render

from kops_aws.component_versions import CLOUD_CONTROLLER_MANAGER_IMAGE

NAME = "aws-cloud-controller.addons.k8s.io"
SERVICE_ACCOUNT = ServiceAccount("kube-system", "aws-cloud-controller-manager", {"aws": "aws-cloud-controller-manager"})
CLOUD_CONFIG = "/etc/kubernetes/cloud.config"

#: ``spec.cloudControllerManager`` fields that are flags, with the flag each is.
FLAGS = {
    "master": "master",
    "logLevel": "v",
    "cloudProvider": "cloud-provider",
    "clusterName": "cluster-name",
    "allowUntaggedCloud": "allow-untagged-cloud",
    "clusterCIDR": "cluster-cidr",
    "allocateNodeCIDRs": "allocate-node-cidrs",
    "configureCloudRoutes": "configure-cloud-routes",
    "controllers": "controllers",
    "cidrAllocatorType": "cidr-allocator-type",
    "useServiceAccountCredentials": "use-service-account-credentials",
    "enableLeaderMigration": "enable-leader-migration",
    "nodeStatusUpdateFrequency": "node-status-update-frequency",
    "concurrentNodeSyncs": "concurrent-node-syncs",
}
LEADER_ELECTION_FLAGS = {
    "leaderElect": "leader-elect",
    "leaderElectLeaseDuration": "leader-elect-lease-duration",
    "leaderElectRenewDeadlineDuration": "leader-elect-renew-deadline",
    "leaderElectResourceLock": "leader-elect-resource-lock",
    "leaderElectResourceName": "leader-elect-resource-name",
    "leaderElectResourceNamespace": "leader-elect-resource-namespace",
    "leaderElectRetryPeriod": "leader-elect-retry-period",
}


def addon(cluster: Any) -> Addon:
    ccm = cluster.spec.cloudControllerManager
    image = (ccm.image if ccm is not None else None) or CLOUD_CONTROLLER_MANAGER_IMAGE
    values = {
        "image": image,
        "args": argv(cluster),
        "cpu_request": str((ccm.cpuRequest if ccm is not None else None) or "200m"),
        "cloud_config": CLOUD_CONFIG,
    }
    return Addon(name=NAME, version=image.rpartition(":")[2],
                 manifest=render("kops_aws.addons", "aws-cloud-controller.yaml.j2", values),
                 service_accounts=[SERVICE_ACCOUNT])


def argv(cluster: Any) -> list[str]:
    """The manager's flags: the spec's, sorted by name, then the defaults for what the spec leaves out."""
    ccm = cluster.spec.cloudControllerManager
    settings = ccm.to_dict() if ccm is not None else {}
    flags = {flag: settings[field] for field, flag in FLAGS.items() if settings.get(field) is not None}
    election = settings.get("leaderElection") or {}
    flags.update({flag: election[field] for field, flag in LEADER_ELECTION_FLAGS.items()
                  if election.get(field) is not None})
    if not flags.get("v"):
        flags.pop("v", None)  # log level 0 is no choice: the default verbosity below applies
    args = [f"--{flag}={_flag_value(flags[flag])}" for flag in sorted(flags)]
    if "v" not in flags:
        args.append("--v=2")
    if "cloud-provider" not in flags:
        args.append("--cloud-provider=aws")
    if "use-service-account-credentials" not in flags:
        args.append("--use-service-account-credentials=true")
    return [*args, f"--cloud-config={CLOUD_CONFIG}"]


def _flag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
