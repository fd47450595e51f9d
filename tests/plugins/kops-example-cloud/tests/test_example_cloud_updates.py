"""A running cluster on the example cloud: applying again changes nothing, and a change of what a group's machines
boot with shows as that group's machines needing an update."""

from __future__ import annotations

import json
from typing import Any

from example_cloud_kit import ok
from kops_example_cloud.labels import cluster_key


def cloud_view(api, cluster_name: str) -> dict[str, Any]:
    """Every resource labelled for the cluster, by kind and name: what a second apply must leave as it is."""
    return {kind: {r["name"]: r for r in api.list(kind, label=cluster_key(cluster_name))}
            for kind in ("networks", "firewallRules", "pools", "instances", "volumes")}


def instances(cloud_kops, cluster_name: str) -> list[dict[str, Any]]:
    return json.loads(ok(cloud_kops("get", "instances", cluster_name, "-o", "json")).stdout)


def test_a_second_apply_changes_nothing(cloud_kops, applied, api):
    before = cloud_view(api, applied)
    again = json.loads(ok(cloud_kops("update", "cluster", applied, "--yes", "-o", "json")).stdout)
    assert again["changes"] == []
    assert cloud_view(api, applied) == before
    assert "is up to date with its spec" in ok(cloud_kops("update", "cluster", applied, "--yes")).stdout


def test_a_new_machine_type_makes_that_groups_instances_need_an_update(cloud_kops, applied, api):
    first = instances(cloud_kops, applied)
    assert {i["status"] for i in first} == {"UpToDate"}
    ok(cloud_kops("edit", "instancegroup", "nodes-zone-a", "--name", applied, "--set", "spec.machineType=standard-4"))
    plan = json.loads(ok(cloud_kops("update", "cluster", applied, "-o", "json")).stdout)["changes"]
    assert [(c["type"], c["name"], c["action"], c["fields"]) for c in plan] == [
        ("InstancePool", f"nodes-zone-a.{applied}", "update", {"machine_type": {"old": "standard-2",
                                                                                "new": "standard-4"}})]
    ok(cloud_kops("update", "cluster", applied, "--yes"))

    after = instances(cloud_kops, applied)
    assert [i["id"] for i in after] == [i["id"] for i in first]  # nothing is replaced until a rolling update
    status = {i["instanceGroup"]: i["status"] for i in after}
    assert status == {"control-plane-zone-a": "UpToDate", "nodes-zone-a": "NeedsUpdate", "nodes-zone-b": "UpToDate"}
    pool = {p["name"]: p for p in api.list("pools", label=cluster_key(applied))}[f"nodes-zone-a.{applied}"]
    assert (pool["launch"]["machineType"], pool["launchVersion"]) == ("standard-4", 2)

