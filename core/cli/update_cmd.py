"""``kops update cluster``: show the plan, apply it (``--yes``), or write Terraform."""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommandGroup, bool_flag, split_list
from kops.cli.kubeconfig_cmd import AdminDurationCommand
from kops.cli.settings import Settings, global_options


@click.group("update", cls=KopsCommandGroup)
def update() -> None:
    """Bring the cloud in line with the spec."""


@update.command("cluster", cls=AdminDurationCommand)
@click.argument("name", required=False)
@click.option("--yes/--no-yes", "-y", default=False, help="Apply the changes (without it, only show them).")
@click.option("--target", type=click.Choice(["direct", "terraform"], case_sensitive=False), default="direct",
              help="direct: call the cloud API; terraform: write Terraform files to --out.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Where --target terraform writes "
              "(default out/terraform).")
@click.option("-o", "--output", type=click.Choice(["text", "json"], case_sensitive=False), default="text",
              help="Plan format.")
@bool_flag("--detailed-exitcode", "Exit 2 when the plan has changes, 0 when it has none.", default=False)
@click.option("--plan-out", type=click.Path(dir_okay=False), help="Save the plan to this file.")
@click.option("--plan", "plan_in", type=click.Path(dir_okay=False, exists=True),
              help="With --yes: apply exactly this saved plan, refusing if the cloud or spec changed since.")
@bool_flag("--claim", "Take over the cluster's resources that another state store made (after losing that store).",
           default=False)
@bool_flag("--create-kube-config", "With --yes, write the cluster's context into the kubeconfig, as export kubeconfig "
           "does.", default=True)
@click.option("--admin", metavar="DURATION", default=None,
              help="With --yes: also export a cluster admin credential valid this long (--admin alone: 18h).")
@click.option("--user", metavar="NAME", help="With --yes: bind the kubeconfig context to this existing user.")
@bool_flag("--internal", "With --yes: the kubeconfig uses the cluster's internal API name.", default=False)
@click.option("--instance-group", "instance_groups", multiple=True, callback=split_list, metavar="NAME",
              help="Only update these instance groups' resources (repeatable, or comma-separated).")
@click.option("--instance-group-roles", "roles", multiple=True, callback=split_list, metavar="ROLE",
              help="Only update the resources of groups of these roles: control-plane, apiserver, node, bastion.")
@click.option("--lifecycle-overrides", multiple=True, callback=split_list, metavar="TYPE=LIFECYCLE",
              help="Force a lifecycle on every task of a type: SecurityGroup=ExistsAndWarnIfChanges (Sync, Ignore, "
                   "ExistsAndWarnIfChanges, ExistsAndValidates).")
@global_options
@click.pass_obj
def update_cluster(settings: Settings, name: str | None, yes: bool, target: str, out_dir: str | None, output: str,
                   detailed_exitcode: bool, plan_out: str | None, plan_in: str | None, claim: bool,
                   create_kube_config: bool, admin: str | None, user: str | None, internal: bool,
                   instance_groups: list[str] | None, roles: list[str] | None,
                   lifecycle_overrides: list[str] | None) -> int:
    """Create or update the cloud resources for a cluster.

    \b
    kops update cluster my.example.com            # show what would change
    kops update cluster my.example.com --yes      # change it
    kops update cluster my.example.com --target terraform --out tf/
    """
    from kops.cli.kubeconfig_cmd import admin_lifetime
    from kops.model import parse_roles
    from kops.update import Selection

    if admin is not None and user:
        raise click.UsageError("--admin and --user cannot be used together")
    cluster = settings.cluster_name(name) or ""
    selection = Selection(tuple(instance_groups or ()), parse_roles(roles), _lifecycles(lifecycle_overrides))
    code = run_update(settings, cluster, yes=yes, target=target.lower(), out_dir=out_dir, output=output.lower(),
                      detailed_exitcode=detailed_exitcode, plan_out=plan_out, plan_in=plan_in, claim=claim,
                      selection=selection)
    if yes and target.lower() == "direct" and create_kube_config:
        _export_kubeconfig(settings, cluster, admin_lifetime(admin), user, internal)
    return code


def _export_kubeconfig(settings: Settings, cluster: str, admin: object, user: str | None, internal: bool) -> None:
    """Write the cluster's context as upstream's update does: credentials only when asked for."""
    from kops.pki.kubeconfig import export_kubeconfig

    path, warnings = export_kubeconfig(settings.state_store(), cluster, admin_lifetime=admin,
                                       user=user, internal=internal, without_credentials=True)
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"kops has set your kubectl context to {cluster} in {path}", err=True)
    if admin is None and not user:
        click.echo("Warning: the kubeconfig has no credentials for this cluster: use --admin or --user (here or with "
                   "kops export kubeconfig)", err=True)


def _lifecycles(values: list[str] | None) -> tuple[tuple[str, object], ...]:
    from kops.engine import Lifecycle
    from kops.errors import KopsError

    parsed = []
    for value in values or ():
        type_name, _, lifecycle = value.partition("=")
        found = next((c for c in Lifecycle if c.value.lower() == lifecycle.strip().lower()), None)
        if not type_name.strip() or found is None:
            raise KopsError(f"--lifecycle-overrides: {value!r} is not TYPE=LIFECYCLE (lifecycles: "
                            f"{', '.join(c.value for c in Lifecycle)})")
        parsed.append((type_name.strip(), found))
    return tuple(parsed)


def run_update(settings: Settings, name: str, *, yes: bool = False, target: str = "direct", out_dir: str | None = None,
               output: str = "text", detailed_exitcode: bool = False, plan_out: str | None = None,
               plan_in: str | None = None, claim: bool = False, selection: Any = None) -> int:
    from kops import update
    from kops.cli.specs import registry
    from kops.engine import load_plan, save_plan

    if plan_in and not yes:
        raise click.UsageError("--plan applies a saved plan: it needs --yes")
    if plan_in and target != "direct":
        raise click.UsageError("--plan works with --target direct only")
    reg = registry(settings)
    if target == "terraform":
        out = out_dir or "out/terraform"
        _warn(update.terraform(reg, name, out, selection))
        click.echo(f"Terraform written to {out}; review it, then run: terraform -chdir={out} init && "
                   f"terraform -chdir={out} apply")
        return 0
    if yes:
        expected = load_plan(plan_in) if plan_in else None
        prepared, result = update.apply(reg, name, expect=expected, claim=claim, selection=selection)
        _warn(prepared)
        _show(result.plan, output)
        if output == "text":
            click.echo(f"Cluster {name!r} is up to date with its spec." if not result.plan.has_changes
                       else "Applied.")
        return 0
    prepared = update.prepare(reg, name, "dryrun", selection)
    _warn(prepared)
    plan = update.plan(prepared, claim=claim)
    if plan_out:
        save_plan(plan_out, plan)
    _show(plan, output)
    if output == "text" and plan.has_changes:
        click.echo(f"\nMust specify --yes to apply changes: kops update cluster --name {name} --yes")
    return 2 if detailed_exitcode and plan.has_changes else 0


def _warn(prepared: object) -> None:
    for warning in prepared.warnings:  # type: ignore[attr-defined]
        click.echo(f"Warning: {warning}", err=True)


def _show(plan: object, output: str) -> None:
    click.echo(plan.to_json() if output == "json" else plan.render_text())  # type: ignore[attr-defined]
