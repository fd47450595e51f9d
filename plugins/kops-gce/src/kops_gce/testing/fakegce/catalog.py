"""What a fresh Google Cloud project sees before it creates anything: regions and their zones (the test region
``us-test1`` of upstream kOps's fixtures among real ones), machine types, and the public images the release
channels name (``ubuntu-os-cloud``, ``cos-cloud``) in their image projects, each in its family."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Regions and their zones' suffixes.
REGIONS: dict[str, tuple[str, ...]] = {
    "us-test1": ("a", "b", "c"),
    "us-central1": ("a", "b", "c", "f"),
    "us-east1": ("b", "c", "d"),
    "us-west1": ("a", "b", "c"),
    "europe-west1": ("b", "c", "d"),
    "europe-west4": ("a", "b", "c"),
    "asia-east1": ("a", "b", "c"),
}


@dataclass(frozen=True)
class MachineType:
    name: str
    cpus: int
    memory_mb: int
    shared: bool = False
    arm: bool = False

    @property
    def description(self) -> str:
        memory = f"{self.memory_mb / 1024:g} GB RAM"
        if self.shared:
            return f"{self.cpus} vCPU (shared physical core) and {memory}"
        return f"{self.cpus} vCPU{'s' if self.cpus > 1 else ''}, {memory}"


MACHINE_TYPES = [
    MachineType("f1-micro", 1, 614, shared=True),
    MachineType("g1-small", 1, 1740, shared=True),
    MachineType("e2-micro", 2, 1024, shared=True),
    MachineType("e2-small", 2, 2048, shared=True),
    MachineType("e2-medium", 2, 4096, shared=True),
    *(MachineType(f"e2-standard-{n}", n, n * 4096) for n in (2, 4, 8, 16, 32)),
    *(MachineType(f"e2-highmem-{n}", n, n * 8192) for n in (2, 4, 8, 16)),
    *(MachineType(f"n1-standard-{n}", n, n * 3840) for n in (1, 2, 4, 8, 16, 32)),
    *(MachineType(f"n2-standard-{n}", n, n * 4096) for n in (2, 4, 8, 16, 32)),
    *(MachineType(f"n2d-standard-{n}", n, n * 4096) for n in (2, 4, 8, 16)),
    *(MachineType(f"c2-standard-{n}", n, n * 4096) for n in (4, 8, 16)),
    *(MachineType(f"t2a-standard-{n}", n, n * 4096, arm=True) for n in (1, 2, 4, 8)),
]
MACHINE_TYPES_BY_NAME = {m.name: m for m in MACHINE_TYPES}

@dataclass(frozen=True)
class Image:
    project: str
    name: str
    family: str
    architecture: str  # X86_64 or ARM64
    created: str  # RFC 3339


def image_family(name: str) -> str:
    """The family Google publishes an image in: ``ubuntu-2204-jammy-v20240607`` is ``ubuntu-2204-lts``,
    ``ubuntu-2404-noble-arm64-v20240615`` is ``ubuntu-2404-lts-arm64``, ``cos-stable-77-...`` is ``cos-stable``."""
    m = re.fullmatch(r"ubuntu-(\d{4})-[a-z]+(?:-(amd64|arm64))?-v\d+", name)
    if m:
        return f"ubuntu-{m.group(1)}-lts" + (f"-{m.group(2)}" if m.group(2) else "")
    m = re.fullmatch(r"cos-([a-z]+)-.*", name)
    if m:
        return f"cos-{m.group(1)}"
    return name.rsplit("-v", 1)[0]


def _created(name: str) -> str:
    m = re.search(r"v(\d{4})(\d{2})(\d{2})", name)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}T00:00:00.000-07:00"
    return "2020-01-01T00:00:00.000-07:00"


def channel_images(channels: tuple[str, ...] = ("stable", "alpha")) -> list[Image]:
    """Every GCE image the release channels name (``project/name``), once each."""
    from kops.channels import load_channel

    found: dict[str, Image] = {}
    for channel in channels:
        for entry in load_channel(channel).spec.get("images") or []:
            if entry.get("providerID") != "gce" or "/" not in entry.get("name", ""):
                continue
            project, name = entry["name"].split("/", 1)
            arch = "ARM64" if entry.get("architectureID") == "arm64" else "X86_64"
            found[entry["name"]] = Image(project, name, image_family(name), arch, _created(name))
    return list(found.values())
