"""``aws-ebs-csi-driver.addons.k8s.io``: the EBS CSI driver, which creates, attaches and resizes EBS volumes
for persistent volume claims.

The controller runs on the control plane (whose instance role carries the EBS permissions the AWS model
grants), one replica per machine up to two; the node plugin runs on every Linux machine. Where service
accounts have IAM roles of their own, the controller's account (``ebs-csi-controller-sa``) has the EBS
permissions instead, and the controller runs on any Linux node, off the host's network. Settings come
from ``spec.cloudConfig.awsEBSCSIDriver``; the driver is left out when ``managed: false`` says the user
runs their own.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ServiceAccount, facts
from kops.addons.render import render

from kops_aws import serviceaccounts
from kops_aws.cloud import AWSCloud
from kops_aws.component_versions import EBS_CSI_DRIVER_VERSION

NAME = "aws-ebs-csi-driver.addons.k8s.io"
#: The controller's service account, which needs the EBS permissions.
CONTROLLER_ACCOUNT = ServiceAccount("kube-system", "ebs-csi-controller-sa", {"aws": "ebs-csi-driver"})
DRIVER_IMAGE = "registry.k8s.io/provider-aws/aws-ebs-csi-driver"
#: The Kubernetes CSI sidecars released for this driver version.
SIDECAR_IMAGES = {
    "csi-provisioner": "registry.k8s.io/sig-storage/csi-provisioner:v6.2.0",
    "csi-attacher": "registry.k8s.io/sig-storage/csi-attacher:v4.11.0",
    "csi-snapshotter": "registry.k8s.io/sig-storage/csi-snapshotter:v8.5.0",
    "csi-resizer": "registry.k8s.io/sig-storage/csi-resizer:v2.1.0",
    "liveness-probe": "registry.k8s.io/sig-storage/livenessprobe:v2.18.0",
    "node-driver-registrar": "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.16.0",
}
#: Where the controller's containers serve metrics, by container: port, port name, and the Service in front.
METRICS = {
    "ebs-plugin": (3301, "metrics", "ebs-csi-controller"),
    "csi-provisioner": (3302, "metrics-prov", "ebs-csi-controller-provisioner"),
    "csi-attacher": (3303, "metrics-attach", "ebs-csi-controller-attacher"),
    "csi-resizer": (3304, "metrics-resizer", "ebs-csi-controller-resizer"),
    "liveness-probe": (3305, "metrics-lp", "ebs-csi-controller-liveness-probe"),
    "csi-snapshotter": (3306, "metrics-snap", "ebs-csi-controller-snapshotter"),
}


def applies(cluster: Any) -> bool:
    driver = _settings(cluster)
    return driver is None or driver.managed is not False


def addon(cluster: Any) -> Addon:
    values = _values(cluster)
    return Addon(name=NAME, version=values["version"],
                 manifest=render("kops_aws.addons", "aws-ebs-csi-driver.yaml.j2", values),
                 service_accounts=[CONTROLLER_ACCOUNT])


def _settings(cluster: Any) -> Any:
    config = cluster.spec.cloudConfig
    return config.awsEBSCSIDriver if config is not None else None


def _values(cluster: Any) -> dict[str, Any]:
    driver = _settings(cluster)
    version = (driver.version if driver is not None else None) or EBS_CSI_DRIVER_VERSION
    snapshots = bool(cluster.spec.snapshotController and cluster.spec.snapshotController.enabled)
    qps = str((driver.kubeAPIQPS if driver is not None else None) or 20)
    burst = (driver.kubeAPIBurst if driver is not None else None) or 100
    tags = {"KubernetesCluster": cluster.metadata.name, **(cluster.spec.cloudLabels or {})}
    return {
        "version": version,
        "image": f"{DRIVER_IMAGE}:{version}",
        "region": AWSCloud().region(cluster),
        "cluster_name": cluster.metadata.name,
        "extra_tags": ",".join(sorted(f"{k}={v}" for k, v in tags.items())),
        "ipv6": facts.ipv6_only(cluster),
        "host_network": bool(driver is not None and driver.hostNetwork),
        "service_account_role": serviceaccounts.enabled(cluster),
        "volume_attach_limit": driver.volumeAttachLimit if driver is not None else None,
        "pod_annotations": dict((driver.podAnnotations if driver is not None else None) or {}),
        # Two controllers keep volumes attaching while one control-plane machine is replaced.
        "replicas": 2 if facts.control_plane_count(cluster) > 1 else 1,
        "snapshots": snapshots,
        "report_allocatable": int(facts.kubernetes_minor(cluster).split(".")[1]) >= 34,
        "sidecars": _controller_sidecars(snapshots, qps, burst),
        "images": SIDECAR_IMAGES,
        "metrics": {name: {"port": port, "port_name": port_name, "service": service}
                    for name, (port, port_name, service) in METRICS.items() if snapshots or name != "csi-snapshotter"},
    }


def _controller_sidecars(snapshots: bool, qps: str, burst: int) -> list[dict[str, Any]]:
    """The CSI sidecars next to the controller's driver: name, flags and extra environment."""
    api = [f"--kube-api-qps={qps}", f"--kube-api-burst={burst}"]
    # Until the cluster serves VolumeAttributesClasses to every sidecar, changing them falls back to the driver.
    vac_fallback = [("ENABLE_VAC_FALLBACK", "true")]
    sidecars = [
        {"name": "csi-provisioner", "env": vac_fallback, "args": [
            "--timeout=60s", "--csi-address=$(ADDRESS)", "--v=5", "--feature-gates=Topology=true",
            "--extra-create-metadata", "--leader-election=true", "--default-fstype=ext4", *api,
            "--worker-threads=100", "--retry-interval-max=30m", "--feature-gates=VolumeAttributesClass=false"]},
        {"name": "csi-attacher", "env": [], "args": [
            "--timeout=6m", "--csi-address=$(ADDRESS)", "--v=5", "--leader-election=true", *api,
            "--worker-threads=100", "--retry-interval-max=5m", "--feature-gates=MutableCSINodeAllocatableCount=true"]},
    ]
    if snapshots:
        sidecars.append({"name": "csi-snapshotter", "env": [], "args": [
            "--csi-address=$(ADDRESS)", "--leader-election=true", "--v=5", "--extra-create-metadata", *api,
            "--worker-threads=100", "--retry-interval-max=30m"]})
    sidecars.append({"name": "csi-resizer", "env": vac_fallback, "args": [
        "--timeout=60s", "--extra-modify-metadata", "--csi-address=$(ADDRESS)", "--v=5",
        "--handle-volume-inuse-error=false", "--leader-election=true", *api, "--workers=100",
        "--retry-interval-max=30m", "--feature-gates=VolumeAttributesClass=false"]})
    for sidecar in sidecars:
        sidecar["args"].append(f"--http-endpoint=0.0.0.0:{METRICS[sidecar['name']][0]}")
    return sidecars
