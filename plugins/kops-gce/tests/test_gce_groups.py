"""Instance templates, managed instance groups and their machines on the Compute stand-in: made as upstream makes
them, left alone by a second run, moved to a new template without losing a machine when the group changes, and
the day-2 side (which machines need replacing, deleting and detaching one, deleting the cluster); and the
Terraform upstream writes for them.

The network, subnetwork and service account the groups use are made here beforehand (their own builders have
their own tests), so only this model's tasks run.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.api_core import exceptions
from google.cloud import compute_v1
from kops.api import from_dict
from kops.channels import load_channel
from kops.engine import Context, Executor, RetryPolicy, Task
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.engine.targets.terraform import TerraformTarget
from kops.inference.completion import complete_cluster
from kops.model import ModelContext
from kops.operate.rolling import surge_and_unavailable
from kops.testing import upstream
from kops_gce.clients import compute_client
from kops_gce.cloud import GCECloud
from kops_gce.model import groups as groups_model
from kops_gce.testing.fakegce import FakeGCE

CASE = "minimal_gce"
PROJECT = "testproject"
#: The fixture's image is not one the stand-in holds; this one is (from the release channels).
FIXTURE_IMAGE = "ubuntu-os-cloud/ubuntu-2604-resolute-amd64-v20221018"
IMAGE = "ubuntu-os-cloud/ubuntu-2404-noble-amd64-v20260615"
STORE_ID = "0f3c2a9e-store"
NETWORK = "minimal-gce-example-com"
SUBNETWORK = "us-test1-minimal-gce-example-com"
USER_DATA = "#!/bin/bash\necho booting {group}\n"


# --- what the groups need, made beforehand --------------------------------------------------------------

class _Existing(Task):
    """A resource made before the run: found as it is, never changed, not part of the Terraform output."""

    self_link: str | None = None

    id_field = "self_link"
    output_fields = {"self_link"}
    terraform_id_attr = "name"

    def find(self, ctx: Context) -> Any:
        return dataclasses.replace(self, depends_on=[])

    def render_terraform(self, ctx: Context, tf: Any) -> None:
        pass


class Network(_Existing):
    terraform_type = "google_compute_network"


class Subnetwork(_Existing):
    terraform_type = "google_compute_subnetwork"


class TargetPool(_Existing):
    terraform_type = "google_compute_target_pool"


@pytest.fixture
def linked(monkeypatch):
    """The groups' builder finds the network and subnetwork above, and runs its machines as ``default``."""
    base = "https://www.googleapis.com/compute/v1/projects/" + PROJECT
    network = Network(name=NETWORK, self_link=f"{base}/global/networks/{NETWORK}")
    subnetwork = Subnetwork(name=SUBNETWORK, self_link=f"{base}/regions/us-test1/subnetworks/{SUBNETWORK}")
    monkeypatch.setattr(groups_model, "_network_of", lambda model: network)
    monkeypatch.setattr(groups_model, "_subnetwork_of", lambda model, name: subnetwork)
    monkeypatch.setattr(groups_model, "_account_of", lambda model, group: "default")
    return network, subnetwork


@pytest.fixture
def gce(monkeypatch, linked):
    """The Compute stand-in with the project, its network and subnetwork; clients follow it."""
    with FakeGCE([PROJECT]) as fake:
        monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", f"{fake.url}/compute/v1/")
        monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM", f"{fake.url}/")
        monkeypatch.setenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true")
        client(compute_v1.NetworksClient).insert(project=PROJECT, network_resource=compute_v1.Network(
            name=NETWORK, auto_create_subnetworks=False)).result()
        client(compute_v1.SubnetworksClient).insert(
            project=PROJECT, region="us-test1", subnetwork_resource=compute_v1.Subnetwork(
                name=SUBNETWORK, network=f"global/networks/{NETWORK}", ip_cidr_range="10.0.16.0/20")).result()
        yield fake


def client(cls: Any) -> Any:
    return compute_client(cls)


# --- the cluster: upstream's minimal_gce case ------------------------------------------------------------

