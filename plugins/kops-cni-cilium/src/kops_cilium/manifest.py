"""The ``networking.cilium.io`` add-on: Cilium's agent DaemonSet, operator Deployment, configuration and RBAC,
rendered from the package's Jinja2 template with the cluster's effective settings."""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ClusterSecrets
from kops.errors import KopsError

from kops_cilium import config as cfg
from kops_cilium.defaults import cilium_of, effective, is_ipv6_only

ADDON_NAME = "networking.cilium.io"
#: Upstream's selector for networking add-ons: switching CNI prunes the previous one's objects.
SELECTOR = {"role.kubernetes.io/networking": "1"}
#: Bumped whenever the template changes for the same Cilium version.
TEMPLATE_REVISION = 2
DEFAULT_REGISTRY = "quay.io"
RELAY_PORT = 4245

#: Cilium custom resources the agent watches.
AGENT_WATCHED = [
    "ciliumloadbalancerippools", "ciliumbgppeeringpolicies", "ciliumbgpnodeconfigs", "ciliumbgpadvertisements",
    "ciliumbgppeerconfigs", "ciliumclusterwideenvoyconfigs", "ciliumclusterwidenetworkpolicies",
    "ciliumegressgatewaypolicies", "ciliumendpoints", "ciliumendpointslices", "ciliumenvoyconfigs",
    "ciliumidentities", "ciliumlocalredirectpolicies", "ciliumnetworkpolicies", "ciliumnodes",
    "ciliumnodeconfigs", "ciliumcidrgroups", "ciliuml2announcementpolicies", "ciliumpodippools",
]
#: The CRDs the operator installs and keeps up to date.
OPERATOR_CRDS = [f"{plural}.cilium.io" for plural in [
    "ciliumloadbalancerippools", "ciliumbgppeeringpolicies", "ciliumbgpclusterconfigs", "ciliumbgppeerconfigs",
    "ciliumbgpadvertisements", "ciliumbgpnodeconfigs", "ciliumbgpnodeconfigoverrides",
    "ciliumclusterwideenvoyconfigs", "ciliumclusterwidenetworkpolicies", "ciliumegressgatewaypolicies",
    "ciliumendpoints", "ciliumendpointslices", "ciliumenvoyconfigs", "ciliumidentities",
    "ciliumlocalredirectpolicies", "ciliumnetworkpolicies", "ciliumnodes", "ciliumnodeconfigs",
    "ciliumcidrgroups", "ciliuml2announcementpolicies", "ciliumpodippools", "ciliumgatewayclassconfigs",
]]

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "update", "patch"]


def addons(cluster: Any, secrets: ClusterSecrets | None = None) -> list[Addon]:
    """The add-on; with IPsec encryption, its manifest carries the stored keys (``kops create secret
    ciliumpassword``) as the ``cilium-ipsec-keys`` Secret the agent mounts, and is private."""
    if cilium_of(cluster) is None:
        return []
    c = effective(cluster)
    keys = ipsec_keys(cluster, c, secrets or ClusterSecrets())
    manifest = render("cilium.yaml.j2", **values(cluster, c), ipsec_keys=keys)
    return [Addon(name=ADDON_NAME, version=f"{c['version'].lstrip('v')}-kops.{TEMPLATE_REVISION}",
                  manifest=manifest, selector=dict(SELECTOR), private=keys is not None)]


def ipsec_keys(cluster: Any, c: dict[str, Any], secrets: ClusterSecrets) -> dict[str, str] | None:
    """The ``cilium-ipsec-keys`` Secret's entries (``keys``: the key line the agent reads from ``/etc/ipsec/keys``),
    from the stored ``ciliumpassword`` secret, when IPsec encryption is on. A store without the secret refuses the
    update, as upstream does; without a store (listings) there is none."""
    if not (c.get("enableEncryption") and c["encryptionType"] == "ipsec"):
        return None
    from kops.pki.secrets import CILIUM_PASSWORD

    raw = secrets.require(CILIUM_PASSWORD, "Cilium IPsec encryption (spec.networking.cilium.enableEncryption)",
                          f"kops create secret {CILIUM_PASSWORD} -f FILE")
    if raw is None:
        return None
    import yaml
    from kops.pki.secret_formats import check_cilium_ipsec_keys

    source = f"cluster {cluster.name}: secret {CILIUM_PASSWORD}"
    check_cilium_ipsec_keys(raw, source)
    doc = yaml.safe_load(raw)
    odd = sorted(str(k) for k, v in doc.items() if not isinstance(v, str))
    if odd:
        raise KopsError(f"{source}: {', '.join(odd)}: expected text, as the Secret holds it")
    return {str(k): v for k, v in doc.items()}


def render(template: str, **context: Any) -> str:
    from kops.addons.render import render as render_template

    return render_template("kops_cilium", template, context)


def images(c: dict[str, Any]) -> dict[str, str]:
    registry = c.get("registry") or DEFAULT_REGISTRY
    return {name: f"{registry}/cilium/{image}:{c['version']}"
            for name, image in (("agent", "cilium"), ("operator", "operator"), ("relay", "hubble-relay"))}


