"""One instance group's nodeup configuration: everything a machine of the group needs to become a node.

The keys follow upstream's nodeup ``Config`` so the file reads familiarly, with two differences: assets are
listed as mappings (``name``, ``version``, ``url``, ``sha256``) rather than ``hash@url`` strings, and worker
nodes keep the cluster CA in ``CAs`` (upstream hands it to them through kops-controller), with the node credential
service's URL (``BootstrapServer``) they get their credentials from. It never holds a
private key: the control plane reads those from the keystore when it boots (``configStore.keypairs``).
"""

from __future__ import annotations

import copy
from typing import Any

from kops.errors import KopsError
from kops.model import node_labels

CONTROL_PLANE = ("Master", "ControlPlane")
API_SERVER = "APIServer"
BASTION = "Bastion"
#: Control-plane taints, as upstream sets them on every control-plane node (the labels: kops.model.node_labels).
CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane=:NoSchedule"
API_SERVER_TAINT = "node-role.kubernetes.io/api-server=:NoSchedule"
KARPENTER_TAINT = "karpenter.sh/unregistered=:NoExecute"
#: etcd clusters whose clients share the cluster-wide etcd clients CA.
SHARED_CLIENT_CA = ("main", "events", "leases")


def is_control_plane(group: dict[str, Any]) -> bool:
    return group["spec"].get("role") in CONTROL_PLANE


def runs_api_server(group: dict[str, Any]) -> bool:
    return is_control_plane(group) or group["spec"].get("role") == API_SERVER


def api_internal_name(cluster: dict[str, Any]) -> str:
    return str(cluster["spec"].get("masterInternalName") or f"api.internal.{cluster['metadata']['name']}")


def build_config(cluster: dict[str, Any], group: dict[str, Any], *, config_base: str,
                 assets: dict[str, list[dict[str, str]]], keysets: dict[str, Any],
                 etcd_manifests: list[str], strict: bool = True, api_addresses: list[str] | None = None,
                 etcd_disks: list[str] | None = None) -> dict[str, Any]:
    """The nodeup configuration of ``group`` (trees as :func:`kops.api.to_dict` makes them).

    ``keysets`` holds the cluster's CA keysets by name (:class:`kops.pki.Keyset`); only their certificates
    and primary IDs are copied, and with ``strict`` a keyset the group needs but ``keysets`` lacks is an
    error (a dry run, before the keysets exist, passes ``strict=False``). ``etcd_manifests`` are the URLs
    of this group's etcd-manager pods, and ``etcd_disks`` the disks the machine mounts for them itself
    (:mod:`kops.nodeup.disks`). ``api_addresses`` are the API load balancer's addresses, which the
    certificate of a group running the API server names (upstream's ``ApiserverAdditionalIPs``).
    """
    spec = cluster["spec"]
    gspec = group["spec"]
    role = gspec.get("role")
    config: dict[str, Any] = {
        "ClusterName": cluster["metadata"]["name"],
        "InstanceGroupName": group["metadata"]["name"],
        "InstanceGroupRole": role,
        "KubernetesVersion": str(spec.get("kubernetesVersion") or "").lstrip("v"),
        "ConfigBase": config_base,
        "CloudProvider": spec.get("cloudProvider"),
        "APIInternalName": api_internal_name(cluster),
        "usesNoneDNS": ((spec.get("topology") or {}).get("dns") or {}).get("type") == "None",
        "Assets": assets,
    }
    config["CAs"], config["KeypairIDs"] = _certificates(spec, group, keysets, strict)
    config["KubeletConfig"] = kubelet_config(spec, group)
    kube_proxy = kube_proxy_config(spec, group)
    if kube_proxy is not None:
        config["KubeProxy"] = kube_proxy
    config["containerdConfig"] = copy.deepcopy(spec.get("containerd") or {})
    config["Networking"] = {k: spec[k] for k in ("nonMasqueradeCIDR", "serviceClusterIPRange", "podCIDR")
                            if spec.get(k)}
    config["UsesKubenet"] = uses_kubenet(spec)
    config["UpdatePolicy"] = spec.get("updatePolicy") or "automatic"
    config["FileAssets"] = _for_role(gspec.get("fileAssets"), role) + _for_role(spec.get("fileAssets"), role)
    config["Hooks"] = [_for_role(gspec.get("hooks"), role), _for_role(spec.get("hooks"), role)]
    sysctls = _sysctls(gspec, "instance group") + _sysctls(spec, "cluster")
    if sysctls:
        config["SysctlParameters"] = sysctls
    if not runs_api_server(group):
        from kops.nodeup.credentials import service_url

        # Where the machine gets its kubelet's and kube-proxy's credentials (kops-controller's address).
        config["BootstrapServer"] = service_url(cluster["metadata"]["name"])
    if runs_api_server(group):
        if spec.get("egressProxy"):
            config["Networking"]["egressProxy"] = copy.deepcopy(spec["egressProxy"])
        config["APIServerConfig"] = _api_server(cluster, keysets.get("service-account"))
        if api_addresses:
            config["ApiserverAdditionalIPs"] = sorted(api_addresses)
        config["configStore"] = {"keypairs": spec.get("keyStore") or f"{config_base}/pki",
                                 "secrets": spec.get("secretStore") or f"{config_base}/secrets"}
    if is_control_plane(group):
        config["ControlPlaneConfig"] = {
            "KubeControllerManager": copy.deepcopy(spec.get("kubeControllerManager") or {}),
            "KubeScheduler": copy.deepcopy(spec.get("kubeScheduler") or {}),
        }
        config["EtcdClusterNames"] = [e["name"] for e in spec.get("etcdClusters") or []]
        config["etcdManifests"] = etcd_manifests
        if etcd_disks:
            config["etcdDisks"] = etcd_disks
        if spec.get("dnsZone"):
            config["DNSZone"] = spec["dnsZone"]
    return config


