"""``kops nodeup``: configure this machine as a node of its instance group (run from the machine's user data)."""

from __future__ import annotations

import click
from kops.cli.flags import KopsCommand


@click.command("nodeup", cls=KopsCommand)
@click.option("--config", "location", required=True, metavar="FILE_OR_URL",
              help="The group's nodeup configuration: a file, a file:// URL or a state store URL "
                   "(s3://bucket/cluster/igconfig/node/nodes/nodeupconfig.yaml).")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Write everything under this directory instead of / and start nothing.")
@click.option("--arch", type=click.Choice(["amd64", "arm64"]), default=None,
              help="Install the binaries of this architecture (default: this machine's).")
@click.option("--bootstrap-server", default=None, metavar="URL",
              help="The node credential service a worker gets its credentials from (default: the configuration's, "
                   "https://kops-controller.internal.CLUSTER:3988); trusted only with a certificate from the cluster "
                   "CA.")
@click.option("--config-sha256", default=None, metavar="HEX",
              help="Refuse a configuration whose sha256 is not this (the user data pins the one it launched with).")
def nodeup(location: str, root: str | None, arch: str | None, bootstrap_server: str | None,
           config_sha256: str | None) -> None:
    """Install and configure kubelet, containerd and, on the control plane, its components.

    Every download is checked against the sha256 in the configuration before anything is written; a
    mismatch stops the run with nothing installed. A worker gets its kubelet's and kube-proxy's credentials
    from the node credential service first, proving who it is with its cloud identity. Without --root,
    services are then started (as root, on a machine running systemd).

    \b
    kops nodeup --config s3://state/my.example.com/igconfig/node/nodes/nodeupconfig.yaml
    kops nodeup --config nodeupconfig.yaml --root /tmp/node    # see what it writes
    """
    from pathlib import Path

    from kops.nodeup.run import nodeup as run

    result = run(location, Path(root) if root else None, arch, bootstrap_server, config_sha256)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"nodeup: wrote {len(result.written)} files under {result.root}")
    if result.started:
        click.echo(f"started: {', '.join(result.units)}")
    else:
        click.echo(f"not started: {', '.join(result.units)}")


@click.command("mount-etcd-disks", cls=KopsCommand)
@click.option("--cloud", required=True, metavar="NAME", help="The cluster's cloud (its plugin finds the disks).")
@click.argument("names", nargs=-1, required=True)
def mount_etcd_disks(cloud: str, names: tuple[str, ...]) -> None:
    """Format (when blank) and mount this control-plane machine's etcd disks under /mnt/disks.

    Run at boot by the unit kops nodeup writes on clouds where the machine mounts its etcd disks itself
    (vSphere); it waits for each disk to be attached. A disk holding anything but a file system is refused,
    never formatted.

    \b
    kops mount-etcd-disks --cloud vsphere my.example.com--main--a my.example.com--events--a
    """
    from kops.nodeup.disks import mount_etcd_disks as mount
    from kops.plugins import load_driver

    for name in mount(load_driver("cloud", cloud)(), list(names)):
        click.echo(f"mounted etcd disk {name}")
