"""``kops upgrade cluster``: what the release channel recommends for a stored cluster, and storing it.

The rules are upstream's. The channel is ``--channel``, else the cluster's ``spec.channel``, else ``stable``; naming
another channel than the stored one is itself a change. The Kubernetes version comes from the channel's
``kubernetesVersions``: the first entry whose ``range`` holds the cluster's version gives its
``recommendedVersion``, and where the channel also has an entry for the next minor version, that entry's
recommendation is taken instead, one minor at a time, unless that minor is newer than this kops supports (then it
is reported, as a kops upgrade comes first). A recommendation older than the cluster's version is never taken.
Each instance group whose image is empty or one of the channel's own gets the channel's image for the proposed
version, its cloud and architecture; a group with an image of the user's own is left alone and named.

Storing is one conditional commit of the cluster and its groups (:meth:`kops.registry.Registry.replace`), so an
edit made meanwhile by someone else makes it fail instead of being overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kops.errors import KopsError
from kops.versions import KOPS_COMPAT_VERSION, Version

#: The channel a cluster that names none follows, as upstream.
DEFAULT_CHANNEL = "stable"
#: Upstream's annotation for clusters kops did not create; upgrading them is refused.
MANAGEMENT_ANNOTATION = "kops.kubernetes.io/management"
#: Families of the images upstream's channels publish: a group running one of them follows the channel even when
#: the exact name is no longer listed (upstream's rule, so last year's image is still upgraded).
CHANNEL_IMAGE_FAMILIES = (
    "kope.io/k8s-",
    "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-",
    "099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-",
    "099720109477/ubuntu/images/hvm-ssd/ubuntu-focal-20.04-",
    "cos-cloud/cos-stable-",
    "ubuntu-os-cloud/ubuntu-2004-focal-",
    "ubuntu-os-cloud/ubuntu-2204-jammy-",
    "ubuntu-os-cloud/ubuntu-2404-noble-",
    "Canonical:0001-com-ubuntu-server-focal:20_04-lts-gen2:",
    "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:",
    "Canonical:ubuntu-24_04-lts:server-gen1:",
    "Canonical:ubuntu-24_04-lts:server:",
    "Canonical:ubuntu-24_04-lts:server-arm64:",
)


@dataclass(frozen=True)
class Change:
    """One row of the upgrade: ``item`` is ``Cluster`` or ``InstanceGroup/NAME``."""

    item: str
    property: str
    old: str
    new: str


@dataclass
class Upgrade:
    """The changes for a cluster, what could not be proposed and why (``notes``), and the changed specs."""

    channel: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cluster: Any = None
    groups: list[Any] = field(default_factory=list)


def plan_upgrade(cluster: Any, groups: list[Any], *, channel: str | None = None, kubernetes_version: str | None = None,
                 kops_version: str = KOPS_COMPAT_VERSION) -> Upgrade:
    """What the channel recommends for ``cluster`` and its instance ``groups`` (API objects, left unchanged);
    ``kubernetes_version`` overrides the channel's recommendation, as upstream's ``--kubernetes-version``."""
    from kops import api
    from kops.channels import load_channel

    name = cluster.metadata.name
    if (cluster.metadata.annotations or {}).get(MANAGEMENT_ANNOTATION) == "imported":
        raise KopsError(f"cluster {name!r} was imported, not created by kops: upgrade is not for imported clusters")
    location = channel or cluster.spec.channel or DEFAULT_CHANNEL
    found = load_channel(location)
    kops = Version.parse(kops_version)
    plan = Upgrade(channel=location)
    tree = api.to_dict(cluster)
    trees = {g.metadata.name: api.to_dict(g) for g in groups}
    if location != (cluster.spec.channel or ""):
        plan.changes.append(Change("Cluster", "Channel", cluster.spec.channel or "", location))
        tree["spec"]["channel"] = location

    stored = cluster.spec.kubernetesVersion or ""
    current = _parse(stored)
    if stored and current is None:
        plan.notes.append(f"Cluster/{name}: spec.kubernetesVersion {stored!r} is not a version; it is left as it is")
    if kubernetes_version:
        proposed: Version | None = Version.parse(kubernetes_version)
        if _too_new(proposed, kops):
            raise KopsError(f"--kubernetes-version {kubernetes_version}: Kubernetes {proposed} needs a newer kops "
                            f"(this one is {kops}): upgrade kops first")
    elif current is not None:
        proposed = _recommended(found, current, kops, plan.notes)
    else:
        recommended = found.recommended_kubernetes_version(kops_version)
        proposed = Version.parse(recommended) if recommended else None
    if current is not None and proposed is not None and proposed < current:
        plan.notes.append(f"Kubernetes {current} is newer than the {location} channel's {proposed}: not downgrading")
        proposed = current
    if current is not None and proposed is not None and proposed != current:
        new = ("v" if stored.startswith("v") else "") + str(proposed)
        plan.changes.append(Change("Cluster", "KubernetesVersion", stored, new))
        tree["spec"]["kubernetesVersion"] = new

    target = proposed or current  # the images follow the version the cluster will run, as upstream
    if target is not None:
        _plan_images(plan, cluster, groups, trees, found, target)
    plan.cluster = api.from_dict(tree, source=f"Cluster/{name}")
    plan.groups = [api.from_dict(trees[g.metadata.name], source=f"InstanceGroup/{g.metadata.name}") for g in groups]
    return plan


def store_upgrade(registry: Any, state: Any, plan: Upgrade) -> None:
    """Validate the upgraded specs together and store them in one commit that fails with
    :class:`kops.state.ConflictError` if anything was written since ``state`` was read."""
    from kops.validation import check

    check(plan.cluster, plan.groups)
    registry.replace(state, plan.cluster, plan.groups, additional=None)


def _parse(text: str) -> Version | None:
    try:
        return Version.parse(text) if text else None
    except KopsError:
        return None


def _too_new(version: Version, kops: Version) -> bool:
    """Upstream's rule: a kops release runs Kubernetes up to its own minor version."""
    return version >= Version(kops.major, kops.minor + 1, 0)


