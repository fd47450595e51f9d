"""What ``kops update cluster`` stores for nodes: nodeup configurations and etcd-manager pods."""

from __future__ import annotations

import re

import yaml

from ..conftest import FIXTURES

CP, NODES = "control-plane-us-east-1a", "nodes-us-east-1a"
COMPONENTS = ("kubelet", "kubectl", "cni-plugins", "containerd", "runc")


def test_control_plane_config_has_versions_components_assets_and_ca_certificates(lab, cluster):
    config = lab.config(cluster, CP)
    completed = yaml.safe_load((lab.store / cluster / "cluster-completed.spec").read_text())["spec"]
    k8s = completed["kubernetesVersion"].lstrip("v")
    assert config["KubernetesVersion"] == k8s
    assert config["ConfigBase"] == f"file://{lab.store}/{cluster}"
    assert config["APIServerConfig"]["KubeAPIServer"] == completed["kubeAPIServer"]
    assert config["ControlPlaneConfig"] == {"KubeControllerManager": completed["kubeControllerManager"],
                                            "KubeScheduler": completed["kubeScheduler"]}
    assert config["KubeProxy"] == completed["kubeProxy"]
    assert config["containerdConfig"] == completed["containerd"]
    assert config["KubeletConfig"]["taints"] == ["node-role.kubernetes.io/control-plane=:NoSchedule"]
    assert config["KubeletConfig"]["nodeLabels"]["kops.k8s.io/instancegroup"] == CP
    assert config["EtcdClusterNames"] == ["main", "events"]
    assert config["etcdManifests"] == [f"file://{lab.store}/{cluster}/manifests/etcd/{e}-{CP}.yaml"
                                       for e in ("main", "events")]
    # Every asset from the mirror, at the real file's path, with the hash the site's catalog gives it.
    catalog = yaml.safe_load((lab.tmp / "hashes.yaml").read_text())["components"]
    for arch in ("amd64", "arm64"):
        assets = config["Assets"][arch]
        assert [a["name"] for a in assets] == list(COMPONENTS)
        for asset in assets:
            assert asset["url"].startswith(lab.mirror_url + "/")
            assert (lab.mirror / asset["url"][len(lab.mirror_url) + 1:]).is_file()
            assert asset["sha256"] == catalog[asset["name"]]["sha256"][asset["version"]][arch]
    assert {a["version"] for a in config["Assets"]["amd64"] if a["name"] in ("kubelet", "kubectl")} == {k8s}
    # CA bundles are certificates, one per CA the control plane trusts; the keysets' IDs go with them.
    assert set(config["CAs"]) == {"kubernetes-ca", "apiserver-aggregator-ca", "etcd-clients-ca",
                                  "etcd-manager-ca-main", "etcd-peers-ca-main", "etcd-manager-ca-events",
                                  "etcd-peers-ca-events"}
    for bundle in config["CAs"].values():
        assert bundle.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE" not in bundle
    assert set(config["KeypairIDs"]) == set(config["CAs"]) | {"service-account"}
    assert "PUBLIC KEY" in config["APIServerConfig"]["ServiceAccountPublicKeys"]


def test_node_config_has_no_control_plane_components(lab, cluster):
    config = lab.config(cluster, NODES)
    for key in ("APIServerConfig", "ControlPlaneConfig", "EtcdClusterNames", "etcdManifests", "configStore"):
        assert key not in config
    assert set(config["CAs"]) == {"kubernetes-ca"} and set(config["KeypairIDs"]) == {"kubernetes-ca"}
    assert config["KubeletConfig"]["nodeLabels"] == {"kops.k8s.io/instancegroup": NODES,
                                                     "node-role.kubernetes.io/node": ""}
    assert "taints" not in config["KubeletConfig"]
    assert "KubeProxy" in config
    assert config["Assets"] == lab.config(cluster, CP)["Assets"]


def test_nothing_stored_for_nodes_holds_a_private_key(lab, cluster):
    stored = [p for folder in ("igconfig", "manifests") for p in (lab.store / cluster / folder).rglob("*")
              if p.is_file()]
    assert len(stored) == 4  # two nodeup configurations, two etcd-manager pods
    for path in stored:
        assert "PRIVATE KEY" not in path.read_text(), path


def test_etcd_manager_pods_back_up_to_the_state_store(lab, cluster):
    for etcd in ("main", "events"):
        pod = yaml.safe_load((lab.store / cluster / "manifests" / "etcd" / f"{etcd}-{CP}.yaml").read_text())
        assert pod["metadata"]["name"] == f"etcd-manager-{etcd}"
        args = pod["spec"]["containers"][0]["args"]
        assert f"--backup-store=file://{lab.store}/{cluster}/backups/etcd/{etcd}" in args
        control = lab.store / cluster / "backups" / "etcd" / etcd / "control" / "etcd-cluster-spec"
        assert yaml.safe_load(control.read_text())["memberCount"] == 1


def test_kube_proxy_left_out_when_the_networking_replaces_it(lab):
    name = lab.create_cluster("no-proxy.example.com", "spec.kubeProxy.enabled=false")
    for group in (CP, NODES):
        assert "KubeProxy" not in lab.config(name, group)


def test_a_version_missing_from_the_hash_catalog_stops_the_update(lab):
    name = "unknown-containerd.example.com"
    lab.ok("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni")
    lab.ok("edit", "cluster", name, "--set", "spec.containerd.version=2.0.0")
    r = lab.kops("update", "cluster", name, "--target", "terraform", "--out", str(lab.tmp / "tf-unknown"), "--yes")
    assert r.code == 1
    assert "containerd 2.0.0: no sha256 in the hash catalog" in r.err and "KOPS_ASSET_HASHES" in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert not (lab.store / name / "igconfig").exists()


def test_shipped_catalog_agrees_with_upstream_nodeup_configs():
    """Every kubelet, kubectl, containerd, runc and CNI download upstream's fixtures list has the same sha256
    in the shipped catalog."""
    from kops.assets import load_catalog
    from kops.testing import upstream

    upstream.require()
    catalog = load_catalog([])
    patterns = {name: _pattern(comp.url) for name, comp in catalog.components.items()}
    checked = 0
    for path in FIXTURES.glob("update_cluster/*/data/*nodeupconfig*"):
        for digest, url in re.findall(r"([0-9a-f]{64})@(\S+)", path.read_text()):
            for name, pattern in patterns.items():
                m = pattern.match(url)
                if m:
                    assert catalog.sha256(name, m["v"], m["a"]) == digest, url
                    checked += 1
    assert checked > 500


def _pattern(template: str) -> re.Pattern[str]:
    """A regex matching ``template``'s URLs; a placeholder used twice must match the same text twice."""
    out, seen = "^", set()
    for part in re.split(r"(\{version\}|\{arch\})", template):
        key = {"{version}": "v", "{arch}": "a"}.get(part)
        if key is None:
            out += re.escape(part)
        elif key in seen:
            out += f"(?P={key})"
        else:
            seen.add(key)
            out += f"(?P<{key}>[^/]+?)" if key == "v" else "(?P<a>amd64|arm64)"
    return re.compile(out + "$")
