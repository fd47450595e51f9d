"""The bootstrap channel: every add-on of a cluster, written to the state store by ``kops update cluster``.

The layout and format are upstream's, so upstream's ``channels`` tool could read them too::

    addons/bootstrap-channel.yaml            kind: Addons, one entry per add-on
    addons/<name>/<id>.yaml                  the manifest an entry points at (``manifest: <name>/<id>.yaml``)

An entry carries the add-on's name, version, selector, manifest path, ``manifestHash`` (sha256 of the
stored manifest), id and ``prune``; the id is ``k8s-<major>.<minor>`` of the cluster unless the add-on names
its own, so moving to a new Kubernetes minor re-applies every add-on. The channel is rebuilt whole on every
update from what the plugins contribute now, so an add-on that is switched off is simply no longer in it.

An add-on whose manifest holds secret material (:attr:`kops.addons.Addon.private`: a Secret made from the cluster's
stored secrets, which hooks read through :class:`kops.addons.ClusterSecrets`) has its manifest stored as a private
boot file (owner-only on a ``file://`` store, encrypted where the store encrypts), never shown in plans nor held in
Terraform output; the channel document names it only by path and hash.

Every object is stamped with the add-on's name, ``app.kubernetes.io/managed-by: kops`` and the add-on's
selector labels (which is how objects of an add-on are found again), and its images go through
``spec.assets``' registry mirror or proxy when the cluster has one.

A Deployment or DaemonSet that runs as a service account its add-on declares (:class:`kops.addons.ServiceAccount`)
is given the cloud identity made for that account, when the cloud plugin makes one (the
``kops_service_account_identity`` hook): its containers get the identity's environment and mounts, the pod its
volumes and, unless it has one, ``securityContext.fsGroup``.

``prune`` is upstream's: the kinds whose objects the add-on owns are listed (``kinds``: ``group`` when not
the core group, ``kind``, ``labelSelector`` for the two labels every object is stamped with, and
``namespaces`` when the stored manifest has objects of that kind in a namespace), so that applying the
channel deletes the objects a new manifest no longer holds (:mod:`kops.addons.apply`). The kinds are always
the same fixed set (:data:`PRUNE_KINDS`, sorted by group then kind), whatever the manifest holds: a kind
that leaves the manifest is still pruned. Other kinds in a manifest are never pruned; namespaces and
CustomResourceDefinitions deliberately so, since deleting them deletes everything in or of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kops.addons import Addon, ClusterSecrets, PodIdentity, ServiceAccount
from kops.errors import KopsError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kops.model import BootstrapFile

#: Where the channel lives, relative to the cluster's folder in the state store.
CHANNEL_PATH = "addons/bootstrap-channel.yaml"
ADDONS_FOLDER = "addons"
API_VERSION = "addons.k8s.io/v1alpha1"

#: Labels on every object of an add-on: which add-on it belongs to, and who manages it.
ADDON_LABEL = "addon.kops.k8s.io/name"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"

#: The kinds every add-on's entry lists for pruning, as (group, kind); the core group is "".
PRUNE_KINDS: tuple[tuple[str, str], ...] = (
    ("", "ConfigMap"), ("", "Service"), ("", "ServiceAccount"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("apps", "DaemonSet"), ("apps", "Deployment"), ("apps", "StatefulSet"),
    ("policy", "PodDisruptionBudget"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "RoleBinding"),
)
#: Kinds pruned for one add-on only, on top of :data:`PRUNE_KINDS` (as upstream does for Karpenter's).
ADDON_PRUNE_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "karpenter.sh": (("karpenter.k8s.aws", "EC2NodeClass"), ("karpenter.sh", "NodePool")),
}


@dataclass
class Entry:
    """One add-on as the channel holds it: the manifest as stored, and where."""

    addon: Addon
    id: str
    manifest: str

    @property
    def location(self) -> str:
        """The manifest's path relative to the channel's folder."""
        return f"{self.addon.name}/{self.id}.yaml"

    @property
    def manifest_hash(self) -> str:
        return hashlib.sha256(self.manifest.encode()).hexdigest()

    def spec(self) -> dict[str, Any]:
        """The entry in upstream's ``AddonSpec`` form."""
        return {"name": self.addon.name, "version": self.addon.version, "selector": dict(self.addon.selector),
                "manifest": self.location, "manifestHash": self.manifest_hash, "id": self.id,
                "prune": prune_spec(self.addon.name, self.manifest)}


