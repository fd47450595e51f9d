"""The control plane's static pods (kube-apiserver, kube-controller-manager, kube-scheduler) and kube-proxy's.

Each runs its component through go-runner with flags from the completed spec (:mod:`.flags`) plus the paths of
the credentials nodeup writes, mounts exactly the host paths it reads, and logs to ``/var/log/<component>.log``.
"""

from __future__ import annotations

import copy
from typing import Any

from kops.nodeup import flagnames
from kops.nodeup.flags import build_flags
from kops.nodeup.podspec import go_runner, host_path, pod, proxy_env, resources

SRV = "/srv/kubernetes"
KAPI = f"{SRV}/kube-apiserver"
KCM = f"{SRV}/kube-controller-manager"
SCHED = f"{SRV}/kube-scheduler"
SSL_HOST_PATHS = ("/etc/ssl", "/etc/pki/tls", "/etc/pki/ca-trust", "/usr/share/ssl", "/usr/ssl", "/usr/lib/ssl",
                  "/usr/local/openssl", "/var/ssl", "/etc/openssl")
#: Where the controller manager finds flex-volume drivers (the kubelet's default directory).
VOLUME_PLUGIN_DIR = "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/"


def kube_apiserver(config: dict[str, Any]) -> dict[str, Any]:
    server = config["APIServerConfig"]
    settings = copy.deepcopy(server.get("KubeAPIServer") or {})
    settings.update({
        "clientCAFile": settings.get("clientCAFile") or f"{SRV}/ca.crt",
        "tlsCertFile": f"{KAPI}/server.crt", "tlsPrivateKeyFile": f"{KAPI}/server.key",
        "etcdCaFile": f"{KAPI}/etcd-ca.crt", "etcdCertFile": f"{KAPI}/etcd-client.crt",
        "etcdKeyFile": f"{KAPI}/etcd-client.key",
        "requestheaderClientCAFile": f"{KAPI}/apiserver-aggregator-ca.crt",
        "proxyClientCertFile": f"{KAPI}/apiserver-aggregator.crt",
        "proxyClientKeyFile": f"{KAPI}/apiserver-aggregator.key",
        "kubeletClientCertificate": f"{KAPI}/kubelet-api.crt", "kubeletClientKey": f"{KAPI}/kubelet-api.key",
        "serviceAccountKeyFile": [*(settings.get("serviceAccountKeyFile") or []), f"{KAPI}/service-account.pub"],
        "serviceAccountSigningKeyFile": settings.get("serviceAccountSigningKeyFile") or f"{KAPI}/service-account.key",
    })
    if settings.get("admissionControl"):
        settings["enableAdmissionPlugins"] = settings.pop("admissionControl")
    flags = build_flags(settings, flagnames.KUBE_APISERVER)
    flags += [f"--service-account-issuer={i}" for i in settings.get("additionalServiceAccountIssuers") or []]
    port = int(settings.get("securePort") or 443)
    annotations = {"kubectl.kubernetes.io/default-container": "kube-apiserver"}
    api = server.get("API") or {}
    if not config.get("usesNoneDNS"):
        annotations["dns.alpha.kubernetes.io/internal"] = config["APIInternalName"]
        if api.get("PublicName"):
            annotations["dns.alpha.kubernetes.io/external"] = api["PublicName"]
    tree = pod("kube-apiserver", {"k8s-app": "kube-apiserver"}, annotations=annotations)

    def probe(path: str, **timing: int) -> dict[str, Any]:
        return {"httpGet": {"host": "127.0.0.1", "path": path, "port": port, "scheme": "HTTPS"}, **timing}

    container: dict[str, Any] = {
        "name": "kube-apiserver",
        "image": settings.get("image") or f"registry.k8s.io/kube-apiserver:v{config['KubernetesVersion']}",
        **go_runner("/usr/local/bin/kube-apiserver", "/var/log/kube-apiserver.log", flags),
        "env": proxy_env((config.get("Networking") or {}).get("egressProxy")),
        "ports": [{"name": "https", "containerPort": port, "hostPort": port}],
        "startupProbe": probe("/livez", initialDelaySeconds=10, timeoutSeconds=300, failureThreshold=30,
                              periodSeconds=10),
        "livenessProbe": probe("/livez", initialDelaySeconds=10, timeoutSeconds=15, failureThreshold=8,
                               periodSeconds=10),
        "readinessProbe": probe("/healthz", timeoutSeconds=15, failureThreshold=3, periodSeconds=1),
        "resources": resources(settings, "150m"),
    }
    _common_mounts(tree, container, "kube-apiserver")
    host_path(tree, container, "kubernetesca", f"{SRV}/ca.crt")
    host_path(tree, container, "srvkapi", KAPI)
    audit_log = settings.get("auditLogPath")
    if audit_log and audit_log != "-":
        host_path(tree, container, "auditlogpathdir", audit_log.rsplit("/", 1)[0] or "/", writable=True)
    if settings.get("auditPolicyFile") and settings["auditPolicyFile"].rsplit("/", 1)[0] != KAPI:
        host_path(tree, container, "auditconfigdir", settings["auditPolicyFile"].rsplit("/", 1)[0])
    tree["spec"]["containers"].append(_clean(container))
    return tree


