"""The GCE network and firewall: what the network and firewall builders make of upstream's inputs, written as
Terraform exactly as upstream writes those resources, and applied to the Compute fake (a re-plan changes nothing,
changes are made in place where GCE allows them, deletion takes only what the cluster owns)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from kops import api, plugins
from kops.channels import load_channel
from kops.engine import Executor, RetryPolicy
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.engine.targets.terraform import TerraformTarget
from kops.errors import KopsError
from kops.inference.completion import complete_cluster
from kops.model import ModelContext
from kops.testing import upstream
from kops_gce.model import firewall, network
from kops_gce.testing.fakegce import FakeGCE

PROJECT = "testproject"
REGION = "us-test1"
BASE = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}"
#: The Terraform types of the resources these builders make.
TYPES = ("google_compute_network", "google_compute_subnetwork", "google_compute_router", "google_compute_router_nat",
         "google_compute_firewall")
_BLOCK = re.compile(r'^resource "(?P<type>[a-z_]+)" "(?P<name>[^"]+)" \{\n.*?^\}\n', re.S | re.M)


def case_input(case: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    text = (upstream.require() / "update_cluster" / case / "in-v1alpha2.yaml").read_text()
    docs = [d for d in yaml.safe_load_all(text) if d]
    return next(d for d in docs if d["kind"] == "Cluster"), [d for d in docs if d["kind"] == "InstanceGroup"]


def model_of(cluster: dict[str, Any], groups: list[dict[str, Any]], target: str = "direct",
             store_id: str | None = "store-1") -> ModelContext:
    """The ModelContext ``kops update cluster`` builds for a cluster and its groups (completed as it completes them)."""
    cloud = plugins.load_driver("cloud", "gce")()
    tree = complete_cluster(cluster, groups, cloud, load_channel(cluster["spec"].get("channel") or "stable"), [])
    completed = api.from_dict(tree)
    return ModelContext(cluster_name=completed.metadata.name, cluster=completed,
                        instance_groups=sorted((api.from_dict(g) for g in groups), key=lambda g: g.metadata.name),
                        cloud=cloud, state_url="gs://state", store_id=store_id, target=target,
                        firewall_rules=plugins.collect(plugins.hook().kops_firewall_rules(cluster=completed)))


def small(name: str = "net.example.com", **spec: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A cluster in one region, its control plane and nodes in one zone."""
    cluster = {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": name}, "spec": {
        "cloudProvider": "gce", "project": PROJECT, "kubernetesVersion": "v1.32.0", "channel": "stable",
        "api": {"dns": {}}, "networking": {"cni": {}}, "nonMasqueradeCIDR": "100.64.0.0/10",
        "etcdClusters": [{"name": n, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane"}]}
                         for n in ("main", "events")],
        "sshAccess": ["0.0.0.0/0"], "kubernetesApiAccess": ["0.0.0.0/0"],
        "subnets": [{"name": REGION, "region": REGION, "type": "Public", "cidr": "10.0.16.0/20"}],
        "topology": {"dns": {"type": "Public"}}, **spec}}
    groups = [{"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
               "metadata": {"name": ig, "labels": {"kops.k8s.io/cluster": name}},
               "spec": {"role": role, "machineType": "e2-medium", "image": "ubuntu", "minSize": 1, "maxSize": 1,
                        "subnets": [REGION], "zones": [f"{REGION}-a"]}}
              for ig, role in (("control-plane", "ControlPlane"), ("nodes", "Node"))]
    return cluster, groups


def build(model: ModelContext) -> list:
    tasks: list = []
    for builder in network.BUILDERS + firewall.BUILDERS:
        made = builder.build(model)
        model.add(made)
        tasks += made
    return tasks


def terraform(model: ModelContext) -> dict[tuple[str, str], str]:
    files = TerraformTarget().run(model.cloud.engine_context(model), build(model))
    return blocks(files["kubernetes.tf"].decode())


