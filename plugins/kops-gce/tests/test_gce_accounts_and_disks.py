"""GCE service accounts, their project IAM roles and the etcd members' disks: made on the fake as upstream makes
them, found again unchanged, deleted only where the cluster owns them (another cluster's account, the project's
default one, others' members of a role all stay); in Terraform as upstream's fixtures have them; and the
etcd-manager pods told how to find the disks."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from functools import partial

import pytest
import yaml
from kops.api import from_dict
from kops.channels import load_channel
from kops.engine import Context, ExecutionError, Executor, Lifecycle, RetryPolicy, Snapshot
from kops.engine.discovery import link_placeholders
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.engine.targets.terraform import TerraformTarget
from kops.errors import KopsError
from kops.inference.completion import complete_cluster
from kops.model import ModelContext
from kops.testing import upstream
from kops_gce.api import ERRORS, GCE, status
from kops_gce.cloud import GCECloud
from kops_gce.labels import cluster_label_value
from kops_gce.model import etcd, service_accounts
from kops_gce.names import safe_cluster_name
from kops_gce.tasks import disk, project_iam_binding, service_account
from kops_gce.testing.fakegce import FakeGCE

PROJECT = "testproject"
MY_TYPES = ("google_service_account", "google_project_iam_binding", "google_compute_disk")
BLOCK = re.compile(r'^resource "([^"]+)" "([^"]+)" \{\n(.*?)^\}', re.M | re.S)
#: The kinds these resources are listed as, and what lists them.
LISTERS = {service_account.KIND: service_account.list_service_accounts,
           project_iam_binding.KIND: project_iam_binding.list_project_policy,
           "disks": disk.list_disks}
DELETIONS = (service_account.delete_service_accounts, project_iam_binding.delete_project_bindings,
             disk.delete_disks)


def model_for(case: str, *, target: str = "direct", store_id: str | None = None, name: str | None = None,
              edit=None, more_groups=()) -> ModelContext:
    """The model ``kops update cluster`` builds for an upstream case (optionally renamed or edited)."""
    text = (upstream.require() / "update_cluster" / case / "in-v1alpha2.yaml").read_text()
    docs = [d for d in yaml.safe_load_all(text) if d]
    cluster = next(d for d in docs if d["kind"] == "Cluster")
    groups = [d for d in docs if d["kind"] == "InstanceGroup"] + list(more_groups)
    if name:
        cluster["metadata"]["name"] = name
        for group in groups:
            group["metadata"].setdefault("labels", {})["kops.k8s.io/cluster"] = name
    if edit:
        edit(cluster)
    cloud = GCECloud()
    completed = from_dict(complete_cluster(cluster, groups, cloud, load_channel("stable")))
    return ModelContext(cluster_name=completed.metadata.name, cluster=completed,
                        instance_groups=sorted((from_dict(g) for g in groups), key=lambda g: g.metadata.name),
                        cloud=cloud, state_url="memfs://tests", store_id=store_id, target=target)


def build(model: ModelContext) -> list:
    model = dataclasses.replace(model, _tasks={})
    tasks: list = []
    for module in (service_accounts, etcd):
        for builder in module.BUILDERS:
            built = builder.build(model)
            model.add(built)
            tasks += built
    return tasks


def context(model: ModelContext) -> Context:
    """A run's context listing only the kinds these tasks use."""
    gce = GCE(PROJECT, model.region)
    return Context(model.cluster_name, cloud=gce, errors=ERRORS,
                   snapshot=Snapshot({k: partial(f, gce, model.cluster_name) for k, f in LISTERS.items()}))


def executor() -> Executor:
    return Executor(8, RetryPolicy(base_delay=0.05, max_delay=0.2, deadline=30))


def plan(model, tasks=None, deletions=()):
    return DryRunTarget(executor()).run(context(model), build(model) if tasks is None else tasks, list(deletions))


def apply(model, tasks=None):
    return DirectTarget(executor()).run(context(model), build(model) if tasks is None else tasks)


def owned_deletions(model, ctx):
    return link_placeholders([t for factory in DELETIONS for t in factory(ctx.snapshot, model.cluster_name)])


def delete_owned(model):
    ctx = context(model)
    return DirectTarget(executor()).run(ctx, [], owned_deletions(model, ctx))


def changes(result) -> dict[str, str]:
    return {c.label: c.action.value for c in result.changes if c.action.value != "none"}


