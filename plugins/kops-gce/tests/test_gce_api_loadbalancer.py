"""The API's load balancer on GCE: the public one (external address, forwarding rule, target pool and its legacy
HTTP health check) and the internal one (internal address, forwarding rule, backend service over the control
plane's instance groups, regional health check), applied on the Compute fake, planned again without change,
deleted without touching another cluster's; the address kubeconfigs reach the API at."""

from __future__ import annotations

import pytest
import requests
from google.api_core import exceptions
from google.cloud import compute_v1
from kops import api as kops_api
from kops.engine import Action, Context, Executor
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops_gce.api import ERRORS, GCE
from kops_gce.cloud import GCECloud
from kops_gce.discovery import DISCOVERY
from kops_gce.labels import cluster_label_value
from kops_gce.tasks.address import Address
from kops_gce.tasks.backend_service import BackendService
from kops_gce.tasks.forwarding_rule import ForwardingRule
from kops_gce.tasks.health_check import HealthCheck
from kops_gce.tasks.http_health_check import HttpHealthCheck
from kops_gce.tasks.target_pool import TargetPool
from kops_gce.testing.fakegce import FakeGCE

P = "kops-test"
REGION = "us-test1"
ZONE = "us-test1-a"
CLUSTER = "lb.example.com"
OWNER = f"kops cluster {CLUSTER} state-store store-1"
LABELS = {"k8s-io-cluster-name": "lb-example-com", "kops-k8s-io-state-store": "store-1"}
LINK = f"https://www.googleapis.com/compute/v1/projects/{P}"
IMAGE = "projects/ubuntu-os-cloud/global/images/ubuntu-2404-noble-amd64-v20260615"
NETWORK = f"{LINK}/global/networks/net"
SUBNETWORK = f"{LINK}/regions/{REGION}/subnetworks/sub"
MANAGER = f"{LINK}/zones/{ZONE}/instanceGroupManagers/master"


@pytest.fixture
def gce(monkeypatch):
    """The run's handle on a fake holding a network, a subnetwork and the control plane's managed group
    ``master`` (one machine), as the builders before the load balancer's leave them."""
    with FakeGCE([P]) as fake:
        monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", f"{fake.url}/compute/v1/")
        for api in ("IAM", "CLOUDRESOURCEMANAGER"):
            monkeypatch.setenv(f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}", f"{fake.url}/")
        monkeypatch.setenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true")
        handle = GCE(P, REGION)
        handle.wait(handle.compute("Networks").insert(project=P, network_resource=compute_v1.Network(
            name="net", auto_create_subnetworks=False)))
        handle.wait(handle.compute("Subnetworks").insert(project=P, region=REGION, subnetwork_resource=(
            compute_v1.Subnetwork(name="sub", network=NETWORK, ip_cidr_range="10.0.16.0/20"))))
        disk = compute_v1.AttachedDisk(boot=True, auto_delete=True, initialize_params=(
            compute_v1.AttachedDiskInitializeParams(source_image=IMAGE)))
        handle.wait(handle.compute("InstanceTemplates").insert(project=P, instance_template_resource=(
            compute_v1.InstanceTemplate(name="master-t1", properties=compute_v1.InstanceProperties(
                machine_type="e2-medium", disks=[disk],
                network_interfaces=[compute_v1.NetworkInterface(network=NETWORK, subnetwork=SUBNETWORK)])))))
        handle.wait(handle.compute("InstanceGroupManagers").insert(
            project=P, zone=ZONE, instance_group_manager_resource=compute_v1.InstanceGroupManager(
                name="master", base_instance_name="master", target_size=1,
                instance_template=f"{LINK}/global/instanceTemplates/master-t1")))
        yield handle


def run(handle: GCE, tasks=(), deletions=()):
    ctx = Context(CLUSTER, cloud=handle, snapshot=DISCOVERY.snapshot(handle, CLUSTER), errors=ERRORS)
    return DirectTarget(Executor(8, sleep=lambda _: None)).run(ctx, list(tasks), list(deletions))


