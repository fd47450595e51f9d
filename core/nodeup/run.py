"""``kops nodeup``: turn a machine into a node of its instance group, from the group's nodeup configuration.

The run has three phases, so that a failure leaves the machine as it was: download and verify every asset
(a sha256 mismatch stops here), build every file in memory (the control plane issues its certificates from
the keystore here), then write them all. Only then, and only on a systemd machine as root without
``--root``, are the units started.

The control plane issues its components' certificates from the keystore and runs the node credential service
(``kops controller serve``, upstream's kops-controller). Workers ask that service for their kubelet's and
kube-proxy's client certificates (:mod:`kops.nodeup.credentials`) before anything is written, and their kubelet
registers under the name the certificate was issued for. Writing under ``--root`` is for inspection: a service
that cannot be reached is then said in a warning, and the kubeconfigs are written without credentials (and only
where none exists).
"""

from __future__ import annotations

import base64
import binascii
import copy
import logging
import os
import platform
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kops.errors import KopsError
from kops.nodeup import controlplane, credentials, kubelet
from kops.nodeup.archives import unpack
from kops.nodeup.containerd import add_containerd
from kops.nodeup.credentials import NodeCredentials
from kops.nodeup.fetch import download_assets, read_config
from kops.nodeup.files import NodeFiles, write
from kops.nodeup.pki import NodePKI, credentials_kubeconfig, unauthenticated_kubeconfig
from kops.nodeup.units import hook_units, kubelet_unit
from kops.nodeup.yamlio import dump

log = logging.getLogger(__name__)

BIN_DIR = "/usr/local/bin"
CNI_BIN_DIR = "/opt/cni/bin"
FILE_ASSETS_DIR = "/srv/kubernetes/assets"
MACHINES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
#: Tries of a booting worker to reach the node credential service (about half an hour while the control plane
#: comes up: waits double from 1s up to 30s).
WORKER_ATTEMPTS = 64


@dataclass
class Result:
    root: Path
    written: list[Path] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    started: bool = False
    warnings: list[str] = field(default_factory=list)


def nodeup(location: str, root: Path | None = None, arch: str | None = None,
           bootstrap_server: str | None = None, config_sha256: str | None = None) -> Result:
    """Configure this machine (or the tree under ``root``, starting nothing) from the configuration at
    ``location`` (whose sha256 must be ``config_sha256`` when given); a worker asks ``bootstrap_server`` (default:
    the configuration's) for its credentials."""
    config = read_config(location, config_sha256)
    arch = arch or machine_architecture()
    assets = (config.get("Assets") or {}).get(arch)
    if not assets:
        raise KopsError(f"{location}: no assets for architecture {arch} (it lists "
                        f"{', '.join(sorted(config.get('Assets') or {})) or 'none'})")
    result = Result(root or Path("/"))
    with tempfile.TemporaryDirectory(prefix="kops-nodeup-") as scratch:
        work = Path(scratch)
        # Writing under --root is for inspection: binaries that cannot be fetched are left out and said so.
        unreachable: list[str] | None = [] if root is not None else None
        downloads = download_assets(assets, work / "downloads", unreachable)
        result.warnings += [f"not installed (unreachable): {u}" for u in unreachable or []]
        issued = None
        if "APIServerConfig" not in config:
            issued = worker_credentials(config, bootstrap_server, root is not None, result.warnings)
            if issued is not None:
                config = with_node_name(config, issued.node_name)
        files = build(config, downloads, work, result.warnings, issued)
        result.written = write(result.root, files)
    result.units = list(files.units)
    if root is None:
        result.started = start(files.units, result.warnings)
    return result


def worker_credentials(config: dict[str, Any], server: str | None, inspecting: bool,
                       warnings: list[str]) -> NodeCredentials | None:
    """The worker's kubelet (and kube-proxy) credentials from the node credential service. A machine keeps trying
    while the control plane comes up; under ``--root`` one try, and a failure is a warning."""
    names = (credentials.KUBELET, credentials.KUBE_PROXY) if "KubeProxy" in config else (credentials.KUBELET,)
    server = server or str(config.get("BootstrapServer") or credentials.service_url(str(config["ClusterName"])))
    try:
        return credentials.request(config, server, names, attempts=1 if inspecting else WORKER_ATTEMPTS)
    except KopsError as exc:
        if not inspecting:
            raise
        kubeconfigs = [kubelet.KUBECONFIG] + (["/var/lib/kube-proxy/kubeconfig"] if "KubeProxy" in config else [])
        warnings.append(f"worker node: {' and '.join(kubeconfigs)} carry no credentials: {exc}")
        return None


