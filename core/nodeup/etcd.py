"""etcd-manager: the static pod that runs each etcd cluster on the control plane, built at update time.

One pod per etcd cluster and control-plane group, stored at ``manifests/etcd/<etcd>-<group>.yaml`` and listed in
the group's nodeup configuration; nodeup writes it to ``/etc/kubernetes/manifests/etcd-manager-<etcd>.manifest``.
etcd-manager finds its data volume by cloud tags, runs the etcd version the cluster asks for (every supported
etcd release is mounted from its image), and backs up to ``spec.etcdClusters[].backups.backupStore``
(``<configBase>/backups/etcd/<etcd>`` unless set), where it also reads ``control/etcd-cluster-spec`` to create
a new cluster. Ports and flags are upstream's, so an etcd-manager from either tool joins the same cluster.
"""

from __future__ import annotations

import json
from typing import Any

from kops.cloud import EtcdVolumes
from kops.errors import KopsError
from kops.versions import Version

DEFAULT_IMAGE = "registry.k8s.io/etcd-manager/etcd-manager-slim:v3.0.20260707"
ETCD_IMAGE = "registry.k8s.io/etcd:v{version}"

#: etcd cluster name -> (client, peer, etcd-manager gRPC, quarantined client) ports.
PORTS = {
    "main": (4001, 2380, 3996, 3994),
    "events": (4002, 2381, 3997, 3995),
    "cilium": (4003, 2382, 3991, 3992),
    "leases": (4004, 2383, 4006, 4005),
}


def manifest_path(etcd_name: str, group_name: str) -> str:
    """Where the pod is stored, relative to the cluster's folder."""
    return f"manifests/etcd/{etcd_name}-{group_name}.yaml"


def members_by_group(spec: dict[str, Any]) -> dict[str, list[str]]:
    """Control-plane group -> the etcd clusters with a member on it."""
    out: dict[str, list[str]] = {}
    for etcd in spec.get("etcdClusters") or []:
        for member in etcd.get("etcdMembers") or []:
            out.setdefault(member["instanceGroup"], []).append(etcd["name"])
    return out


def etcd_manager_pod(cluster: dict[str, Any], etcd: dict[str, Any], data: EtcdVolumes) -> dict[str, Any]:
    """The etcd-manager pod of one etcd cluster (the same on every member)."""
    name = etcd["name"]
    if name not in PORTS:
        raise KopsError(f"spec.etcdClusters[{name}]: etcd-manager runs the clusters {', '.join(PORTS)}; "
                        f"{name!r} is not one of them")
    backup_store = (etcd.get("backups") or {}).get("backupStore")
    if not backup_store:
        raise KopsError(f"spec.etcdClusters[{name}].backups.backupStore: required by etcd-manager (the completed "
                        "spec sets it)")
    manager = etcd.get("manager") or {}
    client, peer, grpc, quarantine = PORTS[name]
    cluster_name = cluster["metadata"]["name"]
    client_host = "__name__"
    if name == "cilium":
        from kops.nodeup.config import api_internal_name

        client_host = api_internal_name(cluster)
    flags = [
        f"--backup-store={backup_store}",
        f"--client-urls=https://{client_host}:{client}",
        f"--cluster-name={'etcd' if name == 'main' else 'etcd-' + name}",
        "--containerized=true",
        f"--dns-suffix=.internal.{cluster_name}",
        f"--grpc-port={grpc}",
        f"--peer-urls=https://__name__:{peer}",
        f"--quarantine-client-urls=https://__name__:{quarantine}",
        f"--v={manager.get('logLevel', 6)}",
        *data.flags,
    ]
    if manager.get("backupInterval"):
        flags.append(f"--backup-interval={manager['backupInterval']}")
    if manager.get("discoveryPollInterval"):
        flags.append(f"--discovery-poll-interval={manager['discoveryPollInterval']}")
    versions = _etcd_versions(etcd)
    mounts = [{"mountPath": "/rootfs", "name": "rootfs"}, {"mountPath": "/run", "name": "run"},
              {"mountPath": "/etc/kubernetes/pki/etcd-manager", "name": "pki"}]
    mounts += [{"mountPath": f"/opt/etcd-v{v}", "name": _volume_name(image_version)} for v, image_version, _ in versions]
    mounts.append({"mountPath": "/var/log/etcd.log", "name": "varlogetcd"})
    volumes: list[dict[str, Any]] = [
        {"hostPath": {"path": "/", "type": "Directory"}, "name": "rootfs"},
        {"hostPath": {"path": "/run", "type": "DirectoryOrCreate"}, "name": "run"},
        {"hostPath": {"path": f"/etc/kubernetes/pki/etcd-manager-{name}", "type": "DirectoryOrCreate"}, "name": "pki"},
    ]
    for version, image_version, image in versions:
        if version == image_version:
            volumes.append({"image": {"pullPolicy": "IfNotPresent", "reference": image},
                            "name": _volume_name(version)})
    log_file = f"/var/log/{'etcd' if name == 'main' else 'etcd-' + name}.log"
    volumes.append({"hostPath": {"path": log_file, "type": "FileOrCreate"}, "name": "varlogetcd"})
    container = {
        "args": ["--log-file=/var/log/etcd.log", "--also-stdout", "/ko-app/etcd-manager", *sorted(flags)],
        "command": ["/go-runner"],
        "env": _env(cluster, manager, data.env),
        "image": manager.get("image") or DEFAULT_IMAGE,
        "name": "etcd-manager",
        "resources": {"requests": {"cpu": etcd.get("cpuRequest") or "200m",
                                   "memory": etcd.get("memoryRequest") or "100Mi"}},
        "securityContext": {"privileged": True},
        "volumeMounts": mounts,
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"labels": {"k8s-app": f"etcd-manager-{name}"}, "name": f"etcd-manager-{name}",
                     "namespace": "kube-system"},
        "spec": {
            "containers": [container],
            "hostNetwork": True,
            "hostPID": True,
            "priorityClassName": "system-cluster-critical",
            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
            "volumes": volumes,
        },
    }


