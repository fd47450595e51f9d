"""Finding and loading plugins: pluggy hooks and by-name drivers, both from entry points.

Everything here is lazy. Entry points are read once per process; a plugin module is imported the first
time a hook is called; a driver is imported when it is chosen by name. Entry points come from
:mod:`kops.entrypoints`, which keeps them between runs until a distribution is installed or removed. A plugin
that fails to import is named in a warning and skipped, so one broken plugin never takes the CLI down with it.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy
from kops import entrypoints, hookspecs
from kops.entrypoints import EntryPoint
from kops.errors import KopsError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kops.api.sections import SpecSection

log = logging.getLogger(__name__)

#: Providers upstream kOps ships, and the distribution that brings each here. Used to turn
#: "no such driver" into advice on what to install.
KNOWN_DISTRIBUTIONS = {
    "cloud": {
        "aws": "kops-aws",
        "gce": "kops-gce",
        "openstack": "kops-openstack",
        "vsphere": "kops-vsphere",
        "digitalocean": "kops-digitalocean",
    },
    "networking": {
        "calico": "kops-calico",
        "cilium": "kops-cilium",
        "cilium-etcd": "kops-cilium",
        "cilium-eni": "kops-cilium",
        "flannel": "kops-flannel",
        "canal": "kops-canal",
        "kube-router": "kops-kube-router",
        "amazonvpc": "kops-amazon-vpc",
        "amazon-vpc-routed-eni": "kops-amazon-vpc",
        "kindnet": "kops-kindnet",
        "kopeio": "kops-kopeio",
        "kopeio-vxlan": "kops-kopeio",
    },
    "state_store": {
        "s3": "kops-aws",
        "gs": "kops-gce",
        "swift": "kops-openstack",
        "do": "kops-digitalocean",
    },
}

WHAT = {"cloud": "cloud provider", "networking": "networking provider", "state_store": "state store scheme"}


class PluginNotInstalled(KopsError):
    """A provider was asked for by name and no installed plugin provides it."""


@dataclass
class PluginInfo:
    """What ``kops plugins list`` shows about one installed distribution."""

    name: str
    distribution: str
    version: str
    provides: list[str] = field(default_factory=list)
    error: str | None = None


def _entry_points(group: str) -> tuple[EntryPoint, ...]:
    return entrypoints.entry_points(group)


@functools.cache
def plugin_manager() -> pluggy.PluginManager:
    """The process's plugin manager with every installed ``kops.plugins`` entry point registered."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for ep in _entry_points(hookspecs.PLUGIN_NAMESPACE):
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception as exc:  # a broken plugin must not break the CLI
            _warn_broken(ep, exc)
    return pm


def hook() -> Any:
    """Shortcut for ``plugin_manager().hook``."""
    return plugin_manager().hook


def collect(results: list[Any]) -> list[Any]:
    """Flatten a hook's per-plugin results, dropping ``None``."""
    out: list[Any] = []
    for item in results:
        if item is None:
            continue
        if isinstance(item, list | tuple):
            out.extend(x for x in item if x is not None)
        else:
            out.append(item)
    return out


@functools.cache
def _broken() -> dict[str, str]:
    return {}


def broken() -> dict[str, str]:
    """The plugins that failed to load in this process, with why."""
    return dict(_broken())


def _warn_broken(ep: EntryPoint, exc: BaseException) -> None:
    reason = f"{type(exc).__name__}: {exc}"
    if ep.name not in _broken():
        log.warning("plugin %r (%s) failed to load and is skipped: %s", ep.name, ep.dist, reason)
    _broken()[ep.name] = reason