@pytest.fixture
def fake(monkeypatch):
    with FakeGCE([PROJECT]) as fake:
        monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", f"{fake.url}/compute/v1/")
        monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM", f"{fake.url}/")
        monkeypatch.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER", f"{fake.url}/")
        monkeypatch.setenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true")
        yield fake


def accounts(gce: GCE) -> dict[str, dict]:
    return {a["email"]: a for a in service_account.list_service_accounts(gce, "")}


def policy(gce: GCE) -> dict[str, list[str]]:
    return {b["role"]: b["members"] for b in project_iam_binding.get_policy(gce, PROJECT)["bindings"]}


def disks(gce: GCE) -> dict[str, dict]:
    return {d["name"]: d for d in gce.aggregated("Disks")}


# --- the direct apply on the fake ---------------------------------------------------------------------------


def test_apply_makes_accounts_roles_and_disks_then_replans_nothing(fake):
    model = model_for("minimal_gce_dns-none", store_id="store-1")
    assert changes(plan(model)) == {
        "ServiceAccount/control-plane": "create", "ServiceAccount/node": "create",
        "ProjectIAMBinding/serviceaccount-control-plane": "create",
        "Disk/a-etcd-main-minimal-gce-example-com": "create", "Disk/a-etcd-events-minimal-gce-example-com": "create"}
    apply(model)

    gce = GCE(PROJECT, "us-test1")
    control_plane = f"control-plane-minimal-g-fu1mg6@{PROJECT}.iam.gserviceaccount.com"
    made = accounts(gce)
    assert made[control_plane]["display_name"] == "control-plane"
    assert made[control_plane]["description"] == "kops cluster minimal-gce.example.com state-store store-1"
    assert made[f"node-minimal-gce-example-com@{PROJECT}.iam.gserviceaccount.com"]["display_name"] == "node"
    assert policy(gce)["roles/container.serviceAgent"] == [f"serviceAccount:{control_plane}"]
    main = disks(gce)["a-etcd-main-minimal-gce-example-com"]
    assert main["labels"] == {"k8s-io-cluster-name": "minimal-gce-example-com", "k8s-io-etcd-main": "a-2fa",
                              "k8s-io-role-master": "master", "kops-k8s-io-state-store": "store-1"}
    assert (main["size_gb"], main["type_"].rsplit("/", 1)[-1], main["zone"].rsplit("/", 1)[-1]) == (
        "20", "pd-ssd", "us-test1-a")

    assert changes(plan(model)) == {}


def test_an_etcd_disk_never_changes_size_and_keeps_labels_others_added(fake):
    model = model_for("minimal_gce_dns-none", store_id="store-1")
    apply(model)
    gce = GCE(PROJECT, "us-test1")
    disks_api = gce.compute("Disks")
    name = "a-etcd-main-minimal-gce-example-com"
    current = disks_api.get(project=PROJECT, zone="us-test1-a", disk=name)
    gce.wait(disks_api.set_labels(project=PROJECT, zone="us-test1-a", resource=name,
                                  zone_set_labels_request_resource={
                                      "labels": {**current.labels, "team": "storage"},
                                      "label_fingerprint": current.label_fingerprint}))
    assert changes(plan(model)) == {}  # a label someone else added is no change

    def bigger(cluster):
        for member in cluster["spec"]["etcdClusters"][0]["etcdMembers"]:
            member["volumeSize"] = 40

    with pytest.raises(Exception, match=r"size_gb.*etcd's data|etcd's data.*size_gb"):
        plan(model_for("minimal_gce_dns-none", store_id="store-1", edit=bigger))


def test_a_create_whose_answer_was_lost_is_not_an_error_on_the_next_try(fake):
    model = model_for("minimal_gce_dns-none", store_id="store-1")
    tasks = [t for t in build(model) if not isinstance(t, project_iam_binding.ProjectIAMBinding)]
    ctx = context(model)
    for task in tasks:  # made, as if the answers never came back
        task.render_direct(ctx, None, {})
    for task in tasks:  # so the run, listing before it made them, tries again
        task.render_direct(ctx, None, {})
    assert changes(plan(model)) == {"ProjectIAMBinding/serviceaccount-control-plane": "create"}

    gce = GCE(PROJECT, "us-test1")
    name = "a-etcd-main-other-example-com"
    gce.wait(gce.compute("Disks").insert(project=PROJECT, zone="us-test1-a", disk_resource={"name": name}))
    other = model_for("minimal_gce_dns-none", store_id="store-2", name="other.example.com")
    theirs = next(t for t in build(other) if isinstance(t, disk.Disk) and t.name == name)
    with pytest.raises(KopsError, match=f"Disk/{name}: a disk of that name, not this cluster's, is in zone us-test1-a"):
        theirs.render_direct(context(other), None, {})


