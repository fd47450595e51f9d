"""The ``networking.amazon-vpc-routed-eni`` add-on: the ``aws-node`` DaemonSet (IP address manager, CNI
binary installer and network policy agent), its configuration and RBAC, rendered from the package's template."""

from __future__ import annotations

import json
from typing import Any

from kops.addons import Addon

from kops_amazon_vpc.spec import amazon_vpc_of, is_ipv6_only

ADDON_NAME = "networking.amazon-vpc-routed-eni"
SELECTOR = {"role.kubernetes.io/networking": "1"}
CNI_VERSION = "v1.23.0"
POLICY_AGENT_VERSION = "v1.4.1"
#: Bumped whenever the template changes for the same CNI version.
TEMPLATE_REVISION = 1
REGISTRY = "602401143452.dkr.ecr.us-west-2.amazonaws.com"

#: The CNI's settings unless the user's ``env`` says otherwise (the defaults of AWS's own Helm chart).
DEFAULT_ENV = {
    "AWS_VPC_CNI_NODE_PORT_SUPPORT": "true",
    "AWS_VPC_ENI_MTU": "9001",
    "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER": "false",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "false",
    "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false",
    "AWS_VPC_K8S_CNI_LOG_FILE": "/host/var/log/aws-routed-eni/ipamd.log",
    "AWS_VPC_K8S_CNI_LOGLEVEL": "DEBUG",
    "AWS_VPC_K8S_CNI_RANDOMIZESNAT": "prng",
    "AWS_VPC_K8S_CNI_VETHPREFIX": "eni",
    "AWS_VPC_K8S_PLUGIN_LOG_FILE": "/var/log/aws-routed-eni/plugin.log",
    "AWS_VPC_K8S_PLUGIN_LOG_LEVEL": "DEBUG",
    "DISABLE_INTROSPECTION": "false",
    "DISABLE_METRICS": "false",
    "DISABLE_NETWORK_RESOURCE_PROVISIONING": "false",
    "ENABLE_POD_ENI": "false",
    "ENABLE_PREFIX_DELEGATION": "false",
    "ENABLE_SUBNET_DISCOVERY": "true",
    "NETWORK_POLICY_ENFORCING_MODE": "standard",
    "WARM_ENI_TARGET": "1",
    "WARM_PREFIX_TARGET": "1",
}


def addons(cluster: Any) -> list[Addon]:
    vpc = amazon_vpc_of(cluster)
    if vpc is None:
        return []
    ipv6_only = is_ipv6_only(cluster)
    env = environment(cluster, vpc, ipv6_only)
    manifest = render("amazon-vpc.yaml.j2", **{
        "addon_name": ADDON_NAME,
        "labels": {"addon.kops.k8s.io/name": ADDON_NAME, "app.kubernetes.io/managed-by": "kops", **SELECTOR,
                   "app.kubernetes.io/name": "aws-node", "app.kubernetes.io/instance": "aws-vpc-cni",
                   "k8s-app": "aws-node", "app.kubernetes.io/version": CNI_VERSION},
        "images": images(vpc),
        "env": env,
        "version": CNI_VERSION,
        "cluster_name": cluster.name,
        "ipv6_only": ipv6_only,
        # Only with pod-IP annotation does the CNI need to patch pods.
        "patch_pods": env.get("ANNOTATE_POD_IP") == "true",
        "selinux": bool(cluster.spec.containerd and cluster.spec.containerd.selinuxEnabled),
    })
    return [Addon(name=ADDON_NAME, version=f"{CNI_VERSION.lstrip('v')}-kops.{TEMPLATE_REVISION}",
                  manifest=manifest, selector=dict(SELECTOR))]


def images(vpc: Any) -> dict[str, str]:
    """The pinned images, or the ones the user named in the spec."""
    return {
        "cni": vpc.imageName or f"{REGISTRY}/amazon-k8s-cni:{CNI_VERSION}",
        "init": vpc.initImageName or f"{REGISTRY}/amazon-k8s-cni-init:{CNI_VERSION}",
        "policy_agent": vpc.networkPolicyAgentImage or f"{REGISTRY}/amazon/aws-network-policy-agent:{POLICY_AGENT_VERSION}",
    }


def environment(cluster: Any, vpc: Any, ipv6_only: bool) -> dict[str, str]:
    """The CNI's environment, sorted by name: defaults, then the user's ``env``, then what kops decides."""
    env = dict(DEFAULT_ENV)
    env.update({e.name: e.value or "" for e in vpc.env or []})
    env["ENABLE_IPv4"] = "false" if ipv6_only else "true"
    env["ENABLE_IPv6"] = "true" if ipv6_only else "false"
    if ipv6_only:
        # IPv6 pods get addresses from prefixes delegated to the ENIs.
        env.update(ENABLE_PREFIX_DELEGATION="true", WARM_PREFIX_TARGET="1")
    # Tag the ENIs the CNI creates so they are found and cleaned up with the cluster.
    env["ADDITIONAL_ENI_TAGS"] = json.dumps(
        {"KubernetesCluster": cluster.name, f"kubernetes.io/cluster/{cluster.name}": "owned"}, separators=(",", ":"))
    return dict(sorted(env.items()))


def render(template: str, **context: Any) -> str:
    from kops.addons.render import render as render_template

    return render_template("kops_amazon_vpc", template, context)
