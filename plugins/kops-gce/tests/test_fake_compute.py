"""The Compute fake driven as a cloud model drives Google: google-cloud-compute on its REST transport, every
call waited on with ``operation.result()``. Networking, errors, list filters and pages, aggregated lists,
operations, the catalogue and injected faults."""

from __future__ import annotations

import re

import pytest
from google.api_core import exceptions
from google.api_core.retry import Retry, if_exception_type
from google.cloud import compute_v1
from kops_gce.clients import compute_client
from kops_gce.testing.fakegce import FakeGCE

P = "kops-test"


@pytest.fixture
def fake():
    with FakeGCE([P]) as running:
        yield running


@pytest.fixture
def client(fake):
    env = {"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": f"{fake.url}/compute/v1/",
           "CLOUDSDK_AUTH_DISABLE_CREDENTIALS": "true"}
    return lambda cls: compute_client(cls, env)


def make_network(client, name="net", cidr="10.0.0.0/20", region="us-test1"):
    client(compute_v1.NetworksClient).insert(
        project=P, network_resource=compute_v1.Network(name=name, auto_create_subnetworks=False)).result()
    client(compute_v1.SubnetworksClient).insert(project=P, region=region, subnetwork_resource=compute_v1.Subnetwork(
        name=f"{name}-sub", network=f"global/networks/{name}", ip_cidr_range=cidr,
        secondary_ip_ranges=[compute_v1.SubnetworkSecondaryRange(range_name="pods", ip_cidr_range="100.64.0.0/16")],
    )).result()


def test_a_network_with_a_subnetwork_firewall_and_router_with_nat(client):
    make_network(client)
    subnets = client(compute_v1.SubnetworksClient)
    sub = subnets.get(project=P, region="us-test1", subnetwork="net-sub")
    assert sub.network == f"https://www.googleapis.com/compute/v1/projects/{P}/global/networks/net"
    assert sub.self_link.endswith(f"/projects/{P}/regions/us-test1/subnetworks/net-sub")
    assert sub.gateway_address == "10.0.0.1"
    assert [(r.range_name, r.ip_cidr_range) for r in sub.secondary_ip_ranges] == [("pods", "100.64.0.0/16")]
    assert client(compute_v1.NetworksClient).get(project=P, network="net").subnetworks == [sub.self_link]

    # Patching needs the current fingerprint.
    sub.secondary_ip_ranges.append(compute_v1.SubnetworkSecondaryRange(range_name="svc", ip_cidr_range="100.65.0.0/20"))
    subnets.patch(project=P, region="us-test1", subnetwork="net-sub", subnetwork_resource=sub).result()
    with pytest.raises(exceptions.PreconditionFailed):
        subnets.patch(project=P, region="us-test1", subnetwork="net-sub", subnetwork_resource=sub)
    assert len(subnets.get(project=P, region="us-test1", subnetwork="net-sub").secondary_ip_ranges) == 2

    firewalls = client(compute_v1.FirewallsClient)
    firewalls.insert(project=P, firewall_resource=compute_v1.Firewall(
        name="net-ssh", network="global/networks/net", target_tags=["node"],
        allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["22"])])).result()
    rule = firewalls.get(project=P, firewall="net-ssh")
    assert (rule.direction, rule.priority, list(rule.source_ranges)) == ("INGRESS", 1000, ["0.0.0.0/0"])

    routers = client(compute_v1.RoutersClient)
    routers.insert(project=P, region="us-test1", router_resource=compute_v1.Router(
        name="nat-router", network="global/networks/net", nats=[compute_v1.RouterNat(
            name="nat", nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[compute_v1.RouterNatSubnetworkToNat(
                name="regions/us-test1/subnetworks/net-sub", source_ip_ranges_to_nat=["ALL_IP_RANGES"])])])).result()
    router = routers.get(project=P, region="us-test1", router="nat-router")
    assert router.nats[0].subnetworks[0].name == sub.self_link
    # A NAT naming a subnetwork keeps it in use.
    with pytest.raises(exceptions.BadRequest, match="already being used by .*routers/nat-router"):
        subnets.delete(project=P, region="us-test1", subnetwork="net-sub")