def prune_spec(name: str, manifest: str) -> dict[str, Any]:
    """Upstream's ``prune`` section for add-on ``name`` whose stored manifest is ``manifest``."""
    import yaml

    namespaces: dict[tuple[str, str], set[str]] = {}
    for obj in yaml.load_all(manifest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(obj, dict) and obj.get("kind"):
            found = namespaces.setdefault((str(obj.get("apiVersion") or "").rpartition("/")[0], obj["kind"]), set())
            namespace = (obj.get("metadata") or {}).get("namespace")
            if namespace:
                found.add(str(namespace))
    labels = {ADDON_LABEL: name, MANAGED_BY_LABEL: "kops"}
    selector = ",".join(f"{key}={labels[key]}" for key in sorted(labels))  # keys sorted, as upstream writes it
    kinds = []
    for group, kind in sorted({*PRUNE_KINDS, *ADDON_PRUNE_KINDS.get(name, ())}):
        entry: dict[str, Any] = {"group": group} if group else {}
        entry |= {"kind": kind, "labelSelector": selector}
        if namespaces.get((group, kind)):
            entry["namespaces"] = sorted(namespaces[group, kind])
        kinds.append(entry)
    return {"kinds": kinds}


def addons(cluster: Any, secrets: ClusterSecrets | None = None) -> list[Addon]:
    """Every add-on of the completed ``cluster``: the plugins' (core's included), then ``spec.addons``' ones. Hooks
    read the cluster's stored secrets through ``secrets`` (None: they read none, as listings do)."""
    from kops.addons import collect
    from kops.addons.spec_addons import load

    found = collect(cluster, secrets)
    taken = {a.name: a.source for a in found}
    for addon in load(cluster):
        if addon.name in taken:
            raise KopsError(f"spec.addons: add-on {addon.name!r} is already contributed by {taken[addon.name]}")
        taken[addon.name] = addon.source
        found.append(addon)
    return found


def entries(cluster: Any, found: list[Addon]) -> list[Entry]:
    """The channel entries for ``found``, each manifest stamped and remapped for ``cluster``."""
    from kops.addons import facts

    default_id = f"k8s-{facts.kubernetes_minor(cluster)}"
    remap = _image_remapper(cluster)
    return [Entry(addon, addon.id or default_id, finish(addon, remap, identity_lookup(cluster))) for addon in found]


def identity_lookup(cluster: Any) -> Callable[[ServiceAccount], PodIdentity | None]:
    """The cloud identity of a declared service account, as the plugins' ``kops_service_account_identity``
    hook gives it for ``cluster`` (None: the account has none)."""
    from kops.plugins import hook

    return lambda account: hook().kops_service_account_identity(cluster=cluster, service_account=account)


def channel_document(channel: list[Entry]) -> str:
    import yaml

    doc = {"apiVersion": API_VERSION, "kind": "Addons", "metadata": {"name": "bootstrap"},
           "spec": {"addons": [e.spec() for e in channel]}}
    return yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                     default_flow_style=False)


def channel_files(cluster: Any, secrets: ClusterSecrets | None = None) -> dict[str, bytes]:
    """The channel and each manifest, by path relative to the cluster's folder in the state store."""
    return {f.path: f.content for f in boot_files(cluster, secrets)}


def boot_files(cluster: Any, secrets: ClusterSecrets | None = None) -> list[BootstrapFile]:
    """The channel and each manifest as boot files: the manifest of an add-on that holds secret material
    (:attr:`kops.addons.Addon.private`) is private; the channel names it only by path and hash."""
    from kops.model import BootstrapFile

    channel = entries(cluster, addons(cluster, secrets))
    files = [BootstrapFile(CHANNEL_PATH, channel_document(channel).encode())]
    for entry in channel:
        files.append(BootstrapFile(f"{ADDONS_FOLDER}/{entry.location}", entry.manifest.encode(),
                                   private=entry.addon.private))
    return files