def plan(handle: GCE, tasks):
    ctx = Context(CLUSTER, cloud=handle, snapshot=DISCOVERY.snapshot(handle, CLUSTER), errors=ERRORS)
    return DryRunTarget(Executor(8, sleep=lambda _: None)).run(ctx, list(tasks))


def public_lb(name: str = "api-lb-example-com", labels=None) -> list:
    check = HttpHealthCheck(name=name, port=3990, request_path="/healthz", description=OWNER)
    pool = TargetPool(name=name, health_check=check, description=OWNER)
    address = Address(name=name, address_type="EXTERNAL", labels=labels or LABELS)
    rule = ForwardingRule(name=name, ip_address=address, ip_protocol="TCP", load_balancing_scheme="EXTERNAL",
                          port_range="443-443", target=pool, labels={**(labels or LABELS), "name": "api"})
    return [check, pool, address, rule]


def internal_lb() -> list:
    check = HealthCheck(name="api-lb-example-com", protocol="TCP", port=443, description=OWNER)
    service = BackendService(name="api-lb-example-com", protocol="TCP", load_balancing_scheme="INTERNAL",
                             health_checks=[check], backends=[MANAGER], description=OWNER)
    address = Address(name="api-us-test1-lb-example-com", address_type="INTERNAL",
                      purpose="SHARED_LOADBALANCER_VIP", subnetwork=SUBNETWORK, labels=LABELS)
    rule = ForwardingRule(name="api-us-test1-lb-example-com", ip_address=address, ip_protocol="TCP",
                          load_balancing_scheme="INTERNAL", ports=["443"], backend_service=service,
                          network=NETWORK, subnetwork=SUBNETWORK, labels={**LABELS, "name": "api-us-test1"})
    controller = ForwardingRule(name="kops-controller-us-test1-lb-example-com", ip_address=address,
                                ip_protocol="TCP", load_balancing_scheme="INTERNAL", ports=["3988"],
                                backend_service=service, network=NETWORK, subnetwork=SUBNETWORK,
                                labels={**LABELS, "name": "kops-controller-us-test1"})
    return [check, service, address, rule, controller]


def cluster(lb_type: str | None = "Public"):
    spec = {"cloudProvider": "gce", "project": P, "subnets": [{"name": REGION, "region": REGION, "type": "Public"}],
            "api": {"loadBalancer": {"type": lb_type}} if lb_type else {"dns": {}}}
    return kops_api.from_dict({"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster",
                               "metadata": {"name": CLUSTER}, "spec": spec}, source="test")


def test_the_public_load_balancer_sends_the_api_port_to_the_control_plane(gce) -> None:
    tasks = public_lb()
    run(gce, tasks)
    rules = gce.compute("ForwardingRules")
    rule = rules.get(project=P, region=REGION, forwarding_rule="api-lb-example-com")
    address = gce.compute("Addresses").get(project=P, region=REGION, address="api-lb-example-com")
    assert (rule.I_p_address, rule.port_range, rule.load_balancing_scheme) == (address.address, "443-443", "EXTERNAL")
    assert rule.target == f"{LINK}/regions/{REGION}/targetPools/api-lb-example-com"
    assert dict(rule.labels) == {**LABELS, "name": "api"} and dict(address.labels) == LABELS
    pool = gce.compute("TargetPools").get(project=P, region=REGION, target_pool="api-lb-example-com")
    assert list(pool.health_checks) == [f"{LINK}/global/httpHealthChecks/api-lb-example-com"]
    assert pool.description == OWNER

    # The control plane's group names the pool: GCE puts its machines in it.
    igms = gce.compute("InstanceGroupManagers")
    igm = igms.get(project=P, zone=ZONE, instance_group_manager="master")
    igm.target_pools = [pool.self_link]
    gce.wait(igms.patch(project=P, zone=ZONE, instance_group_manager="master", instance_group_manager_resource=igm))
    pool = gce.compute("TargetPools").get(project=P, region=REGION, target_pool="api-lb-example-com")
    assert len(pool.instances) == 1 and "/instances/master-" in pool.instances[0]

    assert not plan(gce, public_lb()).has_changes
    assert GCECloud().api_endpoint(cluster("Public")) == address.address