def blocks(text: str) -> dict[tuple[str, str], str]:
    return {(m["type"], m["name"]): m.group(0) for m in _BLOCK.finditer(text) if m["type"] in TYPES}


def executor() -> Executor:
    return Executor(8, RetryPolicy(base_delay=0.01, max_delay=0.05, deadline=30))


def fresh(model: ModelContext) -> ModelContext:
    """The same inputs with an empty task registry: each build is a new run."""
    return ModelContext(cluster_name=model.cluster_name, cluster=model.cluster, instance_groups=model.instance_groups,
                        cloud=model.cloud, state_url=model.state_url, store_id=model.store_id, target=model.target,
                        firewall_rules=model.firewall_rules)


def plan(model: ModelContext) -> dict[str, str]:
    model = fresh(model)
    result = DryRunTarget(executor()).run(model.cloud.engine_context(model), build(model))
    return {c.label: c.action.value for c in result.changes if c.action.value != "none"}


def apply(model: ModelContext) -> None:
    model = fresh(model)
    DirectTarget(executor()).run(model.cloud.engine_context(model), build(model))


def delete(model: ModelContext) -> None:
    ctx = model.cloud.engine_context(model)
    DirectTarget(executor()).run(ctx, [], model.cloud.owned_resources(ctx, model))


@pytest.fixture
def fake_gce():
    with FakeGCE([PROJECT, "host-project"]) as fake:
        yield fake


@pytest.fixture
def gce(fake_gce, monkeypatch):
    """The Compute fake, and google-cloud-compute clients pointed at it."""
    from google.cloud import compute_v1
    from kops_gce.clients import compute_client

    url = fake_gce.url
    monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", f"{url}/compute/v1/")
    for api_name in ("IAM", "CLOUDRESOURCEMANAGER"):  # deletion asks every kind the cluster may own
        monkeypatch.setenv(f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api_name}", f"{url}/")
    monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS", f"{url}/dns/v1/")
    monkeypatch.setenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true")
    return lambda name: compute_client(getattr(compute_v1, name + "Client"))


def names_of(client: Any, **scope: Any) -> set[str]:
    return {r.name for r in client.list(project=PROJECT, **scope)}


# --- Terraform, as upstream writes it -------------------------------------------------------------------------


#: The firewall rules the API load balancer's builder makes (tested with it).
LOAD_BALANCER_RULES = re.compile(r"^(https-api|kops-controller|cilium-etcd|pod-cidrs-to-https-api)-")
GCE_CASES = upstream.cases("update_cluster/*gce*/in-v1alpha2.yaml", value=lambda p: p.parent.name)


@pytest.mark.parametrize("case", GCE_CASES)
def test_terraform_matches_upstreams_resources(case):
    """Every network, subnetwork, router, NAT and firewall rule upstream writes for these clusters (apart from the API
    load balancer's rules), written the same: types, names, attributes and references."""
    cluster, groups = case_input(case)
    expected = {k: v for k, v in blocks((upstream.require() / "update_cluster" / case / "kubernetes.tf").read_text())
                .items() if not LOAD_BALANCER_RULES.match(k[1])}
    got = terraform(model_of(cluster, groups, target="terraform"))
    assert sorted(got) == sorted(expected)
    for key, text in expected.items():
        assert got[key] == text, key


def test_private_topology_gets_a_router_with_cloud_nat_serving_its_subnet():
    got = terraform(model_of(*case_input("minimal_gce_private"), target="terraform"))
    nat = got["google_compute_router_nat", "nat-minimal-gce-private-example-com"]
    assert "router                             = google_compute_router.nat-minimal-gce-private-example-com.name" in nat
    assert "name                    = google_compute_subnetwork.us-test1-minimal-gce-private-example-com.name" in nat
    public = terraform(model_of(*case_input("minimal_gce"), target="terraform"))
    assert not [k for k in public if k[0].startswith("google_compute_router")]


