"""The traffic a cluster needs between its machines, by role and cloud-neutral: each cloud renders these rules into
its own firewall resources (security groups, firewall rules), so every cloud opens the same ports.

As upstream opens them:

- the control plane reaches everything, and nodes reach each other, on all traffic;
- nodes reach the control plane on all UDP and on TCP except etcd's ports (only the control plane talks to etcd;
  the clients of an etcd cluster that runs for an add-on, Cilium's, are on every node, so its client port stays
  open): the API server, kops-controller and the kubelet's ports are inside those ranges;
- bastions reach the control plane and nodes over SSH;
- the networking provider's own traffic (``kops_firewall_rules``: Calico's IP-in-IP, Cilium's IPsec, the Amazon
  VPC CNI's pods on nodes reaching the control plane) where the rules above do not already allow it.

Traffic from outside (``sshAccess``, ``kubernetesApiAccess``, ``nodePortAccess``) and to load balancers is the
cloud's to render, since where it arrives (a load balancer, the machines) differs by cloud.
"""

from __future__ import annotations

from typing import Any

from kops.model import BASTION, CONTROL_PLANE, NODE
from kops.networking import FirewallRule

#: All traffic, whatever the protocol.
ALL = "all"
#: etcd cluster name -> (client port, peer port), as etcd-manager runs them (kops.nodeup.etcd.PORTS).
ETCD_PORTS = {"main": (4001, 2380), "events": (4002, 2381), "cilium": (4003, 2382), "leases": (4004, 2383)}
#: etcd clusters whose clients run on nodes (Cilium's agents), so nodes reach their client port.
NODE_CLIENTS = ("cilium",)


def blocked_ports(cluster: Any) -> set[int]:
    """The control plane's TCP ports nodes may not reach: etcd's (main and events always, as upstream)."""
    names = {"main", "events"} | {e.name for e in cluster.spec.etcdClusters or [] if e.name in ETCD_PORTS}
    blocked = set()
    for name in names:
        client, peer = ETCD_PORTS[name]
        blocked.add(peer)
        if name not in NODE_CLIENTS:
            blocked.add(client)
    return blocked


def open_ranges(blocked: set[int]) -> list[tuple[int, int]]:
    """The TCP port ranges from 1 to 65535 around the blocked ports."""
    ranges: list[list[int]] = []
    for port in range(1, 65536):
        if port in blocked:
            continue
        if ranges and ranges[-1][1] == port - 1:
            ranges[-1][1] = port
        else:
            ranges.append([port, port])
    return [(lo, hi) for lo, hi in ranges]


def cluster_rules(model: Any) -> list[FirewallRule]:
    """Every rule of the cluster's traffic between roles (see the module docstring), the networking provider's
    (``model.firewall_rules``) included where the others do not already allow it."""
    cluster = model.cluster
    rules = [FirewallRule(ALL, CONTROL_PLANE, CONTROL_PLANE), FirewallRule(ALL, CONTROL_PLANE, NODE),
             FirewallRule(ALL, NODE, NODE), FirewallRule("udp", NODE, CONTROL_PLANE, 1, 65535)]
    blocked = blocked_ports(cluster)
    rules += [FirewallRule("tcp", NODE, CONTROL_PLANE, lo, hi) for lo, hi in open_ranges(blocked)]
    if model.groups_with_role(BASTION):
        rules += [FirewallRule("tcp", BASTION, role, 22, 22) for role in (CONTROL_PLANE, NODE)]
    for extra in model.firewall_rules:
        if not _covered(extra, rules, blocked) and extra not in rules:
            rules.append(extra)
    return rules


def _covered(rule: FirewallRule, rules: list[FirewallRule], blocked: set[int]) -> bool:
    """Whether ``rules`` already allow ``rule``'s traffic: all traffic between its roles, or (nodes to the control
    plane) UDP, or TCP on ports none of which are blocked."""
    if any(r.protocol == ALL and (r.from_role, r.to_role) == (rule.from_role, rule.to_role) for r in rules):
        return True
    protocol = rule.protocol.lower()
    if (rule.from_role, rule.to_role) != (NODE, CONTROL_PLANE) or protocol not in ("tcp", "udp"):
        return False
    lo, hi = rule.port_from or 1, rule.port_to or rule.port_from or 65535
    return protocol == "udp" or not any(lo <= port <= hi for port in blocked)
