"""Pruning: each channel entry lists upstream's prune kinds, and applying an add-on deletes the objects its new
manifest dropped, and nothing that is not the add-on's own."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from kops.addons import Addon
from kops.addons.apply import apply_channel
from kops.addons.channel import CHANNEL_PATH, PRUNE_KINDS, Entry, channel_document, channel_files, finish
from kops.testing import upstream

from ..conftest import FIXTURES

CLUSTER = "addons.example.com"
NAME = "widgets.example.com"
UPSTREAM = FIXTURES / "update_cluster" / "aws-lb-controller" / "data"
UPSTREAM_PREFIX = "aws_s3_object_minimal.example.com-addons-"

OWN = {"addon.kops.k8s.io/name": NAME, "app.kubernetes.io/managed-by": "kops"}


def _obj(api_version: str, kind: str, name: str, namespace: str = "", labels: dict[str, str] | None = None,
         **extra: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
    if labels is not None:
        metadata["labels"] = labels
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **extra}


def _config_map(name: str, namespace: str = "kube-system", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return _obj("v1", "ConfigMap", name, namespace, labels, data={"a": "1"})


def _cluster_role(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return _obj("rbac.authorization.k8s.io/v1", "ClusterRole", name, labels=labels, rules=[])


V1 = [_config_map("kept-config"), _config_map("old-config"), _cluster_role("kept-role"), _cluster_role("old-role"),
      _obj("v1", "ServiceAccount", "widgets", "kube-system")]
V2 = [o for o in V1 if o["metadata"]["name"] not in ("old-config", "old-role")]


@pytest.fixture
def store():
    from kops.state import open_store

    return open_store(f"memfs://prune-{uuid.uuid4().hex}")


def _channel(name: str, version: str, objects: list[dict[str, Any]],
             edit: Any = None) -> dict[str, bytes]:
    """The stored channel of one add-on, written by the channel code; ``edit(entry)`` may change the entry."""
    manifest = yaml.safe_dump_all(copy.deepcopy(objects), sort_keys=False)
    addon = Addon(name=name, version=version, manifest=manifest)
    entry = Entry(addon, f"v{version}", finish(addon))
    document = channel_document([entry])
    if edit is not None:
        doc = yaml.safe_load(document)
        edit(doc["spec"]["addons"][0])
        document = yaml.safe_dump(doc, sort_keys=False)
    return {CHANNEL_PATH: document.encode(), f"addons/{entry.location}": entry.manifest.encode()}


def _publish(store, files: dict[str, bytes]) -> None:
    store.commit({f"{CLUSTER}/{path}": data for path, data in files.items()})


def _put(api, obj: dict[str, Any]) -> None:
    """An object someone else created, straight into the fake server."""
    group, _, version = obj["apiVersion"].rpartition("/")
    kind = api.kinds[group, version, obj["kind"]]
    namespace = obj["metadata"].get("namespace", "")
    path = ("/api/v1" if not group else f"/apis/{group}/{version}") + \
        (f"/namespaces/{namespace}" if namespace else "") + f"/{kind.plural}/{obj['metadata']['name']}"
    status, _ = api.handle("PATCH", path, {"fieldManager": ["someone"]}, "application/apply-patch+yaml", obj)
    assert status in (200, 201)


def _names(api, api_version: str, kind: str, namespace: str | None = None) -> set[str]:
    group = api_version.rpartition("/")[0]
    found = api.kinds[group, api_version.rpartition("/")[2], kind]
    return {name for (g, plural, ns, name) in api.objects
            if (g, plural) == (group, found.plural) and (namespace is None or ns == namespace)}


# --- the channel ------------------------------------------------------------------------------------------


def _upstream_entries() -> list[Any]:
    if not upstream.available():
        return upstream.cases("")  # one case, skipped with the reason
    channel = yaml.safe_load((UPSTREAM / f"{UPSTREAM_PREFIX}bootstrap_content").read_text())
    return [pytest.param(entry, id=entry["name"]) for entry in channel["spec"]["addons"] if "prune" in entry]


@pytest.mark.parametrize("upstream", _upstream_entries())
def test_an_entrys_prune_section_is_upstreams(upstream):
    """Upstream's stored manifest, fed through the channel code, gets the prune section upstream wrote for it:
    the fixed kinds (not the manifest's other kinds: CRDs, IngressClass, cert-manager's), scoped to the
    namespaces the manifest uses, sorted by group then kind."""
    stem = upstream["manifest"].removesuffix(".yaml").replace("/", "-")
    manifest = (UPSTREAM / f"{UPSTREAM_PREFIX}{stem}_content").read_text()
    addon = Addon(name=upstream["name"], version="1", manifest=manifest)
    entry = Entry(addon, upstream["id"], finish(addon))
    assert entry.spec()["prune"] == upstream["prune"]


def test_every_entry_of_a_clusters_channel_lists_the_prune_kinds(completed):
    channel = yaml.safe_load(channel_files(completed())[CHANNEL_PATH])
    entries = {entry["name"]: entry for entry in channel["spec"]["addons"]}
    for name, entry in entries.items():
        kinds = entry["prune"]["kinds"]
        assert [(k.get("group", ""), k["kind"]) for k in kinds] == sorted(PRUNE_KINDS), name
        assert {k["labelSelector"] for k in kinds} == {
            f"addon.kops.k8s.io/name={name},app.kubernetes.io/managed-by=kops"}
    coredns = {k["kind"]: k for k in entries["coredns.addons.k8s.io"]["prune"]["kinds"]}
    assert coredns["Deployment"]["namespaces"] == ["kube-system"]
    assert "namespaces" not in coredns["ClusterRole"]  # cluster-scoped
    assert "namespaces" not in coredns["DaemonSet"]  # none in the manifest


# --- applying ---------------------------------------------------------------------------------------------


def test_objects_a_new_version_drops_are_pruned_and_the_kept_ones_remain(store, fake_api):
    client = fake_api.api_client()
    _publish(store, _channel(NAME, "1", V1))
    first = apply_channel(store, CLUSTER, client)
    assert (first[0].action, first[0].pruned) == ("applied", [])
    assert fake_api.deletes() == []
    assert _names(fake_api, "v1", "ConfigMap", "kube-system") >= {"kept-config", "old-config"}

    _publish(store, _channel(NAME, "2", V2))
    second = apply_channel(store, CLUSTER, client)

    assert second[0].pruned == ["ConfigMap kube-system/old-config", "ClusterRole.rbac.authorization.k8s.io old-role"]
    assert fake_api.get("v1", "ConfigMap", "old-config", "kube-system") is None
    assert fake_api.get("rbac.authorization.k8s.io/v1", "ClusterRole", "old-role") is None
    assert fake_api.get("v1", "ConfigMap", "kept-config", "kube-system") is not None
    assert fake_api.get("rbac.authorization.k8s.io/v1", "ClusterRole", "kept-role") is not None
    assert fake_api.get("v1", "ServiceAccount", "widgets", "kube-system") is not None
    assert [(r.path, r.query, r.status) for r in fake_api.deletes()] == [
        ("/api/v1/namespaces/kube-system/configmaps/old-config", {"propagationPolicy": ["Background"]}, 200),
        ("/apis/rbac.authorization.k8s.io/v1/clusterroles/old-role", {"propagationPolicy": ["Background"]}, 200)]
    # Objects are listed by the entry's selector, namespaced kinds only where the manifest has them.
    lists = [r for r in fake_api.requests if r.method == "GET" and "labelSelector" in r.query]
    assert {r.query["labelSelector"][0] for r in lists} == {
        f"addon.kops.k8s.io/name={NAME},app.kubernetes.io/managed-by=kops"}
    paths = {r.path for r in lists}
    assert {"/api/v1/namespaces/kube-system/configmaps", "/api/v1/namespaces/kube-system/serviceaccounts",
            "/api/v1/services", "/apis/rbac.authorization.k8s.io/v1/clusterroles"} <= paths
    assert "/api/v1/configmaps" not in paths
    # Pruning happened before the new version was recorded.
    last_record = max(i for i, r in enumerate(fake_api.requests) if r.content_type == "application/merge-patch+json")
    assert max(i for i, r in enumerate(fake_api.requests) if r.method == "DELETE") < last_record


def test_only_the_addons_own_objects_are_pruned(store, fake_api):
    other = {"addon.kops.k8s.io/name": "other.example.com", "app.kubernetes.io/managed-by": "kops"}
    strangers = [
        _config_map("unlabelled", labels={}),
        _config_map("someone-elses", labels={"app": "x"}),
        _config_map("other-addons", labels=other),
        _config_map("not-managed-by-kops", labels={**OWN, "app.kubernetes.io/managed-by": "helm"}),
        _config_map("own-but-elsewhere", namespace="default", labels=OWN),  # ConfigMaps are pruned in kube-system
        _cluster_role("other-addons-role", labels=other),
        _cluster_role("unlabelled-role", labels={}),
    ]
    for obj in strangers:
        _put(fake_api, obj)
    client = fake_api.api_client()
    _publish(store, _channel(NAME, "1", V1))
    apply_channel(store, CLUSTER, client)
    _publish(store, _channel(NAME, "2", V2))
    assert len(apply_channel(store, CLUSTER, client)[0].pruned) == 2

    assert {"unlabelled", "someone-elses", "other-addons", "not-managed-by-kops"} <= \
        _names(fake_api, "v1", "ConfigMap", "kube-system")
    assert "own-but-elsewhere" in _names(fake_api, "v1", "ConfigMap", "default")
    assert {"other-addons-role", "unlabelled-role"} <= _names(fake_api, "rbac.authorization.k8s.io/v1", "ClusterRole")


def test_a_selector_broader_than_the_addon_deletes_nothing_of_others(store, fake_api):
    """An entry whose selector matches every kops object still prunes only objects labelled for its add-on."""
    def broaden(entry: dict[str, Any]) -> None:
        for kind in entry["prune"]["kinds"]:
            kind["labelSelector"] = "app.kubernetes.io/managed-by=kops"
            kind.pop("namespaces", None)

    _put(fake_api, _config_map("other-addons",
                               labels={"addon.kops.k8s.io/name": "other.example.com",
                                       "app.kubernetes.io/managed-by": "kops"}))
    client = fake_api.api_client()
    _publish(store, _channel(NAME, "1", V1, broaden))
    apply_channel(store, CLUSTER, client)
    _publish(store, _channel(NAME, "2", V2, broaden))
    pruned = apply_channel(store, CLUSTER, client)[0].pruned
    assert pruned == ["ConfigMap kube-system/old-config", "ClusterRole.rbac.authorization.k8s.io old-role"]
    assert fake_api.get("v1", "ConfigMap", "other-addons", "kube-system") is not None


def test_a_prune_kind_the_cluster_does_not_serve_is_skipped(store, fake_api):
    """Karpenter's entry also prunes its custom kinds: skipped while their definitions are not installed, pruned
    once they are; and an unknown kind of a served group is skipped too."""
    def unknown(entry: dict[str, Any]) -> None:
        entry["prune"]["kinds"].insert(0, {"group": "apps", "kind": "Gadget", "labelSelector": "a=b"})

    name = "karpenter.sh"
    own = {"addon.kops.k8s.io/name": name, "app.kubernetes.io/managed-by": "kops"}
    crd = _obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "nodepools.karpenter.sh", spec={
        "group": "karpenter.sh", "scope": "Cluster", "names": {"kind": "NodePool", "plural": "nodepools"},
        "versions": [{"name": "v1", "served": True, "storage": True}]})
    client = fake_api.api_client()
    _publish(store, _channel(name, "1", [_config_map("settings")], unknown))
    kinds = {(k.get("group", ""), k["kind"]) for k in yaml.safe_load(
        store.read(f"{CLUSTER}/{CHANNEL_PATH}").data)["spec"]["addons"][0]["prune"]["kinds"]}
    assert {("karpenter.sh", "NodePool"), ("karpenter.k8s.aws", "EC2NodeClass"), ("apps", "Gadget")} <= kinds
    assert apply_channel(store, CLUSTER, client)[0].pruned == []

    _publish(store, _channel(name, "2", [crd, _obj("karpenter.sh/v1", "NodePool", "old-pool")], unknown))
    assert apply_channel(store, CLUSTER, client)[0].pruned == ["ConfigMap kube-system/settings"]
    assert own.items() <= fake_api.get("karpenter.sh/v1", "NodePool", "old-pool")["metadata"]["labels"].items()
    _put(fake_api, _obj("karpenter.sh/v1", "NodePool", "foreign-pool", labels={}))

    _publish(store, _channel(name, "3", [crd], unknown))
    assert apply_channel(store, CLUSTER, client)[0].pruned == ["NodePool.karpenter.sh old-pool"]
    assert fake_api.get("karpenter.sh/v1", "NodePool", "foreign-pool") is not None


def test_an_entry_without_prune_prunes_nothing(store, fake_api):
    """A channel written before entries had a prune section."""
    def without(entry: dict[str, Any]) -> None:
        del entry["prune"]

    client = fake_api.api_client()
    _publish(store, _channel(NAME, "1", V1, without))
    apply_channel(store, CLUSTER, client)
    _publish(store, _channel(NAME, "2", V2, without))
    assert apply_channel(store, CLUSTER, client)[0].pruned == []
    assert fake_api.get("v1", "ConfigMap", "old-config", "kube-system") is not None
    assert fake_api.deletes() == []


def test_toolbox_addons_apply_counts_and_names_what_it_pruned(kops, store_root, fake_api, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(fake_api.kubeconfig(CLUSTER)))

    def publish(files: dict[str, bytes]) -> None:
        for path, data in files.items():
            target = Path(store_root / CLUSTER / path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    publish(_channel(NAME, "1", V1))
    first = kops("toolbox", "addons", "apply", CLUSTER, "--kubeconfig", str(kubeconfig))
    assert first.code == 0, first.err
    lines = [line.split() for line in first.out.splitlines()]
    assert lines == [["NAME", "VERSION", "ACTION", "OBJECTS", "PRUNED"], [NAME, "1", "applied", "5", "0"]]

    publish(_channel(NAME, "2", V2))
    second = kops("toolbox", "addons", "apply", CLUSTER, "--kubeconfig", str(kubeconfig))
    assert second.code == 0, second.err
    assert [line.split() for line in second.out.splitlines()][1] == [NAME, "2", "applied", "3", "2"]
    assert f"{NAME}: pruned ConfigMap kube-system/old-config" in second.err
    assert f"{NAME}: pruned ClusterRole.rbac.authorization.k8s.io old-role" in second.err
