"""A control-plane machine mounting its etcd disks itself (``kops mount-etcd-disks``): blank disks formatted once,
disks with data mounted as they are, anything else refused, late disks waited for. Disks are image files, formatted
and probed by the real mkfs.ext4 and blkid and mounted by the real mount (through a loop device)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from kops.errors import KopsError
from kops.nodeup.disks import mount_etcd_disks, mount_point

NAME = "c.example.com--main--a"


class Cloud:
    """The cloud's side on the machine: where each disk is once attached (an image file standing for a device)."""

    def __init__(self, attached: dict[str, Path], attach_after: int = 0):
        self.attached, self.asked = attached, 0
        self.attach_after = attach_after

    def etcd_disk_device(self, name: str) -> str | None:
        self.asked += 1
        if self.asked <= self.attach_after or name not in self.attached:
            return None
        return str(self.attached[name])


@pytest.fixture
def root(tmp_path: Path):
    """A machine root whose mounts are undone at the end; skipped where this process may not mount."""
    if os.geteuid() != 0 or shutil.which("mkfs.ext4") is None:
        pytest.skip("mounting disk images needs root and e2fsprogs")
    machine = tmp_path / "machine"
    machine.mkdir()
    yield machine
    for mounted in sorted(machine.rglob("mnt"), reverse=True):
        if os.path.ismount(mounted):
            subprocess.run(["umount", str(mounted)], check=True)


def _image(tmp_path: Path, name: str) -> Path:
    image = tmp_path / name
    with open(image, "wb") as f:
        f.truncate(32 * 1024 * 1024)
    return image


def _blkid(device: Path, tag: str) -> str:
    return subprocess.run(["blkid", "-p", "-s", tag, "-o", "value", str(device)], capture_output=True,
                          text=True).stdout.strip()


def test_a_blank_disk_is_formatted_once_and_its_data_survives_a_remount(root: Path, tmp_path: Path) -> None:
    disk = _image(tmp_path, "disk.img")
    cloud = Cloud({NAME: disk})
    try:
        assert mount_etcd_disks(cloud, [NAME], root) == [NAME]
    except KopsError as exc:
        if "mounting failed" in str(exc):
            pytest.skip(f"this machine cannot mount disk images: {exc}")
        raise
    target = mount_point(NAME, root)
    assert target == root / "mnt/disks" / NAME / "mnt" and os.path.ismount(target)
    assert _blkid(disk, "TYPE") == "ext4"
    filesystem = _blkid(disk, "UUID")
    (target / "member").write_text("etcd data")

    # Mounted already: left alone.
    assert mount_etcd_disks(cloud, [NAME], root) == []
    subprocess.run(["umount", str(target)], check=True)
    # At the next boot: mounted again as it is, never formatted again.
    assert mount_etcd_disks(cloud, [NAME], root) == [NAME]
    assert _blkid(disk, "UUID") == filesystem
    assert (target / "member").read_text() == "etcd data"


def test_a_disk_holding_anything_but_a_file_system_is_refused_and_left_as_it_is(root: Path, tmp_path: Path) -> None:
    disk = _image(tmp_path, "swap.img")
    subprocess.run(["mkswap", str(disk)], check=True, capture_output=True)
    before = disk.read_bytes()
    with pytest.raises(KopsError, match=rf"etcd disk {NAME}: .*swap.img holds swap and no file system; kops formats "
                                        "only blank disks"):
        mount_etcd_disks(Cloud({NAME: disk}), [NAME], root)
    assert disk.read_bytes() == before
    assert not os.path.ismount(mount_point(NAME, root))


def test_a_disk_attached_after_boot_is_waited_for(root: Path, tmp_path: Path) -> None:
    disk = _image(tmp_path, "late.img")
    subprocess.run(["mkfs.ext4", "-q", str(disk)], check=True)
    slept: list[float] = []
    cloud = Cloud({NAME: disk}, attach_after=3)
    try:
        assert mount_etcd_disks(cloud, [NAME], root, sleep=slept.append) == [NAME]
    except KopsError as exc:
        if "mounting failed" in str(exc):
            pytest.skip(f"this machine cannot mount disk images: {exc}")
        raise
    assert len(slept) == 3 and os.path.ismount(mount_point(NAME, root))


def test_a_disk_never_attached_is_an_error_naming_it(tmp_path: Path) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(KopsError, match=rf"etcd disk {NAME}: not attached to this machine after 60s"):
        mount_etcd_disks(Cloud({}), [NAME], tmp_path, clock=lambda: now[0], sleep=sleep, wait_seconds=60)
    assert now[0] >= 60
