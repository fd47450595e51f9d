"""Load balancers, firewalls, tags and DNS through python-digitalocean, as a cloud plugin uses them: the
API load balancer in front of the control plane's tag, a firewall between tags, tagging and untagging,
and the cluster's DNS records."""

from __future__ import annotations

import ipaddress

import digitalocean
import pytest
from digitalocean.Firewall import Destinations, Sources
from do_kit import CLUSTER_TAG, droplet, loaded

MASTER_TAG = "KubernetesCluster-Master:dev-example-com"


def _api_load_balancer(**fields) -> digitalocean.LoadBalancer:
    """The API load balancer upstream kOps makes: TLS passed through on 443 and 3988, HTTP on 80, a TCP check."""
    rules = [digitalocean.ForwardingRule("https", 443, "https", 443, tls_passthrough=True),
             digitalocean.ForwardingRule("http", 80, "http", 80),
             digitalocean.ForwardingRule("https", 3988, "https", 3988, tls_passthrough=True)]
    check = digitalocean.HealthCheck(protocol="tcp", port=443, path="", check_interval_seconds=60)
    return digitalocean.LoadBalancer(**{"name": "api-dev-example-com", "region": "nyc1", "forwarding_rules": rules,
                                        "health_check": check, "tag": MASTER_TAG, **fields}).create()


def test_the_api_load_balancer_is_new_then_active_with_an_address_and_its_tags_droplets(manager):
    vpc = digitalocean.VPC(name="vpc-dev-example-com", region="nyc1", ip_range="10.20.0.0/16").create()
    masters = [droplet(f"control-plane-{i}.dev.example.com", tags=[CLUSTER_TAG, MASTER_TAG], vpc_uuid=vpc.id)
               for i in range(2)]
    droplet("nodes.dev.example.com", tags=[CLUSTER_TAG], vpc_uuid=vpc.id)
    lb = _api_load_balancer(vpc_uuid=vpc.id)
    assert (lb.status, lb.ip, lb.vpc_uuid) == ("new", "", vpc.id)

    found = manager.get_load_balancer(lb.id)
    assert found.status == "active" and ipaddress.ip_address(found.ip).version == 4
    assert sorted(found.droplet_ids) == sorted(m.id for m in masters)
    assert found.tag == MASTER_TAG and found.region["slug"] == "nyc1"
    assert [(r.entry_port, r.tls_passthrough) for r in found.forwarding_rules] == [(443, True), (80, False),
                                                                                   (3988, True)]
    assert (found.health_check.protocol, found.health_check.port, found.health_check.check_interval_seconds) == (
        "tcp", 443, 60)
    assert [b.name for b in manager.get_all_load_balancers()] == ["api-dev-example-com"]
    with pytest.raises(digitalocean.DataReadError, match="Can not delete VPC with members"):
        vpc.destroy()


def test_a_load_balancer_updates_and_deletes(manager):
    lb = loaded(_api_load_balancer())
    lb.name = "api-renamed"
    lb.forwarding_rules = lb.forwarding_rules[:1]
    lb.save()
    found = manager.get_load_balancer(lb.id)
    assert found.name == "api-renamed" and len(found.forwarding_rules) == 1 and found.ip == lb.ip
    with pytest.raises(digitalocean.DataReadError, match="certificate_id"):
        digitalocean.LoadBalancer(name="web", region="nyc1",
                                  forwarding_rules=[digitalocean.ForwardingRule("https", 443, "http", 80)]).create()
    assert lb.destroy() is True
    with pytest.raises(digitalocean.NotFoundError):
        manager.get_load_balancer(lb.id)


def test_a_load_balancer_over_droplet_ids_adds_and_removes_them(manager):
    nodes = [droplet(f"nodes-{i}.dev.example.com") for i in range(3)]
    lb = _api_load_balancer(tag=None, droplet_ids=[nodes[0].id])
    lb.add_droplets([nodes[1].id, nodes[2].id])
    lb.remove_droplets([nodes[0].id])
    assert sorted(loaded(lb).droplet_ids) == sorted([nodes[1].id, nodes[2].id])
    loaded(nodes[1]).destroy()
    assert loaded(lb).droplet_ids == [nodes[2].id]
    with pytest.raises(digitalocean.DataReadError, match="cannot be set together"):
        manager.get_data("load_balancers", type=digitalocean.baseapi.POST, params={
            "name": "api-both", "region": "nyc1", "tag": MASTER_TAG, "droplet_ids": [nodes[2].id],
            "forwarding_rules": [{"entry_protocol": "http", "entry_port": 80, "target_protocol": "http",
                                  "target_port": 80}]})


