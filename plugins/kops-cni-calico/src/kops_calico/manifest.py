"""The ``networking.projectcalico.org`` add-on: Calico's manifest rendered for one cluster.

Every knob of ``spec.networking.calico`` ends up here, mostly as a calico-node (Felix) environment
variable; what the user left empty gets Calico's documented default, as upstream kOps renders it.
"""

from __future__ import annotations

from typing import Any

from kops.addons.facts import proxy_env

from kops_calico import ADDON_NAME, CALICO_REGISTRY, CALICO_VERSION
from kops_calico.spec import encapsulation, is_ipv6_only, pod_cidr, pool_modes

#: Calico's custom resources: (group, version, kind, plural, scope, short names, has a status subresource).
CRDS = [
    *[("crd.projectcalico.org", "v1", kind, plural, "Cluster", (), False) for kind, plural in (
        ("BGPConfiguration", "bgpconfigurations"), ("BGPFilter", "bgpfilters"), ("BGPPeer", "bgppeers"),
        ("BlockAffinity", "blockaffinities"), ("CalicoNodeStatus", "caliconodestatuses"),
        ("ClusterInformation", "clusterinformations"), ("FelixConfiguration", "felixconfigurations"),
        ("GlobalNetworkPolicy", "globalnetworkpolicies"), ("GlobalNetworkSet", "globalnetworksets"),
        ("HostEndpoint", "hostendpoints"), ("IPAMBlock", "ipamblocks"), ("IPAMConfig", "ipamconfigs"),
        ("IPAMHandle", "ipamhandles"), ("IPPool", "ippools"), ("IPReservation", "ipreservations"),
        ("KubeControllersConfiguration", "kubecontrollersconfigurations"),
        ("StagedGlobalNetworkPolicy", "stagedglobalnetworkpolicies"), ("Tier", "tiers"))],
    *[("crd.projectcalico.org", "v1", kind, plural, "Namespaced", (), False) for kind, plural in (
        ("NetworkPolicy", "networkpolicies"), ("NetworkSet", "networksets"),
        ("StagedKubernetesNetworkPolicy", "stagedkubernetesnetworkpolicies"),
        ("StagedNetworkPolicy", "stagednetworkpolicies"))],
    # The Kubernetes network-policy-api resources Calico enforces.
    ("policy.networking.k8s.io", "v1alpha1", "AdminNetworkPolicy", "adminnetworkpolicies", "Cluster", ("anp",), True),
    ("policy.networking.k8s.io", "v1alpha1", "BaselineAdminNetworkPolicy", "baselineadminnetworkpolicies", "Cluster",
     ("banp",), True),
]


def addon(cluster: Any) -> Any:
    from kops.addons import Addon

    calico = cluster.spec.networking.calico
    return Addon(name=ADDON_NAME, version=calico.version or CALICO_VERSION, manifest=render(cluster),
                 selector={"role.kubernetes.io/networking": "1"})


def render(cluster: Any) -> str:
    from kops.addons.render import render as render_template

    return render_template("kops_calico", "calico.yaml.j2", values(cluster), trim=False)


def values(cluster: Any) -> dict[str, Any]:
    """What the template needs, every default applied."""
    calico = cluster.spec.networking.calico
    ipv6 = is_ipv6_only(cluster.spec.nonMasqueradeCIDR)
    mode = encapsulation(cluster)
    return {
        "addon": ADDON_NAME,
        "registry": calico.registry or CALICO_REGISTRY,
        "version": calico.version or CALICO_VERSION,
        "ipv6_only": ipv6,
        "backend": "bird" if mode == "ipip" else mode,
        # BIRD runs (and is health-checked) only when it distributes routes, in IP-in-IP mode.
        "bird": ("bird6" if ipv6 else "bird") if mode == "ipip" else None,
        "mtu": calico.mtu or 0,
        "allow_ip_forwarding": bool(calico.allowIPForwarding),
        "bpf_enabled": bool(calico.bpfEnabled),
        "api_internal_name": "api.internal." + cluster.metadata.name,
        "cpu_request": calico.cpuRequest if calico.cpuRequest is not None else "250m",
        "metrics_port": (calico.prometheusMetricsPort or 9091) if calico.prometheusMetricsEnabled else None,
        "typha_replicas": calico.typhaReplicas or 0,
        "typha_metrics_port": (calico.typhaPrometheusMetricsPort or 9093)
        if calico.typhaPrometheusMetricsEnabled else None,
        "node_env": node_env(cluster, mode, ipv6),
        "typha_env": typha_env(calico),
        "crds": [{"group": g, "version": v, "kind": k, "plural": p, "scope": s, "short_names": list(n), "status": st}
                 for g, v, k, p, s, n, st in CRDS],
    }


