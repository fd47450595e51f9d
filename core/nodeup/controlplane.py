"""A control-plane machine's components: their credentials, configuration and static pods, and etcd-manager's.

Paths and certificate subjects are upstream's, so the cluster's RBAC bindings (``system:kube-controller-manager``,
``system:kube-scheduler``, ``system:node:<name>``) and any tooling that expects upstream's layout keep working.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.errors import KopsError
from kops.nodeup import pods
from kops.nodeup.files import NodeFiles
from kops.nodeup.pki import NodePKI
from kops.nodeup.yamlio import dump

MANIFESTS = "/etc/kubernetes/manifests"
LOCAL_API = "https://127.0.0.1"


def add_api_server(files: NodeFiles, config: dict[str, Any], pki: NodePKI) -> None:
    server = config["APIServerConfig"]
    kapi = pods.KAPI
    api = server.get("API") or {}
    sans = ["kubernetes", "kubernetes.default", "kubernetes.default.svc",
            f"kubernetes.default.svc.{server.get('ClusterDNSDomain') or 'cluster.local'}"]
    sans += [n for n in (api.get("PublicName"), config["APIInternalName"]) if n]
    sans += list(api.get("AdditionalSANs") or [])
    # The API load balancer's addresses, where clients reach the API without a DNS name (dns: none).
    sans += list(config.get("ApiserverAdditionalIPs") or [])
    sans += [_first_service_ip(config), "127.0.0.1"]
    _issued(files, pki, kapi, "server", "kubernetes-ca", "cn=kubernetes-master", "server",
            list(dict.fromkeys(sans)))
    files.add(f"{kapi}/etcd-ca.crt", pki.ca_bundle("etcd-clients-ca"))
    _issued(files, pki, kapi, "etcd-client", "etcd-clients-ca", "cn=kube-apiserver")
    files.add(f"{kapi}/apiserver-aggregator-ca.crt", pki.ca_bundle("apiserver-aggregator-ca"))
    _issued(files, pki, kapi, "apiserver-aggregator", "apiserver-aggregator-ca", "cn=aggregator")
    _issued(files, pki, kapi, "kubelet-api", "kubernetes-ca", "cn=kubelet-api")
    keys = server.get("ServiceAccountPublicKeys")
    if not keys:
        raise KopsError("nodeup configuration: APIServerConfig.ServiceAccountPublicKeys is missing; "
                        "run kops update cluster again")
    files.private(f"{kapi}/service-account.pub", keys)
    files.private(f"{kapi}/service-account.key", pki.private_key("service-account"))
    files.add(f"{MANIFESTS}/kube-apiserver.manifest", dump(pods.kube_apiserver(config)))
    files.add("/var/log/kube-apiserver.log", b"", 0o400, keep_existing=True)


def add_controller_manager(files: NodeFiles, config: dict[str, Any], pki: NodePKI) -> None:
    kcm = pods.KCM
    domain = (config.get("APIServerConfig") or {}).get("ClusterDNSDomain") or "cluster.local"
    files.add(f"{kcm}/ca.crt", pki.certificate("kubernetes-ca"))
    files.private(f"{kcm}/ca.key", pki.private_key("kubernetes-ca"))
    files.private(f"{kcm}/service-account.key", pki.private_key("service-account"))
    _issued(files, pki, kcm, "server", "kubernetes-ca", "cn=kube-controller-manager", "server",
            [f"kube-controller-manager.kube-system.svc.{domain}"])
    files.private("/var/lib/kube-controller-manager/kubeconfig",
                  pki.kubeconfig("kube-controller-manager", "cn=system:kube-controller-manager", LOCAL_API))
    files.add(f"{MANIFESTS}/kube-controller-manager.manifest", dump(pods.kube_controller_manager(config)))
    files.add("/var/log/kube-controller-manager.log", b"", 0o400, keep_existing=True)


def add_scheduler(files: NodeFiles, config: dict[str, Any], pki: NodePKI) -> None:
    domain = (config.get("APIServerConfig") or {}).get("ClusterDNSDomain") or "cluster.local"
    _issued(files, pki, pods.SCHED, "server", "kubernetes-ca", "cn=kube-scheduler", "server",
            [f"kube-scheduler.kube-system.svc.{domain}"])
    files.private("/var/lib/kube-scheduler/kubeconfig",
                  pki.kubeconfig("kube-scheduler", "cn=system:kube-scheduler", LOCAL_API))
    files.add("/var/lib/kube-scheduler/config.yaml", dump(pods.scheduler_configuration(config)), 0o400)
    files.add(f"{MANIFESTS}/kube-scheduler.manifest", dump(pods.kube_scheduler(config)))
    files.add("/var/log/kube-scheduler.log", b"", 0o400, keep_existing=True)


def add_etcd_manager(files: NodeFiles, config: dict[str, Any], pki: NodePKI, store: Any, store_url: str) -> None:
    """etcd-manager's CAs per etcd cluster, and its pods as the update stored them."""
    for name in config.get("EtcdClusterNames") or []:
        folder = f"/etc/kubernetes/pki/etcd-manager-{name}"
        clients = "etcd-clients-ca" if name in ("main", "events", "leases") else f"etcd-clients-ca-{name}"
        for file_name, keyset in (("etcd-manager-ca", f"etcd-manager-ca-{name}"),
                                  ("etcd-peers-ca", f"etcd-peers-ca-{name}"), ("etcd-clients-ca", clients)):
            files.add(f"{folder}/{file_name}.crt", pki.ca_bundle(keyset))
            files.private(f"{folder}/{file_name}.key", pki.private_key(keyset))
    for url in config.get("etcdManifests") or []:
        if not url.startswith(store_url + "/"):
            raise KopsError(f"etcdManifests: {url} is not in the state store {store_url}")
        obj = store.read(url[len(store_url) + 1:])
        if obj is None:
            raise KopsError(f"etcdManifests: {url} not found; run kops update cluster again")
        name = _pod_name(obj.data, url)
        files.add(f"{MANIFESTS}/{name}.manifest", obj.data)