def kube_controller_manager(config: dict[str, Any]) -> dict[str, Any]:
    settings = copy.deepcopy(config["ControlPlaneConfig"].get("KubeControllerManager") or {})
    settings.update({
        "rootCAFile": f"{SRV}/ca.crt",
        "serviceAccountPrivateKeyFile": f"{KCM}/service-account.key",
        "tlsCertFile": settings.get("tlsCertFile") or f"{KCM}/server.crt",
        "tlsPrivateKeyFile": settings.get("tlsPrivateKeyFile") or f"{KCM}/server.key",
    })
    kubeconfig = "/var/lib/kube-controller-manager/kubeconfig"
    flags = build_flags(settings, flagnames.KUBE_CONTROLLER_MANAGER) + [
        f"--kubeconfig={kubeconfig}", f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        f"--cluster-signing-cert-file={KCM}/ca.crt", f"--cluster-signing-key-file={KCM}/ca.key",
        f"--flex-volume-plugin-dir={VOLUME_PLUGIN_DIR}",
    ]
    tree = pod("kube-controller-manager", {"k8s-app": "kube-controller-manager"})
    container = {
        "name": "kube-controller-manager",
        "image": settings.get("image") or f"registry.k8s.io/kube-controller-manager:v{config['KubernetesVersion']}",
        **go_runner("/usr/local/bin/kube-controller-manager", "/var/log/kube-controller-manager.log", sorted(flags)),
        "env": proxy_env((config.get("Networking") or {}).get("egressProxy")),
        "livenessProbe": {"httpGet": {"host": "127.0.0.1", "path": "/healthz", "port": 10257, "scheme": "HTTPS"},
                          "initialDelaySeconds": 15, "timeoutSeconds": 15},
        "resources": resources(settings, "100m"),
    }
    _common_mounts(tree, container, "kube-controller-manager")
    host_path(tree, container, "cabundle", f"{SRV}/ca.crt")
    host_path(tree, container, "srvkcm", KCM)
    host_path(tree, container, "varlibkcm", "/var/lib/kube-controller-manager")
    host_path(tree, container, "volplugins", VOLUME_PLUGIN_DIR, writable=True)
    tree["spec"]["containers"].append(_clean(container))
    return tree


