"""Instances, templates and managed instance groups in the Compute fake, driven through google-cloud-compute
as a cloud model and a rolling update drive them."""

from __future__ import annotations

import ipaddress
import re

import pytest
import requests
from google.api_core import exceptions
from google.cloud import compute_v1
from kops_gce.clients import compute_client
from kops_gce.testing.fakegce import FakeGCE

P = "kops-test"
ZONE = "us-test1-a"
IMAGE = "projects/ubuntu-os-cloud/global/images/ubuntu-2404-noble-amd64-v20260615"
LINK = f"https://www.googleapis.com/compute/v1/projects/{P}"


@pytest.fixture
def fake_url():
    with FakeGCE([P]) as fake:
        yield fake.url


@pytest.fixture
def client(fake_url):
    """A compute client factory on a fake holding the network ``net`` and its subnetwork ``sub`` in us-test1."""
    env = {"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": f"{fake_url}/compute/v1/",
           "CLOUDSDK_AUTH_DISABLE_CREDENTIALS": "true"}

    def client(cls):
        return compute_client(cls, env)

    client(compute_v1.NetworksClient).insert(project=P, network_resource=compute_v1.Network(
        name="net", auto_create_subnetworks=False)).result()
    client(compute_v1.SubnetworksClient).insert(project=P, region="us-test1", subnetwork_resource=compute_v1.Subnetwork(
        name="sub", network="global/networks/net", ip_cidr_range="10.0.16.0/20")).result()
    return client


def boot_disk(**params):
    """A boot disk made from the channel's image, deleted with its instance."""
    params = compute_v1.AttachedDiskInitializeParams(**{"source_image": IMAGE, **params})
    return compute_v1.AttachedDisk(boot=True, auto_delete=True, initialize_params=params)


def template(client, name, machine_type="e2-medium", labels=None):
    client(compute_v1.InstanceTemplatesClient).insert(project=P, instance_template_resource=compute_v1.InstanceTemplate(
        name=name, properties=compute_v1.InstanceProperties(
            machine_type=machine_type, labels=labels or {"k8s-io-cluster-name": "a-example-com"},
            tags=compute_v1.Tags(items=["a-example-com-k8s-io-role-node"]),
            disks=[boot_disk(disk_size_gb=64, disk_type="pd-balanced")],
            network_interfaces=[compute_v1.NetworkInterface(
                network=f"{LINK}/global/networks/net", subnetwork=f"{LINK}/regions/us-test1/subnetworks/sub")],
            metadata=compute_v1.Metadata(items=[compute_v1.Items(key="cluster-name", value="a.example.com")]),
            service_accounts=[compute_v1.ServiceAccount(
                email="default", scopes=["https://www.googleapis.com/auth/compute"])],
        ))).result()
    return f"{LINK}/global/instanceTemplates/{name}"


def group(client, name, template_link, size, **extra):
    igms = client(compute_v1.InstanceGroupManagersClient)
    igms.insert(project=P, zone=ZONE, instance_group_manager_resource=compute_v1.InstanceGroupManager(
        name=name, base_instance_name=name, instance_template=template_link, target_size=size, **extra)).result()
    return igms


def managed(igms, name):
    return {m.instance.rsplit("/", 1)[1]: m for m in igms.list_managed_instances(project=P, zone=ZONE,
                                                                                 instance_group_manager=name)}


def test_a_group_makes_its_instances_from_its_template(client):
    t1 = template(client, "nodes-t1")
    igms = group(client, "nodes", t1, 2)
    members = managed(igms, "nodes")
    assert len(members) == 2
    assert all(re.fullmatch(r"nodes-[a-z0-9]{4}", name) for name in members)
    assert {m.version.instance_template for m in members.values()} == {t1}
    assert {m.instance_status for m in members.values()} == {"RUNNING"}

    instances = client(compute_v1.InstancesClient)
    inst = instances.get(project=P, zone=ZONE, instance=next(iter(members)))
    assert inst.machine_type == f"{LINK}/zones/{ZONE}/machineTypes/e2-medium"
    assert inst.labels == {"k8s-io-cluster-name": "a-example-com"}
    assert ipaddress.ip_address(inst.network_interfaces[0].network_i_p) in ipaddress.ip_network("10.0.16.0/20")
    metadata = {i.key: i.value for i in inst.metadata.items}
    assert metadata["cluster-name"] == "a.example.com"
    assert re.fullmatch(rf"projects/\d+/zones/{ZONE}/instanceGroupManagers/nodes", metadata["created-by"])
    assert inst.metadata.fingerprint
    assert list(inst.tags.items) == ["a-example-com-k8s-io-role-node"]
    boot = client(compute_v1.DisksClient).get(project=P, zone=ZONE, disk=inst.name)
    assert (boot.size_gb, boot.type_.rsplit("/", 1)[1]) == (64, "pd-balanced")
    assert boot.users == [inst.self_link]
    # The addresses the group hands out are all different.
    ips = {instances.get(project=P, zone=ZONE, instance=n).network_interfaces[0].network_i_p for n in members}
    assert len(ips) == 2

    got = igms.get(project=P, zone=ZONE, instance_group_manager="nodes")
    assert (got.target_size, got.current_actions.none, got.status.is_stable) == (2, 2, True)
    assert got.instance_group == f"{LINK}/zones/{ZONE}/instanceGroups/nodes"
    instance_group = client(compute_v1.InstanceGroupsClient).get(project=P, zone=ZONE, instance_group="nodes")
    assert (instance_group.size, instance_group.network) == (2, f"{LINK}/global/networks/net")
    assert got.update_policy.type_ == "OPPORTUNISTIC"