def changed_public_lb() -> list:
    tasks = public_lb(labels={**LABELS, "team": "api"})
    tasks[0].port = 8443
    return tasks


def test_a_changed_health_check_port_and_labels_are_updated_in_place(gce) -> None:
    run(gce, public_lb())
    changed = changed_public_lb()
    assert {(c.type, c.action) for c in plan(gce, changed).changes if c.action != Action.NONE} == {
        ("HttpHealthCheck", Action.UPDATE), ("Address", Action.UPDATE), ("ForwardingRule", Action.UPDATE)}
    address_before = gce.compute("Addresses").get(project=P, region=REGION, address="api-lb-example-com").address
    run(gce, changed)
    rule = gce.compute("ForwardingRules").get(project=P, region=REGION, forwarding_rule="api-lb-example-com")
    assert rule.labels["team"] == "api" and rule.I_p_address == address_before
    check = requests.get(f"{gce_url()}/projects/{P}/global/httpHealthChecks/api-lb-example-com", timeout=10).json()
    assert check["port"] == 8443
    assert not plan(gce, changed_public_lb()).has_changes


def gce_url() -> str:
    import os

    return os.environ["CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"].rstrip("/")


def test_the_internal_load_balancer_sends_to_the_control_planes_instance_group(gce) -> None:
    run(gce, internal_lb())
    service = gce.compute("RegionBackendServices").get(project=P, region=REGION, backend_service="api-lb-example-com")
    assert [(b.group, b.balancing_mode) for b in service.backends] == [
        (f"{LINK}/zones/{ZONE}/instanceGroups/master", "CONNECTION")]
    assert list(service.health_checks) == [f"{LINK}/regions/{REGION}/healthChecks/api-lb-example-com"]
    address = gce.compute("Addresses").get(project=P, region=REGION, address="api-us-test1-lb-example-com")
    assert (address.address_type, address.purpose, address.subnetwork) == (
        "INTERNAL", "SHARED_LOADBALANCER_VIP", SUBNETWORK)
    rules = {r.name: r for r in gce.compute("ForwardingRules").list(project=P, region=REGION)}
    # The API's rule and kops-controller's share the address, on their own ports.
    assert {n: (list(r.ports), r.I_p_address, r.subnetwork) for n, r in rules.items()} == {
        "api-us-test1-lb-example-com": (["443"], address.address, SUBNETWORK),
        "kops-controller-us-test1-lb-example-com": (["3988"], address.address, SUBNETWORK)}
    assert not plan(gce, internal_lb()).has_changes
    assert GCECloud().api_endpoint(cluster("Internal")) == address.address
    assert GCECloud().api_endpoint(cluster(None)) is None


def test_a_forwarding_rule_whose_ports_changed_is_replaced_on_the_same_address(gce) -> None:
    run(gce, internal_lb())
    changed = internal_lb()
    changed[4].ports = ["3988", "3989"]
    changes = {c.name: c for c in plan(gce, changed).changes if c.action != Action.NONE}
    assert list(changes) == ["kops-controller-us-test1-lb-example-com"]
    assert changes["kops-controller-us-test1-lb-example-com"].action == Action.REPLACE
    run(gce, changed)
    rule = gce.compute("ForwardingRules").get(project=P, region=REGION,
                                              forwarding_rule="kops-controller-us-test1-lb-example-com")
    address = gce.compute("Addresses").get(project=P, region=REGION, address="api-us-test1-lb-example-com")
    assert (list(rule.ports), rule.I_p_address) == (["3988", "3989"], address.address)