@functools.cache
def spec_sections() -> dict[str, SpecSection]:
    """The Cluster spec sections installed plugins declare (``kops_spec_sections``), by name, read once per process.

    A plugin whose hook fails or returns something other than :class:`kops.api.SpecSection` is named in a
    warning and its sections skipped, as a plugin that fails to import is. A name the core's ClusterSpec
    already has, or that several plugins declare, is named in a warning with the plugins and accepted from
    none of them: whose model applied would otherwise depend on the order plugins were installed in.
    """
    from kops.api.clusterspec import ClusterSpec
    from kops.api.sections import SpecSection

    pm = plugin_manager()
    claims: dict[str, list[tuple[str, SpecSection]]] = {}
    for impl in pm.hook.kops_spec_sections.get_hookimpls():
        plugin = pm.get_name(impl.plugin) or "?"
        try:
            returned: Any = impl.function()
            declared = list(returned or [])
            wrong = [item for item in declared if not isinstance(item, SpecSection)]
            if wrong:
                raise TypeError(f"{wrong[0]!r} is not a kops.api.SpecSection")
        except Exception as exc:  # a broken plugin must not break loading every spec
            log.warning("plugin %r declares spec sections kops cannot use, so they are skipped: %s: %s",
                        plugin, type(exc).__name__, exc)
            continue
        for section in declared:
            claims.setdefault(section.name, []).append((plugin, section))
    builtin = {info.alias or name for name, info in ClusterSpec.model_fields.items()}
    accepted: dict[str, SpecSection] = {}
    for name, owners in sorted(claims.items()):
        plugins = ", ".join(sorted({repr(plugin) for plugin, _ in owners}))
        if name in builtin:
            log.warning("spec.%s, declared as a section by plugin %s, is a built-in field; the section is not used",
                        name, plugins)
        elif len(owners) > 1:
            log.warning("spec.%s is declared by more than one plugin (%s), so none of them is used", name, plugins)
        else:
            accepted[name] = owners[0][1]
    return accepted


def driver_names(kind: str) -> list[str]:
    """Names of the installed drivers of one kind (``cloud``, ``networking``, ...), without importing them."""
    return sorted({ep.name for ep in _entry_points(hookspecs.DRIVER_NAMESPACES[kind])})


def load_driver(kind: str, name: str) -> Any:
    """The driver class registered under ``name`` for ``kind``.

    Raises :class:`PluginNotInstalled` naming the distribution to install when nothing provides it.
    """
    lookup = name.lower()
    ep = next((ep for ep in _entry_points(hookspecs.DRIVER_NAMESPACES[kind]) if ep.name == lookup), None)
    if ep is None:
        raise PluginNotInstalled(_missing_message(kind, name))
    try:
        return ep.load()
    except Exception as exc:
        raise KopsError(f"the {WHAT[kind]} {name!r} failed to load: {exc}") from exc


def _missing_message(kind: str, name: str) -> str:
    dist = KNOWN_DISTRIBUTIONS[kind].get(name.lower())
    installed = ", ".join(driver_names(kind)) or "none"
    if dist and _is_installed(dist):
        return (f"{WHAT[kind]} {name!r} belongs to the plugin distribution {dist!r}, which is installed but does not "
                f"provide it yet (installed: {installed})")
    if dist:
        return (f"{WHAT[kind]} {name!r} is provided by the plugin distribution {dist!r}, which is not installed: "
                f"pip install {dist} (installed: {installed})")
    return f"unknown {WHAT[kind]} {name!r} (installed: {installed})"


def _is_installed(distribution: str) -> bool:
    from importlib import metadata

    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def installed_plugins() -> list[PluginInfo]:
    """Every distribution that provides hooks or drivers, with what it provides."""
    by_dist: dict[str, PluginInfo] = {}

    def info_for(ep: EntryPoint) -> PluginInfo:
        if ep.dist not in by_dist:
            by_dist[ep.dist] = PluginInfo(name=ep.dist.removeprefix("kops-"), distribution=ep.dist, version=ep.version)
        return by_dist[ep.dist]

    pm = plugin_manager()
    for ep in _entry_points(hookspecs.PLUGIN_NAMESPACE):
        info = info_for(ep)
        info.name = ep.name
        plugin = pm.get_plugin(ep.name)
        if plugin is None:
            info.error = _broken().get(ep.name, "not loaded")
            continue
        hooks = sorted(h.name for h in (pm.get_hookcallers(plugin) or []))
        info.provides.extend(f"hook:{h}" for h in hooks)
    for kind, namespace in hookspecs.DRIVER_NAMESPACES.items():
        for ep in _entry_points(namespace):
            info_for(ep).provides.append(f"{kind}:{ep.name}")
    return sorted(by_dist.values(), key=lambda i: i.name)