def test_set_instance_template_resize_and_recreate_as_a_rolling_update_sees_them(client):
    t1, t2 = template(client, "nodes-t1"), template(client, "nodes-t2", machine_type="e2-standard-2")
    igms = group(client, "nodes", t1, 2)
    before = managed(igms, "nodes")

    igms.set_instance_template(project=P, zone=ZONE, instance_group_manager="nodes",
                               instance_group_managers_set_instance_template_request_resource=compute_v1.
                               InstanceGroupManagersSetInstanceTemplateRequest(instance_template=t2)).result()
    after = managed(igms, "nodes")
    assert {n: m.version.instance_template for n, m in after.items()} == {n: t1 for n in before}
    assert not igms.get(project=P, zone=ZONE, instance_group_manager="nodes").status.version_target.is_reached

    igms.resize(project=P, zone=ZONE, instance_group_manager="nodes", size=3).result()
    grown = managed(igms, "nodes")
    [new] = set(grown) - set(before)
    assert grown[new].version.instance_template == t2
    assert client(compute_v1.InstancesClient).get(project=P, zone=ZONE, instance=new).machine_type.endswith(
        "/machineTypes/e2-standard-2")

    old = sorted(before)[0]
    old_id = grown[old].id
    igms.recreate_instances(project=P, zone=ZONE, instance_group_manager="nodes",
                            instance_group_managers_recreate_instances_request_resource=
                            compute_v1.InstanceGroupManagersRecreateInstancesRequest(
                                instances=[f"{LINK}/zones/{ZONE}/instances/{old}"])).result()
    remade = managed(igms, "nodes")
    assert set(remade) == set(grown)
    assert remade[old].version.instance_template == t2 and remade[old].id != old_id

    # Shrinking takes instances of the old template first.
    igms.resize(project=P, zone=ZONE, instance_group_manager="nodes", size=2).result()
    assert {m.version.instance_template for m in managed(igms, "nodes").values()} == {t2}
    assert igms.get(project=P, zone=ZONE, instance_group_manager="nodes").status.version_target.is_reached


def test_abandoned_instances_keep_running_and_deleted_ones_go(client):
    igms = group(client, "nodes", template(client, "nodes-t1"), 3)
    first, second, third = sorted(managed(igms, "nodes"))
    igms.abandon_instances(project=P, zone=ZONE, instance_group_manager="nodes",
                           instance_group_managers_abandon_instances_request_resource=
                           compute_v1.InstanceGroupManagersAbandonInstancesRequest(
                               instances=[f"zones/{ZONE}/instances/{first}"])).result()
    assert set(managed(igms, "nodes")) == {second, third}
    assert igms.get(project=P, zone=ZONE, instance_group_manager="nodes").target_size == 2
    instances = client(compute_v1.InstancesClient)
    assert instances.get(project=P, zone=ZONE, instance=first).status == "RUNNING"

    igms.delete_instances(project=P, zone=ZONE, instance_group_manager="nodes",
                          instance_group_managers_delete_instances_request_resource=
                          compute_v1.InstanceGroupManagersDeleteInstancesRequest(
                              instances=[f"{LINK}/zones/{ZONE}/instances/{second}"])).result()
    assert set(managed(igms, "nodes")) == {third}
    assert igms.get(project=P, zone=ZONE, instance_group_manager="nodes").target_size == 1
    with pytest.raises(exceptions.NotFound):
        instances.get(project=P, zone=ZONE, instance=second)
    with pytest.raises(exceptions.NotFound):
        client(compute_v1.DisksClient).get(project=P, zone=ZONE, disk=second)
    with pytest.raises(exceptions.BadRequest, match="not a member"):
        igms.delete_instances(project=P, zone=ZONE, instance_group_manager="nodes",
                              instance_group_managers_delete_instances_request_resource=
                              compute_v1.InstanceGroupManagersDeleteInstancesRequest(
                                  instances=[f"zones/{ZONE}/instances/{first}"]))