def test_internal_rules_share_an_address_only_when_it_is_reserved_for_sharing(gce) -> None:
    from kops.engine.executor import ExecutionError

    unshared = internal_lb()
    unshared[2].purpose = None
    with pytest.raises(ExecutionError, match="IP '10.0.16.[0-9]+' is already being used by another resource"):
        run(gce, unshared)
    made = [r.name for r in gce.compute("ForwardingRules").list(project=P, region=REGION)]
    assert len(made) == 1  # the first of the two rules took the address; the second was refused
    gce.wait(gce.compute("ForwardingRules").delete(project=P, region=REGION, forwarding_rule=made[0]))
    gce.wait(gce.compute("Addresses").delete(project=P, region=REGION, address="api-us-test1-lb-example-com"))
    clashing = internal_lb()
    clashing[4].ports = ["443"]
    with pytest.raises(ExecutionError, match="already uses this IP address, protocol and port"):
        run(gce, clashing)


def test_deleting_takes_the_clusters_load_balancers_and_leaves_anothers(gce) -> None:
    other_labels = {"k8s-io-cluster-name": "other-example-com"}
    other = public_lb("api-other-example-com", labels=other_labels)
    for task in other[:2]:
        task.description = "kops cluster other.example.com"
    run(gce, other)
    run(gce, public_lb() + internal_lb())
    ctx = Context(CLUSTER, cloud=gce, snapshot=DISCOVERY.snapshot(gce, CLUSTER), errors=ERRORS)
    mine = {"Address", "ForwardingRule", "TargetPool", "HttpHealthCheck", "BackendService", "HealthCheck"}
    doomed = [t for t in DISCOVERY.deletion_tasks(ctx.snapshot, CLUSTER) if t.type_name in mine]
    assert sorted(t.name for t in doomed) == sorted(
        ["api-lb-example-com"] * 6 + ["api-us-test1-lb-example-com"] * 2 + ["kops-controller-us-test1-lb-example-com"])
    run(gce, deletions=doomed)

    names = {kind: [r.name for r in gce.compute(kind).list(project=P, region=REGION)]
             for kind in ("ForwardingRules", "Addresses", "TargetPools", "RegionBackendServices",
                          "RegionHealthChecks")}
    assert names == {"ForwardingRules": ["api-other-example-com"], "Addresses": ["api-other-example-com"],
                     "TargetPools": ["api-other-example-com"], "RegionBackendServices": [], "RegionHealthChecks": []}
    checks = requests.get(f"{gce_url()}/projects/{P}/global/httpHealthChecks", timeout=10).json()
    assert [c["name"] for c in checks["items"]] == ["api-other-example-com"]
    # The control plane's group outlives the backend service that held it.
    assert gce.compute("InstanceGroupManagers").get(project=P, zone=ZONE, instance_group_manager="master")
    assert GCECloud().api_endpoint(cluster("Public")) is None
    with pytest.raises(exceptions.NotFound):
        gce.compute("Addresses").get(project=P, region=REGION, address="api-lb-example-com")


# --- the model, against upstream's Terraform output ----------------------------------------------------------

#: The Terraform types of the load balancer's resources, and the firewall rules its builder adds.
LB_TYPES = ("google_compute_address", "google_compute_forwarding_rule", "google_compute_target_pool",
            "google_compute_http_health_check", "google_compute_region_backend_service",
            "google_compute_region_health_check")
LB_RULES = ("https-api", "kops-controller", "pod-cidrs-to-https-api", "cilium-etcd")


def model_of(case: str, target: str = "terraform", store_id: str | None = None, edits: dict[str, str] | None = None):
    """The ModelContext ``kops update cluster`` builds for an upstream case (each key of ``edits`` replaced by its
    value in the input), every GCE builder run."""
    import yaml
    from kops import plugins
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster
    from kops.model import ModelContext
    from kops.testing import upstream
    from kops_gce.model import builders

    text = (upstream.require() / "update_cluster" / case / "in-v1alpha2.yaml").read_text()
    for old, new in (edits or {}).items():
        text = text.replace(old, new)
    docs = [d for d in yaml.safe_load_all(text) if d]
    tree, groups = next(d for d in docs if d["kind"] == "Cluster"), [d for d in docs if d["kind"] == "InstanceGroup"]
    cloud = plugins.load_driver("cloud", "gce")()
    completed = kops_api.from_dict(complete_cluster(tree, groups, cloud, load_channel("stable"), []))
    model = ModelContext(cluster_name=completed.metadata.name, cluster=completed,
                         instance_groups=sorted((kops_api.from_dict(g) for g in groups), key=lambda g: g.metadata.name),
                         cloud=cloud, state_url="gs://state", store_id=store_id, target=target,
                         firewall_rules=plugins.collect(plugins.hook().kops_firewall_rules(cluster=completed)))
    model.user_data = {g.metadata.name: "#!/bin/bash\n" for g in model.instance_groups}
    for builder in builders():
        model.add(builder.build(model))
    return model