def cluster_spec_file(etcd: dict[str, Any]) -> bytes:
    """``control/etcd-cluster-spec``: what etcd-manager creates a new etcd cluster with."""
    members = len(etcd.get("etcdMembers") or [])
    return json.dumps({"memberCount": members, "etcdVersion": etcd.get("version") or ""}, indent=2).encode()


def _env(cluster: dict[str, Any], manager: dict[str, Any], cloud_env: dict[str, str]) -> list[dict[str, str]]:
    from kops.nodeup.podspec import proxy_env

    env = [{"name": name, "value": value} for name, value in cloud_env.items()]
    env += proxy_env(cluster["spec"].get("egressProxy"))
    if manager.get("backupRetentionDays") is not None:
        env.append({"name": "ETCD_MANAGER_DAILY_BACKUPS_RETENTION", "value": f"{manager['backupRetentionDays']}d"})
    if manager.get("listenMetricsURLs"):
        env.append({"name": "ETCD_LISTEN_METRICS_URLS", "value": ",".join(manager["listenMetricsURLs"])})
    if manager.get("listenClientHTTPURLs"):
        env.append({"name": "ETCD_LISTEN_CLIENT_HTTP_URLS", "value": ",".join(manager["listenClientHTTPURLs"])})
    env += [{"name": e["name"], "value": e.get("value") or ""} for e in manager.get("env") or []]
    return env


def _etcd_versions(etcd: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(version mounted, version whose image provides it, image): every patch of each bundled release points
    at the newest patch of its minor, as upstream mounts them; a custom image provides just its version."""
    from kops.inference.versions_data import ETCD_BY_MINOR

    if etcd.get("image"):
        version = str(etcd.get("version") or "").lstrip("v")
        return [(version, version, etcd["image"])]
    out = []
    for _, latest in ETCD_BY_MINOR:
        v = Version.parse(latest)
        image = ETCD_IMAGE.format(version=latest)
        out += [(f"{v.major}.{v.minor}.{patch}", latest, image) for patch in range(v.patch + 1)]
    return out


def _volume_name(version: str) -> str:
    return "etcd-v" + version.replace(".", "-")