def test_an_external_egress_leaves_the_nat_to_the_user_and_an_unknown_one_is_refused():
    cluster, groups = small(subnets=[{"name": REGION, "region": REGION, "type": "Private", "cidr": "10.0.16.0/20",
                                      "egress": "External"}])
    assert not [k for k in terraform(model_of(cluster, groups, "terraform")) if k[0].startswith("google_compute_router")]
    cluster["spec"]["subnets"][0]["egress"] = "nat-0123"
    with pytest.raises(KopsError, match=r"spec\.subnets\[us-test1\]\.egress"):
        terraform(model_of(cluster, groups, "terraform"))


def test_a_shared_network_and_subnet_are_referred_to_by_their_ids_and_not_written():
    cluster, groups = small(networkID="host-project/shared-net", subnets=[
        {"name": REGION, "region": REGION, "type": "Private", "id": "shared-sub"}])
    got = terraform(model_of(cluster, groups, "terraform"))
    assert not [k for k in got if k[0] in ("google_compute_network", "google_compute_subnetwork")]
    assert not [k for k in got if k[0].startswith("google_compute_router")]  # its egress is the owner's
    assert 'network       = "host-project/shared-net"' in got["google_compute_firewall", "ssh-external-to-node-net-example-com"]


def test_ip_aliases_give_subnetworks_pod_and_service_ranges_and_pods_their_rules():
    cluster, groups = small(networking={"gce": {}}, podCIDR="10.4.0.0/14", serviceClusterIPRange="10.1.0.0/20")
    got = terraform(model_of(cluster, groups, "terraform"))
    sub = got["google_compute_subnetwork", "us-test1-net-example-com"]
    assert re.search(r'secondary_ip_range \{\n    ip_cidr_range = "10.4.0.0/14"\n    range_name    = '
                     r'"pods-net-example-com"\n  \}', sub)
    assert re.search(r'ip_cidr_range = "10.1.0.0/20"\n    range_name    = "services-net-example-com"', sub)
    to_nodes = got["google_compute_firewall", "pod-cidrs-to-node-net-example-com"]
    assert 'source_ranges = ["10.4.0.0/14"]' in to_nodes and "disabled      = false" in to_nodes
    twin = got["google_compute_firewall", "pod-cidrs-to-node-ipv6-net-example-com"]
    assert "disabled      = true" in twin and 'source_ranges = ["::/0"]' in twin
    assert 'protocol = "58"' in twin and 'protocol = "icmp"' not in twin  # ICMPv6
    api = got["google_compute_firewall", "pod-cidrs-to-https-api-net-example-com"]
    assert 'target_tags   = ["net-example-com-k8s-io-role-control-plane"]' in api


def test_a_bastion_takes_ssh_from_outside_and_machines_only_from_it():
    cluster, groups = small(sshAccess=["203.0.113.0/24", "2001:db8::/32"])
    groups.append({"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
                   "metadata": {"name": "bastions", "labels": {"kops.k8s.io/cluster": "net.example.com"}},
                   "spec": {"role": "Bastion", "machineType": "e2-micro", "image": "ubuntu", "minSize": 1,
                            "maxSize": 1, "subnets": [REGION], "zones": [f"{REGION}-a"]}})
    got = terraform(model_of(cluster, groups, "terraform"))
    rules = {name for kind, name in got if kind == "google_compute_firewall"}
    assert not {n for n in rules if n.startswith("ssh-external-to-master") or n.startswith("ssh-external-to-node")}
    assert 'source_ranges = ["203.0.113.0/24"]' in got["google_compute_firewall", "ssh-external-to-bastion-net-example-com"]
    assert 'source_ranges = ["2001:db8::/32"]' in got["google_compute_firewall",
                                                      "ssh-external-to-bastion-ipv6-net-example-com"]
    inward = got["google_compute_firewall", "bastion-to-master-ssh-net-example-com"]
    assert 'source_tags = ["net-example-com-k8s-io-role-bastion"]' in inward
    assert "net-example-com-k8s-io-role-master" in inward


