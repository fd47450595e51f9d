"""What every DigitalOcean account sees without creating anything: the regions, the Droplet sizes and the
public distribution images (by slug, as ``kops`` names them), plus the DigitalOcean images the release
channels name.

Slugs, names and figures are DigitalOcean's own; regions that DigitalOcean closed to new resources (nyc2,
ams2, sfo1) are listed unavailable, as the real API lists them.
"""

from __future__ import annotations

import hashlib
from typing import Any

#: slug, name, available
_REGIONS = [
    ("nyc1", "New York 1", True), ("nyc2", "New York 2", False), ("nyc3", "New York 3", True),
    ("ams2", "Amsterdam 2", False), ("ams3", "Amsterdam 3", True), ("sfo1", "San Francisco 1", False),
    ("sfo2", "San Francisco 2", True), ("sfo3", "San Francisco 3", True), ("sgp1", "Singapore 1", True),
    ("lon1", "London 1", True), ("fra1", "Frankfurt 1", True), ("tor1", "Toronto 1", True),
    ("blr1", "Bangalore 1", True), ("syd1", "Sydney 1", True), ("atl1", "Atlanta 1", True),
]
_REGION_FEATURES = ["backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"]

#: slug, memory (MiB), vCPUs, disk (GiB), transfer (TiB), price per month (USD), description
_SIZES = [
    ("s-1vcpu-512mb-10gb", 512, 1, 10, 0.5, 4, "Basic"),
    ("s-1vcpu-1gb", 1024, 1, 25, 1.0, 6, "Basic"),
    ("s-1vcpu-1gb-amd", 1024, 1, 25, 1.0, 7, "Basic AMD"),
    ("s-1vcpu-2gb", 2048, 1, 50, 2.0, 12, "Basic"),
    ("s-2vcpu-2gb", 2048, 2, 60, 3.0, 18, "Basic"),
    ("s-2vcpu-4gb", 4096, 2, 80, 4.0, 24, "Basic"),
    ("s-2vcpu-4gb-amd", 4096, 2, 80, 4.0, 28, "Basic AMD"),
    ("s-4vcpu-8gb", 8192, 4, 160, 5.0, 48, "Basic"),
    ("s-4vcpu-8gb-amd", 8192, 4, 160, 5.0, 56, "Basic AMD"),
    ("s-8vcpu-16gb", 16384, 8, 320, 6.0, 96, "Basic"),
    ("s-8vcpu-16gb-amd", 16384, 8, 320, 6.0, 112, "Basic AMD"),
    ("c-2", 4096, 2, 25, 4.0, 42, "CPU-Optimized"),
    ("c-4", 8192, 4, 50, 5.0, 84, "CPU-Optimized"),
    ("g-2vcpu-8gb", 8192, 2, 25, 4.0, 63, "General Purpose"),
    ("g-4vcpu-16gb", 16384, 4, 50, 5.0, 126, "General Purpose"),
    ("m-2vcpu-16gb", 16384, 2, 50, 4.0, 84, "Memory-Optimized"),
]

#: slug, name, distribution, minimum disk (GiB), image size (GiB)
_DISTRIBUTION_IMAGES = [
    ("ubuntu-24-04-x64", "24.04 (LTS) x64", "Ubuntu", 7, 2.36),
    ("ubuntu-22-04-x64", "22.04 (LTS) x64", "Ubuntu", 7, 2.28),
    ("ubuntu-20-04-x64", "20.04 (LTS) x64", "Ubuntu", 7, 0.92),
    ("debian-12-x64", "12 x64", "Debian", 7, 0.91),
    ("debian-11-x64", "11 x64", "Debian", 7, 0.82),
    ("fedora-40-x64", "40 x64", "Fedora", 7, 1.02),
    ("centos-stream-9-x64", "9 Stream x64", "CentOS", 10, 1.17),
    ("rockylinux-9-x64", "9 x64", "Rocky Linux", 10, 0.88),
    ("almalinux-9-x64", "AlmaLinux 9", "AlmaLinux", 10, 0.93),
]
_IMAGE_CREATED = "2024-04-25T17:39:56Z"


def regions() -> list[dict[str, Any]]:
    """Every region, as ``GET /v2/regions`` lists it (the sizes each one offers included)."""
    return [{"name": name, "slug": slug, "features": list(_REGION_FEATURES) if available else [],
             "available": available, "sizes": [s[0] for s in _SIZES] if available else []}
            for slug, name, available in _REGIONS]


def sizes() -> list[dict[str, Any]]:
    """Every Droplet size, as ``GET /v2/sizes`` lists it."""
    offered = [slug for slug, _, available in _REGIONS if available]
    return [{"slug": slug, "memory": memory, "vcpus": vcpus, "disk": disk, "transfer": transfer,
             "price_monthly": float(price), "price_hourly": round(price / 672, 5), "regions": list(offered),
             "available": True, "description": description,
             "disk_info": [{"type": "local", "size": {"amount": disk, "unit": "gib"}}]}
            for slug, memory, vcpus, disk, transfer, price, description in _SIZES]


def _image_id(slug: str) -> int:
    """A stable numeric id for a public image, in the range DigitalOcean's own ids use."""
    return 100_000_000 + int(hashlib.sha256(slug.encode()).hexdigest()[:7], 16) % 90_000_000


def channel_image_slugs(channels: tuple[str, ...] = ("stable", "alpha")) -> list[str]:
    """The DigitalOcean image slugs the release channels name (``providerID: digitalocean``)."""
    from kops.channels import load_channel

    found: list[str] = []
    for channel in channels:
        for image in load_channel(channel).spec.get("images") or []:
            if image.get("providerID") == "digitalocean" and image.get("name") and image["name"] not in found:
                found.append(image["name"])
    return found


def public_images(channels: tuple[str, ...] = ("stable", "alpha")) -> list[dict[str, Any]]:
    """The public distribution images, and the channels' DigitalOcean images, as ``GET /v2/images`` lists them."""
    offered = [slug for slug, _, available in _REGIONS if available]
    entries = list(_DISTRIBUTION_IMAGES)
    known = {entry[0] for entry in entries}
    for slug in channel_image_slugs(channels):
        if slug not in known:
            entries.append((slug, slug, "Ubuntu" if slug.startswith("ubuntu") else "Unknown", 10, 2.5))
    return [{"id": _image_id(slug), "name": name, "distribution": distribution, "slug": slug, "public": True,
             "regions": list(offered), "created_at": _IMAGE_CREATED, "type": "base", "min_disk_size": min_disk,
             "size_gigabytes": size, "description": f"{distribution} {name}", "tags": [], "status": "available",
             "error_message": ""}
            for slug, name, distribution, min_disk, size in entries]
