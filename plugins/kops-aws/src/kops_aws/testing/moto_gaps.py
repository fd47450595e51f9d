"""Fill gaps in moto's EC2 emulation that the AWS model depends on, so tests see what AWS would do.

moto accepts ``ModifySubnetAttribute`` with ``PrivateDnsHostnameTypeOnLaunch``,
and ``EnableResourceNameDnsAAAARecordOnLaunch`` but silently drops them, so a subnet never
reports resource-based hostnames and every plan would want to set them again. :func:`fill` makes moto keep
them. Launch template versions and the Auto Scaling instances launched from them have two more gaps, which a
rolling update meets (:func:`_fill_launch_templates`). Every fix changes the emulator only (moto's own classes, in
the process running the server).
"""

from __future__ import annotations

from typing import Any

_FILLED = False


def fill() -> None:
    """Apply the fixes once per process; call before starting :class:`MotoServer` or any time after."""
    global _FILLED
    if _FILLED:
        return
    from moto.ec2.models.subnets import Subnet, SubnetBackend
    from moto.ec2.responses.subnets import Subnets

    original_response = Subnets.modify_subnet_attribute
    original_backend = SubnetBackend.modify_subnet_attribute

    def modify_subnet_attribute(self: Any) -> Any:
        subnet_id = self._get_param("SubnetId")
        hostname_type = self._get_param("PrivateDnsHostnameTypeOnLaunch")
        if hostname_type is not None:
            self.ec2_backend.modify_subnet_attribute(subnet_id, "private_dns_hostname_type_on_launch", hostname_type)
        aaaa = self._get_param("EnableResourceNameDnsAAAARecordOnLaunch.Value")
        if aaaa is not None:
            self.ec2_backend.modify_subnet_attribute(subnet_id, "EnableResourceNameDnsAAAARecordOnLaunch", aaaa)
        return original_response(self)

    def backend_modify(self: Any, subnet_id: str, attr_name: str, attr_value: Any) -> None:
        options_key = {
            "private_dns_hostname_type_on_launch": "HostnameType",
            "EnableResourceNameDnsAAAARecordOnLaunch": "EnableResourceNameDnsAAAARecord",
        }.get(attr_name)
        if options_key is not None:
            self.get_subnet(subnet_id).private_dns_name_options_on_launch[options_key] = attr_value
        else:
            original_backend(self, subnet_id, attr_name, attr_value)

    def ipv6_cidr_block_association_set(self: Any) -> list[dict[str, Any]]:
        return [{"ipv6CidrBlock": a["ipv6CidrBlock"], "associationId": a["associationId"],
                 "ipv6CidrBlockState": {"state": a["ipv6CidrBlockState"]["State"]}}
                for a in self.ipv6_cidr_block_associations.values() if a["ipv6CidrBlockState"]["State"] == "associated"]

    Subnet.ipv6_cidr_block_association_set = property(ipv6_cidr_block_association_set)
    Subnets.modify_subnet_attribute = modify_subnet_attribute
    SubnetBackend.modify_subnet_attribute = backend_modify
    _fill_launch_templates()
    _FILLED = True


def _fill_launch_templates() -> None:
    """Launch template versions as AWS keeps them, and instances reported at the version they launched from.

    AWS stores a version's user data as the base64 text the caller sent, whichever call made the version.
    moto decodes it into its own type for ``CreateLaunchTemplate`` only and keeps ``CreateLaunchTemplateVersion``'s
    as a plain string, so a group launching from such a version fails an assertion and answers 500. Both calls now
    keep it alike (and refuse malformed base64 alike, ``InvalidUserData.Malformed``).

    AWS reports each instance of a group (``DescribeAutoScalingGroups``' ``Instances[].LaunchTemplate`` and
    ``DescribeAutoScalingInstances``) at the version number it was launched from, ``$Latest`` and ``$Default``
    resolved at launch, and tags the machine ``aws:ec2launchtemplate:version`` with it. moto reports every
    instance at the template's current default version and tags it so, which would make an instance launched
    before a new version look as current as one launched after it.
    """
    from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState
    from moto.ec2.models.launch_templates import LaunchTemplate
    from moto.ec2.utils import parse_user_data

    original_create_version = LaunchTemplate.create_version
    original_launch = FakeAutoScalingGroup.replace_autoscaling_group_instances
    original_launch_template = InstanceState.launch_template

    def create_version(self: Any, data: dict[str, Any], description: str) -> Any:
        if isinstance(data.get("UserData"), str):
            data = {**data, "UserData": parse_user_data(data["UserData"])}
        return original_create_version(self, data, description)

    def replace_autoscaling_group_instances(self: Any, count_needed: int, propagated_tags: dict[str, str]) -> None:
        template = self.ec2_launch_template
        before = len(self.instance_states)
        original_launch(self, count_needed, propagated_tags)
        if template is None:
            return
        number = template.get_version(self.launch_template_version).number
        for state in self.instance_states[before:]:
            state.instance.launched_from_template = (template.id, number)
            state.instance.add_tag("aws:ec2launchtemplate:version", str(number))

    def launch_template(self: Any) -> dict[str, Any] | None:
        reported = original_launch_template.fget(self)
        launched = getattr(self.instance, "launched_from_template", None)
        if reported is not None and launched is not None and launched[0] == reported["LaunchTemplateId"]:
            reported["Version"] = str(launched[1])
        return reported

    LaunchTemplate.create_version = create_version
    FakeAutoScalingGroup.replace_autoscaling_group_instances = replace_autoscaling_group_instances
    InstanceState.launch_template = property(launch_template)
