"""``kops create instancegroup``: a new group with the defaults upstream gives one."""

from __future__ import annotations

from typing import Any

import click
from kops.errors import KopsError

ROLE_NAMES = {"node": "Node", "controlplane": "Master", "master": "Master", "bastion": "Bastion",
              "apiserver": "APIServer"}


def create_group(settings: Any, group: str, role: str, subnets: list[str], *, edit: bool, dry_run: bool,
                 output: str, zones: list[str] | None = None) -> None:
    from kops import api
    from kops.channels import load_channel
    from kops.cli.specs import registry, render
    from kops.names import validate_group_name
    from kops.plugins import load_driver
    from kops.validation import check

    validate_group_name(group, "GROUP")
    name = settings.cluster_name()
    reg = registry(settings)
    state = reg.get(name)
    if any(g.metadata.name == group for g in state.instance_groups):
        raise KopsError(f"instance group {group!r} already exists in cluster {name!r}")
    cluster = state.cluster
    role_value = ROLE_NAMES[role.lower()]
    known = {s.name: s for s in cluster.spec.subnets or []}
    for s in subnets:
        if s not in known:
            raise KopsError(f"--subnet {s}: no such subnet in cluster {name!r} (subnets: {', '.join(known)})")
    if not subnets:
        subnets = [n for n, s in known.items() if s.type not in ("Utility", "DualStack")]
    spec: dict[str, Any] = {"role": role_value, "minSize": 1, "maxSize": 1, "subnets": subnets,
                            "nodeLabels": {"kops.k8s.io/instancegroup": group}}
    cloud = load_driver("cloud", cluster.spec.cloudProvider or "")() if cluster.spec.cloudProvider else None
    if zones:
        for zone in zones:
            try:
                if cloud is not None:
                    cloud.region_for_zone(zone)  # a malformed zone fails here, naming it
            except KopsError as exc:
                raise KopsError(f"--zone: {exc}") from None
        spec["zones"] = list(zones)
    elif cloud is not None and cloud.instance_groups_list_zones:
        raise KopsError(f"--zone: required for {cloud.name} clusters, whose instance groups name their zones")
    if cloud is not None:
        spec["nodeLabels"].update(cloud.instance_group_node_labels)
        zone = next((known[s].zone for s in subnets if known[s].zone), "")
        spec["machineType"] = cloud.default_machine_type(role_value, cloud.region_for_zone(zone) if zone else "")
        image = load_channel(cluster.spec.channel or "stable").find_image(
            cloud.channel_provider_id, cluster.spec.kubernetesVersion or "") or cloud.default_image
        if not image:
            # The cloud's images are the user's own (a vSphere VM template): take the one the cluster's groups of
            # this role use, else any group's.
            images = [g.spec.image for g in sorted(state.instance_groups, key=lambda g: g.spec.role != role_value)]
            image = next((i for i in images if i), None)
        if image:
            spec["image"] = image
    doc = {"apiVersion": api.API_VERSION, "kind": "InstanceGroup",
           "metadata": {"name": group, "labels": {"kops.k8s.io/cluster": name}}, "spec": spec}
    ig = api.from_dict(doc, source=f"InstanceGroup/{group}")
    check(cluster, [*state.instance_groups, ig])
    if dry_run:
        click.echo(render([ig], output), nl=False)
        return
    if edit:
        from kops.cli.editing import edit_until_valid

        def accept(text: str) -> Any:
            objs = api.load_objects(text, source=f"InstanceGroup/{group}")
            if len(objs) != 1 or not isinstance(objs[0], api.InstanceGroup) or objs[0].metadata.name != group:
                raise KopsError(f"expected the InstanceGroup {group!r} and nothing else")
            check(cluster, [*state.instance_groups, objs[0]])
            return objs[0]

        edited = edit_until_valid(api.dump_yaml(ig), accept)
        ig = edited or ig
    reg.put_group(name, ig, expect=None)
    click.echo(f"Created instance group {group!r} in cluster {name!r}.")
