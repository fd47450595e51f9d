"""``kops nodeup --root``: what a machine of each group gets, and what it refuses."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from cryptography import x509

CP, NODES = "control-plane-us-east-1a", "nodes-us-east-1a"
CONTROL_PLANE_PODS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd-manager-main",
                      "etcd-manager-events")


def _files(root: Path) -> dict[str, Path]:
    return {"/" + str(p.relative_to(root)): p for p in root.rglob("*") if p.is_file()}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_control_plane_gets_valid_static_pods(lab, cluster, control_plane_root):
    version = lab.config(cluster, CP)["KubernetesVersion"]
    manifests = control_plane_root / "etc/kubernetes/manifests"
    assert {p.stem for p in manifests.glob("*.manifest")} == {*CONTROL_PLANE_PODS, "kube-proxy"}
    for path in manifests.glob("*.manifest"):
        pod = yaml.safe_load(path.read_text())
        kubernetes_validate.validate(pod, version, strict=True)
        assert pod["kind"] == "Pod" and pod["metadata"]["name"] == path.stem
    etcd = yaml.safe_load((manifests / "etcd-manager-main.manifest").read_text())
    assert f"--backup-store=file://{lab.store}/{cluster}/backups/etcd/main" in etcd["spec"]["containers"][0]["args"]


def test_static_pods_are_rejected_when_invalid(control_plane_root):
    """The validation above can fail: a misspelt field in a pod is refused by the strict schema."""
    pod = yaml.safe_load((control_plane_root / "etc/kubernetes/manifests/kube-apiserver.manifest").read_text())
    pod["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, "1.35.0", strict=True)


def test_control_plane_gets_binaries_units_and_configuration(lab, control_plane_root):
    files = _files(control_plane_root)
    for name in ("kubelet", "kubectl", "containerd", "ctr", "containerd-shim-runc-v2", "runc"):
        assert _mode(files[f"/usr/local/bin/{name}"]) == 0o755, name
    assert b"stand-in kubelet" in files["/usr/local/bin/kubelet"].read_bytes()
    assert "/usr/local/bin/README.md" not in files
    assert {p for p in files if p.startswith("/opt/cni/bin/")} == {"/opt/cni/bin/bridge", "/opt/cni/bin/loopback",
                                                                    "/opt/cni/bin/portmap"}
    unit = files["/lib/systemd/system/kubelet.service"].read_text()
    assert "ExecStart=/usr/local/bin/kubelet" in unit and "EnvironmentFile=/etc/sysconfig/kubelet" in unit
    assert "ExecStart=/usr/local/bin/containerd -c /etc/containerd/config.toml" in \
        files["/lib/systemd/system/containerd.service"].read_text()
    containerd = tomllib.loads(files["/etc/containerd/config.toml"].read_text())
    runc = containerd["plugins"]["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"]["runc"]
    assert runc["options"]["SystemdCgroup"] is True
    kubelet = yaml.safe_load(files["/var/lib/kubelet/kubelet.conf"].read_text())
    assert kubelet["kind"] == "KubeletConfiguration" and kubelet["staticPodPath"] == "/etc/kubernetes/manifests"
    assert kubelet["registerWithTaints"] == [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    assert "--config=/var/lib/kubelet/kubelet.conf" in files["/etc/sysconfig/kubelet"].read_text()


def test_every_key_file_is_owner_only(control_plane_root):
    files = _files(control_plane_root)
    holding_keys = [p for p, f in files.items() if b"PRIVATE KEY" in f.read_bytes()
                    or b"client-key-data" in f.read_bytes()]
    assert len(holding_keys) >= 20
    assert all(p.endswith((".key", "kubeconfig")) for p in holding_keys), holding_keys
    for path in [*holding_keys, *(p for p in files if p.endswith(".key"))]:
        assert _mode(files[path]) == 0o600, path


def test_certificates_are_issued_by_the_cluster_ca(lab, cluster, control_plane_root):
    srv = control_plane_root / "srv/kubernetes"
    ca = x509.load_pem_x509_certificate((srv / "ca.crt").read_bytes())
    server = x509.load_pem_x509_certificate((srv / "kube-apiserver/server.crt").read_bytes())
    server.verify_directly_issued_by(ca)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert f"api.internal.{cluster}" in names.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"100.64.0.1", "127.0.0.1"}
    etcd_ca = x509.load_pem_x509_certificate((srv / "kube-apiserver/etcd-ca.crt").read_bytes())
    x509.load_pem_x509_certificate((srv / "kube-apiserver/etcd-client.crt").read_bytes()) \
        .verify_directly_issued_by(etcd_ca)
    kubeconfig = yaml.safe_load((control_plane_root / "var/lib/kubelet/kubeconfig").read_text())
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "https://127.0.0.1"


def test_the_api_servers_certificate_names_the_load_balancers_addresses(lab, cluster, tmp_path):
    """A cluster without DNS is reached at its API load balancer's addresses (``ApiserverAdditionalIPs``): the
    certificate must be valid for its host name and its IPs."""
    config = lab.config(cluster, CP)
    config["ApiserverAdditionalIPs"] = ["api-1234.elb.us-east-1.amazonaws.com", "203.0.113.7"]
    path = tmp_path / "nodeupconfig.yaml"
    path.write_text(yaml.safe_dump(config))
    r = lab.kops("nodeup", "--config", path.as_uri(), "--root", str(tmp_path / "root"), "--arch", "amd64")
    assert r.code == 0, r.err
    server = x509.load_pem_x509_certificate((tmp_path / "root/srv/kubernetes/kube-apiserver/server.crt").read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "api-1234.elb.us-east-1.amazonaws.com" in names.get_values_for_type(x509.DNSName)
    assert "203.0.113.7" in {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}


def test_tampered_download_is_refused_and_nothing_installed(lab, cluster, tmp_path):
    asset = next(a for a in lab.config(cluster, NODES)["Assets"]["amd64"] if a["name"] == "kubelet")
    served = lab.mirror / asset["url"][len(lab.mirror_url) + 1:]
    original = served.read_bytes()
    served.write_bytes(original + b"# tampered\n")
    try:
        r = lab.nodeup(cluster, NODES, tmp_path / "root")
    finally:
        served.write_bytes(original)
    assert r.code == 1
    assert f"asset kubelet ({asset['url']}): sha256 mismatch: expected {asset['sha256']}, got " in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert not (tmp_path / "root").exists()


def test_worker_gets_no_control_plane_and_for_inspection_no_credentials_without_the_service(lab, cluster, tmp_path):
    """Under --root, a worker that cannot prove who it is (no cloud here) says so and writes no credentials."""
    r = lab.nodeup(cluster, NODES, tmp_path)
    assert r.code == 0, r.err
    assert "/var/lib/kubelet/kubeconfig and /var/lib/kube-proxy/kubeconfig carry no credentials: cannot prove " \
        "who this machine is to the node credential service" in r.err
    files = _files(tmp_path)
    assert {p.stem for p in (tmp_path / "etc/kubernetes/manifests").iterdir()} == {"kube-proxy"}
    assert not [p for p, f in files.items() if b"PRIVATE KEY" in f.read_bytes()]
    assert "/srv/kubernetes/kube-apiserver/server.crt" not in files
    kubeconfig = yaml.safe_load(files["/var/lib/kubelet/kubeconfig"].read_text())
    assert kubeconfig["users"][0]["user"] == {}
    assert "/lib/systemd/system/kubelet.service" in files and "/usr/local/bin/kubelet" in files


def test_no_kube_proxy_where_the_networking_replaces_it(lab, tmp_path):
    name = lab.create_cluster("no-proxy-run.example.com", "spec.kubeProxy.enabled=false")
    for group in (CP, NODES):
        root = tmp_path / group
        r = lab.nodeup(name, group, root)
        assert r.code == 0, r.err
        assert not (root / "etc/kubernetes/manifests/kube-proxy.manifest").exists()
        assert not (root / "var/lib/kube-proxy").exists()
    assert (tmp_path / CP / "etc/kubernetes/manifests/kube-apiserver.manifest").exists()


def test_hooks_and_file_assets_from_cluster_and_group(lab, tmp_path):
    name = "hooks.example.com"
    lab.ok("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni")
    docs = list(yaml.safe_load_all(lab.ok("get", "cluster", name, "-o", "yaml").out))
    spec = docs[0]["spec"]
    spec["assets"] = {"fileRepository": lab.mirror_url}
    spec["hooks"] = [{"name": "motd.service", "manifest": "Type=oneshot\nExecStart=/bin/echo hello"},
                     {"name": "node-only.service", "roles": ["Node"], "manifest": "ExecStart=/bin/true"},
                     {"name": "gone.service", "disabled": True, "manifest": "ExecStart=/bin/false"},
                     {"execContainer": {"image": "busybox", "command": ["sh", "-c", "echo hi"]}}]
    spec["fileAssets"] = [{"name": "audit", "path": "/etc/kubernetes/audit.yaml", "content": "rules: []\n",
                           "roles": ["ControlPlane"]},
                          {"name": "banner", "content": "aGVsbG8=", "isBase64": True, "mode": "0644"}]
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(docs[0]))
    lab.ok("replace", "-f", str(tmp_path / "cluster.yaml"))
    lab.ok("update", "cluster", name, "--target", "terraform", "--out", str(tmp_path / "tf"), "--yes")

    cp, node = tmp_path / "cp", tmp_path / "node"
    assert lab.nodeup(name, CP, cp).code == 0 and lab.nodeup(name, NODES, node).code == 0
    units = cp / "lib/systemd/system"
    assert "ExecStart=/bin/echo hello" in (units / "motd.service").read_text()
    assert not (units / "node-only.service").exists() and (node / "lib/systemd/system/node-only.service").exists()
    assert not (units / "gone.service").exists()
    ctr = (units / "kops-hook-2.service").read_text()  # numbered among the hooks for its role, as upstream
    assert "docker.io/library/busybox:latest" in ctr and "ExecStart=/usr/local/bin/ctr --namespace k8s.io run" in ctr
    assert (cp / "etc/kubernetes/audit.yaml").read_text() == "rules: []\n"
    assert _mode(cp / "etc/kubernetes/audit.yaml") == 0o440
    assert not (node / "etc/kubernetes/audit.yaml").exists()
    banner = node / "srv/kubernetes/assets/banner"
    assert banner.read_bytes() == b"hello" and _mode(banner) == 0o644


def test_bad_config_locations_are_one_line_errors(lab, tmp_path):
    (tmp_path / "not-nodeup.yaml").write_text("kind: Something\n")
    for location, message in ((str(tmp_path / "missing.yaml"), "cannot read"),
                              (str(tmp_path / "not-nodeup.yaml"), "not a nodeup configuration")):
        r = lab.kops("nodeup", "--config", location, "--root", str(tmp_path / "root"))
        assert r.code == 1 and message in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert not (tmp_path / "root").exists()


def test_root_mode_without_network_still_writes_the_node_for_inspection(lab, cluster, tmp_path):
    """Under --root nothing runs, so assets nobody can fetch are left out (and named) rather than failing."""
    config = lab.config(cluster, CP)
    for assets in config["Assets"].values():
        for asset in assets:
            asset["url"] = "http://127.0.0.1:9/" + asset["name"]  # nothing listens on the discard port
    offline = tmp_path / "offline.yaml"
    offline.write_text(yaml.safe_dump(config))
    root = tmp_path / "root"
    r = lab.kops("nodeup", "--config", str(offline), "--root", str(root), "--arch", "amd64")
    assert r.code == 0, r.err
    assert "not installed (unreachable): kubelet" in r.err
    assert {"kube-apiserver", "kube-controller-manager", "kube-scheduler"} <= {
        p.stem for p in (root / "etc/kubernetes/manifests").iterdir()}
    assert (root / "lib/systemd/system/kubelet.service").exists()
    assert not (root / "usr/local/bin/kubelet").exists()


def test_a_configuration_other_than_the_one_launched_with_is_refused(lab, cluster, tmp_path):
    """The user data pins its nodeup configuration's sha256: a machine launched before an update (whose
    configuration has changed since) stops rather than boot as something it was not launched as."""
    import hashlib

    path = lab.config_path(cluster, NODES)
    pinned = hashlib.sha256(path.read_bytes()).hexdigest()
    ok = lab.kops("nodeup", "--config", path.as_uri(), "--root", str(tmp_path / "ok"), "--arch", "amd64",
                  "--config-sha256", pinned)
    assert ok.code == 0, ok.err
    stale = "0" * 64
    r = lab.kops("nodeup", "--config", path.as_uri(), "--root", str(tmp_path / "stale"), "--arch", "amd64",
                 "--config-sha256", stale)
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1, r.err
    assert f"expected {stale}" in r.err and "rolling update" in r.err
    assert not (tmp_path / "stale").exists()
