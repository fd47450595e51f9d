"""The example cloud's model: builders that turn the completed cluster (a :class:`kops.model.ModelContext`) into
tasks, in :data:`BUILDERS` order. Each finds what the builders before it made in the run's registry
(``model.get``): the firewall rules and pools find the network.

- the network, with the cluster's ``networkCIDR``;
- the firewall: core's traffic between roles (:func:`kops.firewall.cluster_rules`), and what comes from outside
  (``sshAccess`` to the machines, or to the bastions where there are some; ``kubernetesApiAccess`` to the control
  plane's HTTPS port);
- a volume per etcd member, in its control-plane group's zone;
- a pool per instance group, launching the group's machine type and image with the user data core wrote for it.
"""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError
from kops.firewall import ALL, cluster_rules
from kops.model import BASTION, CONTROL_PLANE, NODE, ModelContext, role_of

from kops_example_cloud.labels import ROLE_LABEL, etcd_key, pool_labels, resource_labels
from kops_example_cloud.tasks.firewall_rule import FirewallRule
from kops_example_cloud.tasks.instance_pool import InstancePool
from kops_example_cloud.tasks.network import Network
from kops_example_cloud.tasks.volume import Volume

#: An etcd member's volume size (GiB) when the spec names none.
ETCD_VOLUME_SIZE = 20
#: The port of the API server.
API_PORT = 443


def pool_name(group: Any, cluster_name: str) -> str:
    """The pool of an instance group: ``nodes-zone-a.<cluster>``."""
    return f"{group.metadata.name}.{cluster_name}"


class NetworkBuilder:
    def build(self, model: ModelContext) -> list[Network]:
        return [Network(name=model.cluster_name, cidr=model.cluster.spec.networkCIDR, labels=resource_labels(model))]


class FirewallBuilder:
    def build(self, model: ModelContext) -> list[FirewallRule]:
        network = model.get("Network", model.cluster_name)
        labels = resource_labels(model)
        rules = []
        for rule in cluster_rules(model):
            protocol = rule.protocol.lower()
            if protocol not in ("tcp", "udp", ALL):
                raise KopsError(f"the example cloud's firewall allows tcp, udp or all traffic, not {rule.protocol} "
                                f"({rule.description or 'a networking rule'})")
            ports = None if protocol == ALL else [rule.port_from or 1, rule.port_to or rule.port_from or 65535]
            span = "" if ports is None else f"-{ports[0]}-{ports[1]}"
            name = f"{rule.from_role}-to-{rule.to_role}-{protocol}{span}.{model.cluster_name}".lower()
            rules.append(FirewallRule(name=name, network=network, protocol=protocol, ports=ports,
                                      source_role=rule.from_role, target_role=rule.to_role, labels=labels))
        spec = model.cluster.spec
        ssh_targets = [BASTION] if model.groups_with_role(BASTION) else [CONTROL_PLANE, NODE]
        outside = [("ssh", 22, role, cidr) for cidr in spec.sshAccess or [] for role in ssh_targets]
        outside += [("https", API_PORT, CONTROL_PLANE, cidr) for cidr in spec.kubernetesApiAccess or []]
        for what, port, role, cidr in outside:
            rules.append(FirewallRule(name=f"{what}-from-{cidr}-to-{role.lower()}.{model.cluster_name}",
                                      network=network, protocol="tcp", ports=[port, port], source_cidr=cidr,
                                      target_role=role, labels=labels))
        return rules


class EtcdVolumeBuilder:
    def build(self, model: ModelContext) -> list[Volume]:
        groups = {g.metadata.name: g for g in model.instance_groups}
        zones = {s.name: s.zone for s in model.subnets}
        volumes = []
        for etcd in model.cluster.spec.etcdClusters or []:
            members = etcd.etcdMembers or []
            everyone = ",".join(sorted(m.name for m in members))
            for member in members:
                group = groups.get(member.instanceGroup or "")
                member_zones = sorted({zones[s] for s in (group.spec.subnets if group else None) or [] if s in zones})
                if len(member_zones) != 1:
                    raise KopsError(f"Cluster/{model.cluster_name}: spec.etcdClusters[{etcd.name}].etcdMembers"
                                    f"[{member.name}]: its instance group {member.instanceGroup!r} must be one group "
                                    "in exactly one zone")
                labels = resource_labels(model, **{etcd_key(etcd.name): f"{member.name}/{everyone}",
                                                   ROLE_LABEL: CONTROL_PLANE})
                volumes.append(Volume(name=f"{member.name}.etcd-{etcd.name}.{model.cluster_name}",
                                      zone=member_zones[0], size_gb=member.volumeSize or ETCD_VOLUME_SIZE,
                                      labels=labels))
        return volumes


class PoolBuilder:
    def build(self, model: ModelContext) -> list[InstancePool]:
        network = model.get("Network", model.cluster_name)
        zones = {s.name: s.zone for s in model.subnets}
        pools = []
        for group in model.instance_groups:
            name = group.metadata.name
            pools.append(InstancePool(
                name=pool_name(group, model.cluster_name), network=network,
                zones=sorted({zones[s] for s in group.spec.subnets or [] if s in zones}),
                size=group.spec.minSize if group.spec.minSize is not None else 1,
                machine_type=group.spec.machineType, image=group.spec.image, user_data=model.user_data.get(name, ""),
                labels=pool_labels(model, group, role_of(group))))
        return pools


BUILDERS = [NetworkBuilder(), FirewallBuilder(), EtcdVolumeBuilder(), PoolBuilder()]