def test_deleting_a_network_in_use_fails_in_its_operation_then_succeeds_in_order(client):
    make_network(client)
    networks, subnets = client(compute_v1.NetworksClient), client(compute_v1.SubnetworksClient)
    routes = client(compute_v1.RoutesClient)
    [default_route] = [r for r in routes.list(project=P) if r.network.endswith("/networks/net")]
    assert default_route.dest_range == "0.0.0.0/0"

    op = networks.delete(project=P, network="net")
    with pytest.raises(exceptions.BadRequest) as raised:
        op.result()
    assert raised.value.errors[0].code == "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE"
    assert f"'projects/{P}/regions/us-test1/subnetworks/net-sub'" in raised.value.errors[0].message
    assert networks.get(project=P, network="net").name == "net"

    subnets.delete(project=P, region="us-test1", subnetwork="net-sub").result()
    networks.delete(project=P, network="net").result()
    with pytest.raises(exceptions.NotFound):
        networks.get(project=P, network="net")
    assert not [r for r in routes.list(project=P) if r.network.endswith("/networks/net")]


def test_names_labels_and_references_are_checked_as_the_api_does(client):
    networks, addresses = client(compute_v1.NetworksClient), client(compute_v1.AddressesClient)
    with pytest.raises(exceptions.BadRequest, match=re.escape("Must be a match of regex")):
        networks.insert(project=P, network_resource=compute_v1.Network(name="Bad_Name"))
    with pytest.raises(exceptions.BadRequest, match="Label key 'Role' violates format constraints"):
        addresses.insert(project=P, region="us-test1", address_resource=compute_v1.Address(
            name="a", labels={"Role": "x"}))
    with pytest.raises(exceptions.BadRequest, match="Label value 'a b' violates format constraints"):
        addresses.insert(project=P, region="us-test1", address_resource=compute_v1.Address(
            name="a", labels={"role": "a b"}))
    with pytest.raises(exceptions.BadRequest, match="The referenced network resource cannot be found"):
        client(compute_v1.SubnetworksClient).insert(
            project=P, region="us-test1", subnetwork_resource=compute_v1.Subnetwork(
                name="s", network="global/networks/missing", ip_cidr_range="10.1.0.0/24"))
    with pytest.raises(exceptions.BadRequest, match="invalid|Invalid value 'Not_A_Name'"):
        networks.get(project=P, network="Not_A_Name")


def test_conflicts_and_missing_resources(client):
    networks = client(compute_v1.NetworksClient)
    networks.insert(project=P, network_resource=compute_v1.Network(name="n1", auto_create_subnetworks=False)).result()
    with pytest.raises(exceptions.Conflict, match=f"The resource 'projects/{P}/global/networks/n1' already exists"):
        networks.insert(project=P, network_resource=compute_v1.Network(name="n1", auto_create_subnetworks=False))
    with pytest.raises(exceptions.NotFound, match=f"The resource 'projects/{P}/global/networks/n2' was not found"):
        networks.get(project=P, network="n2")
    with pytest.raises(exceptions.NotFound):
        networks.delete(project=P, network="n2")
    with pytest.raises(exceptions.NotFound, match="'projects/other-project'"):
        networks.get(project="other-project", network="n1")
    with pytest.raises(exceptions.NotFound, match="zones/us-test1-z"):
        client(compute_v1.InstancesClient).get(project=P, zone="us-test1-z", instance="i")
    # A resource can also be read by its numeric ID.
    net = networks.get(project=P, network="n1")
    assert networks.get(project=P, network=str(net.id)).name == "n1"


def _addresses(client, count, region="us-test1", labels=None):
    addresses = client(compute_v1.AddressesClient)
    for i in range(count):
        addresses.insert(project=P, region=region, address_resource=compute_v1.Address(
            name=f"addr-{region}-{i}", labels=(labels or {}) | {"index": str(i)})).result()
    return addresses


