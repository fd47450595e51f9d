"""The driver's side of a rolling update on the example cloud (``cloud_groups``, ``detach_instance``,
``delete_instance``): a surge machine first, then the old one ended; and a machine left detached is still the
cluster's, so deleting the cluster ends it."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from example_cloud_kit import ok
from kops.api.codec import from_dict
from kops_example_cloud.api import ENDPOINT_VARIABLE
from kops_example_cloud.cloud import ExampleCloud


@pytest.fixture
def groups(cloud_kops, cloud_env, applied, monkeypatch):
    """``groups()``: the cluster's groups as the driver reports them, by name."""
    monkeypatch.setenv(ENDPOINT_VARIABLE, cloud_env[ENDPOINT_VARIABLE])
    docs = [d for d in yaml.safe_load_all(ok(cloud_kops("get", applied, "-o", "yaml")).stdout) if d]
    cluster = next(from_dict(d) for d in docs if d["kind"] == "Cluster")
    instance_groups = [from_dict(d) for d in docs if d["kind"] == "InstanceGroup"]
    return lambda: {g.name: g for g in ExampleCloud().cloud_groups(cluster, instance_groups)}


def states(group: Any) -> list[tuple[str, str, bool]]:
    return [(i.id, i.status, i.detached) for i in group.instances]


def test_a_surge_machine_replaces_a_detached_one(cloud_kops, applied, groups):
    ok(cloud_kops("edit", "instancegroup", "nodes-zone-a", "--name", applied, "--set", "spec.image=example-os-26.04"))
    ok(cloud_kops("update", "cluster", applied, "--yes"))
    old = groups()["nodes-zone-a"].instances[0]
    assert old.status == "NeedsUpdate" and old.provider_id == f"example:///zone-a/{old.id}"

    ExampleCloud().detach_instance(old)
    surged = groups()["nodes-zone-a"]
    new = next(i for i in surged.instances if i.id != old.id)
    assert sorted(states(surged)) == sorted([(old.id, "NeedsUpdate", True), (new.id, "UpToDate", False)])
    assert (surged.target_size, new.zone) == (1, "zone-a")

    ExampleCloud().delete_instance(next(i for i in surged.instances if i.detached))
    assert states(groups()["nodes-zone-a"]) == [(new.id, "UpToDate", False)]


def test_a_deleted_machine_is_replaced_from_the_current_configuration(cloud_kops, applied, groups):
    ok(cloud_kops("edit", "instancegroup", "nodes-zone-b", "--name", applied, "--set", "spec.machineType=standard-4"))
    ok(cloud_kops("update", "cluster", applied, "--yes"))
    [old] = groups()["nodes-zone-b"].instances
    ExampleCloud().delete_instance(old)
    [new] = groups()["nodes-zone-b"].instances
    assert new.id != old.id and (new.status, new.machine_type) == ("UpToDate", "standard-4")


def test_deleting_the_cluster_ends_a_machine_left_detached(cloud_kops, cloud_case, cloud_env, applied, groups):
    ExampleCloud().detach_instance(groups()["nodes-zone-a"].instances[0])
    ok(cloud_kops("delete", "cluster", applied, "--yes"))
    assert cloud_case.leftovers(cloud_env, applied) == []
