"""Seed the AWS emulator with the machine images a release channel names, as a fresh AWS account sees them.

moto reads its public image catalogue from the file named by ``MOTO_AMIS_PATH`` when its EC2 backend
is first imported, so call :func:`write_channel_amis` and set the variable before starting the server.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def channel_images(channel: str = "stable") -> list[tuple[str, str, str]]:
    """(owner, name, architecture) of every AWS image in the channel."""
    from kops.channels import load_channel

    found = []
    for image in load_channel(channel).spec.get("images") or []:
        if image.get("providerID") == "aws" and "/" in image.get("name", ""):
            owner, name = image["name"].split("/", 1)
            found.append((owner, name, image.get("architectureID") or "amd64"))
    return found


def write_channel_amis(path: Path, channels: tuple[str, ...] = ("stable", "alpha")) -> Path:
    """Write a moto image catalogue holding the channels' images (with stable, made-up AMI IDs)."""
    amis = {}
    for channel in channels:
        for owner, name, arch in channel_images(channel):
            ami_id = "ami-" + hashlib.sha256(f"{owner}/{name}".encode()).hexdigest()[:17]
            amis[ami_id] = {
                "ami_id": ami_id, "state": "available", "public": True, "owner_id": owner,
                "image_location": f"{owner}/{name}", "sriov": "simple", "root_device_type": "ebs",
                "root_device_name": "/dev/sda1", "description": name, "image_type": "machine", "platform": None,
                "architecture": "arm64" if arch == "arm64" else "x86_64", "name": name,
                "virtualization_type": "hvm", "hypervisor": "xen",
            }
    path.write_text(json.dumps(list(amis.values()), indent=1))
    return path


def seed_channel_amis(channels: tuple[str, ...] = ("stable", "alpha")) -> None:
    """Give the emulator running in this process the channels' images, whenever its EC2 backends were made: the
    ones made already get them now, the ones made later load them with the rest of moto's catalogue."""
    import tempfile

    from moto.ec2.models import amis as moto_amis
    from moto.ec2.models import ec2_backends

    with tempfile.TemporaryDirectory() as tmp:
        wanted = json.loads(write_channel_amis(Path(tmp) / "amis.json", channels).read_text())
    known = {ami["ami_id"] for ami in moto_amis.AMIS}
    moto_amis.AMIS.extend(ami for ami in wanted if ami["ami_id"] not in known)
    for regions in ec2_backends.values():
        for backend in regions.values():
            for ami in wanted:
                if ami["ami_id"] not in backend.amis:
                    backend.amis[ami["ami_id"]] = moto_amis.Ami(backend, **{**ami, "owner_alias": "amazon"})