def _recommended(channel: Any, current: Version, kops: Version, notes: list[str]) -> Version | None:
    """The channel's recommendation for the cluster's minor version, or the next minor's where the channel has one
    and this kops supports it; what needs a newer kops goes to ``notes``."""
    info = channel.kubernetes_version_info(str(current))
    if not info or not info.get("recommendedVersion"):
        notes.append(f"the {channel.name} channel has no recommendation for Kubernetes {current}")
        return None
    proposed = Version.parse(str(info["recommendedVersion"]))
    following = Version(proposed.major, proposed.minor + 1, 0)
    upgrade = channel.kubernetes_version_info(str(following))
    upgraded = _parse(str((upgrade or {}).get("recommendedVersion") or ""))
    if upgraded is None or upgraded < following:
        return proposed  # no entry of the next minor's own (a catch-all range would point back)
    if following <= kops:
        return upgraded
    notes.append(f"the {channel.name} channel recommends Kubernetes {upgraded}, which needs a newer kops (this one "
                 f"is {kops}): upgrade kops, then run kops upgrade cluster again")
    return proposed


def _plan_images(plan: Upgrade, cluster: Any, groups: list[Any], trees: dict[str, dict[str, Any]], channel: Any,
                 version: Version) -> None:
    from kops import plugins

    cloud_name = cluster.spec.cloudProvider or ""
    cloud = plugins.load_driver("cloud", cloud_name)() if cloud_name else None
    provider = cloud.channel_provider_id if cloud is not None else ""
    listed = {str(i.get("name")): i for i in channel.spec.get("images") or [] if i.get("providerID") == provider}
    missing: set[str] = set()
    for group in groups:
        current = group.spec.image or ""
        architecture = _architecture(group, listed, cloud)
        image = channel.find_image(provider, str(version), architecture) if provider else None
        if not image:
            missing.add(architecture)
            continue
        if current and current not in listed and not current.startswith(CHANNEL_IMAGE_FAMILIES):
            plan.notes.append(f"InstanceGroup/{group.metadata.name} runs an image of its own ({current}): "
                              "not changing it")
            continue
        if current != image:
            plan.changes.append(Change(f"InstanceGroup/{group.metadata.name}", "Image", current, image))
            trees[group.metadata.name]["spec"]["image"] = image
    for architecture in sorted(missing):
        plan.notes.append(f"the {channel.name} channel lists no {architecture} image for {cloud_name or 'this cloud'} "
                          f"and Kubernetes {version}: images left as they are")


def _architecture(group: Any, listed: dict[str, dict[str, Any]], cloud: Any) -> str:
    """The CPU architecture of the group's machines, which upstream asks the cloud for by machine type: offline, the
    one the cloud's default machine types list its type under, else that of the channel image it runs, else amd64."""
    machine_type = group.spec.machineType or ""
    for key, types in (cloud.default_machine_types if cloud is not None else {}).items():
        if machine_type in types and "/" in key:
            return str(key.split("/", 1)[1])
    entry = listed.get(group.spec.image or "")
    return str((entry or {}).get("architectureID") or "amd64")
