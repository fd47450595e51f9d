"""Applying the stored channel to a running cluster (a fake API server on loopback): every object once with
server-side apply, versions recorded on kube-system, and nothing sent again until an add-on changes."""

from __future__ import annotations

import json

import pytest
import yaml
from kops.addons.apply import apply_channel
from kops.addons.channel import CHANNEL_PATH, channel_files
from kops.errors import KopsError

CLUSTER = "addons.example.com"


@pytest.fixture
def store():
    import uuid

    from kops.state import open_store

    return open_store(f"memfs://apply-{uuid.uuid4().hex}")


@pytest.fixture
def publish(store):
    """``publish(cluster)``: write a completed cluster's channel to the store, as kops update cluster does."""

    def write(cluster) -> dict[str, bytes]:
        files = channel_files(cluster)
        store.commit({f"{CLUSTER}/{path}": data for path, data in files.items()})
        return files

    return write


def _objects_in(files: dict[str, bytes]) -> list[tuple[str, str, str]]:
    found = []
    for path, data in files.items():
        if path != CHANNEL_PATH:
            found += [(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])
                      for d in yaml.safe_load_all(data) if d]
    return found


def _applied(api) -> list[tuple[str, str, str]]:
    return [(r.body["kind"], r.body["metadata"].get("namespace", ""), r.body["metadata"]["name"])
            for r in api.applies()]


def _records(api) -> dict[str, dict]:
    annotations = api.get("v1", "Namespace", "kube-system")["metadata"].get("annotations", {})
    return {k.removeprefix("addons.k8s.io/"): json.loads(v) for k, v in annotations.items()
            if k.startswith("addons.k8s.io/")}


def test_every_object_is_applied_once_and_each_version_recorded(store, publish, completed, fake_api):
    files = publish(completed())
    results = apply_channel(store, CLUSTER, fake_api.api_client())

    assert sorted(_applied(fake_api)) == sorted(_objects_in(files))
    assert len(set(_applied(fake_api))) == len(_applied(fake_api))
    for request in fake_api.applies():
        assert request.query["fieldManager"] == ["kops"]
        assert request.query["force"] == ["true"]
        assert request.status in (200, 201)
    channel = {a["name"]: a for a in yaml.safe_load(files[CHANNEL_PATH])["spec"]["addons"]}
    assert {r.name: r.action for r in results} == dict.fromkeys(channel, "applied")
    records = _records(fake_api)
    assert set(records) == set(channel)
    for name, record in records.items():
        assert (record["version"], record["id"], record["manifestHash"]) == (
            channel[name]["version"], channel[name]["id"], channel[name]["manifestHash"])
        assert record["channel"] == f"{store.url}/{CLUSTER}/{CHANNEL_PATH}"
    # The objects are in the cluster as sent, cluster-scoped ones included.
    deployment = fake_api.get("apps/v1", "Deployment", "coredns", "kube-system")
    assert deployment["metadata"]["labels"]["addon.kops.k8s.io/name"] == "coredns.addons.k8s.io"
    assert fake_api.get("storage.k8s.io/v1", "StorageClass", "kops-csi-1-21") is not None
    # Kinds defined by the add-ons' own CustomResourceDefinitions are served afterwards.
    assert fake_api.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "ippools.crd.projectcalico.org")


def test_a_second_apply_sends_no_object(store, publish, completed, fake_api):
    publish(completed())
    client = fake_api.api_client()
    apply_channel(store, CLUSTER, client)
    before = len(fake_api.requests)
    results = apply_channel(store, CLUSTER, client)
    assert {r.action for r in results} == {"unchanged"}
    assert [(r.method, r.path) for r in fake_api.requests[before:]] == [("GET", "/api/v1/namespaces/kube-system")]


