"""The parts nodeup is built from: flags, containerd's TOML, hook units, archives, the hash catalog, reading
the configuration from a state store."""

from __future__ import annotations

import io
import tarfile
import tomllib

import pytest
from kops.errors import KopsError


def test_flags_follow_the_components_conventions():
    from kops.nodeup import flagnames
    from kops.nodeup.flags import build_flags

    flags = build_flags({
        "allowPrivileged": True, "anonymousAuth": False, "logLevel": 0, "securePort": 443, "image": "not-a-flag",
        "enableAdmissionPlugins": ["NodeRestriction", "ServiceAccount"], "featureGates": {"B": "false", "A": "true"},
        "serviceAccountKeyFile": ["/a.pub", "/b.pub"], "auditPolicyFile": "",
    }, flagnames.KUBE_APISERVER)
    assert flags == ["--allow-privileged=true", "--anonymous-auth=false",
                     "--enable-admission-plugins=NodeRestriction,ServiceAccount", "--feature-gates=A=true,B=false",
                     "--secure-port=443", "--service-account-key-file=/a.pub", "--service-account-key-file=/b.pub"]
    assert build_flags({"leaderElection": {"leaderElect": True}, "logLevel": 2}, flagnames.KUBE_SCHEDULER) == \
        ["--leader-elect=true", "--v=2"]


def test_containerd_configuration_is_toml_with_additions_on_top():
    from kops.nodeup.containerd import config_toml

    text = config_toml({"version": "2.1.4", "sandboxImage": "registry.k8s.io/pause:3.10.1",
                        "registryMirrors": {"docker.io": ["https://mirror.example"]},
                        "configAdditions": {'plugins."io.containerd.grpc.v1.cri".enable_cdi': "true",
                                            "debug.level": "info", "timeouts.\"x.y\"": 5}}, uses_kubenet=True)
    config = tomllib.loads(text)
    assert config["version"] == 3
    runtime = config["plugins"]["io.containerd.cri.v1.runtime"]
    assert runtime["containerd"]["runtimes"]["runc"]["options"]["SystemdCgroup"] is True
    assert runtime["cni"]["conf_template"] == "/etc/containerd/config-cni.template"
    assert config["plugins"]["io.containerd.cri.v1.images"] == {
        "pinned_images": {"sandbox": "registry.k8s.io/pause:3.10.1"},
        "registry": {"config_path": "/etc/containerd/certs.d"}}
    assert config["plugins"]["io.containerd.grpc.v1.cri"]["enable_cdi"] is True
    assert config["debug"] == {"level": "info"} and config["timeouts"] == {"x.y": 5}
    assert tomllib.loads(config_toml({"version": "2.3.4"}, uses_kubenet=False))["version"] == 4
    with pytest.raises(KopsError, match="configAdditions: invalid key"):
        config_toml({"configAdditions": {"a..b": "x"}}, uses_kubenet=False)


def test_hook_units_named_filtered_and_deduplicated():
    from kops.nodeup.units import hook_units

    units = dict(hook_units([
        [{"manifest": "ExecStart=/bin/group"}, {"name": "shared", "manifest": "ExecStart=/bin/group-shared"}],
        [{"manifest": "ExecStart=/bin/cluster"}, {"name": "shared", "manifest": "ExecStart=/bin/cluster-shared"},
         {"name": "raw.timer", "useRawManifest": True, "manifest": "[Timer]\nOnCalendar=daily"},
         {"name": "off", "disabled": True, "manifest": "ExecStart=/bin/off"}],
    ], "/usr/local/bin/ctr"))
    assert set(units) == {"kops-hook-0-ig.service", "shared.service", "kops-hook-0.service", "raw.timer",
                          "off.service"}
    assert "/bin/group-shared" in units["shared.service"]
    assert units["raw.timer"] == "[Timer]\nOnCalendar=daily\n"
    assert units["off.service"] is None
    with pytest.raises(KopsError, match="hook broken.service: set manifest"):
        hook_units([[{"name": "broken"}]], "ctr")


def test_archives_never_write_outside_their_folder(tmp_path):
    from kops.nodeup.archives import unpack

    tarball = tmp_path / "evil.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name in ("../../escape", "/etc/passwd", "./ok"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    found = unpack(tarball, tmp_path / "out", lambda p: p.name if len(p.parts) == 1 else None, "test")
    assert set(found) == {"ok"}
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["evil.tgz", "ok"]
    (tmp_path / "broken.tgz").write_bytes(b"not a tarball")
    with pytest.raises(KopsError, match="test: cannot unpack the archive"):
        unpack(tmp_path / "broken.tgz", tmp_path / "x", lambda p: p.name, "test")


