"""Plans as users and machines read them, saved plans, and secrets kept out of all of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kops.engine import Action, Change, Plan, StalePlanError, load_plan, save_plan, verify_plan
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.engine.values import Ref
from kops.errors import KopsError

from .fake_cloud import FakeCloud, Network, Subnet, by_name, executor, make_context, model

SECRET = "-----PRIVATE s3cr3t-----"


def plan_of(cloud: FakeCloud, tasks: list) -> Plan:
    return DryRunTarget(executor()).run(make_context(cloud), tasks)


def apply(cloud: FakeCloud, tasks: list) -> None:
    DirectTarget(executor()).run(make_context(cloud), tasks)


def test_text_shows_each_action_like_terraform() -> None:
    plan = Plan([
        Change("Network", "main", Action.CREATE, {"cidr": (None, "10.0.0.0/16")}),
        Change("Subnet", "a", Action.UPDATE, {"cidr": ("10.0.1.0/24", "10.0.2.0/24"),
                                              "network": (Ref("Network/old"), Ref("Network/main"))}),
        Change("Instance", "vm", Action.REPLACE, {"image": ("debian-11", "debian-12"), "size": ("s", "m")},
               forces_replacement=("image",)),
        Change("Subnet", "gone", Action.DELETE, {"cidr": ("10.0.9.0/24", None)}),
        Change("Network", "same", Action.NONE),
    ])
    assert plan.render_text() == """\
Resource actions are indicated with the following symbols:
  + create
  ~ update in-place
  - destroy
-/+ destroy and then create replacement

kops will perform the following actions:

  + Network/main will be created
      + cidr = "10.0.0.0/16"

  ~ Subnet/a will be updated in-place
      ~ cidr = "10.0.1.0/24" -> "10.0.2.0/24"
      ~ network = Network/old -> Network/main

-/+ Instance/vm must be replaced
      ~ image = "debian-11" -> "debian-12" # forces replacement
      ~ size = "s" -> "m"

  - Subnet/gone will be destroyed
      - cidr = "10.0.9.0/24"

Plan: 2 to add, 1 to change, 2 to destroy.
"""
    assert plan.has_changes


def test_no_changes() -> None:
    plan = Plan([Change("Network", "same", Action.NONE)])
    assert not plan.has_changes
    assert plan.render_text() == "No changes.\n"
    assert plan.summary() == "No changes."


def test_json_shape_on_an_empty_cloud() -> None:
    net = Network(name="net", cidr="10.0.0.0/16")
    plan = plan_of(FakeCloud(), [net, Subnet(name="a", network=net, cidr="10.0.0.0/24", zone="z1")])
    data = json.loads(plan.to_json())
    assert data == {
        "changes": [
            {"type": "Network", "name": "net", "action": "create",
             "fields": {"cidr": {"old": None, "new": "10.0.0.0/16"}}},
            {"type": "Subnet", "name": "a", "action": "create",
             "fields": {"network": {"old": None, "new": {"ref": "Network/net"}},
                        "cidr": {"old": None, "new": "10.0.0.0/24"},
                        "zone": {"old": None, "new": "z1"}}},
        ],
        "warnings": [],
        "fingerprint": plan.fingerprint(),
    }


def test_secrets_never_appear_in_plans(tmp_path: Path) -> None:
    cloud = FakeCloud()
    created = plan_of(cloud, model())
    apply(cloud, model())
    tasks = model()
    by_name(tasks, "key.demo.example.com").private_key = "-----PRIVATE rotated-----"
    changed = plan_of(cloud, tasks)

    assert "+ private_key = (sensitive)" in created.render_text()
    assert "~ private_key = (sensitive) -> (sensitive)" in changed.render_text()
    key_change, = (c for c in json.loads(changed.to_json())["changes"] if c["type"] == "KeyPair")
    assert key_change["fields"] == {"private_key": {"old": "(sensitive)", "new": "(sensitive)"}}
    save_plan(tmp_path / "plan.json", changed)
    for text in (created.render_text(), created.to_json(), changed.render_text(), changed.to_json(),
                 (tmp_path / "plan.json").read_text(), repr(changed)):
        assert SECRET not in text and "rotated" not in text and "s3cr3t" not in text


def test_the_fingerprint_follows_secrets_without_showing_them() -> None:
    cloud = FakeCloud()
    apply(cloud, model())
    tasks = model()
    by_name(tasks, "key.demo.example.com").private_key = "another secret"
    assert plan_of(cloud, model()).fingerprint() == plan_of(cloud, model()).fingerprint()
    assert plan_of(cloud, tasks).fingerprint() != plan_of(cloud, model()).fingerprint()


def test_a_saved_plan_round_trips(tmp_path: Path) -> None:
    plan = plan_of(FakeCloud(), model())
    save_plan(tmp_path / "plan.json", plan)
    loaded = load_plan(tmp_path / "plan.json")
    assert loaded.fingerprint() == plan.fingerprint()
    assert loaded.render_text() == plan.render_text()
    verify_plan(loaded, plan)


def test_a_saved_plan_is_refused_once_the_cloud_changed(tmp_path: Path) -> None:
    cloud = FakeCloud()
    apply(cloud, model())
    save_plan(tmp_path / "plan.json", plan_of(cloud, model(size="large")))
    # Someone resizes one instance by hand after the plan was reviewed.
    vm = next(r for r in cloud.resources["instance"].values() if r["name"] == "node-1-0.demo.example.com")
    vm["size"] = "huge"
    cloud.mutations.clear()

    with pytest.raises(StalePlanError, match=r"changed since: Instance/node-1-0.demo.example.com\)"):
        DirectTarget(executor(), expect=load_plan(tmp_path / "plan.json")).run(make_context(cloud), model(size="large"))
    assert cloud.mutations == []


def test_a_saved_plan_is_refused_once_the_configuration_changed(tmp_path: Path) -> None:
    cloud = FakeCloud()
    save_plan(tmp_path / "plan.json", plan_of(cloud, model()))
    with pytest.raises(StalePlanError, match="Instance/node-0-0.demo.example.com"):
        DirectTarget(executor(), expect=load_plan(tmp_path / "plan.json")).run(make_context(cloud), model(size="large"))
    assert cloud.mutations == []


def test_a_current_saved_plan_is_applied_with_one_listing_per_type(tmp_path: Path) -> None:
    cloud = FakeCloud()
    save_plan(tmp_path / "plan.json", plan_of(cloud, model()))
    cloud.calls.clear()
    result = DirectTarget(executor(), expect=load_plan(tmp_path / "plan.json")).run(make_context(cloud), model())
    assert result.plan.counts() == (len(model()), 0, 0)
    assert cloud.api_calls("list") == len(cloud.resources)  # the check's listings serve the apply
    assert not plan_of(cloud, model()).has_changes


def test_files_that_are_not_saved_plans(tmp_path: Path) -> None:
    with pytest.raises(KopsError, match="cannot read the saved plan"):
        load_plan(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(KopsError, match="is not a saved kops plan"):
        load_plan(tmp_path / "junk.json")
    save_plan(tmp_path / "plan.json", plan_of(FakeCloud(), model()))
    data = json.loads((tmp_path / "plan.json").read_text())
    data["changes"][0]["action"] = "none"
    (tmp_path / "edited.json").write_text(json.dumps(data))
    with pytest.raises(KopsError, match="has been edited since it was saved"):
        load_plan(tmp_path / "edited.json")
