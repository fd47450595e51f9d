"""The ``cilium-config`` ConfigMap: the agent's and operator's flags, from the cluster's effective settings.

Keys are Cilium 1.18's option names; values are strings as a ConfigMap needs. ``extraConfig`` comes last
so a user can override any key kops writes.
"""

from __future__ import annotations

from typing import Any

#: Where the ``cilium`` etcd cluster listens on the control plane.
ETCD_CILIUM_CLIENT_PORT = 4003
HUBBLE_LISTEN_PORT = 4244
HUBBLE_METRICS_PORT = 9965
OPERATOR_METRICS_PORT = 9963
ENVOY_METRICS_PORT = 9964
OPERATOR_HEALTH_PORT = 9234


def flag(value: Any) -> str:
    return "true" if value else "false"


def cloud_labels(cluster: Any) -> str:
    """The ENI tags: ``KubernetesCluster=<name>`` and the cluster's cloud labels, sorted."""
    labels = [f"KubernetesCluster={cluster.name}"]
    labels += [f"{k}={v}" for k, v in (cluster.spec.cloudLabels or {}).items()]
    return ",".join(sorted(labels))


def agent_config(cluster: Any, c: dict[str, Any], ipv6_only: bool) -> dict[str, str]:
    config = {
        "identity-allocation-mode": c["identityAllocationMode"],
        "identity-heartbeat-timeout": "30m0s",
        "identity-gc-interval": "15m0s",
        "cilium-endpoint-gc-interval": "5m0s",
        "nodes-gc-interval": "5m0s",
        "identity-change-grace-period": c["identityChangeGracePeriod"],
        "disable-endpoint-crd": flag(c.get("disableEndpointCRD")),
        "debug": flag(c.get("debug")),
        "debug-verbose": " ".join(c.get("debugVerbose") or []),
        "enable-policy": c.get("enablePolicy") or "default",
        "enable-ipv4": flag(not ipv6_only),
        "enable-ipv6": flag(ipv6_only),
        "custom-cni-conf": "false",
        "monitor-aggregation": c["monitorAggregation"],
        "monitor-aggregation-interval": "5s",
        "monitor-aggregation-flags": "all",
        "bpf-map-dynamic-size-ratio": "0.0025",
        "bpf-policy-map-max": str(c["bpfPolicyMapMax"]),
        "bpf-lb-map-max": str(c["bpfLBMapMax"]),
        "bpf-lb-algorithm": c["bpfLBAlgorithm"],
        "bpf-lb-maglev-table-size": str(c["bpfLBMaglevTableSize"]),
        "preallocate-bpf-maps": flag(c.get("preallocateBPFMaps")),
        "bpf-root": c.get("bpfRoot") or "/sys/fs/bpf",
        "cgroup-root": "/run/cilium/cgroupv2",
        "procfs": "/host/proc",
        "cluster-name": c["clusterName"],
        "enable-l7-proxy": flag(c["enableL7Proxy"]),
        "enable-ipv4-masquerade": flag(not c["disableMasquerade"] and not ipv6_only),
        "enable-ipv6-masquerade": "false",
        "enable-bpf-masquerade": flag(c["enableBPFMasquerade"] and not ipv6_only),
        "enable-xt-socket-fallback": "true",
        "install-no-conntrack-iptables-rules": "false",
        "auto-direct-node-routes": flag(c.get("autoDirectNodeRoutes")),
        "enable-local-redirect-policy": flag(c["enableLocalRedirectPolicy"]),
        "kube-proxy-replacement": flag(c.get("enableNodePort")),
        "enable-node-port": flag(c.get("enableNodePort")),
        "bpf-lb-sock": flag(c.get("bpfLBSock")),
        "bpf-lb-sock-hostns-only": flag(c.get("bpfLBSockHostNSOnly")),
        "enable-health-check-nodeport": "true",
        "node-port-bind-protection": "true",
        "enable-auto-protect-node-port-range": "true",
        "enable-service-topology": flag(c.get("enableServiceTopology")),
        "enable-k8s-networkpolicy": "true",
        "write-cni-conf-when-ready": "/host/etc/cni/net.d/05-cilium.conflist",
        "cni-exclusive": flag(c["cniExclusive"]),
        "cni-log-file": "/var/run/cilium/cilium-cni.log",
        "enable-endpoint-health-checking": flag(c["enableEndpointHealthChecking"]),
        "enable-health-checking": "true",
        "enable-host-firewall": flag(c["enableHostFirewall"]),
        "synchronize-k8s-nodes": "true",
        "operator-api-serve-addr": f"{'[::1]' if ipv6_only else '127.0.0.1'}:{OPERATOR_HEALTH_PORT}",
        "remove-cilium-node-taints": "true",
        "set-cilium-node-taints": "true",
        "set-cilium-is-up-condition": "true",
        "agent-not-ready-taint-key": "node.cilium.io/agent-not-ready",
        "tofqdns-dns-reject-response-code": c["toFqdnsDnsRejectResponseCode"],
        "tofqdns-enable-dns-compression": "true",
        "tofqdns-endpoint-max-ip-per-hostname": "1000",
        "tofqdns-proxy-response-max-delay": "100ms",
        "ipam": c["ipam"],
        "ipam-cilium-node-update-rate": "15s",
        "cluster-pool-ipv4-mask-size": "24",
    }
    if c.get("clusterID"):
        config["cluster-id"] = str(c["clusterID"])
    config.update(_routing(c))
    if c.get("chainingMode"):
        config["cni-chaining-mode"] = c["chainingMode"]
        # The chained plugin routes the pods, so Cilium's own host routing stays out of the way.
        config["enable-host-legacy-routing"] = "true"
        if c["chainingMode"] != "portmap":
            config["enable-local-node-route"] = "false"
    else:
        config["dnsproxy-enable-transparent-mode"] = "true"
    if c["ipam"] == "eni":
        config.update({"enable-endpoint-routes": "true", "auto-create-cilium-node-resource": "true",
                       "eni-tags": cloud_labels(cluster)})
    if c.get("etcdManaged"):
        config.update(_kvstore(cluster))
    if c.get("enableEncryption"):
        config.update(_encryption(c))
    if c.get("enablePrometheusMetrics"):
        config.update(_metrics(c))
    if c["hubble"]["enabled"]:
        config.update(_hubble(c))
    if c["ingress"]["enabled"] or c["gatewayAPI"]["enabled"]:
        config.update({"enable-envoy-config": "true", "envoy-config-retry-interval": "15s",
                       "envoy-secrets-namespace": "kube-system"})
    if c["ingress"]["enabled"]:
        config.update(_ingress(c["ingress"]))
    if c["gatewayAPI"]["enabled"]:
        config.update(_gateway_api(c["gatewayAPI"]))
    config.update({str(k): str(v) for k, v in (c.get("extraConfig") or {}).items()})
    return config


