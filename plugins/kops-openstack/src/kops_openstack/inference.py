"""OpenStack inference rules, contributed to core through the ``kops_inference_rules`` hook."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference import InferenceContext, Rule, rule

#: The load balancer provider when Octavia is not asked for, and the balancing method per provider.
DEFAULT_LB_PROVIDER = "haproxy"
OCTAVIA_PROVIDER = "octavia"
LB_METHOD = "ROUND_ROBIN"
LB_METHOD_BY_PROVIDER = {"ovn": "SOURCE_IP_PORT"}  # OVN's load balancer cannot balance round-robin


@rule("create", 17, clouds=("openstack",))
def cloud_config(ctx: InferenceContext) -> None:
    """A new OpenStack cluster's ``cloudConfig.openstack``: the router's external network, Cinder (v3) and the
    load balancer health monitor, and, with ``--api-loadbalancer-type``, the API load balancer's settings.
    The external cloud controller manager is told the cluster's name."""
    o = ctx.options
    ext_net = o.os_ext_net or ""
    router: dict = {"externalNetwork": ext_net}
    if o.os_dns_servers:
        router["dnsServers"] = o.os_dns_servers
    if o.os_ext_subnet:
        router["externalSubnet"] = o.os_ext_subnet
    openstack: dict = {
        "router": router,
        "blockStorage": {"bs-version": "v3", "ignore-volume-az": bool(o.os_kubelet_ignore_az), "clusterName": ctx.name},
        "monitor": {"delay": "15s", "timeout": "10s", "maxRetries": 3},
    }
    if o.api_loadbalancer_type:
        provider = (o.os_octavia_provider or OCTAVIA_PROVIDER) if o.os_octavia else DEFAULT_LB_PROVIDER
        lb = {"floatingNetwork": ext_net, "method": LB_METHOD_BY_PROVIDER.get(provider, LB_METHOD),
              "provider": provider, "useOctavia": bool(o.os_octavia)}
        if o.os_lb_floating_subnet:
            lb["floatingSubnet"] = o.os_lb_floating_subnet
        openstack["loadbalancer"] = lb
    ctx.spec.setdefault("cloudConfig", {})["openstack"] = openstack
    ctx.spec.setdefault("cloudControllerManager", {})["clusterName"] = ctx.name
    if o.subnet_ids and not o.network_id:
        ctx.warnings.append("spec.networkID: the network of --subnets is found by asking the cloud, which kops create "
                            "cluster does not do; pass it with --os-network (or --network-id)")


@rule("create", 83, clouds=("openstack",))
def images_are_named(ctx: InferenceContext) -> None:
    """Release channels list no OpenStack images (each cloud has its own), so every group needs one named."""
    missing = [ig["metadata"]["name"] for ig in ctx.instance_groups if not ig["spec"].get("image")]
    if missing:
        raise KopsError(f"--image: the release channel has no image for openstack, so name one for "
                        f"{', '.join(missing)} (--image, or --control-plane-image, --node-image, --bastion-image)")


@rule("assign", 25, clouds=("openstack",))
def network_cidr_to_carve_from(ctx: InferenceContext) -> None:
    """Subnets that are neither shared (``id``) nor given a CIDR get one carved out of ``networkCIDR``, which
    OpenStack has no default for."""
    if ctx.spec.get("networkCIDR"):
        return
    wanting = [s.get("name") for s in ctx.subnets() if not s.get("cidr") and not s.get("id")]
    if wanting:
        raise KopsError(f"spec.networkCIDR: required on openstack to carve CIDRs for subnets "
                        f"{', '.join(map(str, wanting))} from; pass --network-cidr (e.g. 10.0.0.0/16)")


def rules() -> list[Rule]:
    return [cloud_config, images_are_named, network_cidr_to_carve_from]
