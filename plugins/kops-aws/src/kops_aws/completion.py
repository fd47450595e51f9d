"""AWS's part of the complete stage: the AWS cloud controller manager, EBS CSI driver, node termination
handler and Karpenter, the AWS specifics of API load balancers and IPv6 clusters, and the address of a
service-account issuer whose discovery store is in S3."""

from __future__ import annotations

from kops.inference import InferenceContext, Rule, rule
from kops.inference.completion.facts import cloud_routes, ipv6_only, kops_controller_ipam

from kops_aws.component_versions import (
    CLOUD_CONTROLLER_MANAGER_IMAGE,
    EBS_CSI_DRIVER_VERSION,
    KARPENTER_IMAGE,
    NODE_TERMINATION_HANDLER_VERSION,
)

#: The Amazon-provided DNS resolver's IPv6 address, reachable from every Nitro instance.
AMAZON_DNS_IPV6 = "fd00:ec2::253"

NODE_TERMINATION_HANDLER_DEFAULTS = {
    "deleteSQSMsgIfNodeNotFound": False,
    "enableSpotInterruptionDraining": True,
    "enableScheduledEventDraining": True,
    "enableRebalanceMonitoring": False,
    "enableRebalanceDraining": False,
    "enableOutOfServiceTaint": False,
    "prometheusEnable": False,
    "excludeFromLoadBalancers": True,
    "managedASGTag": "aws-node-termination-handler/managed",
    "podTerminationGracePeriod": -1,
    "taintNode": False,
    "cpuRequest": "50m",
    "memoryRequest": "64Mi",
    "version": NODE_TERMINATION_HANDLER_VERSION,
}


@rule("complete", 5, clouds=("aws",))
def api_load_balancer_class(ctx: InferenceContext) -> None:
    """An API load balancer of no stated class is a Classic ELB (new clusters choose Network at creation)."""
    if ctx.get("spec.api.loadBalancer") is not None:
        ctx.default("spec.api.loadBalancer.class", "Classic")


@rule("complete", 42, clouds=("aws",))
def ipv6_only_nodes(ctx: InferenceContext) -> None:
    """IPv6-only nodes resolve outside names through the VPC resolver's IPv6 address, and prefer IPv6."""
    if ipv6_only(ctx):
        ctx.default("spec.kubeDNS.upstreamNameservers", [AMAZON_DNS_IPV6])
        ctx.default("spec.cloudConfig.nodeIPFamilies", ["ipv6", "ipv4"])


@rule("complete", 99, clouds=("aws",))
def s3_service_account_issuer(ctx: InferenceContext) -> None:
    """A discovery store in S3 publishes the issuer's documents at the bucket's virtual-hosted address, as
    upstream derives it: ``https://<bucket>.s3.<region>.amazonaws.com/<path>`` (dual-stack for IPv6-only
    clusters). The bucket is taken to be in the cluster's region, which needs no AWS call to know; a bucket
    elsewhere needs ``spec.kubeAPIServer.serviceAccountIssuer`` set to its address. (Core's rule, which runs
    next, derives the keys' address from the issuer.)"""
    if ctx.get("spec.kubeAPIServer.serviceAccountIssuer"):
        return
    store = str(ctx.get("spec.serviceAccountIssuerDiscovery.discoveryStore") or "")
    if not store.startswith("s3://"):
        return
    bucket, _, path = store.removeprefix("s3://").partition("/")
    zones = sorted({str(s["zone"]) for s in ctx.subnets() if s.get("zone")})
    if not bucket or not zones:
        return
    from kops_aws.cloud import AWSCloud

    region = AWSCloud().region_for_zone(zones[0])
    host = f"{bucket}.s3.dualstack.{region}" if ipv6_only(ctx) else f"{bucket}.s3.{region}"
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    ctx.default("spec.kubeAPIServer.serviceAccountIssuer", "/".join(p for p in (f"https://{host}.{suffix}",
                                                                                  path.strip("/")) if p))


@rule("complete", 120, clouds=("aws",))
def node_termination_handler(ctx: InferenceContext) -> None:
    """Drain nodes before EC2 takes them away; Karpenter handles interruptions itself."""
    if ctx.get("spec.karpenter.enabled"):
        return
    p = "spec.nodeTerminationHandler"
    if not ctx.default(f"{p}.enabled", True):
        return
    for key, value in NODE_TERMINATION_HANDLER_DEFAULTS.items():
        ctx.default(f"{p}.{key}", value)


@rule("complete", 121, clouds=("aws",))
def ebs_csi_driver(ctx: InferenceContext) -> None:
    ctx.default("spec.cloudConfig.awsEBSCSIDriver.version", EBS_CSI_DRIVER_VERSION)


@rule("complete", 122, clouds=("aws",))
def cloud_controller_manager(ctx: InferenceContext) -> None:
    """The AWS cloud controller manager runs the cloud's part of node and route management."""
    p = "spec.cloudControllerManager"
    ctx.default(f"{p}.leaderElection.leaderElect", True)
    ctx.default(f"{p}.clusterName", ctx.name)
    ipam = kops_controller_ipam(ctx)
    ctx.default(f"{p}.allocateNodeCIDRs", not ipam)
    if not ipam and ctx.spec.get("podCIDR"):
        ctx.default(f"{p}.clusterCIDR", ctx.spec["podCIDR"])
    routes = cloud_routes(ctx)
    if routes is not None:
        ctx.default(f"{p}.configureCloudRoutes", routes)
    ctx.default(f"{p}.image", CLOUD_CONTROLLER_MANAGER_IMAGE)


@rule("complete", 123, clouds=("aws",))
def karpenter(ctx: InferenceContext) -> None:
    if ctx.spec.get("karpenter") is None:
        return
    ctx.default("spec.karpenter.image", KARPENTER_IMAGE)
    ctx.default("spec.karpenter.logEncoding", "console")
    ctx.default("spec.karpenter.logLevel", "debug")


def rules() -> list[Rule]:
    return [api_load_balancer_class, ipv6_only_nodes, s3_service_account_issuer, node_termination_handler,
            ebs_csi_driver, cloud_controller_manager, karpenter]