def test_list_filters_by_labels_names_and_regular_expressions(client):
    addresses = _addresses(client, 4, labels={"k8s-io-cluster-name": "a-example-com"})
    addresses.insert(project=P, region="us-test1", address_resource=compute_v1.Address(
        name="other", labels={"k8s-io-cluster-name": "b-example-com"})).result()

    def names(flt):
        request = compute_v1.ListAddressesRequest(project=P, region="us-test1", filter=flt)
        return sorted(a.name for a in addresses.list(request=request))

    assert names("labels.k8s-io-cluster-name = a-example-com") == [f"addr-us-test1-{i}" for i in range(4)]
    assert names('labels.k8s-io-cluster-name = "b-example-com"') == ["other"]
    assert names("name = other") == ["other"]
    assert names("name != other") == [f"addr-us-test1-{i}" for i in range(4)]
    assert names("name eq addr-us-test1-[12]") == ["addr-us-test1-1", "addr-us-test1-2"]
    assert names("name eq 'addr-.*'") == [f"addr-us-test1-{i}" for i in range(4)]
    assert names("name ne addr-.*") == ["other"]
    assert names("(labels.k8s-io-cluster-name = a-example-com) (labels.index = 3)") == ["addr-us-test1-3"]
    assert names("labels.index = 0 OR name = other") == ["addr-us-test1-0", "other"]
    assert names("labels.index:*") == [f"addr-us-test1-{i}" for i in range(4)]
    assert names("status = RESERVED") == [*[f"addr-us-test1-{i}" for i in range(4)], "other"]
    with pytest.raises(exceptions.BadRequest, match="Invalid list filter expression"):
        names("(name = other")


def test_lists_come_in_pages(client):
    addresses = _addresses(client, 7)
    pager = addresses.list(request=compute_v1.ListAddressesRequest(project=P, region="us-test1", max_results=3))
    assert [len(page.items) for page in pager.pages] == [3, 3, 1]
    assert len(list(addresses.list(project=P, region="us-test1"))) == 7
    first = next(iter(addresses.list(request=compute_v1.ListAddressesRequest(
        project=P, region="us-test1", max_results=3)).pages))
    assert first.next_page_token
    with pytest.raises(exceptions.BadRequest, match="Must be less than or equal to 500"):
        list(addresses.list(request=compute_v1.ListAddressesRequest(project=P, region="us-test1", max_results=501)))
    with pytest.raises(exceptions.BadRequest, match="pageToken"):
        list(addresses.list(request=compute_v1.ListAddressesRequest(project=P, region="us-test1",
                                                                    page_token="not-a-token")))


def test_aggregated_lists_cover_every_scope(client):
    addresses = _addresses(client, 2, "us-test1")
    _addresses(client, 1, "us-central1")
    found = {scope: [a.name for a in scoped.addresses]
             for scope, scoped in addresses.aggregated_list(project=P) if scoped.addresses}
    assert found == {"regions/us-test1": ["addr-us-test1-0", "addr-us-test1-1"],
                     "regions/us-central1": ["addr-us-central1-0"]}
    raw = addresses.aggregated_list(request=compute_v1.AggregatedListAddressesRequest(project=P, max_results=2))
    page = next(iter(raw.pages))
    assert page.items["regions/us-east1"].warning.code == "NO_RESULTS_ON_PAGE"
    assert page.next_page_token
    request = compute_v1.AggregatedListAddressesRequest(project=P, filter="name = addr-us-central1-0")
    filtered = {scope: [a.name for a in scoped.addresses]
                for scope, scoped in addresses.aggregated_list(request=request) if scoped.addresses}
    assert filtered == {"regions/us-central1": ["addr-us-central1-0"]}


