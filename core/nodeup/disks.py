"""A control-plane machine's etcd disks, where the machine mounts them itself (etcd-manager's ``external`` provider).

On clouds whose disks carry no tags etcd-manager could find them by (vSphere), kops attaches each etcd member's disk
to its control-plane machine and the machine mounts it at ``/mnt/disks/<cluster>--<etcd>--<member>/mnt``, the
directory etcd-manager's ``external`` provider takes a member's data volume from (upstream's bare-metal layout).

A disk may be attached after the machine boots (kops attaches it once the machine exists), so the boot unit waits
for it. A blank disk is formatted ext4 once; a disk holding a file system is mounted as it is, and one holding
anything else (a partition table, an unknown signature) is refused rather than formatted, so no etcd data is ever
lost to a format.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kops.errors import KopsError

#: Where etcd-manager's ``external`` provider looks for member volumes (``<name>/mnt`` is the data directory).
DISKS_DIR = "/mnt/disks"
UNIT = "kops-etcd-disks.service"
#: How long a booting machine waits for its disks to be attached (kops attaches them right after making it).
WAIT_SECONDS = 900
POLL_SECONDS = 5
#: ``blkid -p``'s exit code when it finds no signature at all on a device: the disk is blank.
BLKID_NOTHING = 2


def mount_point(name: str, root: Path = Path("/")) -> Path:
    """The data directory of the etcd disk ``name`` (``<cluster>--<etcd>--<member>``)."""
    return root / DISKS_DIR.lstrip("/") / name / "mnt"


def disk_unit(kops: str, cloud: str, names: list[str]) -> str:
    """The boot unit mounting ``names`` (before kubelet starts the etcd-manager pods)."""
    from kops.nodeup.units import render

    command = shlex.join([kops, "mount-etcd-disks", "--cloud", cloud, *names])
    return render([
        ("Unit", [("Description", "kops: format (when blank) and mount this machine's etcd disks"),
                  ("Before", "kubelet.service")]),
        ("Service", [("Type", "oneshot"), ("RemainAfterExit", "yes"), ("ExecStart", command),
                     ("TimeoutStartSec", f"{WAIT_SECONDS + 120}s")]),
        ("Install", [("WantedBy", "multi-user.target")]),
    ])


def mount_etcd_disks(cloud: Any, names: list[str], root: Path = Path("/"), *,
                     clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                     wait_seconds: float = WAIT_SECONDS) -> list[str]:
    """Mount each disk in ``names`` at its :func:`mount_point`, waiting for the cloud to attach it; return the
    names mounted by this call (those already mounted are left alone)."""
    pending = [n for n in names if not os.path.ismount(mount_point(n, root))]
    mounted: list[str] = []
    deadline = clock() + wait_seconds
    while pending:
        for name in list(pending):
            device = cloud.etcd_disk_device(name)
            if device and os.path.exists(device):
                _mount(device, mount_point(name, root), name)
                mounted.append(name)
                pending.remove(name)
        if pending:
            if clock() >= deadline:
                raise KopsError(f"etcd disk {', '.join(pending)}: not attached to this machine after "
                                f"{int(wait_seconds)}s (kops update cluster --yes attaches it)")
            sleep(POLL_SECONDS)
    return mounted


def _mount(device: str, target: Path, name: str) -> None:
    probe = _run(["blkid", "-p", "-o", "export", device])
    found = dict(line.split("=", 1) for line in probe.stdout.splitlines() if "=" in line)
    if probe.returncode == BLKID_NOTHING:
        _checked(_run(["mkfs.ext4", "-q", "-m", "0", device]), name, "formatting")
    elif probe.returncode != 0:
        raise KopsError(f"etcd disk {name}: blkid could not read {device}: {probe.stderr.strip()}")
    elif found.get("USAGE") != "filesystem":
        raise KopsError(f"etcd disk {name}: {device} holds {found.get('PTTYPE') or found.get('TYPE') or 'data'} "
                        "and no file system; kops formats only blank disks")
    target.mkdir(parents=True, exist_ok=True)
    _checked(_run(["mount", device, str(target)]), name, "mounting")


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _checked(done: subprocess.CompletedProcess[str], name: str, what: str) -> None:
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise KopsError(f"etcd disk {name}: {what} failed: {detail[-1] if detail else f'exit {done.returncode}'}")
