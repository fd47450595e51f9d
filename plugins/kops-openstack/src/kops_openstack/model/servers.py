"""Servers, as upstream's ``servergroup.go`` builds them: the admin SSH key pair; per instance group a server group
(``<cluster>-<group>``, anti-affinity unless the ``openstack.kops.io/server-group-affinity`` annotation names
another policy); and per place in the group (``<group>-<n>-<cluster>``, ``minSize`` of them, spread over the
group's subnets in turn) a port with the role's security group, a floating IP where the subnet is Public (or the
group holds bastions) and a router is made, unless the group sets ``associatePublicIp: false``, and the server
with the group's flavor, image and user data and upstream's metadata."""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError
from kops.model import BASTION, CONTROL_PLANE, NODE, role_of

from kops_openstack.config import config_digest
from kops_openstack.labels import INSTANCE_GROUP_KEY, NETWORK_KEY, ROLE_KEY, SLOT_KEY, metadata, metadata_key, tags
from kops_openstack.model import needs_router, openstack_spec, subnet_name
from kops_openstack.model.firewall import group_of
from kops_openstack.model.network import network_of
from kops_openstack.tasks.floating_ip import FloatingIP
from kops_openstack.tasks.instance import Instance
from kops_openstack.tasks.keypair import Keypair, key_name
from kops_openstack.tasks.port import Port
from kops_openstack.tasks.server_group import ServerGroup

ANNOTATION = "openstack.kops.io/"
AFFINITY_POLICIES = ("anti-affinity", "soft-anti-affinity", "affinity", "soft-affinity")
#: Upstream's role metadata: ``k8s.io_role_<role>`` = ``1``.
ROLE_METADATA = {CONTROL_PLANE: ("control-plane", "master"), NODE: ("node",), BASTION: ("bastion",)}


def slot_name(group: Any, n: int, cluster_name: str) -> str:
    return f"{group.metadata.name}-{n}-{cluster_name}"


def server_group_name(group: Any, cluster_name: str) -> str:
    return f"{cluster_name}-{group.metadata.name}"


def affinity(group: Any) -> str:
    policy = (group.metadata.annotations or {}).get(ANNOTATION + "server-group-affinity", "anti-affinity")
    if policy not in AFFINITY_POLICIES:
        raise KopsError(f"InstanceGroup/{group.metadata.name}: metadata.annotations[{ANNOTATION}server-group-"
                        f"affinity]: {policy!r} is not a server group policy ({', '.join(AFFINITY_POLICIES)})")
    return policy


class ServersBuilder:
    def build(self, model: Any) -> list[Any]:
        name = model.cluster_name
        found: list[Any] = []
        keypair = None
        keys = model.ssh_public_keys
        if keys and model.cluster.spec.sshKeyName != "":
            public_key = keys[sorted(keys)[0]].strip()
            keypair = Keypair(name=key_name(name, public_key), public_key=public_key)
            found.append(keypair)
        subnets = {s.name: s for s in model.subnets}
        network = network_of(model)
        os_spec = openstack_spec(model)
        external = os_spec.router.externalNetwork if os_spec.router and needs_router(model) else None
        config_drive = bool(os_spec.metadata and os_spec.metadata.configDrive)
        for group in model.instance_groups:
            ig, role = group.metadata.name, role_of(group)
            server_group = ServerGroup(name=server_group_name(group, name), policies=[affinity(group)])
            found.append(server_group)
            security_group = group_of(model, role)
            extra_groups = [model.get("SecurityGroup", g) for g in (group.spec.additionalSecurityGroups or [])
                            if model.find("SecurityGroup", g)]
            md = metadata(model, {metadata_key(str(k)): str(v) for k, v in (group.spec.cloudLabels or {}).items()})
            md.update({INSTANCE_GROUP_KEY: ig, ROLE_KEY: role, NETWORK_KEY: network.name,
                       "kops.k8s.io_instancegroup": ig})
            md.update({f"k8s.io_role_{r}": "1" for r in ROLE_METADATA.get(role, ())})
            digest = config_digest(model.cluster, group)
            group_subnets = [subnets[s] for s in group.spec.subnets or [] if s in subnets]
            if not group_subnets:
                raise KopsError(f"InstanceGroup/{ig}: spec.subnets: names no subnet of the cluster")
            size = group.spec.minSize if group.spec.minSize is not None else 1
            tasks: list[Any] = [server_group]
            for n in range(1, size + 1):
                slot = slot_name(group, n, name)
                subnet = group_subnets[(n - 1) % len(group_subnets)]
                port = Port(name=f"port-{slot}", network=network,
                            subnet=model.get("Subnet", subnet_name(subnet, name)),
                            security_groups=[security_group, *extra_groups],
                            tags=tags(model, [f"{INSTANCE_GROUP_KEY}={ig}", f"{SLOT_KEY}=port-{ig}-{n}"]))
                tasks.append(port)
                if external and group.spec.associatePublicIp is not False and (
                        subnet.type in ("Public", "Utility") or role == BASTION):
                    interface = model.get("RouterInterface", f"ri-{subnet.name}.{name}")
                    tasks.append(FloatingIP(name=f"fip-{slot}", network=external, port=port, tags=tags(model),
                                            depends_on=[interface]))
                tasks.append(Instance(
                    name=slot, group=ig, zone=subnet.zone, flavor=group.spec.machineType, image=group.spec.image,
                    port=port, server_group=server_group, keypair=keypair, user_data=model.user_data.get(ig, ""),
                    config_drive=config_drive, metadata={**md, SLOT_KEY: slot}, config=digest))
            found += model.of_group(group, tasks)
        return found


BUILDERS = [ServersBuilder()]