def with_node_name(config: dict[str, Any], node_name: str) -> dict[str, Any]:
    """The configuration with the kubelet (and kube-proxy) registering as ``node_name``, the name the node's
    certificate is issued for, unless the spec overrides the hostname itself."""
    config = copy.deepcopy(config)
    config.setdefault("KubeletConfig", {}).setdefault("hostnameOverride", node_name)
    if "KubeProxy" in config:
        config["KubeProxy"].setdefault("hostnameOverride", node_name)
    return config


def build(config: dict[str, Any], downloads: dict[str, Path], work: Path, warnings: list[str],
          issued: NodeCredentials | None = None) -> NodeFiles:
    """Every file of this node, in memory (a worker's credentials as ``issued`` by the node credential service)."""
    files = NodeFiles()
    # First, so that its unit is started before kubelet's: etcd-manager must find its disks mounted.
    controlplane.add_etcd_disks(files, config)
    for binary in ("kubelet", "kubectl"):
        if binary in downloads:
            files.copy(f"{BIN_DIR}/{binary}", downloads[binary])
    if "cni-plugins" in downloads:
        plugins = unpack(downloads["cni-plugins"], work / "cni", lambda p: p.name if len(p.parts) == 1 else None,
                         "cni-plugins")
        for name, path in plugins.items():
            files.copy(f"{CNI_BIN_DIR}/{name}", path)
    add_containerd(files, config, downloads, work)
    files.add(f"{kubelet.SRV}/ca.crt", _ca(config))
    pki = _pki(config) if "APIServerConfig" in config else None
    _add_kubelet(files, config, pki, issued)
    if "KubeProxy" in config:
        _add_kube_proxy(files, config, pki, issued)
    if pki is not None:
        controlplane.add_api_server(files, config, pki)
        if "ControlPlaneConfig" in config:
            controlplane.add_controller_manager(files, config, pki)
            controlplane.add_scheduler(files, config, pki)
            store_url, store = _store(config)
            controlplane.add_etcd_manager(files, config, pki, store, store_url)
            controlplane.add_credential_service(files, config, store_url)
    for name, definition in hook_units(config.get("Hooks") or [], f"{BIN_DIR}/ctr"):
        if definition is not None:
            files.unit(name, definition)
    _add_file_assets(files, config.get("FileAssets") or [])
    if config.get("SysctlParameters"):
        files.add("/etc/sysctl.d/99-k8s-custom.conf", "\n".join(config["SysctlParameters"]) + "\n")
    return files


def _add_kubelet(files: NodeFiles, config: dict[str, Any], pki: NodePKI | None,
                 issued: NodeCredentials | None) -> None:
    settings = kubelet.kubelet_settings(config)
    node = socket.gethostname()
    for path, content in kubelet.kubelet_files(settings, kubelet.CONTAINERD_SOCKET, pki is not None).items():
        files.add(path, content)
    if pki is not None:
        cert, key = pki.issue("kubernetes-ca", f"cn={node}", "server", [node])
        files.add(kubelet.SERVING_CERT, cert)
        files.private(kubelet.SERVING_KEY, key)
        files.private(kubelet.KUBECONFIG, pki.kubeconfig("kubelet", f"cn=system:node:{node},o=system:nodes",
                                                         controlplane.LOCAL_API))
    elif issued is not None:
        cert, key = issued.issued[credentials.KUBELET]
        files.private(kubelet.KUBECONFIG, credentials_kubeconfig(_ca(config), _api_url(config), "kubelet", cert, key))
    else:
        files.add(kubelet.KUBECONFIG, unauthenticated_kubeconfig(_ca(config), _api_url(config), "kubelet"),
                  0o600, keep_existing=True)
    files.directory(settings.get("podManifestPath") or controlplane.MANIFESTS)
    files.unit("kubelet.service", kubelet_unit(kubelet.BINARY))


