"""A third-party kops plugin, packaged and installed like any other, that the tests use to prove that
a plugin reaches the user through its entry point alone. It adds:

- the ``kops example-greet`` command;
- the ``example-banner.addons.example.com`` add-on, for clusters whose ``cloudLabels`` name a team;
- an inference rule that copies that team label onto every instance group's node labels, so pods can
  be scheduled by team.
"""

from __future__ import annotations

import click
from kops import hookimpl

TEAM_LABEL = "example.com/team"


@click.command("example-greet")
@click.argument("who", default="world")
def greet(who: str) -> None:
    """Say hello (a command added by the example plugin)."""
    click.echo(f"hello, {who}, from the example plugin")


@hookimpl
def kops_cli_commands() -> list[click.Command]:
    return [greet]


@hookimpl
def kops_inference_rules() -> list:
    from kops.inference import InferenceContext, rule

    @rule("create", 90, name="example.team-node-labels")
    def team_node_labels(ctx: InferenceContext) -> None:
        team = (ctx.spec.get("cloudLabels") or {}).get(TEAM_LABEL)
        if team:
            for ig in ctx.instance_groups:
                ig["spec"].setdefault("nodeLabels", {}).setdefault(TEAM_LABEL, team)

    return [team_node_labels]


@hookimpl
def kops_addons(cluster) -> list:
    from kops.addons import Addon

    team = (cluster.spec.cloudLabels or {}).get(TEAM_LABEL)
    if not team:
        return []
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: example-banner\n  namespace: kube-system\n"
        f"data:\n  team: {team}\n"
    )
    return [Addon(name="example-banner.addons.example.com", version="0.3.1", manifest=manifest)]


class ExampleCNI:
    """A minimal third-party networking provider: ``--networking example-cni`` writes
    ``spec.networking.example-cni: {mtu: 1400}``, a section the core API does not know."""

    spec_key = "example-cni"
    clouds: tuple[str, ...] = ()

    def __init__(self, name: str):
        self.name = name

    def create_spec(self, ctx) -> None:
        ctx.spec.setdefault("networking", {})[self.spec_key] = {"mtu": 1400}