def values(cluster: Any, c: dict[str, Any]) -> dict[str, Any]:
    """Everything the template reads, computed here so the template stays declarative."""
    ipv6_only = is_ipv6_only(cluster.spec.nonMasqueradeCIDR)
    hubble, ingress, gateway_api = c["hubble"]["enabled"], c["ingress"]["enabled"], c["gatewayAPI"]["enabled"]
    prometheus = bool(c.get("enablePrometheusMetrics"))
    agent_ports = []
    if hubble:
        agent_ports.append(("peer-service", cfg.HUBBLE_LISTEN_PORT, True))
        if c["hubble"].get("metrics"):
            agent_ports.append(("hubble-metrics", cfg.HUBBLE_METRICS_PORT, True))
    if prometheus:
        agent_ports.append(("prometheus", c["agentPrometheusPort"], False))
    return {
        "addon_name": ADDON_NAME,
        "labels": {"addon.kops.k8s.io/name": ADDON_NAME, "app.kubernetes.io/managed-by": "kops", **SELECTOR},
        "agent_labels": {"k8s-app": "cilium", "app.kubernetes.io/name": "cilium-agent",
                         "app.kubernetes.io/part-of": "cilium"},
        "operator_labels": {"io.cilium/app": "operator", "name": "cilium-operator",
                            "app.kubernetes.io/name": "cilium-operator", "app.kubernetes.io/part-of": "cilium"},
        "relay_labels": {"k8s-app": "hubble-relay", "app.kubernetes.io/name": "hubble-relay",
                         "app.kubernetes.io/part-of": "cilium"},
        "c": c,
        "config": cfg.agent_config(cluster, c, ipv6_only),
        "images": images(c),
        "api_host": f"api.internal.{cluster.name}",
        "localhost": "::1" if ipv6_only else "127.0.0.1",
        "eni": c["ipam"] == "eni",
        "eni_tags": cfg.cloud_labels(cluster),
        "etcd": bool(c.get("etcdManaged")),
        "debug": bool(c.get("debug")),
        "prometheus": prometheus,
        "hubble": hubble,
        "hubble_metrics": hubble and bool(c["hubble"].get("metrics")),
        "ingress": ingress,
        "gateway_api": gateway_api,
        "shared_ingress_service": _shared_ingress_service(c["ingress"]) if ingress else "",
        "agent_annotations": c.get("agentPodAnnotations") or {},
        "operator_annotations": c.get("operatorPodAnnotations") or {},
        "agent_ports": agent_ports,
        "agent_host_paths": _agent_host_paths(c),
        "agent_watched": AGENT_WATCHED,
        "crd_names": OPERATOR_CRDS,
        "namespaced_roles": _namespaced_roles(ingress, gateway_api),
        "operator_replicas": 2 if _highly_available(cluster) else 1,
        "operator_health_port": cfg.OPERATOR_HEALTH_PORT,
        "operator_metrics_port": cfg.OPERATOR_METRICS_PORT,
        "envoy_metrics_port": cfg.ENVOY_METRICS_PORT,
        "hubble_port": cfg.HUBBLE_LISTEN_PORT,
        "hubble_metrics_port": cfg.HUBBLE_METRICS_PORT,
        "relay_port": RELAY_PORT,
    }


def _agent_host_paths(c: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The host directories the agent and its init containers use: (volume, path, hostPath type)."""
    return [
        ("cilium-run", "/var/run/cilium", "DirectoryOrCreate"),
        ("cilium-netns", "/var/run/netns", "DirectoryOrCreate"),
        ("bpf-maps", c.get("bpfRoot") or "/sys/fs/bpf", "DirectoryOrCreate"),
        ("hostproc", "/proc", "Directory"),
        ("cilium-cgroup", "/run/cilium/cgroupv2", "DirectoryOrCreate"),
        ("cni-path", c.get("cniBinPath") or "/opt/cni/bin", "DirectoryOrCreate"),
        ("etc-cni-netd", "/etc/cni/net.d", "DirectoryOrCreate"),
        ("lib-modules", "/lib/modules", ""),
        ("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
        ("host-proc-sys-net", "/proc/sys/net", "Directory"),
        ("host-proc-sys-kernel", "/proc/sys/kernel", "Directory"),
    ]


def _namespaced_roles(ingress: bool, gateway_api: bool) -> list[tuple[str, str, str, list[str]]]:
    """Roles in kube-system: (role, service account, resource, verbs). Ingress and Gateway API keep TLS secrets there."""
    roles = [("cilium-config-agent", "cilium", "configmaps", READ)]
    if ingress:
        roles += [("cilium-ingress-secrets", "cilium", "secrets", READ),
                  ("cilium-operator-ingress-secrets", "cilium-operator", "secrets", WRITE)]
    if gateway_api:
        roles += [("cilium-gateway-secrets", "cilium", "secrets", READ),
                  ("cilium-operator-gateway-secrets", "cilium-operator", "secrets", WRITE)]
    if ingress or gateway_api:
        roles.append(("cilium-envoy-config-secrets", "cilium", "secrets", READ))
    return roles


def _shared_ingress_service(ingress: dict[str, Any]) -> str:
    """The shared load balancer Service's name, unless every Ingress gets its own (``dedicated`` mode)."""
    if ingress.get("defaultLoadBalancerMode") == "dedicated":
        return ""
    return ingress.get("sharedLoadBalancerServiceName") or "cilium-ingress"


def _highly_available(cluster: Any) -> bool:
    """More than one control-plane instance, judged by the members of the ``main`` etcd cluster."""
    main = next((e for e in cluster.spec.etcdClusters or [] if e.name == "main"), None)
    return main is not None and len(main.etcdMembers or []) > 1