def test_a_managed_instance_deleted_directly_is_made_again(client):
    igms = group(client, "nodes", template(client, "nodes-t1"), 1)
    [name] = managed(igms, "nodes")
    instances = client(compute_v1.InstancesClient)
    old_id = instances.get(project=P, zone=ZONE, instance=name).id
    instances.delete(project=P, zone=ZONE, instance=name).result()
    assert instances.get(project=P, zone=ZONE, instance=name).id != old_id


def test_templates_in_use_and_deleting_a_group(client):
    t1 = template(client, "nodes-t1")
    igms = group(client, "nodes", t1, 2)
    templates = client(compute_v1.InstanceTemplatesClient)
    with pytest.raises(exceptions.BadRequest, match="instance_template resource .* already being used by "
                                                    f"'projects/{P}/zones/{ZONE}/instanceGroupManagers/nodes'"):
        templates.delete(project=P, instance_template="nodes-t1")
    with pytest.raises(exceptions.BadRequest, match="The referenced image resource cannot be found"):
        templates.insert(project=P, instance_template_resource=compute_v1.InstanceTemplate(
            name="bad", properties=compute_v1.InstanceProperties(
                machine_type="e2-medium",
                disks=[boot_disk(source_image="projects/ubuntu-os-cloud/global/images/no-such-image")],
                network_interfaces=[compute_v1.NetworkInterface(network="global/networks/net")])))
    with pytest.raises(exceptions.BadRequest, match="Machine type with name 'e2-huge' does not exist"):
        template(client, "bad", machine_type="e2-huge")

    igms.delete(project=P, zone=ZONE, instance_group_manager="nodes").result()
    assert not list(client(compute_v1.InstancesClient).list(project=P, zone=ZONE))
    templates.delete(project=P, instance_template="nodes-t1").result()


def test_labels_and_metadata_change_only_with_the_current_fingerprint(client):
    igms = group(client, "nodes", template(client, "nodes-t1"), 1)
    [name] = managed(igms, "nodes")
    instances = client(compute_v1.InstancesClient)
    inst = instances.get(project=P, zone=ZONE, instance=name)

    instances.set_labels(project=P, zone=ZONE, instance=name, instances_set_labels_request_resource=
                         compute_v1.InstancesSetLabelsRequest(labels={"role": "node"},
                                                              label_fingerprint=inst.label_fingerprint)).result()
    with pytest.raises(exceptions.PreconditionFailed):
        instances.set_labels(project=P, zone=ZONE, instance=name, instances_set_labels_request_resource=
                             compute_v1.InstancesSetLabelsRequest(labels={"role": "x"},
                                                                  label_fingerprint=inst.label_fingerprint))
    assert instances.get(project=P, zone=ZONE, instance=name).labels == {"role": "node"}

    metadata = inst.metadata
    metadata.items.append(compute_v1.Items(key="extra", value="1"))
    instances.set_metadata(project=P, zone=ZONE, instance=name, metadata_resource=metadata).result()
    with pytest.raises(exceptions.PreconditionFailed, match="fingerprint"):
        instances.set_metadata(project=P, zone=ZONE, instance=name, metadata_resource=metadata)
    now = instances.get(project=P, zone=ZONE, instance=name).metadata
    assert {i.key: i.value for i in now.items}["extra"] == "1" and now.fingerprint != metadata.fingerprint

    request = compute_v1.ListInstancesRequest(project=P, zone=ZONE, filter="labels.role = node")
    assert [i.name for i in instances.list(request=request)] == [name]
    request = compute_v1.AggregatedListInstancesRequest(project=P, filter="labels.role = master")
    assert not [i for _, scoped in instances.aggregated_list(request=request) for i in scoped.instances]