@dataclasses.dataclass
class Case:
    cluster: dict[str, Any]
    groups: list[dict[str, Any]]
    folder: Path

    def group(self, name: str) -> dict[str, Any]:
        return next(g for g in self.groups if g["metadata"]["name"] == name)

    def model(self, target: str, store_id: str | None = STORE_ID) -> tuple[ModelContext, list[Any]]:
        """A run's model (with the case's SSH key and a user data script per group) and this builder's tasks."""
        cloud = GCECloud()
        completed = from_dict(complete_cluster(self.cluster, self.groups, cloud, load_channel("stable")))
        keys = {"admin": (self.folder / "id_rsa.pub").read_text()}
        model = ModelContext(cluster_name=completed.metadata.name, cluster=completed,
                             instance_groups=[from_dict(g) for g in self.groups], cloud=cloud,
                             state_url="memfs://tests", store_id=store_id, target=target, ssh_public_keys=keys,
                             user_data={g["metadata"]["name"]: USER_DATA.format(group=g["metadata"]["name"])
                                        for g in self.groups})
        tasks = [t for b in groups_model.BUILDERS for t in b.build(model)]
        made_before = {d.task_key: d for t in tasks for d in t.dependencies() if isinstance(d, _Existing)}
        return model, [*made_before.values(), *tasks]

    def completed(self) -> Any:
        return from_dict(complete_cluster(self.cluster, self.groups, GCECloud(), load_channel("stable")))


def load_case(name: str = CASE, image: str | None = IMAGE) -> Case:
    folder = upstream.require() / "update_cluster" / name
    text = (folder / "in-v1alpha2.yaml").read_text()
    if image:
        text = text.replace(FIXTURE_IMAGE, image)
    docs = [d for d in yaml.safe_load_all(text) if d]
    return Case(next(d for d in docs if d["kind"] == "Cluster"), [d for d in docs if d["kind"] == "InstanceGroup"],
                folder)


def executor() -> Executor:
    return Executor(8, RetryPolicy(base_delay=0.01, max_delay=0.05, deadline=30))


def apply(case: Case) -> None:
    model, tasks = case.model("direct")
    DirectTarget(executor()).run(model.cloud.engine_context(model), tasks)


def changes(case: Case) -> dict[str, tuple[str, list[str]]]:
    """What a fresh plan would change: ``{"InstanceTemplate/nodes-...": ("create", [fields])}``."""
    model, tasks = case.model("dryrun")
    plan = DryRunTarget(executor()).run(model.cloud.engine_context(model), tasks, [])
    return {c.label: (c.action.value, sorted(c.fields)) for c in plan.changes if c.action.value != "none"}


def cloud_groups(case: Case) -> dict[str, Any]:
    model, _ = case.model("dryrun")
    return {g.name: g for g in model.cloud.cloud_groups(model.cluster, model.instance_groups)}


def templates() -> dict[str, Any]:
    return {t.name: t for t in client(compute_v1.InstanceTemplatesClient).list(project=PROJECT)}


def managers() -> dict[str, Any]:
    found = {}
    for _, scoped in client(compute_v1.InstanceGroupManagersClient).aggregated_list(project=PROJECT):
        found.update({m.name: m for m in scoped.instance_group_managers})
    return found


def instances() -> dict[str, Any]:
    found = {}
    for _, scoped in client(compute_v1.InstancesClient).aggregated_list(project=PROJECT):
        found.update({i.name: i for i in scoped.instances})
    return found


# --- made as upstream makes them, then left alone --------------------------------------------------------