def test_a_firewall_between_tags_loads_its_rules(manager):
    node = droplet("nodes.dev.example.com", tags=[CLUSTER_TAG])
    inbound = [digitalocean.InboundRule("tcp", "22", Sources(addresses=["0.0.0.0/0", "::/0"])),
               digitalocean.InboundRule("tcp", "all", Sources(tags=[CLUSTER_TAG])),
               digitalocean.InboundRule("icmp", "", Sources(tags=[CLUSTER_TAG]))]
    outbound = [digitalocean.OutboundRule("tcp", "1-65535", Destinations(addresses=["0.0.0.0/0"]))]
    made = digitalocean.Firewall(name="nodes-dev-example-com", inbound_rules=inbound, outbound_rules=outbound,
                                 tags=[CLUSTER_TAG]).create()
    assert made.status == "waiting" and made.pending_changes == [
        {"droplet_id": node.id, "removing": False, "status": "waiting"}]

    found = manager.get_firewall(made.id)
    assert found.status == "succeeded" and found.tags == [CLUSTER_TAG]
    assert [(r.protocol, r.ports) for r in found.inbound_rules] == [("tcp", "22"), ("tcp", "0"), ("icmp", "0")]
    assert found.inbound_rules[0].sources.addresses == ["0.0.0.0/0", "::/0"]
    assert found.inbound_rules[1].sources.tags == [CLUSTER_TAG]
    assert found.outbound_rules[0].destinations.addresses == ["0.0.0.0/0"]

    found.add_tags(["KubernetesCluster:other"])
    assert manager.get_firewall(made.id).tags == [CLUSTER_TAG, "KubernetesCluster:other"]
    replaced = manager.get_data(f"firewalls/{made.id}", type=digitalocean.baseapi.PUT, params={
        "name": "nodes-dev-example-com", "tags": [CLUSTER_TAG], "droplet_ids": [node.id],
        "inbound_rules": [{"protocol": "udp", "ports": "8472", "sources": {"tags": [CLUSTER_TAG]}}]})["firewall"]
    assert (replaced["status"], replaced["droplet_ids"], replaced["outbound_rules"]) == ("waiting", [node.id], [])
    assert [(r.protocol, r.ports) for r in manager.get_firewall(made.id).inbound_rules] == [("udp", "8472")]
    with pytest.raises(digitalocean.DataReadError, match="ports"):
        digitalocean.Firewall(name="bad", inbound_rules=[
            digitalocean.InboundRule("tcp", "70000", Sources(addresses=["0.0.0.0/0"]))]).create()
    assert [f.name for f in manager.get_all_firewalls()] == ["nodes-dev-example-com"]
    assert found.destroy() is True
    assert manager.get_all_firewalls() == []


def test_tags_are_added_and_removed_and_count_their_resources(manager):
    tag = digitalocean.Tag(name="k8s-role:node")
    tag.create()
    nodes = [droplet(f"nodes-{i}.dev.example.com") for i in range(2)]
    tag.add_droplets([str(n.id) for n in nodes])
    assert sorted(d.id for d in manager.get_all_droplets(tag_name="k8s-role:node")) == sorted(n.id for n in nodes)
    assert loaded(tag).resources["droplets"]["count"] == 2
    tag.remove_droplets([str(nodes[0].id)])
    assert [d.id for d in manager.get_all_droplets(tag_name="k8s-role:node")] == [nodes[1].id]
    with pytest.raises(digitalocean.NotFoundError):
        tag.add_droplets(["999"])
    tag.delete()
    assert loaded(nodes[1]).tags == []
    with pytest.raises(digitalocean.NotFoundError):
        digitalocean.Tag(name="k8s-role:node").load()


def test_dns_records_are_created_listed_over_pages_updated_and_deleted(manager):
    domain = digitalocean.Domain(name="example.com")
    domain.create()
    domain.load()
    assert [(r.type, r.data) for r in domain.get_records()] == [
        ("SOA", "1800"), ("NS", "ns1.digitalocean.com"), ("NS", "ns2.digitalocean.com"),
        ("NS", "ns3.digitalocean.com")]
    for name in ("api", "api.internal", "kops-controller.internal"):
        # (Domain.create_new_domain_record would send the loaded domain's TTL instead of the record's.)
        digitalocean.Record(domain_name="example.com", type="A", name=f"{name}.dev", data="203.0.113.10",
                            ttl=60).create()
    records = domain.get_records(params={"per_page": 2})
    assert len(records) == 7
    api = next(r for r in records if r.name == "api.dev")
    assert (api.type, api.data, api.ttl) == ("A", "203.0.113.10", 60)
    by_name = manager.get_data("domains/example.com/records", params={"type": "A", "name": "api.dev.example.com"})
    assert [r["id"] for r in by_name["domain_records"]] == [api.id]

    api.data = "203.0.113.11"
    api.save()
    assert digitalocean.Record.get_object(manager.token, "example.com", api.id).data == "203.0.113.11"
    with pytest.raises(digitalocean.DataReadError, match="IPv4"):
        domain.create_new_domain_record(type="A", name="bad.dev", data="not-an-address")
    with pytest.raises(digitalocean.DataReadError, match="CNAME"):
        domain.create_new_domain_record(type="CNAME", name="api.dev", data="elsewhere.example.com.")
    api.destroy()
    assert "api.dev" not in {r.name for r in domain.get_records()}
    assert "api.internal.dev" in loaded(domain).zone_file
    domain.destroy()
    with pytest.raises(digitalocean.NotFoundError):
        manager.get_domain("example.com")