def finish(addon: Addon, remap: Any = None,
           identity: Callable[[ServiceAccount], PodIdentity | None] | None = None) -> str:
    """``addon``'s manifest as the channel stores it: one document per object, each labelled for the add-on,
    and, with ``identity``, its workloads given their service accounts' cloud identities."""
    import yaml

    objects: list[dict[str, Any]] = []
    for doc in yaml.load_all(addon.manifest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # noqa: S506
        if not doc:
            continue
        if not isinstance(doc, dict) or "kind" not in doc:
            raise KopsError(f"add-on {addon.name}: its manifest holds something that is not a Kubernetes object")
        # A List is its items, so that each object is applied and recorded on its own.
        objects += (doc.get("items") or []) if doc["kind"] == "List" else [doc]
    for obj in objects:
        metadata = obj.setdefault("metadata", {})
        metadata["labels"] = {**(metadata.get("labels") or {}), ADDON_LABEL: addon.name, MANAGED_BY_LABEL: "kops",
                              **addon.selector}
        if remap is not None:
            for container in _containers(obj):
                if isinstance(container.get("image"), str):
                    container["image"] = remap(container["image"])
    if identity is not None and addon.service_accounts:
        declared = {account.key: account for account in addon.service_accounts}
        for obj in objects:
            pod = _workload_pod_spec(obj)
            if pod is None:
                continue
            namespace = str((obj.get("metadata") or {}).get("namespace") or "default")
            account = declared.get((namespace, str(pod.get("serviceAccountName") or "")))
            found = identity(account) if account is not None else None
            if found is not None:
                bind_identity(pod, found)
    return dump_objects(objects)


def _workload_pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod template's spec of an ``apps/v1`` Deployment or DaemonSet (the workloads upstream binds)."""
    if obj.get("apiVersion") != "apps/v1" or obj.get("kind") not in ("Deployment", "DaemonSet"):
        return None
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec")
    return spec if isinstance(spec, dict) else None


def bind_identity(pod: dict[str, Any], identity: PodIdentity) -> None:
    """Add ``identity`` to a pod spec: every container's environment and mounts, the pod's volumes and fsGroup."""
    import copy

    for container in pod.get("containers") or []:
        if identity.env:
            container["env"] = [*(container.get("env") or []), *copy.deepcopy(identity.env)]
        if identity.volume_mounts:
            container["volumeMounts"] = [*(container.get("volumeMounts") or []),
                                         *copy.deepcopy(identity.volume_mounts)]
    if identity.volumes:
        pod["volumes"] = [*(pod.get("volumes") or []), *copy.deepcopy(identity.volumes)]
    if identity.fs_group is not None:
        context = pod.get("securityContext") or {}
        context.setdefault("fsGroup", identity.fs_group)
        pod["securityContext"] = context


def dump_objects(objects: list[dict[str, Any]]) -> str:
    """Multi-document YAML, keys in the order written and multi-line strings (config files) kept readable."""
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump_all(objects, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=1 << 16,
                         explicit_start=False)


def _image_remapper(cluster: Any) -> Any:
    """A function from an image to the image nodes pull, or None when the cluster pulls from the source."""
    assets = cluster.spec.assets
    if assets is None or not (assets.containerRegistry or assets.containerProxy):
        return None
    from kops.addons.facts import context
    from kops.inference.completion.facts import remap_image

    ctx = context(cluster)
    return lambda image: remap_image(ctx, image)


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of whatever pod spec ``obj`` holds (a pod, a workload's template, a cron job's)."""
    spec = obj.get("spec") or {}
    pod = spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec") or \
        spec.get("template", {}).get("spec") or (spec if obj.get("kind") == "Pod" else {})
    return [c for key in ("initContainers", "containers", "ephemeralContainers") for c in pod.get(key) or []
            if isinstance(c, dict)]
