"""``node-termination-handler.aws``: the AWS node termination handler, which cordons and drains a node before
EC2 takes its instance away (spot interruption, scheduled maintenance, Auto Scaling scale-in, rebalance).

Settings are ``spec.nodeTerminationHandler``, which kops-aws completes on AWS (enabled unless Karpenter is).
Two modes, as upstream:

- queue mode (the default): one Deployment on the control plane reads the cluster's SQS queue
  (``<cluster-with-dashes>-nth``), into which kops-aws' EventBridge rules send instance events, and completes
  the lifecycle hooks kops-aws puts on every Auto Scaling group. It acts only on instances carrying
  ``managedASGTag``, which kops-aws puts on the groups. It runs with the control plane's instance role (on
  the host network, to reach instance metadata for its credentials), which kops-aws grants the queue and
  lifecycle permissions. The queue URL names the AWS account as ``${aws_account_id}``, which kops fills in
  when it writes the channel (Terraform output through ``templatefile``). Where service accounts have IAM
  roles of their own, the handler's account (``aws-node-termination-handler``) has those permissions and the
  Deployment runs on any node, off the host's network.
- IMDS mode (``enableSQSTerminationDraining: false``): a DaemonSet on every Linux node watches its own
  instance's metadata for interruption notices; no queue, no AWS permissions.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ServiceAccount, facts
from kops.addons.facts import region, section_enabled
from kops.addons.render import render
from kops.errors import FieldError
from kops.ownership import reserved_tag_reason

from kops_aws.component_versions import NODE_TERMINATION_HANDLER_IMAGE

NAME = "node-termination-handler.aws"
PATH = "spec.nodeTerminationHandler"

#: The handler's service account, which reads the queue and completes lifecycle actions (in both modes, as
#: upstream grants it).
SERVICE_ACCOUNT = ServiceAccount("kube-system", "aws-node-termination-handler", "node-termination-handler")


def enabled(cluster: Any) -> bool:
    return section_enabled(cluster.spec.nodeTerminationHandler)


def validate(cluster: Any) -> list[FieldError]:
    config = cluster.spec.nodeTerminationHandler
    if config is None:
        return []
    if cluster.spec.cloudProvider != "aws":
        if config.enabled:
            return [FieldError(f"{PATH}.enabled", "the node termination handler is supported on AWS only")]
        return []
    if config.enabled is False:
        return []
    # On AWS an unset ``enabled`` is completed to true, unless Karpenter runs.
    errors = []
    karpenter = cluster.spec.karpenter
    if karpenter is not None and karpenter.enabled:
        errors.append(FieldError(PATH, "the node termination handler cannot be used with Karpenter, which handles "
                                       "interruptions itself"))
    if config.managedASGTag and (reason := reserved_tag_reason(config.managedASGTag, cluster.metadata.name)):
        errors.append(FieldError(f"{PATH}.managedASGTag", reason))
    if config.enableSQSTerminationDraining is not False:
        if config.enableSpotInterruptionDraining is False:
            errors.append(FieldError(f"{PATH}.enableSpotInterruptionDraining",
                                     "spot interruption draining cannot be disabled in queue mode"))
        if config.enableRebalanceMonitoring and not config.enableRebalanceDraining:
            errors.append(FieldError(f"{PATH}.enableRebalanceMonitoring",
                                     "in queue mode rebalance recommendations can only drain: set "
                                     "enableRebalanceDraining too, or enableSQSTerminationDraining: false"))
    return errors


def addon(cluster: Any) -> Addon:
    from kops_aws import serviceaccounts
    from kops_aws.instancegroups import nth_queue_mode

    settings = _settings(cluster.spec.nodeTerminationHandler)
    queue = nth_queue_mode(cluster.spec)
    version = settings["version"]
    values = {
        "version": version,
        "image": f"{NODE_TERMINATION_HANDLER_IMAGE}:{version}",
        "queue_mode": queue,
        "env": _queue_env(cluster, settings) if queue else _imds_env(settings),
        "cpu_request": str(settings["cpuRequest"]),
        "memory_request": str(settings["memoryRequest"]),
        "memory_limit": None if settings.get("memoryLimit") is None else str(settings["memoryLimit"]),
        # Two replicas only where a second control-plane machine can hold one (one per host).
        "replicas": 2 if facts.control_plane_count(cluster) > 1 else 1,
        "selinux": bool(cluster.spec.containerd and cluster.spec.containerd.selinuxEnabled),
        "service_account_role": serviceaccounts.enabled(cluster),
    }
    return Addon(name=NAME, version=version, manifest=render("kops_aws.addons", "node-termination-handler.yaml.j2", values),
                 service_accounts=[SERVICE_ACCOUNT])


def queue_url(cluster: Any) -> str:
    """The handler's SQS queue, as kops-aws names it; the account is the placeholder kops fills in."""
    from kops_aws.account import ACCOUNT_PLACEHOLDER
    from kops_aws.naming import queue_name_prefix

    where = region(cluster)
    suffix = "amazonaws.com.cn" if where.startswith("cn-") else "amazonaws.com"
    return f"https://sqs.{where}.{suffix}/{ACCOUNT_PLACEHOLDER}/{queue_name_prefix(cluster.metadata.name)}-nth"