def test_disks_labels_and_disks_in_use(client):
    disks = client(compute_v1.DisksClient)
    disks.insert(project=P, zone=ZONE, disk_resource=compute_v1.Disk(
        name="etcd-main", size_gb=20, type_=f"zones/{ZONE}/diskTypes/pd-ssd",
        labels={"k8s-io-etcd-main": "a-2fa-2"})).result()
    disk = disks.get(project=P, zone=ZONE, disk="etcd-main")
    assert (disk.size_gb, disk.status, disk.labels) == (20, "READY", {"k8s-io-etcd-main": "a-2fa-2"})
    disks.set_labels(project=P, zone=ZONE, resource="etcd-main", zone_set_labels_request_resource=
                     compute_v1.ZoneSetLabelsRequest(labels={"k8s-io-role-master": "master"},
                                                     label_fingerprint=disk.label_fingerprint)).result()
    with pytest.raises(exceptions.PreconditionFailed):
        disks.set_labels(project=P, zone=ZONE, resource="etcd-main", zone_set_labels_request_resource=
                         compute_v1.ZoneSetLabelsRequest(labels={}, label_fingerprint=disk.label_fingerprint))

    instances = client(compute_v1.InstancesClient)
    instances.insert(project=P, zone=ZONE, instance_resource=compute_v1.Instance(
        name="master", machine_type=f"zones/{ZONE}/machineTypes/e2-medium",
        disks=[boot_disk(), compute_v1.AttachedDisk(source=f"zones/{ZONE}/disks/etcd-main", device_name="etcd")],
        network_interfaces=[compute_v1.NetworkInterface(subnetwork="regions/us-test1/subnetworks/sub",
                                                        access_configs=[compute_v1.AccessConfig()])])).result()
    with pytest.raises(exceptions.BadRequest, match="disk resource .* already being used by .*instances/master"):
        disks.delete(project=P, zone=ZONE, disk="etcd-main")
    inst = instances.get(project=P, zone=ZONE, instance="master")
    assert inst.network_interfaces[0].access_configs[0].nat_i_p
    assert inst.network_interfaces[0].network == f"{LINK}/global/networks/net"
    with pytest.raises(exceptions.BadRequest, match="subnetwork resource .* already being used by"):
        client(compute_v1.SubnetworksClient).delete(project=P, region="us-test1", subnetwork="sub")

    instances.delete(project=P, zone=ZONE, instance="master").result()
    assert [d.name for d in disks.list(project=P, zone=ZONE)] == ["etcd-main"]
    disks.delete(project=P, zone=ZONE, disk="etcd-main").result()


def test_target_pools_follow_their_groups_and_keep_their_dependents(client, fake_url):
    # google-cloud-compute has no client for the legacy HTTP health checks target pools take: plain REST.
    checks = f"{fake_url}/compute/v1/projects/{P}/global/httpHealthChecks"
    assert requests.post(checks, json={"name": "api", "port": 3990}, timeout=10).status_code == 200
    assert requests.get(f"{checks}/api", timeout=10).json()["requestPath"] == "/"
    pools = client(compute_v1.TargetPoolsClient)
    pools.insert(project=P, region="us-test1", target_pool_resource=compute_v1.TargetPool(
        name="api", health_checks=["global/httpHealthChecks/api"])).result()
    group(client, "master", template(client, "master-t1"), 1, target_pools=[f"{LINK}/regions/us-test1/targetPools/api"])
    pool = pools.get(project=P, region="us-test1", target_pool="api")
    assert len(pool.instances) == 1 and "/instances/master-" in pool.instances[0]

    rules = client(compute_v1.ForwardingRulesClient)
    rules.insert(project=P, region="us-test1", forwarding_rule_resource=compute_v1.ForwardingRule(
        name="api", target=pool.self_link, port_range="443", I_p_protocol="TCP",
        labels={"k8s-io-cluster-name": "a-example-com"})).result()
    rule = rules.get(project=P, region="us-test1", forwarding_rule="api")
    assert rule.I_p_address and rule.port_range == "443-443"
    labels = compute_v1.RegionSetLabelsRequest(labels={"a": "b"}, label_fingerprint=rule.label_fingerprint)
    rules.set_labels(project=P, region="us-test1", resource="api", region_set_labels_request_resource=labels).result()

    with pytest.raises(exceptions.BadRequest, match="already being used by .*forwardingRules/api"):
        pools.delete(project=P, region="us-test1", target_pool="api")
    refused = requests.delete(f"{checks}/api", timeout=10).json()["error"]
    assert refused["code"] == 400 and refused["errors"][0]["reason"] == "resourceInUseByAnotherResource"
    assert "targetPools/api" in refused["message"]


def test_a_group_behind_a_backend_service_stays(client):
    igms = group(client, "master", template(client, "master-t1"), 1)
    services = client(compute_v1.RegionBackendServicesClient)
    services.insert(project=P, region="us-test1", backend_service_resource=compute_v1.BackendService(
        name="api", load_balancing_scheme="INTERNAL", protocol="TCP",
        backends=[compute_v1.Backend(group=f"zones/{ZONE}/instanceGroups/master")])).result()
    with pytest.raises(exceptions.BadRequest, match=f"instance_group resource 'projects/{P}/zones/{ZONE}/"
                                                    "instanceGroups/master' is already being used by"):
        igms.delete(project=P, zone=ZONE, instance_group_manager="master")
    services.delete(project=P, region="us-test1", backend_service="api").result()
    with pytest.raises(exceptions.BadRequest, match="managed by an instance group manager"):
        client(compute_v1.InstanceGroupsClient).delete(project=P, zone=ZONE, instance_group="master")
    igms.delete(project=P, zone=ZONE, instance_group_manager="master").result()
    with pytest.raises(exceptions.NotFound):
        client(compute_v1.InstanceGroupsClient).get(project=P, zone=ZONE, instance_group="master")
