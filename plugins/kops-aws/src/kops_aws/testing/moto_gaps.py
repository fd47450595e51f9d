"""Fill gaps in moto's EC2 emulation that the AWS model depends on, so tests see what AWS would do.

moto accepts ``ModifySubnetAttribute`` with ``PrivateDnsHostnameTypeOnLaunch``,
and ``EnableResourceNameDnsAAAARecordOnLaunch`` but silently drops them, so a subnet never
reports resource-based hostnames and every plan would want to set them again. :func:`fill` makes moto keep
them. It changes the emulator only (moto's own classes, in the process running the server).
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
    _FILLED = True
