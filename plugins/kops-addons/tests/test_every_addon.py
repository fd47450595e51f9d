"""A cluster with every optional add-on on, a custom add-on channel in ``spec.addons`` and the example org
plugin's section: every manifest lands in the bootstrap channel and passes ``kubernetes-validate --strict``, and
switching each one off in turn takes it (and only it) out of the channel on the next ``kops update cluster``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import KUBERNETES_MINORS

pytest.importorskip("kops_acme_addon")

CLUSTER = "every.example.com"
VALIDATE = str(Path(sys.executable).with_name("kubernetes-validate"))
CUSTOM = "team-dashboard.example.com"

#: Each add-on, and the change that switches it off, in an order that never breaks a dependency (cert-manager,
#: which the load balancer and snapshot controllers need, goes last).
SWITCHES = [
    ("metrics-server.addons.k8s.io", ["--set", "spec.metricsServer.enabled=false"]),
    ("cluster-autoscaler.addons.k8s.io", ["--set", "spec.clusterAutoscaler.enabled=false"]),
    ("nodelocaldns.addons.k8s.io", ["--set", "spec.kubeDNS.nodeLocalDNS.enabled=false"]),
    ("node-termination-handler.aws", ["--set", "spec.nodeTerminationHandler.enabled=false"]),
    ("aws-load-balancer-controller.addons.k8s.io", ["--set", "spec.awsLoadBalancerController.enabled=false"]),
    ("snapshot-controller.addons.k8s.io", ["--set", "spec.snapshotController.enabled=false"]),
    ("certmanager.io", ["--set", "spec.certManager.enabled=false"]),
    ("audit-agent.acme.example.com", ["--set", "spec.acmeAuditAgent.enabled=false"]),
    (CUSTOM, ["--unset", "spec.addons"]),
]

DASHBOARD = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: team-dashboard
  namespace: kube-system
data:
  team: platform
"""


def _custom_channel(root: Path) -> str:
    """An add-on channel of the user's own, in upstream's format, with one add-on; its URL."""
    (root / CUSTOM).mkdir(parents=True)
    (root / CUSTOM / "v1.0.0.yaml").write_text(DASHBOARD)
    (root / "channel.yaml").write_text(yaml.safe_dump({
        "apiVersion": "addons.k8s.io/v1alpha1", "kind": "Addons", "metadata": {"name": "custom"},
        "spec": {"addons": [{"name": CUSTOM, "version": "1.0.0", "selector": {"k8s-addon": CUSTOM},
                             "manifest": f"{CUSTOM}/v1.0.0.yaml"}]}}))
    return f"file://{root / 'channel.yaml'}"


def _run(kops, *args: str) -> str:
    done = kops(*args)
    assert done.returncode == 0, f"kops {' '.join(args)}: {done.stderr}"
    return done.stdout


def _channel(kops, tmp_path: Path) -> dict[str, dict]:
    _run(kops, "update", "cluster", CLUSTER, "--target", "terraform", "--out", str(tmp_path / "tf"), "--yes")
    channel = yaml.safe_load((tmp_path / "store" / CLUSTER / "addons" / "bootstrap-channel.yaml").read_text())
    return {entry["name"]: entry for entry in channel["spec"]["addons"]}


def _every_addon_cluster(kops, tmp_path: Path, version: str | None = None) -> None:
    flags = ["--kubernetes-version", version] if version else []
    _run(kops, "create", "cluster", CLUSTER, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private", *flags)
    cluster = yaml.safe_load(_run(kops, "get", "cluster", CLUSTER, "-o", "yaml"))
    cluster["spec"].update(
        metricsServer={"enabled": True}, clusterAutoscaler={"enabled": True}, certManager={"enabled": True},
        awsLoadBalancerController={"enabled": True}, snapshotController={"enabled": True},
        nodeTerminationHandler={"enabled": True}, acmeAuditAgent={"enabled": True},
        addons=[{"manifest": _custom_channel(tmp_path / "custom")}])
    cluster["spec"].setdefault("kubeDNS", {})["nodeLocalDNS"] = {"enabled": True}
    (tmp_path / "every.yaml").write_text(yaml.safe_dump(cluster))
    _run(kops, "replace", "-f", str(tmp_path / "every.yaml"))


@pytest.mark.parametrize("minor", KUBERNETES_MINORS)
def test_every_manifest_is_in_the_channel_and_valid_for_the_clusters_version(kops, tmp_path, minor):
    _every_addon_cluster(kops, tmp_path, f"v{minor}.0")
    channel = _channel(kops, tmp_path)
    assert {name for name, _ in SWITCHES} <= set(channel)
    manifests = [str(tmp_path / "store" / CLUSTER / "addons" / entry["manifest"]) for entry in channel.values()]
    # Kinds that CustomResourceDefinitions define (cert-manager's Certificate) have no Kubernetes schema: the
    # tool warns about them and checks the rest.
    checked = subprocess.run([VALIDATE, "--strict", "--quiet", "-k", f"{minor}.0", *manifests],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_addon_leaves_the_channel_when_switched_off(kops, tmp_path):
    _every_addon_cluster(kops, tmp_path)
    remaining = set(_channel(kops, tmp_path))
    for name, switch in SWITCHES:
        _run(kops, "edit", "cluster", CLUSTER, *switch)
        now = set(_channel(kops, tmp_path))
        assert now == remaining - {name}, f"switching off {name}"
        remaining = now