def lb_resources(text: str) -> dict[tuple[str, str], dict]:
    """The load balancer's resources (and firewall rules) of a Terraform file, as python-hcl2 parses them."""
    import hcl2

    out = {}
    for entry in hcl2.loads(text).get("resource", []):
        for type_, named in entry.items():
            for name, attrs in named.items():
                type_, name = type_.strip('"'), name.strip('"')
                if type_ in LB_TYPES or type_ == "google_compute_firewall" and name.startswith(LB_RULES):
                    out[type_, name] = attrs
    return out


CASES = ["minimal_gce", "ha_gce", "minimal_gce_plb", "minimal_gce_ilb", "minimal_gce_ilb_longclustername",
         "minimal_gce_dns-none", "minimal_gce_private", "minimal_gce_longclustername", "many-addons-gce"]


@pytest.mark.parametrize("case", CASES)
def test_terraform_writes_upstreams_load_balancer(case) -> None:
    from kops.engine.targets.terraform import TerraformTarget
    from kops.testing import upstream

    model = model_of(case)
    files = TerraformTarget(None, model.cloud.terraform_writer(model)).run(model.cloud.engine_context(model),
                                                                          model.tasks)
    ours = lb_resources(files["kubernetes.tf"].decode())
    theirs = lb_resources((upstream.require() / "update_cluster" / case / "kubernetes.tf").read_text())
    assert sorted(ours) == sorted(theirs)
    for key, attrs in theirs.items():
        if "labels" in attrs:
            # A label value holds at most 63 characters: a longer cluster name's is shortened with a hash, where
            # upstream writes one GCE would refuse.
            attrs = {**attrs, "labels": {**attrs["labels"],
                                         '"k8s-io-cluster-name"': f'"{cluster_label_value(model.cluster_name)}"'}}
        assert ours[key] == attrs, key


def test_the_public_balancers_target_pool_is_named_by_the_control_planes_groups() -> None:
    model = model_of("minimal_gce_plb")
    pool = model.get("TargetPool", "api-minimal-gce-plb-example-com")
    managers = [t for t in model.tasks if t.type_name == "InstanceGroupManager"]
    assert {m.name: m.target_pools for m in managers if m.target_pools} == {
        "a-master-us-test1-a-minimal-gce-plb-example-com": [pool]}
    service = model.get("BackendService", "api-minimal-gce-plb-example-com")
    assert service.backends == [m for m in managers if m.name.startswith("a-master-")]


def test_gce_has_no_load_balancer_classes() -> None:
    from kops.errors import KopsError
    from kops_gce.model.api_loadbalancer import APILoadBalancerBuilder

    model = model_of("minimal_gce_ilb")
    model.cluster.spec.api.loadBalancer.class_ = "Network"
    with pytest.raises(KopsError, match=r"spec\.api\.loadBalancer\.class: 'Network' is not supported on GCE"):
        APILoadBalancerBuilder().build(model)


#: Machine types and an image the fake's catalogue has, for those of upstream's inputs it lacks.
FAKE_MACHINES = {"c4-standard-4": "e2-medium", "c4-standard-8": "e2-standard-2",
                 "ubuntu-2604-resolute-amd64-v20221018": "ubuntu-2404-noble-amd64-v20260615"}


