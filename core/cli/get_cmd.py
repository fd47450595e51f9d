"""``kops get``: clusters, instance groups, everything, SSH keys; as a table, YAML or JSON.

As upstream, a cluster's name where a resource type goes (``kops get my.example.com -o yaml``) shows the whole
cluster, as ``kops get all`` does, and ``-o`` may come before the resource type (``kops get -o yaml clusters``).
"""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommandGroup, bool_flag
from kops.cli.settings import Settings, global_options
from kops.kube import kube_options

OUTPUT = click.option("-o", "--output", type=click.Choice(["table", "yaml", "json"], case_sensitive=False),
                      default="table", help="Output format.")


class _GetGroup(KopsCommandGroup):
    """Reads ``kops get [-o FORMAT] NAME`` as ``kops get all NAME -o FORMAT``, and ``-o`` before any resource type as
    that type's own flag, so upstream users' scripts run unchanged."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.route(ctx, args))

    def route(self, ctx: click.Context, args: list[str]) -> list[str]:
        head: list[str] = []  # the group's own options (--state, --name, --help)
        output: list[str] = []  # -o before the resource type: handed to it
        i = 0
        while i < len(args) and args[i].startswith("-") and args[i] != "--":
            arg = args[i]
            takes = 2 if arg in ("-o", "--output", "--state", "--name") else 1
            (output if arg.startswith(("-o", "--output")) else head).extend(args[i:i + takes])
            i += takes
        rest = args[i:]
        if not rest:
            if not output and not head or {"-h", "--help"} & set(head):
                return args  # plain ``kops get`` shows the help
            rest = ["all"]
        elif rest[0] != "--" and self.get_command(ctx, rest[0]) is None:
            rest = ["all", *rest]  # a cluster's name where a resource type goes
        return head + rest[:1] + output + rest[1:]


@click.group("get", cls=_GetGroup)
@global_options
def get() -> None:
    """List or show resources.

    \b
    kops get clusters                       # every cluster of the state store
    kops get my.example.com -o yaml         # the whole cluster as one manifest (as kops get all)
    kops get cluster my.example.com --full  # the completed spec, every default filled in
    """


def _emit(trees: list[dict[str, Any]], output: str, table: Any, listing: bool = False) -> None:
    """Objects (as plain trees) as a table, YAML or JSON: one object alone, unless ``listing`` (a list, however many
    there are)."""
    import json

    from kops.cli.specs import render_trees

    if output.lower() == "table":
        table(trees)
    elif listing and output.lower() == "json":
        click.echo(json.dumps(trees, indent=2, sort_keys=True))
    elif trees:
        click.echo(render_trees(trees, output), nl=False)
    elif output.lower() == "json":
        click.echo("[]")


def _cluster_table(clusters: list[dict[str, Any]]) -> None:
    from kops.cli.table import print_table

    rows = []
    for c in clusters:
        spec = c.get("spec", {})
        zones = sorted({s.get("zone") or s.get("region") or "" for s in spec.get("subnets") or []} - {""})
        rows.append([c["metadata"]["name"], spec.get("cloudProvider") or "", ",".join(zones)])
    print_table(["NAME", "CLOUD", "ZONES"], rows)


def _group_table(groups: list[dict[str, Any]]) -> None:
    from kops.cli.table import print_table

    rows = []
    for g in groups:
        spec = g.get("spec", {})
        rows.append([g["metadata"]["name"], spec.get("role") or "", spec.get("machineType") or "", spec.get("minSize"),
                     spec.get("maxSize"), ",".join(spec.get("subnets") or [])])
    print_table(["NAME", "ROLE", "MACHINETYPE", "MIN", "MAX", "SUBNETS"], rows)


@get.command("clusters")
@click.argument("names", nargs=-1)
@OUTPUT
@bool_flag("--full", "Show the completed spec: every default filled in, as the last update stored it.", default=False)
@global_options
@click.pass_obj
def get_clusters(settings: Settings, names: tuple[str, ...], output: str, full: bool) -> None:
    """List clusters (all of them, or those named)."""
    from kops.cli.specs import registry
    from kops.errors import KopsError

    reg = registry(settings)
    if full:
        named = list(names) or ([settings.name] if settings.name else [])
        chosen = named or reg.list_clusters()
        click.echo("Warning: a --full spec shows every default; define clusters with only what you set "
                   "(kops get cluster -o yaml), or later defaults will not reach them", err=True)
        _emit([_full_spec(reg, n) for n in chosen], output, _cluster_table, listing=len(named) != 1)
        return
    if names or settings.name:
        _emit([reg.cluster_tree(n) for n in (list(names) or [settings.name])], output, _cluster_table)
        return
    # Every cluster of the store: one that cannot be read is named in a warning, and the others are still listed.
    clusters = []
    for name in reg.list_clusters():
        try:
            clusters.append(reg.cluster_tree(name))
        except KopsError as exc:
            click.echo(f"Warning: cluster {name} cannot be read: {exc}", err=True)
    _emit(clusters, output, _cluster_table, listing=True)


get.add_command(get_clusters, "cluster")


def _full_spec(reg: Any, name: str) -> dict[str, Any]:
    """The completed spec the last ``kops update cluster`` stored (``cluster-completed.spec``), as upstream shows it;
    before the first update, the one the next update will store."""
    from kops import api
    from kops.cli.specs import completed_cluster
    from kops.registry import ClusterNotFound

    if not reg.exists(name):
        raise ClusterNotFound(f"cluster {name!r} not found in {reg.store.url}")
    path = f"{name}/cluster-completed.spec"
    stored = reg.store.read(path)
    if stored is None:
        return api.to_dict(completed_cluster(reg, name))
    return api.to_dict(api.load_objects(stored.data.decode(errors="replace"), f"{reg.store.url}/{path}")[0])


@get.command("instancegroups")
@click.argument("names", nargs=-1)
@OUTPUT
@global_options
@click.pass_obj
def get_instancegroups(settings: Settings, names: tuple[str, ...], output: str) -> None:
    """List a cluster's instance groups (all, or those named)."""
    from kops.cli.specs import registry
    from kops.errors import KopsError

    groups = registry(settings).trees(settings.cluster_name()).instance_groups
    if names:
        known = {g["metadata"]["name"] for g in groups}
        missing = [n for n in names if n not in known]
        if missing:
            raise KopsError(f"instance group {missing[0]!r} not found in cluster {settings.cluster_name()!r}")
        groups = [g for g in groups if g["metadata"]["name"] in names]
    _emit(groups, output, _group_table)


