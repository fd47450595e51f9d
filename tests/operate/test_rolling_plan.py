"""How a rolling update sizes and orders its work (:mod:`kops.operate.rolling`), from the specs alone: upstream's
rules for ``maxSurge`` and ``maxUnavailable`` and the order of groups and machines."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from kops import api
from kops.api.common import RollingUpdate
from kops.cloud import NEEDS_UPDATE, UP_TO_DATE, CloudInstance, CloudInstanceGroup
from kops.errors import KopsError
from kops.operate.rolling import Options, plan, surge_and_unavailable


def _group(name: str, role: str = "Node", rolling: dict | None = None) -> api.InstanceGroup:
    spec = {"role": role, "minSize": 1, "maxSize": 10, **({"rollingUpdate": rolling} if rolling else {})}
    return api.from_dict({"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
                          "metadata": {"name": name}, "spec": spec}, source=name)


def _cluster(rolling: dict | None = None) -> SimpleNamespace:
    return SimpleNamespace(spec=SimpleNamespace(rollingUpdate=RollingUpdate(**rolling) if rolling else None))


AWS_LIKE = SimpleNamespace(default_max_surge=1)
NO_SURGE = SimpleNamespace(default_max_surge=0)


@pytest.mark.parametrize(("cluster", "group", "cloud", "count", "expected"), [
    (None, None, AWS_LIKE, 10, (1, 0)),                 # the cloud's default surge, then no unavailability
    (None, None, NO_SURGE, 10, (0, 1)),                 # no surge: one at a time
    ({"maxSurge": "25%"}, None, NO_SURGE, 10, (3, 0)),  # a percentage of the machines, surge rounded up
    ({"maxUnavailable": "25%"}, None, NO_SURGE, 10, (0, 2)),  # unavailability rounded down
    ({"maxSurge": 2}, {"maxSurge": 0, "maxUnavailable": 3}, AWS_LIKE, 10, (0, 3)),  # the group's settings win
    ({"maxSurge": 20}, None, AWS_LIKE, 4, (4, 0)),      # never more than the machines to replace
])
def test_surge_and_unavailability_follow_upstream(cluster, group, cloud, count, expected):
    assert surge_and_unavailable(_cluster(cluster), _group("nodes", rolling=group), cloud, count) == expected


def test_a_bad_percentage_names_the_field():
    with pytest.raises(KopsError, match=r"spec.rollingUpdate: 'lots' is not a number or a percentage"):
        surge_and_unavailable(_cluster({"maxSurge": "lots"}), _group("nodes"), AWS_LIKE, 3)


def _instances(group: str, *specs: tuple[str, str, bool]) -> list[CloudInstance]:
    return [CloudInstance(id=i, instance_group=group, role="Node", state="running", status=s, detached=d)
            for i, s, d in specs]


def test_control_plane_first_then_bastions_then_nodes_and_detached_machines_first():
    groups = [
        CloudInstanceGroup(_group("nodes-b"), 1, 3, 2, _instances(
            "nodes-b", ("i-2", NEEDS_UPDATE, False), ("i-1", NEEDS_UPDATE, False), ("i-9", NEEDS_UPDATE, True))),
        CloudInstanceGroup(_group("bastions", "Bastion"), 1, 1, 1, _instances("bastions", ("i-b", NEEDS_UPDATE, False))),
        CloudInstanceGroup(_group("cp-a", "Master"), 1, 1, 1, _instances("cp-a", ("i-c", NEEDS_UPDATE, False))),
        CloudInstanceGroup(_group("nodes-a"), 1, 3, 1, _instances("nodes-a", ("i-3", UP_TO_DATE, False))),
    ]
    planned = plan(groups, Options())
    assert [p.group.name for p in planned] == ["cp-a", "bastions", "nodes-a", "nodes-b"]
    assert [i.id for i in planned[-1].update] == ["i-9", "i-1", "i-2"]  # a resumed run ends the detached one first
    assert planned[2].update == [] and planned[2].row() == ["nodes-a", "Ready", 0, 1, 1, 1, 3]
    assert [i.id for i in plan(groups, Options(force=True, roles=("Node",)))[0].update] == ["i-3"]
    assert [p.group.name for p in plan(groups, Options(instance_groups=("nodes-b",)))] == ["nodes-b"]
    with pytest.raises(KopsError, match="--instance-group: no instance group nodes-z"):
        plan(groups, Options(instance_groups=("nodes-z",)))


@pytest.mark.parametrize(("where", "value", "reason"), [
    ("cluster", {"maxSurge": "lots"}, "Cluster/c.example.com: spec.rollingUpdate.maxSurge: 'lots' is not a number"),
    ("cluster", {"maxUnavailable": -1}, "spec.rollingUpdate.maxUnavailable: cannot be negative"),
    ("control-plane", {"maxSurge": 1}, "spec.rollingUpdate.maxSurge: a control-plane group cannot surge"),
])
def test_rolling_update_settings_are_checked_with_the_spec(where, value, reason):
    from kops.api.validation import validate

    cluster = api.from_dict({"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster",
                             "metadata": {"name": "c.example.com"},
                             "spec": {"rollingUpdate": value} if where == "cluster" else {}}, source="c")
    group = _group("cp", "ControlPlane", value if where == "control-plane" else None)
    assert any(reason in str(e) for e in validate(cluster, [group])), [str(e) for e in validate(cluster, [group])]