def test_calico_opens_ip_in_ip_and_bgp_as_upstream():
    cluster, groups = small(networking={"calico": {}})
    got = terraform(model_of(cluster, groups, "terraform"))
    node_to_master = got["google_compute_firewall", "node-to-master-net-example-com"]
    assert re.search(r'protocol = "ipip"\n  \}\n  allow \{\n    ports    = \["179"\]\n    protocol = "tcp"', node_to_master)
    assert 'protocol = "ipip"' in got["google_compute_firewall", "node-to-node-net-example-com"]


# --- against the Compute fake ---------------------------------------------------------------------------------


def test_apply_then_replan_changes_nothing_then_changes_are_made_in_place(gce):
    cluster, groups = small(subnets=[{"name": REGION, "region": REGION, "type": "Private", "cidr": "10.0.16.0/20"}],
                            networking={"gce": {}}, podCIDR="10.4.0.0/14", serviceClusterIPRange="10.1.0.0/20")
    model = model_of(cluster, groups)
    first = plan(model)
    assert first["Network/net-example-com"] == "create" and first["Router/nat-net-example-com"] == "create"
    apply(model)
    assert plan(model) == {}

    net = gce("Networks").get(project=PROJECT, network="net-example-com")
    assert net.auto_create_subnetworks is False and net.description == "kops cluster net.example.com state-store store-1"
    sub = gce("Subnetworks").get(project=PROJECT, region=REGION, subnetwork="us-test1-net-example-com")
    assert {r.range_name: r.ip_cidr_range for r in sub.secondary_ip_ranges} == {
        "pods-net-example-com": "10.4.0.0/14", "services-net-example-com": "10.1.0.0/20"}
    router = gce("Routers").get(project=PROJECT, region=REGION, router="nat-net-example-com")
    assert [s.name for s in router.nats[0].subnetworks] == [sub.self_link]

    # SSH from a narrower range, a larger subnet range, the services' range moved.
    cluster["spec"]["sshAccess"] = ["198.51.100.0/24"]
    cluster["spec"]["subnets"][0]["cidr"] = "10.0.0.0/19"
    cluster["spec"]["serviceClusterIPRange"] = "10.2.0.0/20"
    changed = model_of(cluster, groups)
    assert plan(changed) == {"FirewallRule/ssh-external-to-master-net-example-com": "update",
                             "FirewallRule/ssh-external-to-node-net-example-com": "update",
                             "Subnetwork/us-test1-net-example-com": "update"}
    apply(changed)
    assert plan(changed) == {}
    rule = gce("Firewalls").get(project=PROJECT, firewall="ssh-external-to-node-net-example-com")
    assert list(rule.source_ranges) == ["198.51.100.0/24"]
    assert rule.description == "kops cluster net.example.com state-store store-1"
    sub = gce("Subnetworks").get(project=PROJECT, region=REGION, subnetwork="us-test1-net-example-com")
    assert sub.ip_cidr_range == "10.0.0.0/19"
    assert {r.range_name: r.ip_cidr_range for r in sub.secondary_ip_ranges} == {
        "pods-net-example-com": "10.4.0.0/14", "services-net-example-com": "10.2.0.0/20"}

    # A primary range can only grow.
    cluster["spec"]["subnets"][0]["cidr"] = "10.0.0.0/20"
    with pytest.raises(Exception, match=r"Subnetwork/us-test1-net-example-com.*ipCidrRange: 10\.0\.0\.0/20 does not "
                                        r"hold 10\.0\.0\.0/19"):
        plan(model_of(cluster, groups))


def test_leaving_ip_aliases_removes_the_subnetworks_secondary_ranges(gce):
    cluster, groups = small(networking={"gce": {}}, podCIDR="10.4.0.0/14", serviceClusterIPRange="10.1.0.0/20")
    apply(model_of(cluster, groups))
    cluster["spec"]["networking"] = {"cni": {}}
    del cluster["spec"]["podCIDR"], cluster["spec"]["serviceClusterIPRange"]
    changed = model_of(cluster, groups)
    assert plan(changed)["Subnetwork/us-test1-net-example-com"] == "update"
    apply(changed)
    assert "Subnetwork/us-test1-net-example-com" not in plan(changed)
    sub = gce("Subnetworks").get(project=PROJECT, region=REGION, subnetwork="us-test1-net-example-com")
    assert list(sub.secondary_ip_ranges) == []


