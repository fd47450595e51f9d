"""Route53 records for the API, as upstream's ``awsmodel/dns.go`` makes them.

With an API load balancer, ``api.<cluster>`` (the spec's public name) gets A and AAAA alias records to it,
and so does ``api.internal.<cluster>`` when the load balancer also serves internal traffic
(``useForInternalApi``). Without one, dns-controller publishes the control plane's addresses itself, so
no record is made here. Gossip clusters (``*.k8s.local``) and ``topology.dns.type: None`` publish no
records at all. A private zone is associated with the cluster's VPC so instances can resolve it.
"""

from __future__ import annotations

from kops.engine import Task

from kops_aws.model import AWSModel
from kops_aws.tasks.dns_record import DNSRecord
from kops_aws.tasks.dns_zone_association import DNSZoneAssociation

#: The API load balancer's task, as the load balancer builder names it.
API_LOAD_BALANCER = ("LoadBalancer", "api.{cluster}")


def dns_type(aws: AWSModel) -> str:
    topology = aws.spec.topology
    return (topology.dns.type if topology and topology.dns else None) or "Public"


def publishes_records(aws: AWSModel) -> bool:
    return not aws.cluster_name.endswith(".k8s.local") and dns_type(aws) != "None"


class DNSBuilder:
    def build(self, aws: AWSModel) -> list[Task]:
        if not publishes_records(aws):
            return []
        spec = aws.spec
        private = dns_type(aws) == "Private"
        tasks: list[Task] = []
        if private:
            tasks.append(DNSZoneAssociation(name=spec.dnsZone or aws.cluster_name, dns_zone=spec.dnsZone,
                                            vpc=aws.vpc, region=aws.region))
        kind, pattern = API_LOAD_BALANCER
        lb = aws.find(kind, pattern.format(cluster=aws.cluster_name))
        if lb is None:
            return tasks
        names = [spec.masterPublicName or f"api.{aws.cluster_name}"]
        lb_spec = spec.api.loadBalancer if spec.api else None
        if lb_spec is not None and lb_spec.useForInternalApi:
            names.append(f"api.internal.{aws.cluster_name}")
        for name in dict.fromkeys(names):
            for record_type, suffix in (("A", ""), ("AAAA", "-AAAA")):
                tasks.append(DNSRecord(name=name + suffix, dns_zone=spec.dnsZone, private_zone=True if private else None,
                                       record_name=name, record_type=record_type, target=lb))
        return tasks


BUILDER = DNSBuilder()