def test_groups_are_made_as_upstream_makes_them_and_a_second_plan_changes_nothing(gce):
    case = load_case()
    apply(case)

    igms = managers()
    assert {n: (m.zone.rsplit("/", 1)[1], m.target_size, m.base_instance_name) for n, m in igms.items()} == {
        "a-master-us-test1-a-minimal-gce-example-com": ("us-test1-a", 1, "master-us-test1-a"),
        "a-nodes-minimal-gce-example-com": ("us-test1-a", 1, "nodes"),
        "b-nodes-minimal-gce-example-com": ("us-test1-b", 1, "nodes")}
    for m in igms.values():
        assert (m.update_policy.type_, m.update_policy.minimal_action) == ("OPPORTUNISTIC", "REPLACE")
        assert m.list_managed_instances_results == "PAGINATED"
        assert m.description == f"kops cluster minimal-gce.example.com state-store {STORE_ID}"

    made = templates()
    assert all(re.fullmatch(r"[a-z0-9-]{1,32}-[0-9a-f]{12}", n) for n in made), sorted(made)
    by_prefix = {n.rsplit("-", 1)[0]: t for n, t in made.items()}
    assert sorted(by_prefix) == ["master-us-test1-a-minimal-do16cp", "nodes-minimal-gce-example-com"]
    nodes = by_prefix["nodes-minimal-gce-example-com"].properties
    assert nodes.machine_type == "e2-medium"
    assert nodes.disks[0].initialize_params.disk_size_gb == 128
    assert nodes.disks[0].initialize_params.source_image.endswith("/projects/ubuntu-os-cloud/global/images/"
                                                                  "ubuntu-2404-noble-amd64-v20260615")
    assert nodes.network_interfaces[0].subnetwork.endswith(f"/subnetworks/{SUBNETWORK}")
    assert len(nodes.network_interfaces[0].access_configs) == 1  # a public subnet: machines get an address
    assert list(nodes.tags.items) == ["minimal-gce-example-com-k8s-io-role-node"]
    assert dict(nodes.labels) == {"k8s-io-cluster-name": "minimal-gce-example-com", "k8s-io-instance-group": "nodes",
                                  "k8s-io-role-node": "node", "kops-k8s-io-state-store": STORE_ID}
    metadata = {i.key: i.value for i in nodes.metadata.items}
    assert metadata["user-data"] == USER_DATA.format(group="nodes")
    assert metadata["cluster-name"] == "minimal-gce.example.com"
    assert metadata["kops-k8s-io-instance-group-name"] == "nodes"
    assert metadata["ssh-keys"].startswith("ubuntu: ssh-rsa AAAAB3NzaC1yc2E")
    assert nodes.service_accounts[0].email == "default"
    assert "https://www.googleapis.com/auth/devstorage.read_only" in nodes.service_accounts[0].scopes
    master = by_prefix["master-us-test1-a-minimal-do16cp"].properties
    assert master.disks[0].initialize_params.disk_size_gb == 64
    assert list(master.tags.items) == ["minimal-gce-example-com-k8s-io-role-control-plane",
                                       "minimal-gce-example-com-k8s-io-role-master"]
    assert dict(master.labels)["testcloudlabel"] == "foobar"

    machines = instances()
    assert sorted(i.labels["k8s-io-instance-group"] for i in machines.values()) == [
        "master-us-test1-a", "nodes", "nodes"]
    assert changes(case) == {}


# --- a changed group: a new template, the same machines, marked for replacement -------------------------

def change_machine_type(case: Case, machine_type: str = "e2-standard-2") -> None:
    case.group("nodes")["spec"]["machineType"] = machine_type


def test_a_changed_group_gets_a_new_template_and_keeps_its_machines_which_need_replacing(gce):
    case = load_case()
    apply(case)
    before = {n: i.id for n, i in instances().items()}
    old = set(templates())

    change_machine_type(case)
    planned = changes(case)
    assert sorted(planned) == ["InstanceGroupManager/a-nodes-minimal-gce-example-com",
                               "InstanceGroupManager/b-nodes-minimal-gce-example-com",
                               "InstanceTemplate/nodes-minimal-gce-example-com"]
    assert planned["InstanceGroupManager/a-nodes-minimal-gce-example-com"] == ("update", ["instance_template"])
    # The plan reads the group's template back and shows what changes: applying makes a new one.
    assert planned["InstanceTemplate/nodes-minimal-gce-example-com"] == ("update", ["machine_type"])
    apply(case)

    assert {n: i.id for n, i in instances().items()} == before  # no machine was replaced
    now = templates()
    new = set(now) - old
    assert len(new) == 1 and now[new.pop()].properties.machine_type == "e2-standard-2"
    assert not any(n.startswith("nodes-") for n in old & set(now))  # the template no group uses is gone
    assert {m.instance_template.rsplit("/", 1)[1] for n, m in managers().items() if "-nodes-" in n} == \
        {n for n in now if n.startswith("nodes-")}

    groups = cloud_groups(case)
    nodes = groups["nodes"]
    assert (nodes.min_size, nodes.target_size, nodes.max_size) == (2, 2, 2)
    assert sorted((i.status, i.machine_type, i.zone) for i in nodes.instances) == [
        ("NeedsUpdate", "e2-medium", "us-test1-a"), ("NeedsUpdate", "e2-medium", "us-test1-b")]
    assert [i.status for i in groups["master-us-test1-a"].instances] == ["UpToDate"]
    one = nodes.instances[0]
    assert one.provider_id == f"gce://{PROJECT}/{one.zone}/{one.id}"
    assert one.internal_ip.startswith("10.0.") and one.external_ip and one.state == "running"
    assert changes(case) == {}


