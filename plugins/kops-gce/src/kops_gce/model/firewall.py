"""The cluster's firewall rules, as upstream's GCE model writes them (its ``firewall.go`` and
``external_access.go``), each named ``<purpose>-<cluster>``:

- between roles, by their network tags (:func:`kops_gce.names.role_tag`; rules reaching the control plane name
  its legacy ``master`` tag too): every protocol from the control plane to itself and to nodes and between nodes
  (``master-to-master``, ``master-to-node``, ``node-to-node``); from nodes to the control plane only the API,
  the kubelet, kops-controller and the metrics ports (``node-to-master``), plus what the networking provider
  needs there (:attr:`kops.model.ModelContext.firewall_rules`: Calico's BGP and IP-in-IP, Cilium's VXLAN...); a
  protocol a provider needs beyond those (IP-in-IP) is allowed wherever every protocol is;
- from the pods' range to nodes (``pod-cidrs-to-node``) where pods' addresses are not their machine's (IP
  aliases, kubenet's routes), on clusters that are not IPv6-only;
- from outside, from ``sshAccess`` to the control plane and nodes (``ssh-external-to-master``,
  ``ssh-external-to-node``) or, with a bastion, to the bastions only (``ssh-external-to-bastion``) and from
  them on (``bastion-to-master-ssh``, ``bastion-to-node-ssh``); from ``nodePortAccess`` to the nodes' service
  port range (``nodeport-external-to-node``); without an API load balancer, from ``kubernetesApiAccess`` to the
  control plane's HTTPS port (``kubernetes-master-https``, and ``pod-cidrs-to-https-api`` with IP aliases);
- with an API load balancer, from Google's health checkers to the API servers (``lb-health-checks``).

A rule from CIDRs comes as an IPv4 rule and an IPv6 twin (``<purpose>-ipv6-<cluster>``), ICMP becoming ICMPv6
(protocol 58) in the latter; a twin left without CIDRs is kept, disabled, with ``0.0.0.0/0`` or ``::/0``, so
it lets nothing in (:func:`twin_rules`, which the API load balancer's builder uses too).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.addons.facts import ipv6_only
from kops.engine import Task
from kops.errors import KopsError
from kops.firewall import ALL
from kops.model import API_SERVER, BASTION, CONTROL_PLANE, NODE

from kops_gce import names
from kops_gce.labels import owner_description
from kops_gce.model.network import network_of
from kops_gce.network import uses_ip_aliases
from kops_gce.tasks.firewall_rule import FirewallRule

#: Every protocol, as upstream lists them ("all" is not one GCE takes alongside others).
ALL_PROTOCOLS = ("tcp", "udp", "icmp", "esp", "ah", "sctp")
#: ICMPv6's IP protocol number, which an IPv6 rule takes where an IPv4 one says ``icmp``.
ICMPV6 = "58"
#: The control plane's ports nodes reach: the API, the kubelet, kops-controller, then the metrics of the
#: controller manager, the scheduler, kube-proxy, etcd (main and events) and the node exporter.
NODE_TO_CONTROL_PLANE_PORTS = (443, 10250, 3988, 10257, 10259, 10249, 2382, 2384, 9100)
API_PORT = 443
SSH_PORT = 22
DEFAULT_NODE_PORTS = "30000-32767"
#: Where Google's load balancer health checks come from.
HEALTH_CHECK_RANGES = ("35.191.0.0/16", "130.211.0.0/22", "209.85.204.0/22", "209.85.152.0/22")


def api_server_tags(model: Any) -> list[str]:
    """The tags of the machines serving the API: the control plane's, and the API server groups' where any."""
    tags = [names.role_tag(model.cluster_name, CONTROL_PLANE)]
    if model.groups_with_role(API_SERVER):
        tags.append(names.role_tag(model.cluster_name, API_SERVER))
    return tags


def control_plane_tags(model: Any) -> list[str]:
    """The tags rules reaching the control plane name: :func:`api_server_tags` and the legacy master tag."""
    return [*api_server_tags(model), names.legacy_master_tag(model.cluster_name)]


def is_ipv6(cidr: str) -> bool:
    """Whether a CIDR is IPv6 (an IPv4-mapped IPv6 range, written with ``:``, counts as IPv6, as upstream's)."""
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise KopsError(f"firewall rule source {cidr!r}: not a CIDR") from None
    return ":" in cidr


def rule(model: Any, name: str, *, allowed: list[str], target_tags: list[str], source_tags: list[str] | None = None,
         source_ranges: list[str] | None = None, disabled: bool = False) -> FirewallRule:
    """One rule of the cluster's network named ``<name>-<cluster>``."""
    return FirewallRule(name=names.suffixed(name, model.cluster_name), network=network_of(model),
                        source_tags=list(source_tags or []), source_ranges=list(source_ranges or []),
                        target_tags=list(target_tags), allowed=list(allowed), disabled=disabled,
                        description=owner_description(model))


def twin_rules(model: Any, name: str, *, allowed: list[str], target_tags: list[str],
               source_tags: list[str] | None = None, source_ranges: list[str] | None = None) -> list[FirewallRule]:
    """A rule's IPv4 and IPv6 forms (``<name>-<cluster>``, ``<name>-ipv6-<cluster>``): GCE takes one address
    family per rule. Each takes its family's ``source_ranges``; one left without any is disabled (no source at all
    would let everything in). ``icmp`` is ICMPv6 in the IPv6 rule."""
    ranges = list(source_ranges or [])
    v4 = [c for c in ranges if not is_ipv6(c)]
    v6 = [c for c in ranges if is_ipv6(c)]
    twins = []
    for suffix, family_ranges, everything, family_allowed in (
            ("", v4, "0.0.0.0/0", list(allowed)),
            ("-ipv6", v6, "::/0", [ICMPV6 if a == "icmp" else a for a in allowed])):
        fields: dict[str, Any] = {"allowed": family_allowed, "target_tags": target_tags}
        if source_tags:
            fields["source_tags"] = source_tags
        else:
            fields["source_ranges"] = family_ranges or [everything]
            fields["disabled"] = not family_ranges
        twins.append(rule(model, name + suffix, **fields))
    return twins


def node_port_range(model: Any) -> str:
    """The nodes' service port range (``kubeAPIServer.serviceNodePortRange``), as ``30000-32767``."""
    api_server = model.cluster.spec.kubeAPIServer
    text = str(getattr(api_server, "serviceNodePortRange", None) or DEFAULT_NODE_PORTS) if api_server else ""
    return text or DEFAULT_NODE_PORTS


def provider_needs(model: Any) -> tuple[list[str], list[str] | None]:
    """What the networking provider needs beyond upstream's fixed rules: protocols to allow wherever every protocol
    is, and what nodes must reach on the control plane (protocols first, then ports, as upstream orders Calico's;
    None for everything)."""
    extra_protocols: list[str] = []
    protocols: list[str] = []
    ports: list[str] = []
    everything = False
    for need in model.firewall_rules:
        protocol = need.protocol.lower()
        if protocol not in ("tcp", "udp", ALL, *ALL_PROTOCOLS) and protocol not in extra_protocols:
            extra_protocols.append(protocol)
        if (need.from_role, need.to_role) != (NODE, CONTROL_PLANE):
            continue
        if protocol == ALL or (protocol in ("tcp", "udp") and not need.port_from):
            everything = everything or protocol == ALL
            if protocol != ALL and protocol not in protocols:
                protocols.append(protocol)
        elif protocol in ("tcp", "udp"):
            hi = need.port_to or need.port_from
            entry = f"{protocol}:{need.port_from}" + (f"-{hi}" if hi != need.port_from else "")
            if entry not in ports:
                ports.append(entry)
        elif protocol not in protocols:
            protocols.append(protocol)
    return extra_protocols, None if everything else protocols + ports


class FirewallBuilder:
    def build(self, model: Any) -> list[Task]:
        spec = model.cluster.spec
        cluster = model.cluster_name
        node = [names.role_tag(cluster, NODE)]
        control_plane = control_plane_tags(model)
        extra_protocols, node_needs = provider_needs(model)
        every = [*ALL_PROTOCOLS, *extra_protocols]
        fixed = [f"tcp:{p}" for p in NODE_TO_CONTROL_PLANE_PORTS]
        node_to_control_plane = every if node_needs is None else fixed + [n for n in node_needs if n not in fixed]
        tasks: list[Task] = []
        if spec.api is not None and spec.api.loadBalancer is not None:
            tasks.append(rule(model, "lb-health-checks", source_ranges=list(HEALTH_CHECK_RANGES),
                              target_tags=api_server_tags(model), allowed=["tcp"]))
        tasks += [
            rule(model, "node-to-node", source_tags=node, target_tags=node, allowed=every),
            rule(model, "master-to-master", source_tags=control_plane, target_tags=control_plane, allowed=every),
            rule(model, "master-to-node", source_tags=control_plane, target_tags=node, allowed=every),
            rule(model, "node-to-master", source_tags=node, target_tags=control_plane,
                 allowed=node_to_control_plane),
        ]
        networking = model.cluster.to_dict()["spec"].get("networking") or {}
        aliases = uses_ip_aliases(networking)
        if (aliases or networking.get("kubenet") is not None) and not ipv6_only(model.cluster):
            if not spec.podCIDR:
                raise KopsError("spec.podCIDR: required for the firewall rule letting pods reach nodes (IP aliases, "
                                "kubenet)")
            tasks += twin_rules(model, "pod-cidrs-to-node", source_ranges=[spec.podCIDR], target_tags=node,
                                allowed=every)
        tasks += self.external_access(model, node, control_plane, aliases)
        return tasks

    @staticmethod
    def external_access(model: Any, node: list[str], control_plane: list[str], aliases: bool) -> list[Task]:
        spec = model.cluster.spec
        ssh = [f"tcp:{SSH_PORT}"]
        tasks: list[Task] = []
        if model.groups_with_role(BASTION):
            bastion = [names.role_tag(model.cluster_name, BASTION)]
            tasks += twin_rules(model, "ssh-external-to-bastion", source_ranges=spec.sshAccess, target_tags=bastion,
                                allowed=ssh)
            tasks += twin_rules(model, "bastion-to-master-ssh", source_tags=bastion, target_tags=control_plane,
                                allowed=ssh)
            tasks += twin_rules(model, "bastion-to-node-ssh", source_tags=bastion, target_tags=node, allowed=ssh)
        else:
            tasks += twin_rules(model, "ssh-external-to-master", source_ranges=spec.sshAccess,
                                target_tags=control_plane, allowed=ssh)
            tasks += twin_rules(model, "ssh-external-to-node", source_ranges=spec.sshAccess, target_tags=node,
                                allowed=ssh)
        ports = node_port_range(model)
        tasks += twin_rules(model, "nodeport-external-to-node", source_ranges=spec.nodePortAccess, target_tags=node,
                            allowed=[f"tcp:{ports}", f"udp:{ports}"])
        if spec.api is None or spec.api.loadBalancer is None:
            tasks += twin_rules(model, "kubernetes-master-https", source_ranges=spec.kubernetesApiAccess,
                                target_tags=control_plane, allowed=[f"tcp:{API_PORT}"])
            if aliases:
                tasks.append(rule(model, "pod-cidrs-to-https-api", source_ranges=[spec.podCIDR],
                                  target_tags=api_server_tags(model), allowed=[f"tcp:{API_PORT}"]))
        return tasks


BUILDERS = [FirewallBuilder()]