def test_operations_carry_ids_links_and_are_read_and_waited_on(client):
    op = client(compute_v1.AddressesClient).insert(
        project=P, region="us-test1", address_resource=compute_v1.Address(name="ip"))
    assert op.result() is None
    assert op.status == compute_v1.Operation.Status.DONE
    assert op.id > 0 and op.name.startswith("operation-")
    assert op.target_link == f"https://www.googleapis.com/compute/v1/projects/{P}/regions/us-test1/addresses/ip"
    assert op.self_link.endswith(f"/projects/{P}/regions/us-test1/operations/{op.name}")
    ops = client(compute_v1.RegionOperationsClient)
    assert ops.get(project=P, region="us-test1", operation=op.name).operation_type == "insert"
    assert ops.wait(project=P, region="us-test1", operation=op.name).status == compute_v1.Operation.Status.DONE
    with pytest.raises(exceptions.NotFound):
        client(compute_v1.ZoneOperationsClient).get(project=P, zone="us-test1-a", operation=op.name)


def test_operations_can_run_until_polled(fake, client):
    fake.state.operation_polls = 1
    op = client(compute_v1.NetworksClient).insert(
        project=P, network_resource=compute_v1.Network(name="slow", auto_create_subnetworks=False))
    assert op.status == compute_v1.Operation.Status.RUNNING
    op.result(timeout=30)
    assert op.done()


def test_the_catalogue_a_fresh_project_sees(client):
    zones = [z.name for z in client(compute_v1.ZonesClient).list(project=P)]
    assert {"us-test1-a", "us-test1-b", "us-test1-c", "us-central1-a", "us-central1-f"} <= set(zones)
    region = client(compute_v1.RegionsClient).get(project=P, region="us-test1")
    assert [z.rsplit("/", 1)[1] for z in region.zones] == ["us-test1-a", "us-test1-b", "us-test1-c"]
    machine = client(compute_v1.MachineTypesClient).get(project=P, zone="us-central1-a", machine_type="e2-medium")
    assert (machine.guest_cpus, machine.memory_mb, machine.is_shared_cpu) == (2, 4096, True)
    with pytest.raises(exceptions.NotFound):
        client(compute_v1.MachineTypesClient).get(project=P, zone="us-central1-a", machine_type="e2-huge")
    project = client(compute_v1.ProjectsClient).get(project=P)
    assert project.default_service_account.endswith("-compute@developer.gserviceaccount.com")


def test_the_channels_images_are_there_in_their_families(client):
    from kops.channels import load_channel

    images = client(compute_v1.ImagesClient)
    named = [e["name"] for e in load_channel("stable").spec["images"] if e.get("providerID") == "gce"]
    for name in named:
        project, image = name.split("/", 1)
        assert images.get(project=project, image=image).status == "READY"
    newest = images.get_from_family(project="ubuntu-os-cloud", family="ubuntu-2404-lts-amd64")
    assert newest.name == "ubuntu-2404-noble-amd64-v20260615" and newest.architecture == "X86_64"
    assert images.get_from_family(project="ubuntu-os-cloud", family="ubuntu-2404-lts-arm64").architecture == "ARM64"
    with pytest.raises(exceptions.NotFound):
        images.get(project="ubuntu-os-cloud", image="ubuntu-1004-lucid-v20100101")


def test_injected_faults_answer_503_or_429_and_change_nothing(fake, client):
    networks = client(compute_v1.NetworksClient)
    fake.fail_rate = 1.0
    fake.random.seed(3)  # which of the two answers each call gets is drawn: draw the same every run
    seen = set()
    for i in range(8):
        with pytest.raises((exceptions.ServiceUnavailable, exceptions.TooManyRequests)) as raised:
            networks.insert(project=P, network_resource=compute_v1.Network(name=f"n{i}"))
        seen.add(type(raised.value))
    assert seen == {exceptions.ServiceUnavailable, exceptions.TooManyRequests}
    fake.fail_rate = 0.0
    assert not list(networks.list(project=P))


