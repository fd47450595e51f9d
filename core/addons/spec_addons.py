"""``spec.addons``: the user's own add-on channels, folded into the bootstrap channel at update time.

Each entry's ``manifest`` is the URL of a channel in upstream's format (``kind: Addons``) in any state store
kops can open (``s3://bucket/addons/channel.yaml``, ``file:///srv/addons/channel.yaml``); each add-on in it
names its manifest relative to the channel's folder (``foo.example.com/v1.0.0.yaml``) or by a URL of its
own. They are read when ``kops update cluster`` runs, so the stored channel holds exactly what was
reviewed, and a change to them is picked up by the next update.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon
from kops.errors import KopsError

SOURCE = "spec"


def load(cluster: Any) -> list[Addon]:
    """Every add-on of every channel ``spec.addons`` names, in order."""
    found = []
    for index, entry in enumerate(cluster.spec.addons or []):
        where = f"spec.addons[{index}].manifest"
        if not entry.manifest:
            raise KopsError(f"{where}: required (the URL of an add-on channel)")
        found += _channel_addons(entry.manifest, where)
    return found


def _channel_addons(url: str, where: str) -> list[Addon]:
    import yaml

    try:
        doc = yaml.safe_load(read(url, where))
    except yaml.YAMLError as exc:
        raise KopsError(f"{where}: {url} is not YAML: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("kind") != "Addons":
        raise KopsError(f"{where}: {url} is not an add-on channel (expected kind: Addons)")
    base = url.rpartition("/")[0]
    addons = []
    for position, spec in enumerate((doc.get("spec") or {}).get("addons") or []):
        label = f"{url}: spec.addons[{position}]"
        if not isinstance(spec, dict) or not spec.get("name") or not spec.get("manifest"):
            raise KopsError(f"{label}: an add-on needs a name and a manifest")
        if spec.get("kubernetesVersion"):
            # Upstream's bootstrap channel refuses version ranges too: the cluster's version decides, not the entry.
            raise KopsError(f"{label}: kubernetesVersion ranges are not supported in a cluster's channel")
        manifest = str(spec["manifest"])
        location = manifest if "://" in manifest else f"{base}/{manifest}"
        addons.append(Addon(name=str(spec["name"]), version=str(spec.get("version") or ""),
                            manifest=read(location, label).decode(), selector=dict(spec.get("selector") or {}),
                            source=SOURCE, id=str(spec.get("id") or "")))
    return addons


def read(url: str, where: str) -> bytes:
    """The bytes at ``url``, read through the state store driver of its scheme."""
    from kops.state import open_store

    base, _, name = url.rpartition("/")
    if "://" not in base or not name:
        raise KopsError(f"{where}: {url!r} is not a file in a state store (expected a URL such as "
                        "s3://bucket/addons/channel.yaml or file:///srv/addons/channel.yaml)")
    found = open_store(base).read(name)
    if found is None:
        raise KopsError(f"{where}: {url} does not exist")
    return found.data