def _routing(c: dict[str, Any]) -> dict[str, str]:
    if c["tunnel"] == "disabled":
        return {"routing-mode": "native"}
    return {"routing-mode": "tunnel", "tunnel-protocol": c["tunnel"], "tunnel-source-port-range": "0-0",
            "service-no-backend-response": "reject"}


def _kvstore(cluster: Any) -> dict[str, str]:
    """Cilium's state in the ``cilium`` etcd cluster, reached through the internal API name with client certs
    that nodeup places under /etc/kubernetes/pki/cilium."""
    etcd_config = "\n".join([
        "---",
        "endpoints:",
        f"  - https://api.internal.{cluster.name}:{ETCD_CILIUM_CLIENT_PORT}",
        "trusted-ca-file: /var/lib/etcd-secrets/etcd-ca.crt",
        "key-file: /var/lib/etcd-secrets/etcd-client-cilium.key",
        "cert-file: /var/lib/etcd-secrets/etcd-client-cilium.crt",
    ])
    return {"kvstore": "etcd", "kvstore-opt": '{"etcd.config": "/var/lib/etcd-config/etcd.config"}',
            "etcd-config": etcd_config}


def _encryption(c: dict[str, Any]) -> dict[str, str]:
    config = {"encrypt-node": flag(c.get("nodeEncryption"))}
    if c["encryptionType"] == "wireguard":
        config["enable-wireguard"] = "true"
    else:
        config.update({"enable-ipsec": "true", "ipsec-key-file": "/etc/ipsec/keys",
                       "enable-ipsec-key-watcher": "true", "ipsec-key-rotation-duration": "5m"})
    return config


def _metrics(c: dict[str, Any]) -> dict[str, str]:
    config = {
        "prometheus-serve-addr": f":{c['agentPrometheusPort']}",
        "proxy-prometheus-port": str(ENVOY_METRICS_PORT),
        "operator-prometheus-serve-addr": f":{OPERATOR_METRICS_PORT}",
        "enable-metrics": "true",
    }
    if c.get("metrics"):
        config["metrics"] = " ".join(c["metrics"])
    return config


def _hubble(c: dict[str, Any]) -> dict[str, str]:
    config = {
        "enable-hubble": "true",
        "hubble-socket-path": "/var/run/cilium/hubble.sock",
        "hubble-listen-address": f":{HUBBLE_LISTEN_PORT}",
        "hubble-disable-tls": "false",
        "hubble-tls-cert-file": "/var/lib/cilium/tls/hubble/server.crt",
        "hubble-tls-key-file": "/var/lib/cilium/tls/hubble/server.key",
        "hubble-tls-client-ca-files": "/var/lib/cilium/tls/hubble/client-ca.crt",
    }
    if c["hubble"].get("metrics"):
        config.update({"hubble-metrics-server": f":{HUBBLE_METRICS_PORT}",
                       "hubble-metrics": " ".join(c["hubble"]["metrics"])})
    return config


def _ingress(ingress: dict[str, Any]) -> dict[str, str]:
    config = {"enable-ingress-controller": "true", "enable-ingress-proxy-protocol": "false",
              "ingress-secrets-namespace": "kube-system"}
    optional = {"enforce-ingress-https": ingress.get("enforceHttps"),
                "enable-ingress-secrets-sync": ingress.get("enableSecretsSync"),
                "ingress-lb-annotation-prefixes": ingress.get("loadBalancerAnnotationPrefixes"),
                "ingress-default-lb-mode": ingress.get("defaultLoadBalancerMode"),
                "ingress-shared-lb-service-name": ingress.get("sharedLoadBalancerServiceName")}
    config.update({k: flag(v) if isinstance(v, bool) else v for k, v in optional.items() if v not in (None, "")})
    return config


def _gateway_api(gateway: dict[str, Any]) -> dict[str, str]:
    config = {"enable-gateway-api": "true", "gateway-api-secrets-namespace": "kube-system"}
    if gateway.get("enableSecretsSync") is not None:
        config["enable-gateway-api-secrets-sync"] = flag(gateway["enableSecretsSync"])
    return config
