"""``kops get assets [--copy]``: every file and image the cluster's machines fetch, canonical and download locations,
files with their sha256; ``--copy`` fills the file repository, after which nodeup installs from it alone."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import yaml

from .test_nodeup_run import CP, NODES, _files


def _assets(lab, cluster: str, *args: str, env: dict | None = None) -> dict:
    r = lab.kops("get", "assets", cluster, "-o", "json", *args, env=env)
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_files_and_images_of_a_cluster_with_a_file_repository(lab, cluster):
    assets = _assets(lab, cluster)
    config = lab.config(cluster, NODES)
    version = config["KubernetesVersion"]
    installed = {a["url"]: a["sha256"] for arch in ("amd64", "arm64") for a in config["Assets"][arch]}
    files = {f["download"]: f for f in assets["files"]}
    for url, sha in installed.items():  # each under the mirror, at its canonical path
        assert files[url]["sha"] == sha and url.startswith(lab.mirror_url)
        assert urlsplit(files[url]["canonical"]).path == urlsplit(url).path
    kubelet = next(f for f in assets["files"] if f["canonical"].endswith("/amd64/kubelet"))
    assert kubelet["canonical"] == f"https://dl.k8s.io/release/v{version}/bin/linux/amd64/kubelet"
    assert kubelet["download"] == f"{lab.mirror_url}/release/v{version}/bin/linux/amd64/kubelet"
    # The node bundle, as stored, pinned by what the manifest says.
    bundle = [f for f in assets["files"] if "/nodeup/bundle/" in f["canonical"]]
    assert [urlsplit(f["canonical"]).path.rsplit("/", 1)[-1] for f in bundle] == ["manifest.json", "files.json"]
    for f in bundle:
        stored = lab.store / urlsplit(f["canonical"]).path[len(str(lab.store)) + 1:]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == f["sha"]
    images = {i["canonical"] for i in assets["images"]}
    assert {f"registry.k8s.io/{c}:v{version}" for c in ("kube-apiserver", "kube-controller-manager", "kube-scheduler",
                                                         "kube-proxy")} <= images
    assert any(i.startswith("registry.k8s.io/etcd-manager/etcd-manager-slim:") for i in images)
    assert any(i.startswith("registry.k8s.io/coredns/coredns:") for i in images)
    assert all(i["canonical"] == i["download"] for i in assets["images"])
    table = lab.kops("get", "assets", cluster).out
    assert table.splitlines()[1].split() == ["CANONICAL", "DOWNLOAD"] and "   SHA" in table


def test_images_move_to_the_container_registry(lab):
    name = lab.create_cluster("registry.example.com", "spec.assets.containerRegistry=mirror.example.com:5000")
    version = lab.config(name, CP)["KubernetesVersion"]
    images = {i["canonical"]: i["download"] for i in _assets(lab, name)["images"]}
    assert images[f"registry.k8s.io/kube-apiserver:v{version}"] == f"mirror.example.com:5000/kube-apiserver:v{version}"
    assert images["registry.k8s.io/pause:3.10.1"] == "mirror.example.com:5000/pause:3.10.1"
    assert all(d.startswith("mirror.example.com:5000/") for d in images.values())


def test_copy_fills_the_file_repository_and_nodeup_installs_from_it(lab, tmp_path):
    from kops.testing.mirror import served_from

    catalog = yaml.safe_load((lab.tmp / "hashes.yaml").read_text())
    (tmp_path / "hashes.yaml").write_text(yaml.safe_dump(served_from(catalog, lab.mirror_url)))
    env = {"KOPS_ASSET_HASHES": str(tmp_path / "hashes.yaml")}
    repository = tmp_path / "repository"
    name = "copy.example.com"
    lab.ok("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni")
    lab.ok("edit", "cluster", name, "--set", f"spec.assets.fileRepository={repository.as_uri()}")
    r = lab.kops("update", "cluster", name, "--target", "terraform", "--out", str(tmp_path / "tf"), "--yes", env=env)
    assert r.code == 0, r.err
    copied = lab.kops("get", "assets", name, "--copy", env=env)
    assert copied.code == 0, copied.err
    files = [f for f in _assets(lab, name, env=env)["files"] if f["canonical"] != f["download"]]
    assert len(files) == 10  # kubelet, kubectl, CNI plugins, containerd and runc, for amd64 and arm64
    for f in files:
        assert f["canonical"].startswith(lab.mirror_url) and f["download"].startswith(repository.as_uri())
        assert hashlib.sha256((repository / f["download"][len(repository.as_uri()) + 1:]).read_bytes()).hexdigest() \
            == f["sha"]
        assert f"{f['download']}: copied from {f['canonical']}" in copied.err
    assert "images are not copied: spec.assets.containerRegistry is not set" in copied.err
    again = lab.kops("get", "assets", name, "--copy", env=env)
    assert again.err.count(": already there") == 10
    root = tmp_path / "root"
    installed = lab.nodeup(name, CP, root)
    assert installed.code == 0 and "unreachable" not in installed.err, installed.err
    assert b"stand-in kubelet" in _files(root)["/usr/local/bin/kubelet"].read_bytes()


def test_copy_refuses_a_file_that_is_not_the_one_the_catalog_names(lab, tmp_path):
    from kops.testing.mirror import served_from

    catalog = yaml.safe_load((lab.tmp / "hashes.yaml").read_text())
    (tmp_path / "hashes.yaml").write_text(yaml.safe_dump(served_from(catalog, lab.mirror_url)))
    env = {"KOPS_ASSET_HASHES": str(tmp_path / "hashes.yaml")}
    name = "tampered-copy.example.com"
    lab.ok("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni")
    lab.ok("edit", "cluster", name, "--set", f"spec.assets.fileRepository={(tmp_path / 'repository').as_uri()}")
    kubelet = next(f for f in _assets(lab, name, env=env)["files"] if f["canonical"].endswith("/amd64/kubelet"))
    served = lab.mirror / kubelet["canonical"][len(lab.mirror_url) + 1:]
    original = served.read_bytes()
    served.write_bytes(original + b"# tampered\n")
    try:
        r = lab.kops("get", "assets", name, "--copy", env=env)
    finally:
        served.write_bytes(original)
    assert r.code == 1
    assert f"{kubelet['canonical']}: sha256 mismatch: expected {kubelet['sha']}" in r.err
    assert not (tmp_path / "repository" / kubelet["download"].split("/repository/", 1)[1]).exists()
