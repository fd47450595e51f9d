"""A private hosted zone's association with the cluster's VPC, so instances resolve the API's records."""

from __future__ import annotations

from kops.engine import Changes, Context, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_aws.awsapi import error_code
from kops_aws.tasks.dns_record import terraform_zone_id, zone_id_of, zones_for
from kops_aws.tasks.vpc import VPC


class DNSZoneAssociation(Task):
    #: ``spec.dnsZone``: the private zone's ID or domain.
    dns_zone: str | None = None
    vpc: VPC | None = None
    region: str | None = None
    #: The zone's ID, once found.
    zone_id: str | None = None

    id_field = ""
    ignored_fields = {"dns_zone", "region"}
    output_fields = {"zone_id"}
    terraform_type = "aws_route53_zone_association"

    def find(self, ctx: Context) -> DNSZoneAssociation | None:
        assert self.vpc is not None
        zones = zones_for(ctx.snapshot.get("hosted_zone"), ctx.cluster_name, self.dns_zone, True)
        if not zones:
            raise KopsError(f"no private Route53 hosted zone {self.dns_zone or ctx.cluster_name} found: create it")
        self.zone_id = zone_id_of(zones[0])
        if not self.vpc.id:
            return None
        vpcs = ctx.cloud.route53.get_hosted_zone(Id=self.zone_id).get("VPCs", [])
        if not any(v.get("VPCId") == self.vpc.id for v in vpcs):
            return None
        return DNSZoneAssociation(name=self.name, lifecycle=self.lifecycle, vpc=self.vpc.id, zone_id=self.zone_id)

    def render_direct(self, ctx: Context, actual: DNSZoneAssociation | None, changes: Changes) -> None:
        assert self.vpc is not None
        try:
            ctx.cloud.route53.associate_vpc_with_hosted_zone(
                HostedZoneId=self.zone_id, VPC={"VPCRegion": self.region, "VPCId": self.vpc.id})
        except Exception as exc:
            if error_code(exc) != "ConflictingDomainExists":
                raise

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        if self.vpc is not None and self.vpc.lifecycle.shared:
            return  # a user's VPC is normally in the zone already, and Terraform cannot check
        tf.add_resource("aws_route53_zone_association", self.dns_zone or ctx.cluster_name, {
            "vpc_id": self.vpc,
            "zone_id": terraform_zone_id(tf, ctx.cluster_name, self.dns_zone, True),
        })
