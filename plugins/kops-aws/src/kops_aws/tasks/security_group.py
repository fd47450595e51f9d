"""A security group: one per role (``masters.<cluster>``, ``nodes.<cluster>``...), or a user's group (an
instance group's ``securityGroupOverride``), which is only looked up.

Its rules are SecurityGroupRule tasks. A group may also name ports it manages exclusively
(``managed_ports``): an address-based rule on such a port that no task asks for any more (SSH from a CIDR
since removed from ``sshAccess``) shows as ``stale_rules`` in the plan and is revoked on apply. A group
may also manage its egress (``managed_egress``): every address-based egress permission its rule tasks do
not ask for is stale too, including the allow-all rules AWS gives a new group (revoked as soon as the
group is created). That keeps direct apply equal to Terraform, which also removes AWS's default egress.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tasks import common
from kops_aws.tasks.vpc import VPC

#: One permission as this module compares them: direction, protocol, ports, and one source or destination.
Permission = tuple[bool, str, int | None, int | None, str, str]


#: Protocols whose rules have port ranges (ICMP's "ports" are its type and code), by name and by number.
PORTED_PROTOCOLS = frozenset({"tcp", "udp", "icmp", "icmpv6", "6", "17", "1", "58"})


#: The egress AWS gives every new group: all traffic to anywhere (IPv6 too when the VPC has an IPv6 block).
DEFAULT_EGRESS: tuple[Permission, ...] = ((True, "-1", None, None, "cidr", "0.0.0.0/0"),
                                          (True, "-1", None, None, "ipv6_cidr", "::/0"))


def describe(api: Any, group_id: str) -> list[dict[str, Any]]:
    return api.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]


def permission(egress: bool, protocol: str | None, from_port: int | None, to_port: int | None,
               kind: str, value: str) -> Permission:
    """A comparable permission: ``kind`` is ``cidr``, ``ipv6_cidr``, ``prefix_list`` or ``source_group``.

    Only TCP, UDP, ICMP and ICMPv6 rules have ports; others (all traffic, IP-in-IP...) cover every port,
    so their ports are left out, however AWS reports them.
    """
    protocol = protocol or "-1"
    if protocol not in PORTED_PROTOCOLS:
        from_port = to_port = None
    return (egress, protocol, from_port, to_port, kind, value)


def permissions_of(raw: dict[str, Any]) -> list[Permission]:
    """Every permission of a group as AWS reports it, one per source or destination."""
    out = []
    for egress, key in ((False, "IpPermissions"), (True, "IpPermissionsEgress")):
        for p in raw.get(key, []):
            args = (egress, p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
            out += [permission(*args, "cidr", r["CidrIp"]) for r in p.get("IpRanges", [])]
            out += [permission(*args, "ipv6_cidr", r["CidrIpv6"]) for r in p.get("Ipv6Ranges", [])]
            out += [permission(*args, "prefix_list", r["PrefixListId"]) for r in p.get("PrefixListIds", [])]
            out += [permission(*args, "source_group", r["GroupId"]) for r in p.get("UserIdGroupPairs", [])]
    return out


def ip_permission(perm: Permission, description: str | None = None) -> dict[str, Any]:
    """The ``IpPermissions`` entry that grants (or revokes) exactly ``perm``."""
    _, protocol, from_port, to_port, kind, value = perm
    entry: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != "-1":
        # A protocol without ports allows them all; -1 says so to implementations that insist on ports.
        entry["FromPort"] = -1 if from_port is None else from_port
        entry["ToPort"] = -1 if to_port is None else to_port
    extra = {"Description": description} if description else {}
    if kind == "cidr":
        entry["IpRanges"] = [{"CidrIp": value, **extra}]
    elif kind == "ipv6_cidr":
        entry["Ipv6Ranges"] = [{"CidrIpv6": value, **extra}]
    elif kind == "prefix_list":
        entry["PrefixListIds"] = [{"PrefixListId": value, **extra}]
    else:
        entry["UserIdGroupPairs"] = [{"GroupId": value, **extra}]
    return entry


def revoke(ec2: Any, group_id: str, perm: Permission) -> None:
    call = ec2.revoke_security_group_egress if perm[0] else ec2.revoke_security_group_ingress
    common.delete_quietly(lambda: call(GroupId=group_id, IpPermissions=[ip_permission(perm)]))


def shown(perm: Permission) -> str:
    """A permission as a plan shows it: ``ingress tcp 22-22 from cidr 10.0.0.0/8``."""
    egress, protocol, from_port, to_port, kind, value = perm
    ports = "" if from_port is None else f" {from_port}-{to_port}"
    return f"{'egress' if egress else 'ingress'} {protocol}{ports} {'to' if egress else 'from'} {kind} {value}"


class SecurityGroup(Task):
    vpc: VPC | None = None
    description: str | None = None
    tags: dict[str, str] | None = None
    #: Port ranges ``[from, to]`` whose address-based ingress rules this group's rule tasks fully describe.
    managed_ports: list[list[int]] | None = None
    #: Whether every address-based egress permission must be one a rule task asks for.
    managed_egress: bool | None = None
    #: The address-based permissions on managed ports that the rule tasks ask for (filled in by the model).
    wanted_permissions: list[Permission] | None = None
    #: Address-based permissions on managed ports that nothing asks for: desired empty, revoked on apply.
    stale_rules: list[str] | None = None
    id: str | None = None

    immutable_fields = {"vpc", "description"}
    immutable_advice = "a security group's VPC and description cannot change: restore them, or delete the group"
    ignored_fields = {"managed_ports", "managed_egress", "wanted_permissions"}
    output_fields = {"id"}
    terraform_type = "aws_security_group"

    def __post_init__(self) -> None:
        if (self.managed_ports or self.managed_egress) and self.stale_rules is None:
            self.stale_rules = []

    def find(self, ctx: Context) -> SecurityGroup | None:
        raw = common.locate(ctx, self, "security_group", "GroupId", describe)
        if raw is None:
            return None
        return SecurityGroup(name=self.name, lifecycle=self.lifecycle, vpc=raw.get("VpcId"),
                             description=raw.get("Description"), tags=common.matching_tags(raw, self.tags),
                             stale_rules=[shown(p) for p in self._stale(raw)]
                             if self.managed_ports or self.managed_egress else None,
                             id=raw["GroupId"])

    def _stale(self, raw: dict[str, Any]) -> list[Permission]:
        wanted = set(self.wanted_permissions or [])
        ranges = [(lo, hi) for lo, hi in self.managed_ports or []]
        return [p for p in permissions_of(raw)
                if p[4] != "source_group" and p not in wanted
                and (bool(self.managed_egress) if p[0] else
                     any(p[2] is not None and lo <= p[2] and (p[3] or p[2]) <= hi for lo, hi in ranges))]

    def render_direct(self, ctx: Context, actual: SecurityGroup | None, changes: Changes) -> None:
        ec2 = ctx.cloud.ec2
        if actual is None:
            assert self.vpc is not None
            self.id = ec2.create_security_group(
                GroupName=self.name, Description=self.description or self.name, VpcId=self.vpc.id,
                TagSpecifications=common.tag_specifications("security-group", self.tags))["GroupId"]
            if self.managed_egress:
                wanted = set(self.wanted_permissions or [])
                for perm in DEFAULT_EGRESS:
                    if perm not in wanted:
                        revoke(ec2, self.id, perm)
            return
        common.update_tags(ctx, self.id, changes)
        if "stale_rules" in changes:
            raw = common.locate(ctx, self, "security_group", "GroupId", describe)
            for perm in self._stale(raw or {}):
                revoke(ec2, self.id, perm)

    def delete_direct(self, ctx: Context) -> None:
        common.delete_quietly(lambda: ctx.cloud.ec2.delete_security_group(GroupId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_security_group", self.name, {
            "name": self.name,
            "description": self.description,
            "vpc_id": self.vpc,
            "tags": self.tags,
        })


@register("security_group")
def list_security_groups(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_security_groups", "SecurityGroups")


@register_deletions("security_group")
def delete_security_groups(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    """The cluster's groups, each after the rules that tie it to other groups are revoked (a group that
    another group's rule names cannot be deleted)."""
    from kops_aws.tasks.security_group_rule import SecurityGroupRule

    tasks: list[Task] = []
    for raw in common.owned(snapshot.get("security_group"), cluster_name):
        group = SecurityGroup(name=common.deletion_name(raw, raw["GroupId"]), id=raw["GroupId"],
                              vpc=VPC(name=raw["VpcId"], id=raw["VpcId"]))
        tasks.append(group)
        for perm in permissions_of(raw):
            if perm[4] == "source_group":
                tasks.append(SecurityGroupRule.from_permission(group, perm))
    return tasks