def test_the_project_policy_is_written_again_when_someone_else_wrote_it_meanwhile(fake):
    model = model_for("minimal_gce_dns-none", store_id="store-1")
    tasks = build(model)
    apply(model, [t for t in tasks if isinstance(t, service_account.ServiceAccount)])

    class Racing(GCE):
        """Another writer changes the policy between kops's read and its write, once."""
        raced = False

        def rest(self, api, method, path, body=None, params=None):
            if path.endswith(":setIamPolicy") and not Racing.raced:
                Racing.raced = True
                other = GCE(PROJECT, self.region)
                theirs = project_iam_binding.get_policy(other, PROJECT)
                theirs["bindings"].append({"role": "roles/viewer", "members": ["user:someone@example.com"]})
                other.rest(api, method, path, {"policy": theirs})
            return super().rest(api, method, path, body, params)

    binding = next(t for t in tasks if isinstance(t, project_iam_binding.ProjectIAMBinding))
    binding.render_direct(dataclasses.replace(context(model), cloud=Racing(PROJECT, "us-test1")), None, {})
    written = policy(GCE(PROJECT, "us-test1"))
    assert Racing.raced
    assert written["roles/viewer"] == ["user:someone@example.com"]
    assert written["roles/container.serviceAgent"] == [
        f"serviceAccount:control-plane-minimal-g-fu1mg6@{PROJECT}.iam.gserviceaccount.com"]


# --- deletion: only what the cluster owns -------------------------------------------------------------------


def test_delete_takes_only_the_clusters_accounts_members_and_disks(fake):
    ours = model_for("minimal_gce_dns-none", store_id="store-1")
    theirs = model_for("minimal_gce_dns-none", store_id="store-2", name="other.example.com")
    apply(ours)
    apply(theirs)
    gce = GCE(PROJECT, "us-test1")
    # An account with one of the cluster's IDs but not made by kops for it (made by hand, or by another tool).
    gce.rest("iam", "POST", f"v1/projects/{PROJECT}/serviceAccounts",
             {"accountId": "bastion-minimal-gce-exa-fu1mg6", "serviceAccount": {"description": "bastion nodes"}})
    before = accounts(gce)

    result = delete_owned(ours)
    assert set(changes(result.plan)) == {
        f"ServiceAccount/control-plane-minimal-g-fu1mg6@{PROJECT}.iam.gserviceaccount.com",
        f"ServiceAccount/node-minimal-gce-example-com@{PROJECT}.iam.gserviceaccount.com",
        f"ProjectIAMBinding/roles/container.serviceAgent control-plane-minimal-g-fu1mg6@{PROJECT}"
        ".iam.gserviceaccount.com",
        "Disk/a-etcd-main-minimal-gce-example-com", "Disk/a-etcd-events-minimal-gce-example-com"}

    # The role is taken from the account before the account goes (else IAM keeps a "deleted:" member).
    finished = result.deletion_record.labels("finish")
    assert finished.index(f"ProjectIAMBinding/roles/container.serviceAgent control-plane-minimal-g-fu1mg6@{PROJECT}"
                          ".iam.gserviceaccount.com") < finished.index(
        f"ServiceAccount/control-plane-minimal-g-fu1mg6@{PROJECT}.iam.gserviceaccount.com")
    left = accounts(gce)
    assert set(before) - set(left) == {f"control-plane-minimal-g-fu1mg6@{PROJECT}.iam.gserviceaccount.com",
                                       f"node-minimal-gce-example-com@{PROJECT}.iam.gserviceaccount.com"}
    assert any(e.endswith("-compute@developer.gserviceaccount.com") for e in left)  # the project's default
    assert f"bastion-minimal-gce-exa-fu1mg6@{PROJECT}.iam.gserviceaccount.com" in left
    roles = policy(gce)
    assert roles["roles/container.serviceAgent"] == [
        f"serviceAccount:control-plane-other-exa-1iut48@{PROJECT}.iam.gserviceaccount.com"]
    assert "roles/editor" in roles and "roles/owner" in roles
    assert set(disks(gce)) == {"a-etcd-main-other-example-com", "a-etcd-events-other-example-com"}
    assert changes(plan(theirs)) == {}


