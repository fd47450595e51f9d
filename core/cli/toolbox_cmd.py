"""``kops toolbox``: helpers for inspecting what kops will do."""

from __future__ import annotations

import click
from kops.cli.flags import KopsCommandGroup
from kops.cli.settings import Settings, global_options
from kops.kube import kube_options


@click.group("toolbox", cls=KopsCommandGroup)
def toolbox() -> None:
    """Miscellaneous helpers."""


@toolbox.group("addons")
def addons() -> None:
    """Inspect a cluster's add-ons."""


@addons.command("list")
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Choice(["table", "json"], case_sensitive=False), default="table")
@global_options
@click.pass_obj
def addons_list(settings: Settings, name: str | None, output: str) -> None:
    """List the add-ons the cluster's channel gets on the next update: name, version and source."""
    import json

    from kops.addons.channel import addons as channel_addons
    from kops.cli.specs import completed_cluster, registry
    from kops.cli.table import print_table

    found = channel_addons(completed_cluster(registry(settings), settings.cluster_name(name)))
    if output.lower() == "json":
        click.echo(json.dumps([{"name": a.name, "version": a.version, "source": a.source} for a in found], indent=2))
        return
    print_table(["NAME", "VERSION", "SOURCE"], [[a.name, a.version, a.source] for a in found])


@addons.command("apply")
@click.argument("name", required=False)
@kube_options
@global_options
@click.pass_obj
def addons_apply(settings: Settings, name: str | None, kubeconfig: str | None, api_server: str | None,
                 use_kubeconfig: bool) -> None:
    """Apply the add-ons of the cluster's stored channel whose version the cluster does not run yet.

    Objects an applied add-on no longer ships (its new manifest dropped them) are deleted: PRUNED counts
    them, and each is named on stderr.

    \b
    kops update cluster my.example.com --yes     # writes the channel
    kops toolbox addons apply my.example.com     # brings the cluster's add-ons in line with it
    """
    from kops.addons.apply import apply_channel
    from kops.cli.specs import registry
    from kops.cli.table import print_table
    from kops.kube import access

    cluster = settings.cluster_name(name) or ""
    client = access(kubeconfig, api_server, use_kubeconfig).client(cluster)
    results = apply_channel(registry(settings).store, cluster, client)
    for result in results:
        for pruned in result.pruned:
            click.echo(f"{result.name}: pruned {pruned}", err=True)
    print_table(["NAME", "VERSION", "ACTION", "OBJECTS", "PRUNED"],
                [[r.name, r.version, r.action, r.objects, len(r.pruned)] for r in results])


@toolbox.command("history")
@click.argument("name", required=False)
@click.option("--show", "version_id", help="Print this earlier version of the cluster spec.")
@global_options
@click.pass_obj
def history(settings: Settings, name: str | None, version_id: str | None) -> None:
    """List the earlier versions of a cluster's spec kept in the state store, or print one."""
    from kops.cli.specs import registry
    from kops.cli.table import print_table
    from kops.registry import ClusterNotFound, config_path

    cluster = settings.cluster_name(name)
    reg = registry(settings)
    if not reg.exists(cluster):
        raise ClusterNotFound(f"cluster {cluster!r} not found in {reg.store.url}")
    if version_id:
        click.echo(reg.store.read_version(config_path(cluster), version_id).decode(), nl=False)
        return
    versions = reg.store.history(config_path(cluster))
    print_table(["VERSION", "REPLACED AT", "SIZE"],
                [[v.id, v.time.strftime("%Y-%m-%dT%H:%M:%SZ"), v.size] for v in versions])


@toolbox.command("schema")
@click.argument("kind", type=click.Choice(["cluster", "instancegroup", "manifest"], case_sensitive=False))
def schema(kind: str) -> None:
    """Print the JSON Schema of a Cluster, an InstanceGroup, or a whole manifest (for editors)."""
    import json

    from kops.api.schema import json_schema, manifest_schema

    doc = manifest_schema() if kind.lower() == "manifest" else json_schema(
        "Cluster" if kind.lower() == "cluster" else "InstanceGroup")
    click.echo(json.dumps(doc, indent=2, sort_keys=True))
from kops.cli import dump_cmd, template_cmd  # noqa: E402,F401 - register ``toolbox dump`` and ``toolbox template``
