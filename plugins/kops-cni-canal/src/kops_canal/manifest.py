"""The ``networking.projectcalico.org.canal`` add-on: Canal's manifest rendered for one cluster."""

from __future__ import annotations

import json
from typing import Any

# Calico's custom resources (and the network-policy-api ones it enforces): Felix reads them even when it
# only enforces policy, so Canal installs the same set as Calico.
from kops_calico.manifest import CRDS

from kops_canal import ADDON_NAME, CALICO_VERSION, FLANNEL_IMAGE, TYPHA_PORT


def addon(cluster: Any) -> Any:
    from kops.addons import Addon

    return Addon(name=ADDON_NAME, version=CALICO_VERSION, manifest=render(cluster),
                 selector={"role.kubernetes.io/networking": "1"})


def render(cluster: Any) -> str:
    from kops.addons.render import render as render_template

    return render_template("kops_canal", "canal.yaml.j2", values(cluster), trim=False)


def values(cluster: Any) -> dict[str, Any]:
    canal = cluster.spec.networking.canal
    # Flannel hands each node a slice of this network; the pod CIDR the controller manager allocates
    # node ranges from lies inside it.
    net_conf = {"Network": cluster.spec.nonMasqueradeCIDR, "Backend": {"Type": "vxlan"}}
    return {
        "addon": ADDON_NAME,
        "calico_version": CALICO_VERSION,
        "flannel_image": FLANNEL_IMAGE,
        "net_conf": json.dumps(net_conf, indent=2),
        "mtu": canal.mtu or 0,
        "cpu_request": canal.cpuRequest if canal.cpuRequest is not None else "100m",
        "typha_replicas": canal.typhaReplicas or 0,
        "typha_port": TYPHA_PORT,
        "typha_metrics_port": (canal.typhaPrometheusMetricsPort or 9093) if canal.typhaPrometheusMetricsEnabled
        else None,
        "felix_env": [
            ("FELIX_DEFAULTENDPOINTTOHOSTACTION", canal.defaultEndpointToHostAction or "ACCEPT"),
            ("FELIX_IPV6SUPPORT", "false"),
            ("FELIX_HEALTHENABLED", "true"),
            ("FELIX_CHAININSERTMODE", canal.chainInsertMode or "insert"),
            ("FELIX_IPTABLESBACKEND", canal.iptablesBackend or "Auto"),
            ("FELIX_LOGSEVERITYSCREEN", canal.logSeveritySys or "info"),
            ("FELIX_PROMETHEUSMETRICSENABLED", _bool(canal.prometheusMetricsEnabled)),
            ("FELIX_PROMETHEUSMETRICSPORT", str(canal.prometheusMetricsPort or 9091)),
            ("FELIX_PROMETHEUSGOMETRICSENABLED", _bool(canal.prometheusGoMetricsEnabled)),
            ("FELIX_PROMETHEUSPROCESSMETRICSENABLED", _bool(canal.prometheusProcessMetricsEnabled)),
        ],
        "flannel_forward_rules": not canal.disableFlannelForwardRules,
        "typha_env": [
            ("TYPHA_LOGSEVERITYSCREEN", "info"),
            ("TYPHA_LOGFILEPATH", "none"),
            ("TYPHA_LOGSEVERITYSYS", "none"),
            ("TYPHA_CONNECTIONREBALANCINGMODE", "kubernetes"),
            ("TYPHA_DATASTORETYPE", "kubernetes"),
            ("TYPHA_HEALTHENABLED", "true"),
            ("TYPHA_SHUTDOWNTIMEOUTSECS", "300"),
            ("TYPHA_PROMETHEUSMETRICSENABLED", _bool(canal.typhaPrometheusMetricsEnabled)),
            ("TYPHA_PROMETHEUSMETRICSPORT", str(canal.typhaPrometheusMetricsPort or 9093)),
        ],
        "crds": [{"group": g, "version": v, "kind": k, "plural": p, "scope": s, "short_names": list(n), "status": st}
                 for g, v, k, p, s, n, st in CRDS],
    }


def _bool(value: Any) -> str:
    return "true" if value else "false"
