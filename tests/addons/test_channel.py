"""The bootstrap channel ``kops update cluster`` writes to the state store, driven through the CLI as a user would."""

from __future__ import annotations

import hashlib
import json

import yaml

CLUSTER = "addons.example.com"
PUBLIC_AWS_CALICO = {
    "aws-cloud-controller.addons.k8s.io", "aws-ebs-csi-driver.addons.k8s.io", "coredns.addons.k8s.io",
    "dns-controller.addons.k8s.io", "kubelet-api.rbac.addons.k8s.io", "limit-range.addons.k8s.io",
    "networking.projectcalico.org", "node-termination-handler.aws", "storage-aws.addons.k8s.io",
}


def _names(channel):
    return {a["name"] for a in channel["spec"]["addons"]}


def test_channel_of_an_aws_cluster_with_public_dns(created, updated, store_root, schema_problems):
    created("--dns-zone", "example.com")
    channel = updated()
    assert (channel["apiVersion"], channel["kind"], channel["metadata"]["name"]) == (
        "addons.k8s.io/v1alpha1", "Addons", "bootstrap")
    assert _names(channel) == PUBLIC_AWS_CALICO
    completed = yaml.safe_load((store_root / CLUSTER / "cluster-completed.spec").read_text())
    minor = ".".join(completed["spec"]["kubernetesVersion"].lstrip("v").split(".")[:2])
    for entry in channel["spec"]["addons"]:
        name = entry["name"]
        assert entry["id"] == f"k8s-{minor}"
        assert entry["manifest"] == f"{name}/k8s-{minor}.yaml"
        assert entry["version"]
        manifest = (store_root / CLUSTER / "addons" / entry["manifest"]).read_bytes()
        assert entry["manifestHash"] == hashlib.sha256(manifest).hexdigest()
        assert schema_problems(manifest.decode(), minor) == [], name
        for obj in yaml.safe_load_all(manifest):
            labels = obj["metadata"]["labels"]
            assert labels["addon.kops.k8s.io/name"] == name
            assert labels["app.kubernetes.io/managed-by"] == "kops"
            assert entry["selector"].items() <= labels.items()


def test_without_dns_there_is_no_dns_controller(created, updated):
    created("--dns", "none")
    names = _names(updated())
    assert "dns-controller.addons.k8s.io" not in names
    assert "coredns.addons.k8s.io" in names


def test_an_addon_switched_off_leaves_the_channel_on_the_next_update(kops, created, updated, store_root):
    created("--dns-zone", "example.com")
    assert "storage-aws.addons.k8s.io" in _names(updated())
    r = kops("edit", "cluster", CLUSTER, "--set", "spec.cloudConfig.manageStorageClasses=false")
    assert r.code == 0, r.err
    channel = updated()
    assert _names(channel) == PUBLIC_AWS_CALICO - {"storage-aws.addons.k8s.io"}
    assert not any(a["manifest"].startswith("storage-aws.addons.k8s.io/") for a in channel["spec"]["addons"])
    # Every manifest the channel names is there, and matches.
    for entry in channel["spec"]["addons"]:
        data = (store_root / CLUSTER / "addons" / entry["manifest"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["manifestHash"]


def test_toolbox_lists_each_addon_with_its_source(kops, created):
    created("--dns-zone", "example.com")
    r = kops("toolbox", "addons", "list", CLUSTER, "-o", "json")
    assert r.code == 0, r.err
    sources = {a["name"]: a["source"] for a in json.loads(r.out)}
    assert set(sources) == PUBLIC_AWS_CALICO
    assert {sources[n] for n in ("coredns.addons.k8s.io", "dns-controller.addons.k8s.io",
                                 "kubelet-api.rbac.addons.k8s.io", "limit-range.addons.k8s.io")} == {"core"}
    assert {sources[n] for n in ("aws-cloud-controller.addons.k8s.io", "aws-ebs-csi-driver.addons.k8s.io",
                                 "storage-aws.addons.k8s.io")} == {"aws"}
    assert sources["networking.projectcalico.org"] == "calico"
    table = kops("toolbox", "addons", "list", CLUSTER).out.splitlines()
    assert table[0].split() == ["NAME", "VERSION", "SOURCE"]
    assert ["coredns.addons.k8s.io", "v1.14.2", "core"] in [line.split() for line in table]


def test_custom_addons_from_the_spec_join_the_channel(kops, created, updated, store_root, tmp_path):
    custom = tmp_path / "custom"
    (custom / "banner.example.com").mkdir(parents=True)
    (custom / "banner.example.com" / "v1.2.0.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: banner, namespace: kube-system}\ndata: {text: hello}\n")
    (custom / "channel.yaml").write_text(yaml.safe_dump({"kind": "Addons", "metadata": {"name": "custom"}, "spec": {
        "addons": [{"name": "banner.example.com", "version": "1.2.0", "selector": {"k8s-addon": "banner.example.com"},
                    "manifest": "banner.example.com/v1.2.0.yaml"}]}}))
    created("--dns-zone", "example.com")
    spec = yaml.safe_load(kops("get", "cluster", CLUSTER, "-o", "yaml").out)
    spec["spec"]["addons"] = [{"manifest": f"file://{custom}/channel.yaml"}]
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(spec))
    r = kops("replace", "-f", str(tmp_path / "cluster.yaml"))
    assert r.code == 0, r.err

    channel = updated()
    entry = next(a for a in channel["spec"]["addons"] if a["name"] == "banner.example.com")
    assert entry["version"] == "1.2.0"
    stored = yaml.safe_load((store_root / CLUSTER / "addons" / entry["manifest"]).read_text())
    assert stored["data"] == {"text": "hello"}
    assert stored["metadata"]["labels"]["k8s-addon"] == "banner.example.com"
    listed = {a["name"]: a["source"] for a in json.loads(kops("toolbox", "addons", "list", CLUSTER, "-o", "json").out)}
    assert listed["banner.example.com"] == "spec"


def test_a_missing_custom_channel_is_named(kops, created, tmp_path):
    created("--dns-zone", "example.com")
    spec = yaml.safe_load(kops("get", "cluster", CLUSTER, "-o", "yaml").out)
    spec["spec"]["addons"] = [{"manifest": f"file://{tmp_path}/nowhere/channel.yaml"}]
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(spec))
    assert kops("replace", "-f", str(tmp_path / "cluster.yaml")).code == 0
    r = kops("update", "cluster", CLUSTER, "--target", "terraform", "--out", str(tmp_path / "tf"))
    assert r.code == 1
    assert "spec.addons[0].manifest" in r.err and "does not exist" in r.err
