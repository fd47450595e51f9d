"""What a spec may leave to AWS about the user's own network, read when the cluster is updated (as upstream does):
a shared subnet's zone and CIDR (a subnet given by ``id``), the shared VPC's CIDR (``networkID`` without
``networkCIDR``); and that the egress a private subnet names by ID (``nat-``, ``eipalloc-``, ``i-``, ``tgw-``)
exists. A resource AWS does not have is named in one line, with its field.

Only :meth:`kops_aws.cloud.AWSCloud.fill_from_cloud` calls this, on a copy of the stored spec: the stored spec
keeps what the user wrote, the completed one gets the values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kops.api.errors import ManifestError
from kops.engine.retry import Retrier

from kops_aws.awsapi import AWS_ERRORS, AWSApi

#: Egress by ID prefix: what it is, the describe call's filter for IDs, and the IDs of what a call lists (live).
_EGRESS: dict[str, tuple[str, str, Callable[[Any, list[dict[str, Any]]], list[str]]]] = {
    "nat-": ("NAT gateway", "nat-gateway-id", lambda api, f: [
        n["NatGatewayId"] for n in api.ec2.describe_nat_gateways(Filter=f)["NatGateways"]
        if n.get("State") not in ("deleted", "deleting", "failed")]),
    "eipalloc-": ("Elastic IP", "allocation-id", lambda api, f: [
        a["AllocationId"] for a in api.ec2.describe_addresses(Filters=f)["Addresses"]]),
    "i-": ("instance", "instance-id", lambda api, f: [
        i["InstanceId"] for r in api.ec2.describe_instances(Filters=f)["Reservations"] for i in r["Instances"]
        if i.get("State", {}).get("Name") not in ("shutting-down", "terminated")]),
    "tgw-": ("transit gateway", "transit-gateway-id", lambda api, f: [
        t["TransitGatewayId"] for t in api.ec2.describe_transit_gateways(Filters=f)["TransitGateways"]
        if t.get("State") not in ("deleted", "deleting")]),
}


def fill(cluster: dict[str, Any], region: str, api: AWSApi | None = None) -> None:
    """Fill in ``cluster`` (a Cluster tree) what AWS knows and the spec leaves out; raise
    :class:`kops.api.errors.ManifestError` for a shared resource AWS does not have in ``region``."""
    spec = cluster.setdefault("spec", {})
    document = f"Cluster/{(cluster.get('metadata') or {}).get('name', '')}"
    subnets = spec.get("subnets") or []
    unknown = [(i, s) for i, s in enumerate(subnets) if s.get("id") and not (s.get("zone") and s.get("cidr"))]
    network_id = spec.get("networkID")
    egress = [(i, s["egress"]) for i, s in enumerate(subnets)
              if any(str(s.get("egress") or "").startswith(p) for p in _EGRESS)]
    if not unknown and not (network_id and not spec.get("networkCIDR")) and not egress:
        return
    api = api or AWSApi(region)
    retrier = Retrier(errors=AWS_ERRORS)

    def missing(path: str, what: str) -> ManifestError:
        return ManifestError(path, f"{what} does not exist in {region}", document=document)

    if network_id and not spec.get("networkCIDR"):
        vpcs = retrier.call(lambda: api.ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [network_id]}])["Vpcs"])
        if not vpcs:
            raise missing("spec.networkID", network_id)
        spec["networkCIDR"] = vpcs[0]["CidrBlock"]
        networking = spec.get("networking") or {}
        if "amazonvpc" in networking and spec.get("nonMasqueradeCIDR") != "::/0":
            # As upstream: the Amazon VPC CNI gives pods the VPC's own addresses.
            spec["nonMasqueradeCIDR"] = spec["networkCIDR"]

    if unknown:
        ids = sorted({str(s["id"]) for _, s in unknown})
        found = {s["SubnetId"]: s for s in retrier.call(lambda: api.ec2.describe_subnets(
            Filters=[{"Name": "subnet-id", "Values": ids}])["Subnets"])}
        for i, subnet in unknown:
            path = f"spec.subnets[{i}]"
            cloud = found.get(subnet["id"])
            if cloud is None:
                raise missing(f"{path}.id", subnet["id"])
            if network_id and cloud.get("VpcId") != network_id:
                raise ManifestError(f"{path}.id", f"{subnet['id']} is in {cloud.get('VpcId')}, not in spec.networkID "
                                                  f"{network_id}", document=document)
            for field, value in (("zone", cloud.get("AvailabilityZone")), ("cidr", cloud.get("CidrBlock"))):
                given = subnet.get(field)
                if given and value and given != value:
                    raise ManifestError(f"{path}.{field}", f"{given} is not what AWS has for {subnet['id']} "
                                                           f"({value})", document=document)
                if not given and value:
                    subnet[field] = value
            if not subnet.get("cidr") and not (subnet.get("ipv6CIDR") and subnet.get("type") == "Private"):
                raise ManifestError(f"{path}.cidr", f"{subnet['id']} has no IPv4 CIDR in AWS", document=document)

    by_prefix: dict[str, list[tuple[int, str]]] = {}
    for i, value in egress:
        prefix = next(p for p in _EGRESS if value.startswith(p))
        by_prefix.setdefault(prefix, []).append((i, value))
    for prefix, named in by_prefix.items():
        what, filter_name, lister = _EGRESS[prefix]
        filters = [{"Name": filter_name, "Values": sorted({v for _, v in named})}]
        present = set(retrier.call(lambda lister=lister, filters=filters: lister(api, filters)))
        for i, value in named:
            if value not in present:
                raise missing(f"spec.subnets[{i}].egress", f"{what} {value}")