def kubelet_config(spec: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    """The group's kubelet settings: the role's completed kubelet, the group's own on top, its labels and taints.

    Taints are merged from every level rather than replaced, as upstream does.
    """
    gspec = group["spec"]
    control_plane = is_control_plane(group)
    kubelet = copy.deepcopy(spec.get("masterKubelet" if control_plane else "kubelet") or {})
    own = gspec.get("kubelet") or {}
    taints = set(kubelet.get("taints") or []) | set(gspec.get("taints") or []) | set(own.get("taints") or [])
    taints |= set((spec.get("kubelet") or {}).get("taints") or [])
    _overlay(kubelet, own)
    if control_plane:
        taints.add(CONTROL_PLANE_TAINT)
    elif gspec.get("role") == API_SERVER:
        taints.add(API_SERVER_TAINT)
    if gspec.get("manager") == "Karpenter":
        # Karpenter removes it once it has taken the node over: a guard against scheduling too early.
        taints.add(KARPENTER_TAINT)
    kubelet["nodeLabels"] = node_labels(spec, group)
    if taints:
        kubelet["taints"] = sorted(taints)
    return kubelet


def kube_proxy_config(spec: dict[str, Any], group: dict[str, Any]) -> dict[str, Any] | None:
    """kube-proxy's settings, or None where it does not run: when the networking replaces it
    (``spec.kubeProxy.enabled: false``) and on control planes kept off the pod network."""
    proxy = spec.get("kubeProxy") or {}
    if proxy.get("enabled") is False:
        return None
    if is_control_plane(group) and spec.get("isolateMasters"):
        return None
    return copy.deepcopy(proxy)


def uses_kubenet(spec: dict[str, Any]) -> bool:
    """Networking where kubelet and containerd configure the pod network themselves (no CNI add-on)."""
    networking = spec.get("networking") or {}
    return any(networking.get(k) is not None for k in ("kubenet", "gce", "external", "kopeio"))


def _api_server(cluster: dict[str, Any], service_account: Any) -> dict[str, Any]:
    spec = cluster["spec"]
    api: dict[str, Any] = {}
    if spec.get("masterPublicName"):
        api["PublicName"] = spec["masterPublicName"]
    if spec.get("additionalSans"):
        api["AdditionalSANs"] = list(spec["additionalSans"])
    out: dict[str, Any] = {
        "ClusterDNSDomain": spec.get("clusterDNSDomain") or "cluster.local",
        "KubeAPIServer": copy.deepcopy(spec.get("kubeAPIServer") or {}),
        "API": api,
    }
    if service_account is not None:
        out["ServiceAccountPublicKeys"] = _public_keys(service_account)
    return out


def _certificates(spec: dict[str, Any], group: dict[str, Any], keysets: dict[str, Any], strict: bool
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """CA bundles (certificates only) and the primary keypair IDs the group's node issues against."""
    names = ["kubernetes-ca"]
    if "etcd-clients-ca-cilium" in keysets:
        names.append("etcd-clients-ca-cilium")
    if is_control_plane(group):
        names.append("etcd-clients-ca")
        for etcd in spec.get("etcdClusters") or []:
            names += [f"etcd-manager-ca-{etcd['name']}", f"etcd-peers-ca-{etcd['name']}"]
            if etcd["name"] not in SHARED_CLIENT_CA:
                names.append(f"etcd-clients-ca-{etcd['name']}")
    if runs_api_server(group):
        names += ["apiserver-aggregator-ca", "etcd-clients-ca", "service-account"]
    cas: dict[str, str] = {}
    ids: dict[str, str] = {}
    for name in dict.fromkeys(names):
        keyset = keysets.get(name)
        if keyset is None:
            if strict:
                raise KopsError(f"keyset {name!r} not found in the keystore; instance group "
                                f"{group['metadata']['name']!r} needs it")
            continue
        ids[name] = keyset.primary.id
        if name != "service-account":
            cas[name] = keyset.trust_bundle().decode()
    return cas, ids


def _public_keys(keyset: Any) -> str:
    """The trusted service-account public keys as PEM, RSA keys in PKCS#1 form as upstream writes them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    out = []
    for cert in keyset.trusted_certificates():
        key = cert.public_key()
        fmt = serialization.PublicFormat.PKCS1 if isinstance(key, rsa.RSAPublicKey) \
            else serialization.PublicFormat.SubjectPublicKeyInfo
        out.append(key.public_bytes(serialization.Encoding.PEM, fmt).decode())
    return "".join(out)


def _for_role(items: list[dict[str, Any]] | None, role: str) -> list[dict[str, Any]]:
    """Hooks or file assets that apply to ``role`` (all when they name no roles), without their roles."""
    wanted = set(CONTROL_PLANE) if role in CONTROL_PLANE else {role}
    out = []
    for item in items or []:
        roles = item.get("roles") or []
        if roles and not wanted & set(roles):
            continue
        out.append({k: copy.deepcopy(v) for k, v in item.items() if k != "roles"})
    return out


def _sysctls(spec: dict[str, Any], where: str) -> list[str]:
    params = spec.get("sysctlParameters") or []
    return [f"# Custom sysctl parameters from {where} spec", "", *params] if params else []


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> None:
    """``top`` over ``base``: mappings merge key by key, anything else in ``top`` replaces."""
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