def test_api_servers_share_the_control_planes_account_and_bastions_get_their_own():
    def group(name, role):
        return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
                "metadata": {"name": name, "labels": {"kops.k8s.io/cluster": "minimal-gce.example.com"}},
                "spec": {"role": role, "machineType": "e2-medium", "minSize": 1, "maxSize": 1,
                         "subnets": ["us-test1"], "zones": ["us-test1-b"]}}

    model = model_for("minimal_gce_dns-none", target="terraform",
                      more_groups=[group("apiserver", "APIServer"), group("bastions", "Bastion")])
    tasks = build(model)
    made = {t.name: t for t in tasks if isinstance(t, service_account.ServiceAccount)}
    assert {n: (t.email, t.display_name, t.description) for n, t in made.items()} == {
        "control-plane": (f"control-plane-minimal-g-fu1mg6@{PROJECT}.iam.gserviceaccount.com", "control-plane",
                          "kubernetes control-plane instances"),
        "node": (f"node-minimal-gce-example-com@{PROJECT}.iam.gserviceaccount.com", "node", "kubernetes worker nodes"),
        "bastion": (f"bastion-minimal-gce-exa-fu1mg6@{PROJECT}.iam.gserviceaccount.com", "bastion", "bastion nodes")}
    assert [(t.name, t.role, t.member_service_account.name) for t in tasks
            if isinstance(t, project_iam_binding.ProjectIAMBinding)] == [
        ("serviceaccount-control-plane", "roles/container.serviceAgent", "control-plane")]
    registry = dataclasses.replace(model, _tasks={})
    registry.add(tasks)
    groups = {g.metadata.name: g for g in model.instance_groups}
    assert service_accounts.account_of(registry, groups["apiserver"]) is made["control-plane"]
    assert service_accounts.account_of(registry, groups["bastions"]) is made["bastion"]


def test_an_account_another_cluster_made_under_the_same_id_is_refused(fake):
    # Dots and dashes read alike in GCE names: both clusters' accounts are control-plane-a-b-example-com.
    first = model_for("minimal_gce_dns-none", store_id="store-1", name="a.b.example.com")
    second = model_for("minimal_gce_dns-none", store_id="store-2", name="a-b.example.com")
    apply(first, [t for t in build(first) if isinstance(t, service_account.ServiceAccount)])
    with pytest.raises(ExecutionError, match=r"service account control-plane-a-b-example-com@testproject\.iam\."
                                             r"gserviceaccount\.com: it belongs to another cluster"):
        plan(second, [t for t in build(second) if isinstance(t, service_account.ServiceAccount)])


def test_a_shared_account_is_only_looked_up_never_made_or_deleted(fake):
    model = model_for("minimal_gce", store_id="store-1")
    tasks = [t for t in build(model) if not isinstance(t, disk.Disk)]
    assert [(t.name, t.email, t.lifecycle) for t in tasks] == [("shared", "default", Lifecycle.EXISTS_AND_VALIDATES)]
    groups = {g.metadata.name: g for g in model.instance_groups}
    registry = dataclasses.replace(model, _tasks={})
    registry.add(tasks)
    assert service_accounts.account_of(registry, groups["nodes"]).email == "default"
    assert changes(plan(model, tasks)) == {}

    gce = GCE(PROJECT, "us-test1")
    made = gce.rest("iam", "POST", f"v1/projects/{PROJECT}/serviceAccounts", {"accountId": "shared-by-hand"})
    named = model_for("minimal_gce", store_id="store-1",
                      edit=lambda c: c["spec"]["cloudConfig"].update(gceServiceAccount=made["email"]))
    shared = [t for t in build(named) if isinstance(t, service_account.ServiceAccount)]
    assert changes(plan(named, shared)) == {}
    assert owned_deletions(named, context(named)) == []

    missing = model_for("minimal_gce", store_id="store-1", edit=lambda c: c["spec"]["cloudConfig"].update(
        gceServiceAccount=f"nobody@{PROJECT}.iam.gserviceaccount.com"))
    with pytest.raises(ExecutionError, match="ServiceAccount/shared: this shared resource was not found"):
        plan(missing, [t for t in build(missing) if isinstance(t, service_account.ServiceAccount)])