def test_the_control_planes_groups_join_a_target_pool_and_leave_it_when_it_is_no_longer_named(gce):
    client(compute_v1.TargetPoolsClient).insert(project=PROJECT, region="us-test1", target_pool_resource=(
        compute_v1.TargetPool(name="api-minimal-gce-example-com"))).result()
    link = client(compute_v1.TargetPoolsClient).get(project=PROJECT, region="us-test1",
                                                     target_pool="api-minimal-gce-example-com").self_link
    pool = TargetPool(name="api-minimal-gce-example-com", self_link=link)
    case = load_case()
    model, tasks = case.model("direct")
    master = next(t for t in tasks if t.name == "a-master-us-test1-a-minimal-gce-example-com")
    master.target_pools = [pool]  # as the API load balancer's builder names it
    DirectTarget(executor()).run(model.cloud.engine_context(model), [pool, *tasks])
    assert list(managers()[master.name].target_pools) == [link]
    members = client(compute_v1.TargetPoolsClient).get(project=PROJECT, region="us-test1",
                                                       target_pool="api-minimal-gce-example-com").instances
    assert [m.rsplit("/", 1)[1].rsplit("-", 1)[0] for m in members] == ["master-us-test1-a"]

    assert changes(case)["InstanceGroupManager/" + master.name] == ("update", ["target_pools"])
    apply(case)
    assert list(managers()[master.name].target_pools) == []
    assert not client(compute_v1.TargetPoolsClient).get(project=PROJECT, region="us-test1",
                                                        target_pool="api-minimal-gce-example-com").instances


def test_machines_of_a_zone_left_out_of_their_group_are_still_its(gce):
    case = load_case()
    apply(case)
    case.group("nodes")["spec"]["zones"] = ["us-test1-a"]
    nodes = cloud_groups(case)["nodes"]
    assert sorted(i.zone for i in nodes.instances) == ["us-test1-a", "us-test1-b"]
    assert nodes.target_size == 2


def test_rolling_updates_launch_nothing_first_unless_the_spec_says_so():
    case = load_case(image=None)
    completed = case.completed()
    nodes = case.group("nodes")
    assert surge_and_unavailable(completed, from_dict(nodes), GCECloud(), 2) == (0, 1)
    surging = from_dict({**nodes, "spec": {**nodes["spec"], "rollingUpdate": {"maxSurge": 1}}})
    assert surge_and_unavailable(completed, surging, GCECloud(), 2) == (1, 0)


# --- day 2: deleting and detaching machines --------------------------------------------------------------

@pytest.fixture
def stale(gce):
    """The case applied, then its nodes' machine type changed and applied: both node machines need replacing."""
    case = load_case()
    apply(case)
    change_machine_type(case)
    apply(case)
    return case


def test_deleting_a_machine_replaces_it_from_the_current_template(stale):
    nodes = cloud_groups(stale)["nodes"]
    doomed = next(i for i in nodes.instances if i.zone == "us-test1-a")
    stale_model = stale.model("dryrun")[0]
    stale_model.cloud.delete_instance(doomed)

    nodes = cloud_groups(stale)["nodes"]
    assert doomed.id not in {i.id for i in nodes.instances}
    assert nodes.target_size == 2
    assert sorted((i.zone, i.status, i.machine_type) for i in nodes.instances) == [
        ("us-test1-a", "UpToDate", "e2-standard-2"), ("us-test1-b", "NeedsUpdate", "e2-medium")]
    assert doomed.id not in instances()


