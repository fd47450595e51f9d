"""Release channels: the recommended Kubernetes version and machine images for a kOps release.

``stable`` and ``alpha`` ship with the product (so ``kops create cluster`` works offline); any other
channel is a file path or ``file://`` URL in the same format as upstream's channel files.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kops.errors import KopsError
from kops.versions import KOPS_COMPAT_VERSION, Version, in_range

BUNDLED = ("stable", "alpha")


@dataclass
class Channel:
    name: str
    spec: dict[str, Any] = field(default_factory=dict)

    def recommended_kubernetes_version(self, kops_version: str = KOPS_COMPAT_VERSION) -> str | None:
        """The Kubernetes version the channel recommends for this kOps release, as ``v1.x.y``."""
        for entry in self.spec.get("kopsVersions") or []:
            if in_range(kops_version, str(entry.get("range", ""))) and entry.get("kubernetesVersion"):
                return "v" + str(Version.parse(str(entry["kubernetesVersion"])))
        return None

    def find_image(self, provider: str, kubernetes_version: str, architecture: str = "amd64") -> str | None:
        """The last image listed for the cloud, architecture and Kubernetes version (later entries win)."""
        version = Version.parse(kubernetes_version)
        found = None
        for image in self.spec.get("images") or []:
            if image.get("providerID") != provider:
                continue
            if (image.get("architectureID") or "amd64") != architecture:
                continue
            if image.get("kubernetesVersion") and not in_range(version, str(image["kubernetesVersion"])):
                continue
            found = image.get("name")
        return found

    def kubernetes_version_info(self, kubernetes_version: str) -> dict[str, Any] | None:
        """The ``kubernetesVersions`` entry (recommended and required versions) covering a version."""
        version = Version.parse(kubernetes_version)
        for entry in self.spec.get("kubernetesVersions") or []:
            if in_range(version, str(entry.get("range", ""))):
                return dict(entry)
        return None


@functools.cache
def load_channel(location: str) -> Channel:
    """Load a channel by bundled name (``stable``), path or ``file://`` URL."""
    import yaml

    if location in BUNDLED:
        text = resources.files("kops.channels").joinpath(f"{location}.yaml").read_text()
    else:
        path = Path(location.removeprefix("file://"))
        if "://" in location and not location.startswith("file://"):
            raise KopsError(f"channel {location!r}: only the bundled channels ({', '.join(BUNDLED)}) and local "
                            "files can be read offline")
        try:
            text = path.read_text()
        except OSError as exc:
            raise KopsError(f"channel {location!r}: cannot read it: {exc.strerror}") from exc
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # noqa: S506 - safe
    except yaml.YAMLError as exc:
        raise KopsError(f"channel {location!r}: not valid YAML") from exc
    if not isinstance(data, dict) or not isinstance(data.get("spec"), dict):
        raise KopsError(f"channel {location!r}: expected a document with a spec")
    return Channel(name=location, spec=data["spec"])