@pytest.fixture
def testproject(monkeypatch):
    """A fake holding upstream's project ``testproject``, the variables pointing Google's clients at it."""
    with FakeGCE(["testproject"]) as fake:
        monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", f"{fake.url}/compute/v1/")
        for api in ("IAM", "CLOUDRESOURCEMANAGER"):
            monkeypatch.setenv(f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}", f"{fake.url}/")
        monkeypatch.setenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true")
        yield fake


def test_a_whole_cluster_with_a_public_load_balancer_serves_the_api_at_its_address(testproject) -> None:
    from kops.engine.targets.direct import DirectTarget

    model = model_of("minimal_gce_plb", target="direct", store_id="store-1", edits=FAKE_MACHINES)
    DirectTarget(Executor(8, sleep=lambda _: None)).run(model.cloud.engine_context(model), model.tasks)
    handle = GCE("testproject", REGION)
    pool = handle.compute("TargetPools").get(project="testproject", region=REGION,
                                             target_pool="api-minimal-gce-plb-example-com")
    # The control plane's machine joined the pool when its group was made naming it.
    assert len(pool.instances) == 1 and "/instances/master-us-test1-a-" in pool.instances[0]
    service = handle.compute("RegionBackendServices").get(project="testproject", region=REGION,
                                                          backend_service="api-minimal-gce-plb-example-com")
    assert [b.group.rsplit("/", 1)[1] for b in service.backends] == ["a-master-us-test1-a-minimal-gce-plb-example-com"]
    external = handle.compute("Addresses").get(project="testproject", region=REGION,
                                               address="api-minimal-gce-plb-example-com").address
    assert model.cloud.api_endpoint(model.cluster) == external

    again = model_of("minimal_gce_plb", target="direct", store_id="store-1", edits=FAKE_MACHINES)
    assert [c.label for c in DryRunTarget(Executor(8, sleep=lambda _: None)).run(
        again.cloud.engine_context(again), again.tasks).changes if c.action != Action.NONE] == []

    ctx = again.cloud.engine_context(again)
    DirectTarget(Executor(8, sleep=lambda _: None)).run(ctx, [], again.cloud.owned_resources(ctx, again))
    left = {kind: [r.name for r in handle.compute(kind).list(project="testproject", region=REGION)]
            for kind in ("ForwardingRules", "Addresses", "TargetPools", "RegionBackendServices", "RegionHealthChecks")}
    assert left == {kind: [] for kind in left}
    assert again.cloud.api_endpoint(again.cluster) is None


def test_without_dns_nodes_reach_kops_controller_on_the_internal_address_of_the_api(testproject) -> None:
    from kops.engine.targets.direct import DirectTarget

    model = model_of("minimal_gce_dns-none", target="direct", store_id="store-1", edits=FAKE_MACHINES)
    DirectTarget(Executor(8, sleep=lambda _: None)).run(model.cloud.engine_context(model), model.tasks)
    handle = GCE("testproject", REGION)
    address = handle.compute("Addresses").get(project="testproject", region=REGION,
                                              address="api-us-test1-minimal-gce-example-com")
    rules = {r.name: (list(r.ports), r.I_p_address, r.load_balancing_scheme)
             for r in handle.compute("ForwardingRules").list(project="testproject", region=REGION)}
    assert rules == {"api-us-test1-minimal-gce-example-com": (["443"], address.address, "INTERNAL"),
                     "kops-controller-us-test1-minimal-gce-example-com": (["3988"], address.address, "INTERNAL")}
    assert model.cloud.api_endpoint(model.cluster) == address.address
    again = model_of("minimal_gce_dns-none", target="direct", store_id="store-1", edits=FAKE_MACHINES)
    assert not DryRunTarget(Executor(8, sleep=lambda _: None)).run(again.cloud.engine_context(again),
                                                                   again.tasks).has_changes


API_SERVERS = """
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: apiserver-us-test1-a
spec:
  image: ubuntu-os-cloud/ubuntu-2604-resolute-amd64-v20221018
  machineType: e2-medium
  maxSize: 1
  minSize: 1
  role: APIServer
  subnets:
  - us-test1
  zones:
  - us-test1-a
"""