def test_a_changed_addon_is_the_only_one_applied_again(store, publish, completed, fake_api):
    publish(completed())
    client = fake_api.api_client()
    apply_channel(store, CLUSTER, client)
    old = _records(fake_api)
    already = len(fake_api.applies())

    publish(completed(kubeDNS={"cpuRequest": "200m"}))
    results = apply_channel(store, CLUSTER, client)

    assert [r.name for r in results if r.action == "applied"] == ["coredns.addons.k8s.io"]
    resent = fake_api.applies()[already:]
    assert {r.body["metadata"]["labels"]["addon.kops.k8s.io/name"] for r in resent} == {"coredns.addons.k8s.io"}
    coredns = fake_api.get("apps/v1", "Deployment", "coredns", "kube-system")
    assert coredns["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "200m"
    new = _records(fake_api)
    assert new["coredns.addons.k8s.io"]["manifestHash"] != old["coredns.addons.k8s.io"]["manifestHash"]
    assert {k: v for k, v in new.items() if k != "coredns.addons.k8s.io"} == {
        k: v for k, v in old.items() if k != "coredns.addons.k8s.io"}


def test_a_new_version_on_record_is_applied_again(store, publish, completed, fake_api):
    """A record that differs only in version (written by another kops) makes the add-on apply again."""
    publish(completed())
    client = fake_api.api_client()
    apply_channel(store, CLUSTER, client)
    record = _records(fake_api)["limit-range.addons.k8s.io"]
    fake_api.handle("PATCH", "/api/v1/namespaces/kube-system", {}, "application/merge-patch+json", {
        "metadata": {"annotations": {"addons.k8s.io/limit-range.addons.k8s.io": json.dumps({**record,
                                                                                             "version": "1.4.0"})}}})
    results = apply_channel(store, CLUSTER, client)
    assert [r.name for r in results if r.action == "applied"] == ["limit-range.addons.k8s.io"]
    assert _records(fake_api)["limit-range.addons.k8s.io"]["version"] == "1.5.0"


def test_a_manifest_changed_behind_the_channels_back_is_refused(store, publish, completed, fake_api):
    files = publish(completed())
    path = next(p for p in files if p.startswith("addons/limit-range.addons.k8s.io/"))
    store.write(f"{CLUSTER}/{path}", files[path] + b"# edited\n")
    with pytest.raises(KopsError, match="does not match the channel's manifestHash"):
        apply_channel(store, CLUSTER, fake_api.api_client())


def test_a_kind_the_cluster_does_not_serve_is_named(store, fake_api):
    manifest = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n"
    store.commit({f"{CLUSTER}/{CHANNEL_PATH}": yaml.safe_dump({"kind": "Addons", "spec": {"addons": [
                      {"name": "widget.example.com", "version": "1", "manifest": "widget.example.com/k8s-1.35.yaml"}]}}
                  ).encode(),
                  f"{CLUSTER}/addons/widget.example.com/k8s-1.35.yaml": manifest.encode()})
    with pytest.raises(KopsError, match="widget.example.com: Widget w: the cluster serves no Widget in example.com/v1"):
        apply_channel(store, CLUSTER, fake_api.api_client())


def test_no_channel_yet_is_explained(store, fake_api):
    with pytest.raises(KopsError, match="no add-on channel"):
        apply_channel(store, CLUSTER, fake_api.api_client())


def test_toolbox_addons_apply_uses_the_kubeconfig_context_named_after_the_cluster(kops, created, updated,
                                                                                   fake_api, tmp_path):
    created("--dns-zone", "example.com")
    channel = updated()
    kubeconfig = fake_api.kubeconfig(CLUSTER)
    # Another context is current: the one named after the cluster must still be chosen.
    kubeconfig["contexts"].append({"name": "elsewhere", "context": {"cluster": "nowhere", "user": CLUSTER}})
    kubeconfig["clusters"].append({"name": "nowhere", "cluster": {"server": "http://127.0.0.1:9"}})
    kubeconfig["current-context"] = "elsewhere"
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(kubeconfig))

    r = kops("toolbox", "addons", "apply", CLUSTER, "--kubeconfig", str(tmp_path / "kubeconfig"))
    assert r.code == 0, r.err
    rows = {line.split()[0]: line.split()[2] for line in r.out.splitlines()[1:]}
    assert rows == {a["name"]: "applied" for a in channel["spec"]["addons"]}
    assert set(_records(fake_api)) == set(rows)

    again = kops("toolbox", "addons", "apply", CLUSTER, "--kubeconfig", str(tmp_path / "kubeconfig"))
    assert {line.split()[2] for line in again.out.splitlines()[1:]} == {"unchanged"}


def test_help_does_not_import_the_kubernetes_client(kops_env):
    import subprocess
    import sys
    from pathlib import Path

    kops = str(Path(sys.executable).with_name("kops"))
    p = subprocess.run([sys.executable, "-X", "importtime", kops, "--help"], env=kops_env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0
    imported = {line.split("|")[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}
    assert not {m for m in imported if m == "kubernetes" or m.startswith("kubernetes.")}