def test_the_nat_serves_a_private_subnet_added_later(gce):
    cluster, groups = small(subnets=[{"name": REGION, "region": REGION, "type": "Private", "cidr": "10.0.16.0/20"}])
    apply(model_of(cluster, groups))
    cluster["spec"]["subnets"] += [{"name": "second", "region": REGION, "type": "Private", "cidr": "10.0.32.0/20"},
                                   {"name": "third", "region": REGION, "type": "Public", "cidr": "10.0.48.0/20"}]
    changed = model_of(cluster, groups)
    assert plan(changed) == {"Subnetwork/second-net-example-com": "create",
                             "Subnetwork/third-net-example-com": "create", "Router/nat-net-example-com": "update"}
    apply(changed)
    assert plan(changed) == {}
    router = gce("Routers").get(project=PROJECT, region=REGION, router="nat-net-example-com")
    assert len(router.nats) == 1
    assert sorted(s.name.rsplit("/", 1)[-1] for s in router.nats[0].subnetworks) == [
        "second-net-example-com", "us-test1-net-example-com"]


def test_an_existing_resource_without_an_owner_is_adopted_not_replaced(gce):
    from google.cloud import compute_v1

    gce("Networks").insert(project=PROJECT, network_resource=compute_v1.Network(
        name="net-example-com", auto_create_subnetworks=False)).result()
    model = model_of(*small())
    assert "Network/net-example-com" not in plan(model)
    apply(model)
    assert gce("Networks").get(project=PROJECT, network="net-example-com").description == ""


def test_an_auto_mode_network_of_the_clusters_name_is_refused_naming_its_mode(gce):
    from google.cloud import compute_v1

    gce("Networks").insert(project=PROJECT, network_resource=compute_v1.Network(
        name="net-example-com", auto_create_subnetworks=True)).result()
    with pytest.raises(Exception, match=r'Network/net-example-com: mode: "auto" -> "custom" cannot be changed'):
        plan(model_of(*small()))


def test_delete_takes_only_what_the_cluster_owns(gce):
    """``a-b.example.com`` and ``a.b.example.com`` have the same GCE names; deleting the second leaves the first's."""
    mine = model_of(*small("a-b.example.com"))
    apply(mine)
    networks, firewalls = gce("Networks"), gce("Firewalls")
    rules = names_of(firewalls)
    assert "ssh-external-to-node-a-b-example-com" in rules and len(rules) == 12

    delete(model_of(*small("a.b.example.com")))
    assert names_of(firewalls) == rules
    assert names_of(networks) == {"a-b-example-com"}

    delete(mine)
    assert names_of(firewalls) == set() and names_of(networks) == set()
    assert names_of(gce("Subnetworks"), region=REGION) == set()


def test_delete_takes_what_kubernetes_added_to_the_clusters_network_and_only_there(gce):
    """Rules and routes Kubernetes adds (a load balancer service's, a node's pod range) would keep the network."""
    from google.cloud import compute_v1

    mine, other = model_of(*small("mine.example.com")), model_of(*small("other.example.com"))
    apply(mine)
    apply(other)
    for cluster in ("mine", "other"):
        network = f"global/networks/{cluster}-example-com"
        gce("Firewalls").insert(project=PROJECT, firewall_resource=compute_v1.Firewall(
            name=f"k8s-fw-{cluster}", network=network, target_tags=[f"{cluster}-example-com-k8s-io-role-node"],
            allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["80"])])).result()
        gce("Routes").insert(project=PROJECT, route_resource=compute_v1.Route(
            name=f"{cluster}-example-com-pods", network=network, dest_range="100.96.1.0/24",
            next_hop_ip="10.0.16.5")).result()
    delete(mine)
    assert names_of(gce("Networks")) == {"other-example-com"}
    assert "k8s-fw-other" in names_of(gce("Firewalls"))
    assert {r.name for r in gce("Routes").list(project=PROJECT) if not r.name.startswith("default-route-")} == {
        "other-example-com-pods"}