def test_a_detached_machine_keeps_running_while_its_replacement_starts_and_is_deleted_later(stale):
    cloud = stale.model("dryrun")[0].cloud
    nodes = cloud_groups(stale)["nodes"]
    leaving = next(i for i in nodes.instances if i.zone == "us-test1-b")
    cloud.detach_instance(leaving)

    nodes = cloud_groups(stale)["nodes"]
    assert nodes.target_size == 2
    detached = [i for i in nodes.instances if i.detached]
    assert [(i.id, i.state, i.status) for i in detached] == [(leaving.id, "running", "NeedsUpdate")]
    live = sorted((i.zone, i.status) for i in nodes.instances if not i.detached)
    assert live == [("us-test1-a", "NeedsUpdate"), ("us-test1-b", "UpToDate")]
    assert instances()[leaving.id].status == "RUNNING"

    cloud.delete_instance(detached[0])
    assert leaving.id not in instances()
    nodes = cloud_groups(stale)["nodes"]
    assert not any(i.detached for i in nodes.instances) and len(nodes.instances) == 2


def test_machines_are_replaced_and_detached_while_calls_fail(gce, stale, monkeypatch):
    from kops_gce import cloudgroups

    monkeypatch.setattr(cloudgroups, "RETRY_DELAY", 0.01)
    cloud = stale.model("dryrun")[0].cloud
    first, second = sorted(cloud_groups(stale)["nodes"].instances, key=lambda i: i.zone)
    gce.fail_rate = 0.3  # a share of calls answered 503 or 429, as Google answers under load
    try:
        cloud.delete_instance(first)
        cloud.detach_instance(second)
    finally:
        gce.fail_rate = 0
    nodes = cloud_groups(stale)["nodes"]
    assert nodes.target_size == 2
    assert sorted((i.zone, i.status, i.detached) for i in nodes.instances) == [
        ("us-test1-a", "UpToDate", False), ("us-test1-b", "NeedsUpdate", True), ("us-test1-b", "UpToDate", False)]
    assert first.id not in {i.id for i in nodes.instances}


def test_deleting_the_cluster_deletes_its_groups_templates_and_detached_machines(stale):
    model = stale.model("dryrun")[0]
    leaving = cloud_groups(stale)["nodes"].instances[0]
    model.cloud.detach_instance(leaving)
    other = compute_v1.InstanceTemplate(name="someone-elses", properties=templates()[
        next(iter(templates()))].properties)
    client(compute_v1.InstanceTemplatesClient).insert(project=PROJECT, instance_template_resource=other).result()

    ctx = model.cloud.engine_context(model)
    doomed = [t for t in model.cloud.owned_resources(ctx, model)
              if t.type_name in ("InstanceTemplate", "InstanceGroupManager", "Instance")]
    DirectTarget(executor()).run(ctx, [], doomed)

    assert managers() == {}
    assert instances() == {}
    assert list(templates()) == ["someone-elses"]
    with pytest.raises(exceptions.NotFound):
        client(compute_v1.InstancesClient).get(project=PROJECT, zone=leaving.zone, instance=leaving.id)


# --- Terraform, as upstream writes it -------------------------------------------------------------------

_BLOCK = re.compile(r"^(\S[^\n]*\{\n.*?^\}\n)", re.M | re.S)


def blocks(text: str) -> dict[str, str]:
    return {b.split("{", 1)[0].strip(): b for b in _BLOCK.findall(text)}


def test_terraform_is_upstreams(linked):
    case = load_case(image=None)
    model, tasks = case.model("terraform", store_id=None)  # upstream's store has no ID to label with
    files = TerraformTarget().run(model.cloud.engine_context(model), tasks)
    written = blocks(files["kubernetes.tf"].decode())
    expected = {h: b for h, b in blocks((case.folder / "kubernetes.tf").read_text()).items()
                if "google_compute_instance_template" in h or "google_compute_instance_group_manager" in h}
    assert len(expected) == 5
    # GCE refuses upper-case label keys: kops writes a user's label as GCE holds it.
    expected = {h: b.replace('"testCloudLabel"', '"testcloudlabel"') for h, b in expected.items()}
    for header, block in expected.items():
        assert written.get(header) == block, header
    data = "data/google_compute_instance_template_nodes-minimal-gce-example-com_metadata_user-data"
    assert files[data].decode() == USER_DATA.format(group="nodes")