def test_a_disk_still_attached_is_deleted_once_its_machine_is_gone(fake):
    model = model_for("minimal_gce_dns-none", store_id="store-1")
    apply(model, [t for t in build(model) if isinstance(t, disk.Disk)])
    gce = GCE(PROJECT, "us-test1")
    network = gce.compute("Networks")
    gce.wait(network.insert(project=PROJECT, network_resource={"name": "net", "auto_create_subnetworks": True}))
    image = fake.compute.kinds["images"]
    source = next(r["selfLink"] for _, r in fake.state.each("ubuntu-os-cloud", image.collection))
    main = disks(gce)["a-etcd-main-minimal-gce-example-com"]
    instances = gce.compute("Instances")
    gce.wait(instances.insert(project=PROJECT, zone="us-test1-a", instance_resource={
        "name": "control-plane-1", "machine_type": "zones/us-test1-a/machineTypes/e2-medium",
        "network_interfaces": [{"network": "global/networks/net"}],
        "disks": [{"boot": True, "auto_delete": True, "initialize_params": {"source_image": source}},
                  {"source": main["self_link"], "device_name": "etcd-main"}]}))

    doomed = [t for t in owned_deletions(model, context(model)) if t.name == main["name"]]
    with pytest.raises(Exception) as refused:
        doomed[0].delete_direct(context(model))
    assert status(refused.value) == 400 and ERRORS.transient(refused.value)

    def machine_goes() -> None:
        time.sleep(0.5)
        gce.wait(instances.delete(project=PROJECT, zone="us-test1-a", instance="control-plane-1"))

    started = time.monotonic()
    worker = threading.Thread(target=machine_goes)
    worker.start()
    DirectTarget(executor()).run(context(model), [], doomed)
    worker.join()
    assert time.monotonic() - started >= 0.5
    assert main["name"] not in disks(gce)


# --- Terraform ----------------------------------------------------------------------------------------------


def terraform(model: ModelContext) -> dict[tuple[str, str], str]:
    files = TerraformTarget(None, model.cloud.terraform_writer(model)).run(
        Context(model.cluster_name, cloud=GCE(PROJECT, model.region)), build(model))
    return {(m.group(1), m.group(2)): m.group(3) for m in BLOCK.finditer(files["kubernetes.tf"].decode())
            if m.group(1) in MY_TYPES}


@pytest.mark.parametrize("case", ["minimal_gce", "minimal_gce_dns-none", "ha_gce", "many-addons-gce",
                                  "minimal_gce_longclustername", "minimal_gce_private"])
def test_terraform_has_upstreams_resources_names_and_attributes(case):
    model = model_for(case, target="terraform")
    text = (upstream.require() / "update_cluster" / case / "kubernetes.tf").read_text()
    # Upstream writes a long cluster name whole into the cluster label, longer than the 63 characters GCE takes
    # in a label value; here it is shortened with a hash, as kops shortens names.
    text = text.replace(f'"{safe_cluster_name(model.cluster_name)}"', f'"{cluster_label_value(model.cluster_name)}"')
    expected = {(m.group(1), m.group(2)): m.group(3) for m in BLOCK.finditer(text) if m.group(1) in MY_TYPES}
    assert terraform(model) == expected


# --- etcd-manager -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("etcd_name", ["main", "events"])
def test_etcd_manager_finds_the_disks_by_upstreams_flags(etcd_name):
    from kops import api
    from kops.nodeup.etcd import etcd_manager_pod

    model = model_for("minimal_gce", target="terraform")
    manifest = (upstream.require() / "update_cluster" / "minimal_gce" / "data" /
                f"aws_s3_object_manifests-etcdmanager-{etcd_name}-master-us-test1-a_content").read_text()
    expected = sorted(re.findall(r"--volume-[a-z-]+=\S+", manifest))
    cluster = api.to_dict(model.cluster)
    spec = next(e for e in cluster["spec"]["etcdClusters"] if e["name"] == etcd_name)
    pod = etcd_manager_pod(cluster, spec, model.cloud.etcd_volumes(model.cluster, etcd_name))
    args = " ".join(pod["spec"]["containers"][0]["args"] if "spec" in pod else pod["containers"][0]["args"])
    assert sorted(re.findall(r"--volume-[a-z-]+=\S+", args)) == expected
    # What etcd-manager looks for is what the disks carry.
    labels = next(t.labels for t in build(model) if isinstance(t, disk.Disk) and f"-etcd-{etcd_name}-" in t.name)
    for flag in (f for f in expected if f.startswith(("--volume-tag=", "--volume-name-tag="))):
        key, _, value = flag.split("=", 1)[1].partition("=")
        assert key in labels and (not value or labels[key] == value)


def test_iam_refusing_says_which_roles_kops_needs(fake):
    with pytest.raises(Exception) as refused:
        project_iam_binding.get_policy(GCE("not-ours", "us-test1"), "not-ours")
    assert status(refused.value) == 403
    assert "Project IAM Admin" in ERRORS.explain(refused.value)