def test_a_shared_network_and_subnet_are_used_never_changed_nor_deleted(gce):
    from google.cloud import compute_v1

    gce("Networks").insert(project=PROJECT, network_resource=compute_v1.Network(
        name="shared-net", auto_create_subnetworks=False)).result()
    gce("Subnetworks").insert(project=PROJECT, region=REGION, subnetwork_resource=compute_v1.Subnetwork(
        name="shared-sub", network="global/networks/shared-net", ip_cidr_range="10.9.0.0/20")).result()
    model = model_of(*small(networkID="shared-net", subnets=[
        {"name": REGION, "region": REGION, "type": "Private", "id": "shared-sub"}]))
    assert set(plan(model)) == {f"FirewallRule/{r}" for r in names_of_rules(model)}
    apply(model)
    assert plan(model) == {}
    rule = gce("Firewalls").get(project=PROJECT, firewall="node-to-node-net-example-com")
    assert rule.network == f"{BASE}/global/networks/shared-net"

    delete(model)
    assert names_of(gce("Firewalls")) == set()
    assert names_of(gce("Networks")) == {"shared-net"}
    assert names_of(gce("Subnetworks"), region=REGION) == {"shared-sub"}


def test_a_missing_shared_network_is_an_error_naming_it(gce):
    with pytest.raises(Exception, match=r"Network/elsewhere: this shared resource was not found"):
        plan(model_of(*small(networkID="elsewhere", subnets=[
            {"name": REGION, "region": REGION, "type": "Public", "id": "sub"}])))


def test_a_shared_network_of_another_project_is_looked_up_there(gce):
    from google.cloud import compute_v1

    model = model_of(*small(networkID="host-project/shared-net", subnets=[
        {"name": REGION, "region": REGION, "type": "Public", "id": "shared-sub"}]))
    with pytest.raises(Exception, match=r"Network/shared-net: this shared resource was not found"):
        plan(model)
    gce("Networks").insert(project="host-project", network_resource=compute_v1.Network(
        name="shared-net", auto_create_subnetworks=False)).result()
    gce("Subnetworks").insert(project="host-project", region=REGION, subnetwork_resource=compute_v1.Subnetwork(
        name="shared-sub", network="global/networks/shared-net", ip_cidr_range="10.9.0.0/20")).result()
    assert not [c for c in plan(model) if not c.startswith("FirewallRule/")]


def test_calls_failing_now_and_then_are_retried_to_the_same_end(fake_gce, gce):
    """One call in five fails before it takes effect, as Google's answer under load (an insert whose wait failed is
    tried again, and finds its resource already made)."""
    cluster, groups = small(subnets=[{"name": REGION, "region": REGION, "type": "Private", "cidr": "10.0.16.0/20"}])
    model = model_of(cluster, groups)
    fake_gce.fail_rate = 0.2
    fake_gce.random.seed(7)
    apply(model)
    assert plan(model) == {}
    fake_gce.fail_rate = 0  # the deletion's listings are made first, then its calls fail now and then
    ctx = model.cloud.engine_context(model)
    doomed = model.cloud.owned_resources(ctx, model)
    fake_gce.fail_rate = 0.2
    DirectTarget(executor()).run(ctx, [], doomed)
    fake_gce.fail_rate = 0
    assert names_of(gce("Networks")) == set() and names_of(gce("Firewalls")) == set()
    assert names_of(gce("Routers"), region=REGION) == set()


def names_of_rules(model: ModelContext) -> set[str]:
    return {t.name for t in build(fresh(model)) if t.type_name == "FirewallRule"}
