"""SecurityGroupRule: traffic a security group lets in, from another group or a CIDR.

Rules take no tags and cannot change: kops writes the task's name into the rule's ``description`` and finds its
rules by it, so a rule whose fields differ is a new rule (the old one is deleted first). Rules go with their
group when the cluster is deleted.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.engine import Changes, Context

from kops_openstack.discovery import DISCOVERY
from kops_openstack.tasks import OpenstackTask
from kops_openstack.tasks.security_group import SecurityGroup


def ethertype(cidr: str) -> str:
    return "IPv6" if ipaddress.ip_network(cidr, strict=False).version == 6 else "IPv4"


class SecurityGroupRule(OpenstackTask):
    security_group: SecurityGroup | None = None
    #: ``tcp``, ``udp``, ``icmp``, ``ipip``, ...; None for every protocol.
    protocol: str | None = None
    port_min: int | None = None
    port_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group: SecurityGroup | None = None
    ethertype: str = "IPv4"
    id: str | None = None

    kind = "securityGroupRules"
    immutable_fields = {"security_group", "protocol", "port_min", "port_max", "remote_ip_prefix", "remote_group",
                        "ethertype"}
    replace_on_immutable_change = True
    output_fields = {"id"}

    def find(self, ctx: Context) -> SecurityGroupRule | None:
        if not self.security_group or not self.security_group.id:
            return None
        raw = ctx.snapshot.first("securityGroupRules", lambda r: r.description == self.name
                                 and r.security_group_id == self.security_group.id)
        if raw is None:
            return None
        return SecurityGroupRule(
            name=self.name, lifecycle=self.lifecycle, security_group=self.security_group, protocol=raw.protocol,
            port_min=raw.port_range_min, port_max=raw.port_range_max, remote_ip_prefix=raw.remote_ip_prefix,
            remote_group=SecurityGroup(name="", id=raw.remote_group_id) if raw.remote_group_id else None,
            ethertype=raw.ether_type, id=raw.id)

    def render_direct(self, ctx: Context, actual: SecurityGroupRule | None, changes: Changes) -> None:
        opts: dict[str, Any] = {"security_group_id": self.security_group.id, "direction": "ingress",
                                "ether_type": self.ethertype, "description": self.name}
        if self.protocol:
            opts["protocol"] = self.protocol
        if self.port_min is not None:
            opts.update(port_range_min=self.port_min, port_range_max=self.port_max)
        if self.remote_ip_prefix:
            opts["remote_ip_prefix"] = self.remote_ip_prefix
        if self.remote_group is not None:
            opts["remote_group_id"] = self.remote_group.id
        self.id = ctx.cloud.network.create_security_group_rule(**opts).id

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.network.delete_security_group_rule(self.id, ignore_missing=True)


@DISCOVERY.register("securityGroupRules")
def list_security_group_rules(conn: Any, cluster_name: str) -> list[Any]:
    """The rules of the cluster's groups (one call for the project's rules)."""
    from kops_openstack.tasks.security_group import list_security_groups

    groups = {g.id for g in list_security_groups(conn, cluster_name)}
    return [r for r in conn.network.security_group_rules() if r.security_group_id in groups] if groups else []