def test_groups_are_spread_over_their_zones_as_upstream_spreads_them():
    assert groups_model.split_across_zones(5, ["us-test1-a", "us-test1-b", "us-test1-c"]) == {
        "us-test1-a": 2, "us-test1-b": 2, "us-test1-c": 1}
    long = "minimal-gce-with-a-very-very-very-very-very-long-name.example.com"
    expected = blocks((upstream.require() / "update_cluster" / "minimal_gce_longclustername" / "kubernetes.tf")
                      .read_text())
    name = groups_model.manager_name(long, "master-us-test1-a", "us-test1-a")
    assert f'resource "google_compute_instance_group_manager" "{name}"' in expected
    assert len(name) <= 63


# --- Terraform of the whole model, for each of upstream's GCE cases ------------------------------------------

GCE_CASES = ("minimal_gce", "minimal_gce_private", "minimal_gce_ilb", "minimal_gce_plb", "ha_gce",
             "minimal_gce_dns-none", "minimal_gce_longclustername", "minimal_gce_ilb_longclustername",
             "many-addons-gce")
_LABELS = re.compile(r"^  labels = \{\n(.*?)^  \}\n", re.M | re.S)


def labels_of(block: str) -> tuple[str, dict[str, str]]:
    """A resource block without its ``labels`` map, and the map."""
    found = _LABELS.search(block)
    if found is None:
        return block, {}
    pairs = dict(re.findall(r'^\s+"([^"]+)"\s+= "([^"]*)"$', found.group(1), re.M))
    return block[:found.start()] + block[found.end():], pairs


def as_gce_holds_them(labels: dict[str, str]) -> dict[str, str]:
    """Upstream's labels as GCE accepts them: keys lower-cased, values of at most 63 characters (the cluster's
    name shortened with a hash), and no key GCE refuses (the cluster autoscaler's ``k8s.io/...`` ones)."""
    from kops_gce.labels import CLUSTER_LABEL, label_value

    held = {k.lower(): v for k, v in labels.items() if "/" not in k}
    if CLUSTER_LABEL in held:
        held[CLUSTER_LABEL] = label_value(held[CLUSTER_LABEL])
    return held


@pytest.mark.parametrize("name", GCE_CASES)
def test_the_whole_models_templates_and_groups_are_upstreams(name):
    from kops import plugins
    from kops_gce.model import builders

    case = load_case(name, image=None)
    cloud = GCECloud()
    completed = from_dict(complete_cluster(case.cluster, case.groups, cloud, load_channel("stable")))
    keys = case.folder / "id_rsa.pub"
    model = ModelContext(cluster_name=completed.metadata.name, cluster=completed,
                         instance_groups=[from_dict(g) for g in case.groups], cloud=cloud, state_url="memfs://tests",
                         target="terraform", ssh_public_keys={"admin": keys.read_text()} if keys.exists() else {},
                         firewall_rules=plugins.collect(plugins.hook().kops_firewall_rules(cluster=completed)),
                         user_data={g["metadata"]["name"]: USER_DATA.format(group=g["metadata"]["name"])
                                    for g in case.groups})
    tasks = []
    for builder in builders():
        built = builder.build(model)
        model.add(built)
        tasks += built
    written = blocks(TerraformTarget().run(cloud.engine_context(model), tasks)["kubernetes.tf"].decode())
    expected = {h: b for h, b in blocks((case.folder / "kubernetes.tf").read_text()).items()
                if "google_compute_instance_template" in h or "google_compute_instance_group_manager" in h}
    assert expected
    ours = ('resource "google_compute_instance_template"', 'resource "google_compute_instance_group_manager"')
    assert sorted(h for h in written if h.startswith(ours)) == sorted(expected)
    for header, block in expected.items():
        body, labels = labels_of(block)
        got_body, got_labels = labels_of(written[header])
        assert got_body == body, header
        assert got_labels == as_gce_holds_them(labels), header


def test_images_are_named_as_upstream_reads_them(linked):
    from kops.errors import KopsError
    from kops_gce.tasks.instance_template import image_url

    base = "https://www.googleapis.com/compute/v1/projects/"
    assert image_url("testproject", "my-image") == base + "testproject/global/images/my-image"
    assert image_url("testproject", "cos-cloud/cos-stable-1") == base + "cos-cloud/global/images/cos-stable-1"
    case = load_case()
    case.group("nodes")["spec"]["image"] = "a/b/c"
    with pytest.raises(KopsError, match=r"^InstanceGroup/nodes: spec.image: 'a/b/c' is not an image GCE can name"):
        case.model("dryrun")
