"""containerd on the node: its binaries (from the release tarball), runc, its configuration and its unit.

The configuration is upstream's for containerd 2.x: schema version 3 (4 from containerd 2.3), the runc runtime
with systemd cgroups, the pinned sandbox image, registry mirrors as ``certs.d/<registry>/hosts.toml`` files,
then ``spec.containerd.configAdditions`` on top (dotted keys). ``configOverride`` replaces it all, as upstream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kops.errors import KopsError
from kops.nodeup import toml
from kops.nodeup.archives import unpack
from kops.nodeup.files import NodeFiles
from kops.nodeup.units import containerd_unit
from kops.versions import Version

BIN_DIR = "/usr/local/bin"
CONFIG_PATH = "/etc/containerd/config.toml"
REGISTRY_DIR = "/etc/containerd/certs.d"
CRI_RUNTIME = "io.containerd.cri.v1.runtime"
CRI_IMAGES = "io.containerd.cri.v1.images"


def add_containerd(files: NodeFiles, config: dict[str, Any], downloads: dict[str, Path], workdir: Path) -> None:
    """containerd's files; its binaries and runc too unless ``skipInstall`` (the image brings its own)."""
    containerd = config.get("containerdConfig") or {}
    install = not containerd.get("skipInstall")
    if install and "containerd" in downloads:
        for name, path in _binaries(downloads["containerd"], workdir / "containerd").items():
            files.copy(f"{BIN_DIR}/{name}", path)
        if "runc" in downloads:
            files.copy(f"{BIN_DIR}/runc", downloads["runc"])
    files.add(CONFIG_PATH, containerd.get("configOverride") or config_toml(containerd, config.get("UsesKubenet")))
    if not containerd.get("configOverride"):
        for registry, endpoints in sorted((containerd.get("registryMirrors") or {}).items()):
            hosts = "".join(f'[host.{toml._value(e)}]\n  capabilities = ["pull", "resolve"]\n\n' for e in endpoints)
            files.add(f"{REGISTRY_DIR}/{'_default' if registry == '*' else registry}/hosts.toml", hosts)
    if install:
        files.add("/etc/sysconfig/containerd", 'CONTAINERD_OPTS=""\n')
        files.unit("containerd.service", containerd_unit(f"{BIN_DIR}/containerd", CONFIG_PATH))


def config_toml(containerd: dict[str, Any], uses_kubenet: bool | None) -> str:
    tree: dict[str, Any] = {"version": schema_version(containerd.get("version"))}
    plugins: dict[str, Any] = {}
    runtime: dict[str, Any] = {"containerd": {"default_runtime_name": "runc", "runtimes": {
        "runc": {"runtime_type": "io.containerd.runc.v2", "options": {"SystemdCgroup": True}}}}}
    images: dict[str, Any] = {}
    nri = containerd.get("nri")
    if nri is not None and nri.get("enabled", True):
        plugins["io.containerd.nri.v1.nri"] = {"disable": False, **{
            k: nri[c] for k, c in (("plugin_request_timeout", "pluginRequestTimeout"),
                                   ("plugin_registration_timeout", "pluginRegistrationTimeout")) if nri.get(c)}}
    if containerd.get("selinuxEnabled"):
        runtime["enable_selinux"] = True
    if containerd.get("sandboxImage"):
        images["pinned_images"] = {"sandbox": containerd["sandboxImage"]}
    if containerd.get("registryMirrors"):
        images["registry"] = {"config_path": REGISTRY_DIR}
    if uses_kubenet:
        runtime["cni"] = {"conf_template": "/etc/containerd/config-cni.template"}
    if images:
        plugins[CRI_IMAGES] = images
    plugins[CRI_RUNTIME] = runtime
    tree["plugins"] = plugins
    for dotted, value in sorted((containerd.get("configAdditions") or {}).items()):
        _set_dotted(tree, str(dotted), value)
    return toml.dumps(tree)


def schema_version(version: str | None) -> int:
    """The config schema containerd ``version`` reads: 4 from 2.3, else 3."""
    try:
        parsed = Version.parse(str(version or ""))
    except KopsError:
        return 3
    return 4 if (parsed.major, parsed.minor) >= (2, 3) else 3


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    """``configAdditions``: ``a.b."c.d".e = value``, with ``true``/``false`` and integers typed as upstream."""
    keys = _split_key(dotted)
    node = tree
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise KopsError(f"spec.containerd.configAdditions.{dotted}: {key} is a value, not a table")
    if isinstance(value, str) and value in ("true", "false"):
        value = value == "true"
    node[keys[-1]] = value


def _split_key(dotted: str) -> list[str]:
    keys, current, quoted = [], "", False
    for ch in dotted:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            keys.append(current)
            current = ""
        else:
            current += ch
    keys.append(current)
    if quoted or any(not k for k in keys):
        raise KopsError(f"spec.containerd.configAdditions: invalid key {dotted!r}")
    return keys


def _binaries(tarball: Path, into: Path) -> dict[str, Path]:
    """containerd's binaries: the files under ``bin/`` of the release tarball."""
    found = unpack(tarball, into, lambda p: p.name if p.parent.as_posix().lstrip("./") == "bin" else None,
                   "containerd")
    if "containerd" not in found:
        raise KopsError("containerd: the archive has no bin/containerd")
    return found