for alias in ("instancegroup", "ig", "igs"):
    get.add_command(get_instancegroups, alias)


@get.command("all")
@click.argument("name", required=False)
@OUTPUT
@global_options
@click.pass_obj
def get_all(settings: Settings, name: str | None, output: str) -> None:
    """Show a cluster with its instance groups and additional objects."""
    from kops.cli.specs import registry

    state = registry(settings).trees(settings.cluster_name(name))
    if not state.instance_groups:
        click.echo("No instance groups found", err=True)
    if output.lower() == "table":
        _cluster_table([state.cluster])
        click.echo()
        _group_table(state.instance_groups)
        return
    _emit([state.cluster, *state.instance_groups, *state.additional], output, None, listing=True)


@get.command("instances")
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"], case_sensitive=False), default="table")
@kube_options
@global_options
@click.pass_obj
def get_instances(settings: Settings, name: str | None, output: str, kubeconfig: str | None, api_server: str | None,
                  use_kubeconfig: bool) -> None:
    """List the cluster's machines (asks the cloud, and the cluster's API for their nodes): whether each runs its
    group's current configuration."""
    import json

    from kops import instances, kube, update
    from kops.cli.specs import registry
    from kops.cli.table import print_table

    cluster = settings.cluster_name(name) or ""
    model, _warnings = update.load_model(registry(settings), cluster, "direct")
    groups = instances.cloud_groups(model)  # first: a cloud that cannot list machines says so before anything else
    nodes = kube.nodes(kube.access(kubeconfig, api_server, use_kubeconfig), cluster,
                       lambda message: click.echo(f"Warning: {message}", err=True))
    if nodes is not None:
        instances.join_nodes(groups, nodes)
    found = [instances.as_dict(i) for g in groups for i in g.instances]
    if output.lower() == "json":
        click.echo(json.dumps(found, indent=2))
    elif output.lower() == "yaml":
        import yaml

        click.echo(yaml.safe_dump(found, sort_keys=False), nl=False)
    else:
        keys = ["id", "nodeName", "status", "role", "state", "internalIP", "instanceGroup", "machineType"]
        print_table(["ID", "NODE-NAME", "STATUS", "ROLES", "STATE", "INTERNAL-IP", "INSTANCE-GROUP", "MACHINE-TYPE"],
                    [[i[k] for k in keys] for i in found])


@get.command("sshpublickeys")
@click.argument("name", required=False)
@OUTPUT
@global_options
@click.pass_obj
def get_sshpublickeys(settings: Settings, name: str | None, output: str) -> None:
    """List the cluster's SSH public keys."""
    import json

    from kops.cli.specs import registry
    from kops.cli.table import print_table

    cluster = settings.cluster_name(name)
    keys = registry(settings).ssh_keys(cluster)
    if output.lower() == "table":
        print_table(["NAME", "FINGERPRINT", "KEY"], [["admin", fp, key[:40] + "..."] for fp, key in keys.items()])
        return
    docs = [{"apiVersion": "kops.k8s.io/v1alpha2", "kind": "SSHCredential",
             "metadata": {"name": "admin", "labels": {"kops.k8s.io/cluster": cluster}},
             "spec": {"publicKey": key}} for key in keys.values()]
    if output.lower() == "json":
        click.echo(json.dumps(docs, indent=2))
    else:
        import yaml

        click.echo("---\n".join(yaml.safe_dump(d, sort_keys=True) for d in docs), nl=False)


for alias in ("sshpublickey", "ssh"):
    get.add_command(get_sshpublickeys, alias)


from kops.cli.keypair_cmd import get_keypairs  # noqa: E402 - subcommands defined beside their siblings
from kops.cli.secret_cmd import get_secrets  # noqa: E402

get.add_command(get_keypairs)
get.add_command(get_keypairs, "keypair")
get.add_command(get_secrets)
get.add_command(get_secrets, "secret")

from kops.cli.assets_cmd import get_assets  # noqa: E402

get.add_command(get_assets)
