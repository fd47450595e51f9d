"""The cluster's cloud firewalls, which upstream does not make on DigitalOcean: one over each role's Droplets (by
their role tag), letting in

- the traffic between roles of core's matrix (:func:`kops.firewall.cluster_rules`: the control plane and nodes
  everywhere among themselves, nodes to the control plane on UDP and on TCP but etcd's ports, and what the
  networking provider needs), "all" being TCP, UDP and ICMP;
- from the API's load balancer, the API and kops-controller (what it forwards and health-checks);
- from outside: ``sshAccess`` over SSH, ``kubernetesApiAccess`` to the API port of the control plane, and
  ``nodePortAccess`` to the nodes' service ports;

and letting everything out. A DigitalOcean firewall filters TCP, UDP and ICMP only and drops any other protocol,
so a networking rule for one (Calico's IP-in-IP, Cilium's IPsec ESP) cannot be opened and is left out: such a
cluster needs a UDP encapsulation (Calico's VXLAN, Cilium's default). Calico asks for IP-in-IP from nodes to the
control plane even in VXLAN mode (as upstream opens it), so leaving it out is not an error.
"""

from __future__ import annotations

from typing import Any

from kops.firewall import ALL, cluster_rules
from kops.model import CONTROL_PLANE, NODE, ModelContext

from kops_digitalocean.model.api_loadbalancer import API_PORT, KOPS_CONTROLLER_PORT, uses_load_balancer
from kops_digitalocean.tags import firewall_name, load_balancer_name, role_tag
from kops_digitalocean.tasks.firewall import Firewall

SSH_PORT = 22
DEFAULT_NODE_PORTS = "30000-32767"
ANYWHERE = {"addresses": ["0.0.0.0/0", "::/0"]}
OUTBOUND = [{"protocol": p, "ports": "0" if p == "icmp" else "all", "destinations": dict(ANYWHERE)}
            for p in ("tcp", "udp", "icmp")]


def _ports(port_from: int | None, port_to: int | None) -> str:
    lo, hi = port_from or 1, port_to or port_from or 65535
    if (lo, hi) == (1, 65535):
        return "all"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _rule(protocol: str, ports: str, **sources: list[Any]) -> dict[str, Any]:
    return {"protocol": protocol, "ports": "0" if protocol == "icmp" else ports, "sources": sources}


class FirewallBuilder:
    def build(self, model: ModelContext) -> list[Firewall]:
        name = model.cluster_name
        inbound: dict[str, list[dict[str, Any]]] = {CONTROL_PLANE: [], NODE: []}
        for rule in cluster_rules(model):
            protocol = rule.protocol.lower()
            if rule.to_role not in inbound or rule.from_role not in inbound:
                continue
            source = [role_tag(name, rule.from_role)]
            if protocol == ALL:
                inbound[rule.to_role] += [_rule(p, "all", tags=source) for p in ("tcp", "udp", "icmp")]
            elif protocol in ("tcp", "udp", "icmp"):
                inbound[rule.to_role].append(_rule(protocol, _ports(rule.port_from, rule.port_to), tags=source))
        if uses_load_balancer(model):
            balancer = model.get("LoadBalancer", load_balancer_name(name))
            inbound[CONTROL_PLANE] += [_rule("tcp", str(p), load_balancer_uids=[balancer])
                                       for p in (API_PORT, KOPS_CONTROLLER_PORT)]
        spec = model.cluster.spec
        for cidrs, port, roles in ((spec.sshAccess, str(SSH_PORT), (CONTROL_PLANE, NODE)),
                                   (spec.kubernetesApiAccess, str(API_PORT), (CONTROL_PLANE,)),
                                   (spec.nodePortAccess, DEFAULT_NODE_PORTS, (NODE,))):
            if cidrs:
                for role in roles:
                    inbound[role].append(_rule("tcp", port, addresses=sorted(cidrs)))
        return [Firewall(name=firewall_name(role, name), target_tag=role_tag(name, role), inbound_rules=rules,
                         outbound_rules=[dict(r) for r in OUTBOUND])
                for role, rules in inbound.items()]