def add_etcd_disks(files: NodeFiles, config: dict[str, Any]) -> None:
    """The boot unit mounting the etcd disks this machine mounts itself (:mod:`kops.nodeup.disks`), if any."""
    from kops.bootstrap import INSTALL_PREFIX
    from kops.nodeup.disks import UNIT, disk_unit

    if config.get("etcdDisks"):
        files.unit(UNIT, disk_unit(f"{INSTALL_PREFIX}/bin/kops", str(config.get("CloudProvider") or ""),
                                   list(config["etcdDisks"])))


def add_credential_service(files: NodeFiles, config: dict[str, Any], store_url: str) -> None:
    """The node credential service's unit: it issues workers' credentials on port 3988, as kops-controller."""
    from kops.bootstrap import INSTALL_PREFIX
    from kops.nodeup.credentials import PORT
    from kops.nodeup.units import credential_service_unit

    files.unit("kops-controller.service", credential_service_unit(f"{INSTALL_PREFIX}/bin/kops",
                                                                  str(config["ClusterName"]), store_url, PORT))


def _issued(files: NodeFiles, pki: NodePKI, folder: str, name: str, signer: str, subject: str,
            usage: str = "client", sans: list[str] | None = None) -> None:
    cert, key = pki.issue(signer, subject, usage, sans)
    files.add(f"{folder}/{name}.crt", cert)
    files.private(f"{folder}/{name}.key", key)


def _first_service_ip(config: dict[str, Any]) -> str:
    """The API server's address inside the cluster: the first address of the service range."""
    cidr = (config.get("Networking") or {}).get("serviceClusterIPRange")
    if not cidr:
        raise KopsError("nodeup configuration: Networking.serviceClusterIPRange is missing")
    try:
        return str(ipaddress.ip_network(cidr, strict=False)[1])
    except ValueError:
        raise KopsError(f"nodeup configuration: Networking.serviceClusterIPRange: {cidr!r} is not a CIDR") from None


def _pod_name(data: bytes, url: str) -> str:
    import yaml

    try:
        doc = yaml.safe_load(data)
        name = str(doc["metadata"]["name"])
    except (yaml.YAMLError, TypeError, KeyError):
        raise KopsError(f"{url}: not a pod manifest") from None
    if not name or "/" in name:
        raise KopsError(f"{url}: metadata.name {name!r} cannot name a manifest file")
    return name
