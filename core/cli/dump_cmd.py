"""``kops toolbox dump``: a running cluster's cloud resources and machines, for bug reports and scripts.

The shape is upstream's (``resources`` by type and ID, ``instances`` with their addresses and roles, ``subnets``
and ``vpc``), read through the cloud driver's contract: :meth:`kops.cloud.CloudProvider.owned_resources` (what
``kops delete cluster`` would delete, found by the cluster's tags) and :func:`kops.instances.cloud_groups`. Only
identifying facts are written (types, IDs, names, zones, CIDRs, addresses, roles, states), never a resource's
configuration, so no key, user data or policy can end up in a dump.
"""

from __future__ import annotations

from typing import Any

import click
from kops.cli.settings import Settings, global_options
from kops.cli.toolbox_cmd import toolbox

#: The facts of a resource a dump may show besides its type, ID and name: where it is, never how it is configured.
RESOURCE_FACTS = ("zone", "cidr")


@toolbox.command("dump")
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Choice(["yaml", "json"], case_sensitive=False), default="yaml",
              help="Output format.")
@global_options
@click.pass_obj
def dump(settings: Settings, name: str | None, output: str) -> None:
    """Show the cluster's cloud resources and machines (asks the cloud; holds no secret).

    \b
    kops toolbox dump my.example.com -o json | jq -r '.instances[].privateAddresses[]'
    """
    import json

    from kops import instances, update
    from kops.cli.specs import registry

    model, _warnings = update.load_model(registry(settings), settings.cluster_name(name) or "", "direct")
    ctx = model.cloud.engine_context(model)
    found = update.with_retries(ctx, lambda: model.cloud.owned_resources(ctx, model))
    doc = build_dump(found, instances.cloud_groups(model))
    if output.lower() == "json":
        click.echo(json.dumps(doc, indent=2))
    else:
        import yaml

        click.echo(yaml.safe_dump(doc, sort_keys=False), nl=False)


def build_dump(resources: list[Any], groups: list[Any]) -> dict[str, Any]:
    """The dump of ``resources`` (the cloud's tasks for what the cluster owns) and ``groups``
    (:class:`kops.cloud.CloudInstanceGroup`), in upstream's shape."""
    from kops.instances import ROLE_NAMES

    listed = sorted((_resource(r) for r in resources), key=lambda r: (r["type"], r.get("id", ""), r["name"]))
    machines = sorted((i for g in groups for i in g.instances), key=lambda i: i.id)
    doc: dict[str, Any] = {
        "resources": listed,
        "instances": [_without_empty({
            "name": i.id,
            "publicAddresses": [i.external_ip] if i.external_ip else [],
            "privateAddresses": [i.internal_ip] if i.internal_ip else [],
            "roles": [ROLE_NAMES.get(i.role, i.role.lower())],
            "instanceGroup": i.instance_group,
            "zone": i.zone,
            "machineType": i.machine_type,
            "state": i.state,
            "status": i.status,
        }) for i in machines],
        "subnets": [{"id": r["id"], "zone": r["zone"]} for r in listed
                    if r["type"] == "Subnet" and r.get("id") and r.get("zone")],
    }
    vpc = next((r for r in listed if r["type"] == "VPC" and r.get("id")), None)
    if vpc is not None:
        doc["vpc"] = {"id": vpc["id"]}
    return doc


def _resource(task: Any) -> dict[str, Any]:
    name = str(task.name)
    found: dict[str, Any] = {"type": task.type_name, "id": task.cloud_id, "name": name}
    for fact in RESOURCE_FACTS:
        value = getattr(task, fact, None)
        if isinstance(value, str | int) and value != "":
            found[fact] = value
    return _without_empty(found)


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, "", [])}
