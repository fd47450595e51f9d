"""Reading a VM's ``guestinfo.*`` options from inside the guest, through VMware Tools' RPC channel.

kops sets options on the VMs it makes (the machine key, where each etcd disk is); only that guest and the vCenter API
can read them. Standard library only: this runs on machines, from the node bundle.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from kops.errors import KopsError

#: The command reading a guestinfo value inside the guest (its last argument is ``info-get <key>``); it can be
#: replaced (``vmtoolsd --cmd`` works as well, a stand-in for VMware Tools in tests).
RPCTOOL_VARIABLE, RPCTOOL = "KOPS_VSPHERE_RPCTOOL", "vmware-rpctool"
TIMEOUT = 10


def read(key: str) -> str | None:
    """The value of this VM's option ``key``; None when the VM has no such option."""
    command = [*shlex.split(os.environ.get(RPCTOOL_VARIABLE) or RPCTOOL), f"info-get {key}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KopsError(f"cannot read {key}: {command[0]} did not run "
                        f"({getattr(exc, 'strerror', None) or exc}); are VMware Tools installed?") from None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


#: The option naming the disk UUID of an etcd disk (``<cluster>--<etcd>--<member>`` follows), set by kops when it
#: attaches the disk to the member's VM.
ETCD_DISK_PREFIX = "guestinfo.kops.etcd-disk."
#: VMs kops makes have ``disk.EnableUUID``, so a guest sees each disk's UUID as its SCSI WWN.
BY_ID = "/dev/disk/by-id/wwn-0x"


def etcd_disk_device(name: str) -> str | None:
    """The block device of the etcd disk ``name`` attached to this VM (whether the guest has it yet or not); None
    while kops has not attached it."""
    uuid = read(ETCD_DISK_PREFIX + name)
    return BY_ID + uuid.replace("-", "").replace(" ", "").lower() if uuid else None
