"""One permission of a security group: direction, protocol, ports, and one source (or destination).

A rule has no identity in AWS beyond its content, so it finds itself among its group's permissions as the
group listing reports them (no listing of its own), and any difference is a different rule: a changed
rule is a new task (its name says what it allows), and the old permission is revoked by its group.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.awsapi import error_code
from kops_aws.tasks import common
from kops_aws.tasks.security_group import (
    Permission,
    SecurityGroup,
    describe,
    ip_permission,
    permission,
    permissions_of,
    revoke,
    shown,
)

#: The rule AWS adds to every security group it creates: all traffic out, anywhere.
DEFAULT_EGRESS = permission(True, None, None, None, "cidr", "0.0.0.0/0")


class SecurityGroupRule(Task):
    security_group: SecurityGroup | None = None
    egress: bool | None = None
    #: ``tcp``, ``udp``, ``icmp``, ``icmpv6``, an IP protocol number (``4``); None for all traffic.
    protocol: str | None = None
    from_port: int | None = None
    to_port: int | None = None
    cidr: str | None = None
    ipv6_cidr: str | None = None
    prefix_list: str | None = None
    source_group: SecurityGroup | None = None
    #: Why the rule exists, stored with it in AWS and written to Terraform (not compared: a rule is its
    #: permission, and AWS keeps a description per source, which older clusters' rules lack).
    description: str | None = None
    tags: dict[str, str] | None = None

    id_field = ""
    ignored_fields = {"description", "tags"}
    terraform_type = "aws_security_group_rule"

    @classmethod
    def from_permission(cls, group: SecurityGroup, perm: Permission) -> SecurityGroupRule:
        """A rule for one permission found in AWS, named after its group and content (used for deletion)."""
        egress, protocol, from_port, to_port, kind, value = perm
        fields: dict[str, Any] = {kind: SecurityGroup(name=value, id=value) if kind == "source_group" else value}
        return cls(name=f"{group.id} {shown(perm)}", security_group=group, egress=egress,
                   protocol=None if protocol == "-1" else protocol, from_port=from_port, to_port=to_port, **fields)

    def set_cidr_or_prefix(self, value: str) -> SecurityGroupRule:
        """Put an access entry (``10.0.0.0/8``, ``::/0`` or ``pl-...``) in the field it belongs to."""
        if value.startswith("pl-"):
            self.prefix_list = value
        elif ":" in value:
            self.ipv6_cidr = value
        else:
            self.cidr = value
        return self

    def permission(self) -> Permission | None:
        """This rule as a comparable permission; None while its source group has no ID yet."""
        if self.source_group is not None:
            source = common.ref_id(self.source_group)
            if not source:
                return None
            kind, value = "source_group", source
        elif self.ipv6_cidr is not None:
            kind, value = "ipv6_cidr", self.ipv6_cidr
        elif self.prefix_list is not None:
            kind, value = "prefix_list", self.prefix_list
        else:
            kind, value = "cidr", self.cidr or "0.0.0.0/0"
        return permission(bool(self.egress), self.protocol, self.from_port, self.to_port, kind, value)

    def find(self, ctx: Context) -> SecurityGroupRule | None:
        assert self.security_group is not None
        wanted = self.permission()
        if not common.ref_id(self.security_group):
            # The group does not exist yet. AWS gives every new group this one rule itself, so a plan shows
            # it as there already, as the apply will find it once the group is made.
            return self if wanted == DEFAULT_EGRESS else None
        if wanted is None:
            return None
        group = self.security_group
        if not isinstance(group, SecurityGroup):  # the bare group ID a found rule reports
            group = SecurityGroup(name=group, id=group)
        raw = common.locate(ctx, group, "security_group", "GroupId", describe)
        if raw is None or wanted not in permissions_of(raw):
            return None
        return SecurityGroupRule(
            name=self.name, lifecycle=self.lifecycle, security_group=self.security_group, egress=self.egress,
            protocol=self.protocol, from_port=self.from_port, to_port=self.to_port, cidr=self.cidr,
            ipv6_cidr=self.ipv6_cidr, prefix_list=self.prefix_list,
            source_group=wanted[5] if self.source_group is not None else None)

    def render_direct(self, ctx: Context, actual: SecurityGroupRule | None, changes: Changes) -> None:
        perm = self.permission()
        assert perm is not None and self.security_group is not None
        ec2 = ctx.cloud.ec2
        call = ec2.authorize_security_group_egress if self.egress else ec2.authorize_security_group_ingress
        try:
            call(GroupId=self.security_group.id, IpPermissions=[ip_permission(perm, self.description)],
                 TagSpecifications=common.tag_specifications("security-group-rule", self.tags))
        except Exception as exc:
            if error_code(exc) != "InvalidPermission.Duplicate":
                raise  # a duplicate is a retry after a grant AWS made but did not confirm

    def delete_direct(self, ctx: Context) -> None:
        perm = self.permission()
        if perm is not None:
            revoke(ctx.cloud.ec2, common.ref_id(self.security_group), perm)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        all_traffic = self.protocol is None
        tf.add_resource("aws_security_group_rule", self.name, {
            "type": "egress" if self.egress else "ingress",
            "security_group_id": self.security_group,
            "source_security_group_id": self.source_group,
            "protocol": "-1" if all_traffic else self.protocol,
            "from_port": 0 if all_traffic or self.from_port is None else self.from_port,
            "to_port": 0 if all_traffic else 65535 if self.to_port is None else self.to_port,
            "cidr_blocks": [self.cidr] if self.cidr else None,
            "ipv6_cidr_blocks": [self.ipv6_cidr] if self.ipv6_cidr else None,
            "prefix_list_ids": [self.prefix_list] if self.prefix_list else None,
            "description": self.description,
        })