def _add_kube_proxy(files: NodeFiles, config: dict[str, Any], pki: NodePKI | None,
                    issued: NodeCredentials | None) -> None:
    from kops.nodeup.pods import kube_proxy

    server = controlplane.LOCAL_API if pki is not None else _api_url(config)
    files.add(f"{controlplane.MANIFESTS}/kube-proxy.manifest", dump(kube_proxy(config, server)))
    if pki is not None:
        files.private("/var/lib/kube-proxy/kubeconfig", pki.kubeconfig("kube-proxy", "cn=system:kube-proxy", server))
    elif issued is not None:
        cert, key = issued.issued[credentials.KUBE_PROXY]
        files.private("/var/lib/kube-proxy/kubeconfig", credentials_kubeconfig(_ca(config), server, "kube-proxy",
                                                                               cert, key))
    else:
        files.add("/var/lib/kube-proxy/kubeconfig", unauthenticated_kubeconfig(_ca(config), server, "kube-proxy"),
                  0o600, keep_existing=True)
    files.add("/var/log/kube-proxy.log", b"", 0o400, keep_existing=True)


def _add_file_assets(files: NodeFiles, assets: list[dict[str, Any]]) -> None:
    """``spec.fileAssets``: each at its path (default under /srv/kubernetes/assets), mode 0440 unless given."""
    for n, asset in enumerate(assets):
        where = f"FileAssets[{n}]"
        path = asset.get("path") or (f"{FILE_ASSETS_DIR}/{asset['name']}" if asset.get("name") else "")
        if not path.startswith("/"):
            raise KopsError(f"{where}: needs an absolute path or a name")
        if path in files.files:
            continue
        content = str(asset.get("content") or "")
        data = content.encode()
        if asset.get("isBase64"):
            try:
                data = base64.b64decode(content + "=" * (-len(content) % 4), validate=True)
            except (binascii.Error, ValueError):
                raise KopsError(f"{where} ({path}): content is not valid base64") from None
        try:
            mode = int(str(asset.get("mode") or "0440"), 8)
        except ValueError:
            raise KopsError(f"{where} ({path}): mode {asset.get('mode')!r} is not octal such as 0644") from None
        files.add(path, data, mode)


def _ca(config: dict[str, Any]) -> bytes:
    bundle = (config.get("CAs") or {}).get("kubernetes-ca")
    if not bundle:
        raise KopsError("nodeup configuration: CAs.kubernetes-ca is missing; run kops update cluster (not a dry "
                        "run) to create the cluster's CA")
    return bundle.encode()


def _api_url(config: dict[str, Any]) -> str:
    return f"https://{config['APIInternalName']}"


def _store(config: dict[str, Any]) -> tuple[str, Any]:
    """The state store holding the cluster (``ConfigBase`` is ``<store>/<cluster>``)."""
    from kops.state import open_store

    base = str(config["ConfigBase"]).rstrip("/")
    suffix = "/" + str(config["ClusterName"])
    if not base.endswith(suffix):
        raise KopsError(f"nodeup configuration: ConfigBase {base} does not end with the cluster name "
                        f"{config['ClusterName']}")
    url = base[: -len(suffix)]
    return url, open_store(url)


def _pki(config: dict[str, Any]) -> NodePKI:
    _, store = _store(config)
    return NodePKI(config, store)


def machine_architecture() -> str:
    machine = platform.machine().lower()
    if machine not in MACHINES:
        raise KopsError(f"this machine's architecture {machine!r} is not one kops installs for "
                        f"(amd64, arm64); pass --arch")
    return MACHINES[machine]


def start(units: list[str], warnings: list[str]) -> bool:
    """Enable and start ``units`` with systemctl, only as root on a machine booted with systemd."""
    if os.geteuid() != 0 or not Path("/run/systemd/system").is_dir() or shutil.which("systemctl") is None:
        warnings.append("not starting services: that needs root on a machine running systemd")
        return False
    commands = [["systemctl", "daemon-reload"], *(["systemctl", "enable", "--now", u] for u in units)]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise KopsError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return True