def node_env(cluster: Any, mode: str, ipv6: bool) -> list[tuple[str, str]]:
    """calico-node's plain environment variables (those read from the ConfigMap are in the template)."""
    calico = cluster.spec.networking.calico
    ipip, vxlan4, vxlan6 = pool_modes(cluster)
    env = [
        ("IP", "none" if ipv6 else "autodetect"),
        ("IP6", "autodetect" if ipv6 else "none"),
        ("IP_AUTODETECTION_METHOD", calico.ipv4AutoDetectionMethod or ("none" if ipv6 else "first-found")),
        ("IP6_AUTODETECTION_METHOD", calico.ipv6AutoDetectionMethod or ("first-found" if ipv6 else "none")),
        ("CALICO_IPV4POOL_IPIP", ipip),
        ("CALICO_IPV4POOL_VXLAN", vxlan4),
        ("CALICO_IPV6POOL_VXLAN", vxlan6),
    ]
    if ipv6:
        # IPv6 pods take addresses from each node's pod CIDR, so Calico creates no pool of its own.
        env += [("CALICO_ROUTER_ID", "hash"), ("NO_DEFAULT_POOLS", "true")]
    else:
        env.append(("CALICO_IPV4POOL_CIDR", pod_cidr(cluster)))
    aws_check = (calico.awsSrcDstCheck or "Disable") if cluster.spec.cloudProvider == "aws" and not ipv6 \
        else "DoNothing"
    env += [
        ("CALICO_DISABLE_FILE_LOGGING", "true"),
        ("FELIX_DEFAULTENDPOINTTOHOSTACTION", "ACCEPT"),
        ("FELIX_IPV6SUPPORT", _bool(ipv6)),
        ("FELIX_HEALTHENABLED", "true"),
        ("FELIX_AWSSRCDSTCHECK", aws_check),
        ("FELIX_BPFENABLED", _bool(calico.bpfEnabled)),
        ("FELIX_BPFEXTERNALSERVICEMODE", calico.bpfExternalServiceMode or "Tunnel"),
        ("FELIX_BPFKUBEPROXYIPTABLESCLEANUPENABLED", _bool(calico.bpfKubeProxyIptablesCleanupEnabled)),
        ("FELIX_BPFLOGLEVEL", calico.bpfLogLevel or "Off"),
        ("FELIX_CHAININSERTMODE", calico.chainInsertMode or "insert"),
        ("FELIX_IPTABLESBACKEND", calico.iptablesBackend or "Auto"),
    ]
    if calico.nftablesMode:
        env.append(("FELIX_NFTABLESMODE", calico.nftablesMode))
    env += [
        ("FELIX_LOGSEVERITYSCREEN", calico.logSeverityScreen or "info"),
        ("FELIX_PROMETHEUSMETRICSENABLED", _bool(calico.prometheusMetricsEnabled)),
        ("FELIX_PROMETHEUSMETRICSPORT", str(calico.prometheusMetricsPort or 9091)),
        ("FELIX_PROMETHEUSGOMETRICSENABLED", _bool(calico.prometheusGoMetricsEnabled)),
        ("FELIX_PROMETHEUSPROCESSMETRICSENABLED", _bool(calico.prometheusProcessMetricsEnabled)),
        ("FELIX_WIREGUARDENABLED", _bool(calico.wireguardEnabled)),
    ]
    return env + proxy_env(cluster)


def typha_env(calico: Any) -> list[tuple[str, str]]:
    return [
        ("TYPHA_LOGSEVERITYSCREEN", "info"),
        ("TYPHA_LOGFILEPATH", "none"),
        ("TYPHA_LOGSEVERITYSYS", "none"),
        ("TYPHA_CONNECTIONREBALANCINGMODE", "kubernetes"),
        ("TYPHA_DATASTORETYPE", "kubernetes"),
        ("TYPHA_HEALTHENABLED", "true"),
        ("TYPHA_SHUTDOWNTIMEOUTSECS", "300"),
        ("TYPHA_PROMETHEUSMETRICSENABLED", _bool(calico.typhaPrometheusMetricsEnabled)),
        ("TYPHA_PROMETHEUSMETRICSPORT", str(calico.typhaPrometheusMetricsPort or 9093)),
    ]


def _bool(value: Any) -> str:
    return "true" if value else "false"