def test_catalog_overrides_and_errors(tmp_path, monkeypatch):
    from kops.assets import ASSET_HASHES_ENV, load_catalog

    site = tmp_path / "site.yaml"
    site.write_text("components:\n  kubelet:\n    sha256:\n      1.35.7: {amd64: " + "a" * 64 + "}\n"
                    "      9.9.9: {amd64: " + "b" * 64 + ", arm64: " + "c" * 64 + "}\n")
    monkeypatch.setenv(ASSET_HASHES_ENV, str(site))
    catalog = load_catalog()
    assert catalog.sha256("kubelet", "1.35.7", "amd64") == "a" * 64
    assert catalog.sha256("kubelet", "1.35.7", "arm64") == load_catalog([]).sha256("kubelet", "1.35.7", "arm64")
    assert catalog.url("kubelet", "9.9.9", "arm64") == "https://dl.k8s.io/release/v9.9.9/bin/linux/arm64/kubelet"
    with pytest.raises(KopsError, match=r"^kubelet 1\.0\.0: no sha256 in the hash catalog, .*185 versions, 1\.24\.0 to 9\.9\.9"):
        catalog.sha256("kubelet", "1.0.0", "amd64")
    with pytest.raises(KopsError, match="no component 'etcd'"):
        catalog.sha256("etcd", "3.6.0", "amd64")
    for bad, message in (("components: [1]", "expected a mapping"),
                         ("components:\n  x:\n    url: https://x/{version}\n", "must contain"),
                         ("components:\n  x:\n    sha256:\n      1.0.0: {amd64: xyz}\n", "64 hexadecimal"),
                         ("components:\n  x:\n    sha256:\n      1.0.0: {s390x: " + "a" * 64 + "}\n", "architecture")):
        site.write_text(bad)
        with pytest.raises(KopsError, match=message):
            load_catalog()
    monkeypatch.setenv(ASSET_HASHES_ENV, str(tmp_path / "missing.yaml"))
    with pytest.raises(KopsError, match=f"{ASSET_HASHES_ENV}: cannot read"):
        load_catalog()


def test_pinned_packages_and_file_repository():
    from kops.assets import load_catalog
    from kops.nodeup.assets import node_assets

    spec = {"kubernetesVersion": "v1.34.2", "assets": {"fileRepository": "https://mirror.example/files/"},
            "networking": {"calico": {}},
            "containerd": {"version": "2.2.1", "packages": {"urlAmd64": "https://example/c.tgz",
                                                            "hashAmd64": "D" * 64},
                           "runc": {"version": "1.3.4"}}}
    assets = node_assets(spec, load_catalog([]))
    amd64 = {a["name"]: a for a in assets["amd64"]}
    assert list(amd64) == ["kubelet", "kubectl", "containerd", "runc"]  # Calico brings its own CNI plugins
    assert amd64["kubelet"]["url"] == "https://mirror.example/files/release/v1.34.2/bin/linux/amd64/kubelet"
    assert amd64["containerd"] == {"name": "containerd", "version": "2.2.1",
                                   "url": "https://mirror.example/files/c.tgz", "sha256": "d" * 64}
    arm64 = {a["name"]: a for a in assets["arm64"]}
    assert arm64["containerd"]["url"].endswith("/containerd/containerd/releases/download/v2.2.1/"
                                               "containerd-2.2.1-linux-arm64.tar.gz")
    spec["containerd"]["packages"] = {"urlArm64": "https://example/c.tgz"}
    with pytest.raises(KopsError, match="urlArm64 and hashArm64 must be set together"):
        node_assets(spec, load_catalog([]))


def test_configuration_read_from_a_state_store_url():
    from kops.nodeup.fetch import read_config
    from kops.state import open_store

    store = open_store("memfs://nodeup-read")
    path = "c.example.com/igconfig/node/nodes/nodeupconfig.yaml"
    store.write(path, b"ClusterName: c.example.com\nKubernetesVersion: 1.35.7\nConfigBase: memfs://nodeup-read/c\n"
                      b"Assets: {}\nKubeletConfig: {}\n")
    assert read_config(f"memfs://nodeup-read/{path}")["ClusterName"] == "c.example.com"
    with pytest.raises(KopsError, match="not found"):
        read_config("memfs://nodeup-read/c.example.com/igconfig/node/other/nodeupconfig.yaml")