def kube_scheduler(config: dict[str, Any]) -> dict[str, Any]:
    settings = copy.deepcopy(config["ControlPlaneConfig"].get("KubeScheduler") or {})
    settings.setdefault("tlsCertFile", f"{SCHED}/server.crt")
    settings.setdefault("tlsPrivateKeyFile", f"{SCHED}/server.key")
    kubeconfig = "/var/lib/kube-scheduler/kubeconfig"
    flags = build_flags(settings, flagnames.KUBE_SCHEDULER) + [
        "--config=/var/lib/kube-scheduler/config.yaml", "--authentication-tolerate-lookup-failure=false",
        "--authentication-skip-lookup=false", f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
    ]
    env = proxy_env((config.get("Networking") or {}).get("egressProxy"))
    if settings.get("maxPersistentVolumes") is not None:
        env.append({"name": "KUBE_MAX_PD_VOLS", "value": str(settings["maxPersistentVolumes"])})
    tree = pod("kube-scheduler", {"k8s-app": "kube-scheduler"})
    container = {
        "name": "kube-scheduler",
        "image": settings.get("image") or f"registry.k8s.io/kube-scheduler:v{config['KubernetesVersion']}",
        **go_runner("/usr/local/bin/kube-scheduler", "/var/log/kube-scheduler.log", sorted(flags)),
        "env": env,
        "livenessProbe": {"httpGet": {"host": "127.0.0.1", "path": "/healthz", "port": 10259, "scheme": "HTTPS"},
                          "initialDelaySeconds": 15, "timeoutSeconds": 15},
        "resources": resources(settings, "100m"),
    }
    host_path(tree, container, "varlibkubescheduler", "/var/lib/kube-scheduler")
    host_path(tree, container, "srvscheduler", SCHED)
    host_path(tree, container, "logfile", "/var/log/kube-scheduler.log", writable=True)
    tree["spec"]["containers"].append(_clean(container))
    return tree


def scheduler_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """``/var/lib/kube-scheduler/config.yaml``: the scheduler's kubeconfig and leader election."""
    settings = config["ControlPlaneConfig"].get("KubeScheduler") or {}
    out: dict[str, Any] = {"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
                           "clientConnection": {"kubeconfig": "/var/lib/kube-scheduler/kubeconfig"}}
    for key, field in (("qps", "qps"), ("burst", "burst")):
        if settings.get(key) is not None:
            out["clientConnection"][field] = settings[key]
    election = settings.get("leaderElection") or {}
    if election.get("leaderElect") is not None:
        out["leaderElection"] = {"leaderElect": election["leaderElect"]}
    return out


def kube_proxy(config: dict[str, Any], api_server: str) -> dict[str, Any]:
    settings = copy.deepcopy(config["KubeProxy"])
    settings.setdefault("master", api_server)
    settings.setdefault("conntrackMaxPerCore", 131072)
    flags = build_flags(settings, flagnames.KUBE_PROXY) + ["--kubeconfig=/var/lib/kube-proxy/kubeconfig",
                                                           "--oom-score-adj=-998"]
    tree = pod("kube-proxy", {"k8s-app": "kube-proxy", "tier": "node", "kubernetes.io/managed-by": "nodeup"})
    tree["spec"]["priorityClassName"] = "system-node-critical"
    container = {
        "name": "kube-proxy",
        "image": settings.get("image") or f"registry.k8s.io/kube-proxy:v{config['KubernetesVersion']}",
        **go_runner("/usr/local/bin/kube-proxy", "/var/log/kube-proxy.log", sorted(flags)),
        "resources": resources(settings, "100m"),
        "securityContext": {"privileged": True},
    }
    host_path(tree, container, "logfile", "/var/log/kube-proxy.log", writable=True)
    host_path(tree, container, "kubeconfig", "/var/lib/kube-proxy")
    host_path(tree, container, "modules", "/lib/modules")
    host_path(tree, container, "ssl-certs-hosts", "/usr/share/ca-certificates", mount_path="/etc/ssl/certs")
    host_path(tree, container, "iptableslock", "/run/xtables.lock", writable=True, kind="FileOrCreate")
    tree["spec"]["containers"].append(_clean(container))
    return tree


def _common_mounts(tree: dict[str, Any], container: dict[str, Any], component: str) -> None:
    host_path(tree, container, "logfile", f"/var/log/{component}.log", writable=True)
    for path in SSL_HOST_PATHS:
        host_path(tree, container, path.replace("/", ""), path)


def _clean(container: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty lists (no environment), as the API server would."""
    return {k: v for k, v in container.items() if v != []}
