"""``kops create``: ``-f FILE`` for manifests, and the ``cluster``, ``instancegroup`` and ``sshpublickey`` subcommands."""

from __future__ import annotations

import click
from kops.cli.create_cluster_cmd import create_cluster
from kops.cli.flags import KopsCommandGroup, list_option
from kops.cli.settings import Settings, global_options


@click.group("create", cls=KopsCommandGroup, invoke_without_command=True)
@click.option("-f", "--filename", "filenames", multiple=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Manifest(s) with a Cluster, its InstanceGroups and any additional objects.")
@global_options
@click.pass_context
def create(ctx: click.Context, filenames: tuple[str, ...]) -> None:
    """Create a resource from a file or from flags.

    \b
    kops create -f cluster.yaml
    kops create cluster NAME --cloud aws --zones us-east-1a
    """
    if ctx.invoked_subcommand is not None:
        if filenames:
            raise click.UsageError("-f cannot be combined with a subcommand")
        return
    if not filenames:
        click.echo(ctx.get_help())
        raise click.UsageError("give -f FILE or a subcommand")
    from kops.cli.manifests import create_from_files

    create_from_files(ctx.ensure_object(Settings), list(filenames))


create.add_command(create_cluster)


@create.command("instancegroup")
@click.argument("group")
@click.option("--role", type=click.Choice(["Node", "ControlPlane", "Master", "Bastion", "APIServer"], case_sensitive=False),
              default="Node", help="Role of the group.")
@click.option("--subnet", "subnets", multiple=True, help="Subnet(s) the group runs in (default: all that hold instances).")
@list_option("--zone", "zones", help="Zone(s) the group runs in (required on clouds whose groups name their zones, "
                                    "such as GCE).")
@click.option("--edit/--no-edit", default=True, help="Open the new group in $EDITOR before storing it.")
@click.option("--dry-run/--no-dry-run", default=False, help="Print the group instead of storing it.")
@click.option("-o", "--output", type=click.Choice(["yaml", "json"], case_sensitive=False), default="yaml")
@global_options
@click.pass_obj
def create_instancegroup(settings: Settings, group: str, role: str, subnets: tuple[str, ...],
                         zones: list[str] | None, edit: bool, dry_run: bool, output: str) -> None:
    """Create an instance group in an existing cluster."""
    from kops.cli.groups import create_group

    create_group(settings, group, role, list(subnets), edit=edit, dry_run=dry_run, output=output,
                 zones=list(zones or []))


for alias in ("ig", "instancegroups"):
    create.add_command(create_instancegroup, alias)


@create.command("sshpublickey")
@click.argument("cluster", required=False)
@click.option("-i", "--ssh-public-key", "key_file", required=True, type=click.Path(dir_okay=False),
              help="Path to the SSH public key (.pub).")
@global_options
@click.pass_obj
def create_sshpublickey(settings: Settings, cluster: str | None, key_file: str) -> None:
    """Add an SSH public key for the cluster's admin user."""
    from kops.cli import specs

    name = settings.cluster_name(cluster)
    key = specs.read_ssh_public_key(key_file)
    fingerprint = specs.registry(settings).add_ssh_key(name, key)
    click.echo(f"SSH public key {fingerprint} added to cluster {name!r}.")


from kops.cli.keypair_cmd import create_keypair  # noqa: E402 - subcommands defined beside their siblings
from kops.cli.secret_cmd import create_secret  # noqa: E402

create.add_command(create_keypair)
create.add_command(create_secret)
