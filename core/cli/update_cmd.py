"""``kops update cluster``: show the plan, apply it (``--yes``), or write Terraform."""

from __future__ import annotations

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup, bool_flag
from kops.cli.settings import Settings, global_options


@click.group("update", cls=KopsCommandGroup)
def update() -> None:
    """Bring the cloud in line with the spec."""


@update.command("cluster", cls=KopsCommand)
@click.argument("name", required=False)
@bool_flag("--yes", "Apply the changes (without it, only show them).", default=False)
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
@global_options
@click.pass_obj
def update_cluster(settings: Settings, name: str | None, yes: bool, target: str, out_dir: str | None, output: str,
                   detailed_exitcode: bool, plan_out: str | None, plan_in: str | None, claim: bool) -> int:
    """Create or update the cloud resources for a cluster.

    \b
    kops update cluster my.example.com            # show what would change
    kops update cluster my.example.com --yes      # change it
    kops update cluster my.example.com --target terraform --out tf/
    """
    return run_update(settings, settings.cluster_name(name) or "", yes=yes, target=target.lower(), out_dir=out_dir,
                      output=output.lower(), detailed_exitcode=detailed_exitcode, plan_out=plan_out, plan_in=plan_in,
                      claim=claim)


def run_update(settings: Settings, name: str, *, yes: bool = False, target: str = "direct", out_dir: str | None = None,
               output: str = "text", detailed_exitcode: bool = False, plan_out: str | None = None,
               plan_in: str | None = None, claim: bool = False) -> int:
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
        _warn(update.terraform(reg, name, out))
        click.echo(f"Terraform written to {out}; review it, then run: terraform -chdir={out} init && "
                   f"terraform -chdir={out} apply")
        return 0
    if yes:
        expected = load_plan(plan_in) if plan_in else None
        prepared, result = update.apply(reg, name, expect=expected, claim=claim)
        _warn(prepared)
        _show(result.plan, output)
        if output == "text":
            click.echo(f"Cluster {name!r} is up to date with its spec." if not result.plan.has_changes
                       else "Applied.")
        return 0
    prepared = update.prepare(reg, name, "dryrun")
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