def test_a_retrying_caller_gets_through_injected_faults(monkeypatch):
    monkeypatch.setenv("KOPS_FAKE_GCE_FAIL_RATE", "0.4")
    monkeypatch.setenv("KOPS_FAKE_GCE_FAIL_SEED", "7")
    with FakeGCE([P]) as fake:
        assert fake.fail_rate == 0.4
        env = {"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": f"{fake.url}/compute/v1/",
               "CLOUDSDK_AUTH_DISABLE_CREDENTIALS": "true"}
        networks = compute_client(compute_v1.NetworksClient, env)
        retry = Retry(predicate=if_exception_type(exceptions.ServiceUnavailable, exceptions.TooManyRequests),
                      initial=0.01, maximum=0.05, timeout=30)
        failures = 0
        for i in range(10):
            try:
                networks.insert(project=P, network_resource=compute_v1.Network(
                    name=f"n{i}", auto_create_subnetworks=False), retry=retry).result(retry=retry)
            except exceptions.Conflict:  # an earlier try went through and only its answer was lost: never here
                failures += 1
        assert failures == 0
        fake.fail_rate = 0.0
        assert len(list(networks.list(project=P))) == 10


@pytest.mark.parametrize("cls, field", [
    (compute_v1.InstancesClient, "instances"), (compute_v1.DisksClient, "disks"),
    (compute_v1.AddressesClient, "addresses"), (compute_v1.ForwardingRulesClient, "forwarding_rules"),
    (compute_v1.InstanceGroupManagersClient, "instance_group_managers"),
    (compute_v1.SubnetworksClient, "subnetworks"), (compute_v1.TargetPoolsClient, "target_pools"),
    (compute_v1.BackendServicesClient, "backend_services"), (compute_v1.HealthChecksClient, "health_checks"),
    (compute_v1.RoutersClient, "routers"),
])
def test_a_deletion_sweep_can_aggregate_every_kind_it_needs(client, cls, field):
    scopes = {scope: list(getattr(scoped, field)) for scope, scoped in client(cls).aggregated_list(project=P)}
    assert "regions/us-test1" in scopes or "zones/us-test1-a" in scopes
    assert not any(scopes.values())


def test_health_checks_and_backend_services_regional_and_global(client):
    make_network(client)
    regional = client(compute_v1.RegionHealthChecksClient)
    regional.insert(project=P, region="us-test1", health_check_resource=compute_v1.HealthCheck(
        name="api", type_="TCP", tcp_health_check=compute_v1.TCPHealthCheck(port=443))).result()
    services = client(compute_v1.RegionBackendServicesClient)
    services.insert(project=P, region="us-test1", backend_service_resource=compute_v1.BackendService(
        name="api", load_balancing_scheme="INTERNAL", protocol="TCP",
        health_checks=[f"projects/{P}/regions/us-test1/healthChecks/api"])).result()
    service = services.get(project=P, region="us-test1", backend_service="api")
    assert service.health_checks == [f"https://www.googleapis.com/compute/v1/projects/{P}/regions/us-test1/"
                                     "healthChecks/api"]
    with pytest.raises(exceptions.BadRequest, match="health_check resource .* already being used by .*backendServices"):
        regional.delete(project=P, region="us-test1", health_check="api")
    rules = client(compute_v1.ForwardingRulesClient)
    rules.insert(project=P, region="us-test1", forwarding_rule_resource=compute_v1.ForwardingRule(
        name="api", load_balancing_scheme="INTERNAL", backend_service=service.self_link, ports=["443"],
        subnetwork="regions/us-test1/subnetworks/net-sub")).result()
    rule = rules.get(project=P, region="us-test1", forwarding_rule="api")
    assert rule.I_p_address.startswith("10.0.") and rule.network.endswith("/global/networks/net")
    with pytest.raises(exceptions.BadRequest, match="backend_service resource .* already being used"):
        services.delete(project=P, region="us-test1", backend_service="api")
    rules.delete(project=P, region="us-test1", forwarding_rule="api").result()
    services.delete(project=P, region="us-test1", backend_service="api").result()
    regional.delete(project=P, region="us-test1", health_check="api").result()

    client(compute_v1.HealthChecksClient).insert(project=P, health_check_resource=compute_v1.HealthCheck(
        name="global-api", type_="HTTPS")).result()
    found = {scope: [h.name for h in scoped.health_checks]
             for scope, scoped in client(compute_v1.HealthChecksClient).aggregated_list(project=P)
             if scoped.health_checks}
    assert found == {"global": ["global-api"]}
