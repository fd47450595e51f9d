"""Checks of ``spec.networking.amazonvpc``, as upstream kOps has them."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError

from kops_amazon_vpc.spec import PATH, amazon_vpc_of, is_ipv6_only


def validate(cluster: Any) -> list[FieldError]:
    if amazon_vpc_of(cluster) is None:
        return []
    errors = []
    cloud = cluster.spec.cloudProvider
    if cloud != "aws":
        errors.append(FieldError(PATH, f"the Amazon VPC CNI works only on AWS, not on {cloud or 'an unset cloud'}"))
    if is_ipv6_only(cluster):
        errors.append(FieldError(PATH, "the Amazon VPC CNI does not support IPv6-only clusters"))
    return errors
