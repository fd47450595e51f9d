"""``kops delete``: what a manifest names (``-f``), a cluster (its cloud resources, then its state), an instance
group, a secret or the SSH public key."""

from __future__ import annotations

import click
from kops.cli.flags import KopsCommandGroup
from kops.cli.settings import Settings, global_options

#: The label naming an object's cluster.
CLUSTER_LABEL = "kops.k8s.io/cluster"


@click.group("delete", cls=KopsCommandGroup, invoke_without_command=True)
@click.option("-f", "--filename", "filenames", multiple=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Manifest(s) naming what to delete: Clusters, InstanceGroups, SSHCredentials ('-' for stdin).")
@click.option("--yes", "-y", is_flag=True, help="Delete (without it, only say what would be deleted).")
@global_options
@click.pass_context
def delete(ctx: click.Context, filenames: tuple[str, ...], yes: bool) -> None:
    """Delete resources.

    \b
    kops delete -f my-cluster.yaml --yes      # the clusters and groups the manifest names
    kops delete cluster my.example.com --yes
    """
    if ctx.invoked_subcommand is not None:
        if filenames:
            raise click.UsageError("-f cannot be combined with a subcommand")
        return
    if not filenames:
        click.echo(ctx.get_help())
        raise click.UsageError("give -f FILE or a subcommand")
    from kops import api
    from kops.cli.specs import read_text
    from kops.errors import KopsError

    settings = ctx.ensure_object(Settings)
    # Every file is read and every document understood before anything is deleted.
    objects = [(f, o) for f in filenames for o in api.load_objects(read_text(f, "-f"), source=f)]
    clusters = {o.metadata.name for _, o in objects if isinstance(o, api.Cluster)}
    targets: list[tuple[str, str, str]] = []  # (kind, cluster, name)
    for filename, obj in objects:
        kind = obj.kind
        if isinstance(obj, api.Cluster):
            targets.append((kind, obj.metadata.name, obj.metadata.name))
            continue
        if kind not in ("InstanceGroup", "SSHCredential"):
            raise KopsError(f"{filename}: {kind}: kops delete -f deletes Clusters, InstanceGroups and SSHCredentials")
        labels = (obj.to_dict().get("metadata") or {}).get("labels") or {}
        owner = labels.get(CLUSTER_LABEL) or (next(iter(clusters)) if len(clusters) == 1 else None) \
            or settings.cluster_name(required=False)
        if not owner:
            raise KopsError(f"{filename}: {kind}: metadata.labels: needs the label {CLUSTER_LABEL} naming its cluster")
        if owner not in clusters:  # a deleted cluster takes its groups and keys with it
            targets.append((kind, owner, str(obj.to_dict()["metadata"].get("name") or "")))
    for kind, cluster, name in targets:
        if kind == "Cluster":
            delete_cluster_resources(settings, cluster, yes, claim=False)
        elif kind == "InstanceGroup":
            delete_group(settings, cluster, name, yes)
        else:
            delete_ssh_keys(settings, cluster, yes)


@delete.command("instancegroup")
@click.argument("group")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
@global_options
@click.pass_obj
def delete_instancegroup(settings: Settings, group: str, yes: bool) -> None:
    """Delete an instance group from the cluster's spec (run kops update cluster to remove its instances)."""
    delete_group(settings, settings.cluster_name() or "", group, yes)


def delete_group(settings: Settings, name: str, group: str, yes: bool) -> None:
    from kops.cli.specs import registry
    from kops.errors import KopsError
    from kops.registry import group_path
    from kops.validation import check

    reg = registry(settings)
    state = reg.get(name)
    target = next((g for g in state.instance_groups if g.metadata.name == group), None)
    if target is None:
        raise KopsError(f"instance group {group!r} not found in cluster {name!r}")
    remaining = [g for g in state.instance_groups if g.metadata.name != group]
    check(state.cluster, remaining)
    if not yes:
        click.echo(f"Would delete instance group {group!r} from cluster {name!r}; add --yes to delete it.")
        return
    reg.delete_group(name, group, expect=state.generations[group_path(name, group)])
    click.echo(f"Deleted instance group {group!r}.")


for alias in ("ig", "instancegroups"):
    delete.add_command(delete_instancegroup, alias)


@delete.command("sshpublickey")
@click.argument("cluster", required=False)
@global_options
@click.pass_obj
def delete_sshpublickey(settings: Settings, cluster: str | None) -> None:
    """Delete the cluster's SSH public key (new machines then get none)."""
    delete_ssh_keys(settings, settings.cluster_name(cluster) or "", yes=True)


def delete_ssh_keys(settings: Settings, name: str, yes: bool) -> None:
    from kops.cli.specs import registry
    from kops.registry import ClusterNotFound, ssh_key_dir

    reg = registry(settings)
    if not reg.exists(name):
        raise ClusterNotFound(f"cluster {name!r} not found in {reg.store.url}")
    keys = reg.ssh_keys(name)
    if not keys:
        click.echo(f"Cluster {name!r} has no SSH public key.")
    elif not yes:
        click.echo(f"Would delete the SSH public key of cluster {name!r}; add --yes to delete it.")
    else:
        reg.store.delete_tree(ssh_key_dir(name))
        click.echo(f"Deleted the SSH public key of cluster {name!r}.")


@delete.command("cluster")
@click.argument("name", required=False)
@click.option("--yes", "-y", is_flag=True, help="Delete (without it, only list what would be deleted).")
@click.option("--claim", is_flag=True, help="Also delete the cluster's resources that another state store made.")
@global_options
@click.pass_obj
def delete_cluster(settings: Settings, name: str | None, yes: bool, claim: bool) -> None:
    """Delete a cluster: every cloud resource it owns (by its tags), then its state.

    Shared resources (a VPC or subnets you brought with --network-id/--subnets) and anything not tagged
    as owned by the cluster are never touched.
    """
    delete_cluster_resources(settings, settings.cluster_name(name) or "", yes, claim)


def delete_cluster_resources(settings: Settings, cluster: str, yes: bool, claim: bool) -> None:
    from kops import update
    from kops.cli.specs import registry
    from kops.cli.table import print_table
    from kops.engine.targets.direct import DirectTarget

    reg = registry(settings)

    def listed() -> tuple[object, list[object], int]:
        model, _warnings = update.load_model(reg, cluster, "direct")
        ctx, doomed, notes = update.owned(model, claim)
        for note in notes:
            click.echo(f"Warning: {note}", err=True)
        rows = sorted([type(t).__name__, t.name, getattr(t, "id", "") or ""] for t in doomed)
        if rows:
            print_table(["TYPE", "NAME", "ID"], rows)
        else:
            click.echo("No cloud resources owned by the cluster were found.")
        return ctx, doomed, len(rows)

    if not yes:
        listed()
        click.echo(f"\nMust specify --yes to delete cluster {cluster!r} and the resources above.")
        return
    # Listed and deleted under the update lease: an apply cannot add resources in between.
    with update.update_lease(reg, cluster):
        ctx, doomed, count = listed()
        DirectTarget().run(ctx, [], doomed)
    removed = reg.delete_cluster(cluster)
    click.echo(f"Deleted {count} cloud resource(s) and {removed} state store object(s) of cluster {cluster!r}.")


from kops.cli.secret_cmd import delete_secret  # noqa: E402 - subcommands defined beside their siblings

delete.add_command(delete_secret)
from kops.cli.delete_instance_cmd import delete_instance  # noqa: E402

delete.add_command(delete_instance)