def test_api_servers_apart_from_the_control_plane_serve_the_api_and_reach_etcd_through_the_balancer() -> None:
    from kops.testing import upstream

    text = (upstream.require() / "update_cluster" / "minimal_gce_dns-none" / "in-v1alpha2.yaml").read_text()
    model = model_of("minimal_gce_dns-none", edits={text.rstrip(): text.rstrip() + "\n" + API_SERVERS},
                     target="direct")
    managers = {t.name: t for t in model.tasks if t.type_name == "InstanceGroupManager"}
    control_plane = managers["a-master-us-test1-a-minimal-gce-example-com"]
    api_servers = managers["a-apiserver-us-test1-a-minimal-gce-example-com"]
    services = {t.name: t for t in model.tasks if t.type_name == "BackendService"}
    # Every API server serves the API; kops-controller and etcd run on the control plane alone.
    assert {n: (s.backends, [c.name for c in s.health_checks]) for n, s in services.items()} == {
        "api-minimal-gce-example-com": ([api_servers, control_plane], ["api-minimal-gce-example-com"]),
        "kops-controller-minimal-gce-example-com": ([control_plane], ["kops-controller-minimal-gce-example-com"]),
        "etcd-minimal-gce-example-com": ([control_plane], ["etcd-main-minimal-gce-example-com"])}
    checks = {t.name: (t.protocol, t.port) for t in model.tasks if t.type_name == "HealthCheck"}
    assert checks == {"api-minimal-gce-example-com": ("TCP", 443),
                      "kops-controller-minimal-gce-example-com": ("SSL", 3988),
                      "etcd-main-minimal-gce-example-com": ("TCP", 4001)}
    rules = {t.name: (t.ports, t.backend_service.name, t.ip_address.name)
             for t in model.tasks if t.type_name == "ForwardingRule"}
    assert rules == {
        "api-us-test1-minimal-gce-example-com": (["443"], "api-minimal-gce-example-com",
                                                 "api-us-test1-minimal-gce-example-com"),
        "kops-controller-us-test1-minimal-gce-example-com": (["3988"], "kops-controller-minimal-gce-example-com",
                                                             "api-us-test1-minimal-gce-example-com"),
        "etcd-us-test1-minimal-gce-example-com": (["4001", "4002"], "etcd-minimal-gce-example-com",
                                                  "etcd-us-test1-minimal-gce-example-com")}

    # Behind a public load balancer, the API-server-only machines are the ones the target pool holds.
    public = model_of("minimal_gce_dns-none", edits={text.rstrip(): text.rstrip() + "\n" + API_SERVERS,
                                                     "type: Internal": "type: Public"}, target="direct")
    pool = public.get("TargetPool", "api-minimal-gce-example-com")
    assert {t.name: t.target_pools for t in public.tasks if t.type_name == "InstanceGroupManager"
            and t.target_pools} == {"a-apiserver-us-test1-a-minimal-gce-example-com": [pool]}


def test_ciliums_own_etcd_is_reached_through_the_internal_balancer_without_dns() -> None:
    cilium_etcd = """    name: events
  - cpuRequest: 100m
    etcdMembers:
    - instanceGroup: master-us-test1-a
      name: a
    memoryRequest: 100Mi
    name: cilium"""
    model = model_of("minimal_gce_dns-none", target="direct", edits={
        "    name: events": cilium_etcd, "  networking:\n    cni: {}": "  networking:\n    cilium: {}"})
    rule = model.get("ForwardingRule", "cilium-etcd-us-test1-minimal-gce-example-com")
    assert (rule.ports, rule.backend_service.name, rule.ip_address.name) == (
        ["4003"], "api-minimal-gce-example-com", "api-us-test1-minimal-gce-example-com")
    firewall = model.get("FirewallRule", "cilium-etcd-minimal-gce-example-com")
    assert (firewall.allowed, firewall.target_tags) == (["tcp:4003"], ["minimal-gce-example-com-k8s-io-role-control-plane"])