def _settings(config: Any) -> dict[str, Any]:
    """The spec's settings, kops-aws' defaults where one is unset (the completed spec has them all)."""
    from kops_aws.completion import NODE_TERMINATION_HANDLER_DEFAULTS

    return {**NODE_TERMINATION_HANDLER_DEFAULTS, **config.model_dump(exclude_none=True)}


def _flag(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _common_head(settings: dict[str, Any], probes: bool) -> list[tuple[str, Any]]:
    return [
        ("ENABLE_PROBES_SERVER", probes),
        ("PROBES_SERVER_PORT", 8080),
        ("PROBES_SERVER_ENDPOINT", "/healthz"),
        ("LOG_LEVEL", "info"),
        ("JSON_LOGGING", True),
        ("LOG_FORMAT_VERSION", 2),
        ("ENABLE_PROMETHEUS_SERVER", settings["prometheusEnable"]),
        ("PROMETHEUS_SERVER_PORT", 9092),
    ]


def _draining(settings: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("DRY_RUN", False),
        ("CORDON_ONLY", False),
        ("TAINT_NODE", settings["taintNode"]),
        ("ENABLE_OUT_OF_SERVICE_TAINT", settings["enableOutOfServiceTaint"]),
        ("EXCLUDE_FROM_LOAD_BALANCERS", settings["excludeFromLoadBalancers"]),
        ("DELETE_LOCAL_DATA", True),
        ("IGNORE_DAEMON_SETS", True),
        ("POD_TERMINATION_GRACE_PERIOD", settings["podTerminationGracePeriod"]),
        ("NODE_TERMINATION_GRACE_PERIOD", 120),
        ("EMIT_KUBERNETES_EVENTS", True),
    ]


def _webhook(settings: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(name, settings[field]) for name, field in (("WEBHOOK_TEMPLATE", "webhookTemplate"),
                                                         ("WEBHOOK_URL", "webhookURL")) if settings.get(field)]


def _queue_env(cluster: Any, settings: dict[str, Any]) -> list[tuple[str, str]]:
    env = [
        *_common_head(settings, probes=True),
        ("CHECK_TAG_BEFORE_DRAINING", True),
        ("MANAGED_TAG", settings["managedASGTag"]),
        ("USE_PROVIDER_ID", True),
        *_draining(settings),
        ("COMPLETE_LIFECYCLE_ACTION_DELAY_SECONDS", -1),
        ("ENABLE_SQS_TERMINATION_DRAINING", True),
        ("QUEUE_URL", queue_url(cluster)),
        ("DELETE_SQS_MSG_IF_NODE_NOT_FOUND", settings["deleteSQSMsgIfNodeNotFound"]),
        ("WORKERS", 10),
        ("HEARTBEAT_INTERVAL", -1),
        ("HEARTBEAT_UNTIL", -1),
        ("SQS_MSG_VISIBILITY_TIMEOUT_SEC", 20),
        *_webhook(settings),
    ]
    return [(name, _flag(value)) for name, value in env]


def _imds_env(settings: dict[str, Any]) -> list[tuple[str, str]]:
    env = [
        *_common_head(settings, probes=False),
        ("METADATA_TRIES", 3),
        *_draining(settings),
        ("ENABLE_SPOT_INTERRUPTION_DRAINING", settings["enableSpotInterruptionDraining"]),
        ("ENABLE_ASG_LIFECYCLE_DRAINING", True),
        ("ENABLE_SCHEDULED_EVENT_DRAINING", settings["enableScheduledEventDraining"]),
        ("ENABLE_REBALANCE_MONITORING", settings["enableRebalanceMonitoring"]),
        ("ENABLE_REBALANCE_DRAINING", settings["enableRebalanceDraining"]),
        ("ENABLE_SQS_TERMINATION_DRAINING", False),
        ("UPTIME_FROM_FILE", "/proc/uptime"),
        *_webhook(settings),
    ]
    return [(name, _flag(value)) for name, value in env]
