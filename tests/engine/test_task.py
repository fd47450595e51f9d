"""The task model: dependencies from fields, field-by-field comparison, declarations checked early."""

from __future__ import annotations

import pytest
from kops.engine import Expr, Lifecycle, Task

from .fake_cloud import Firewall, Instance, KeyPair, Network, Subnet


class Bucket(Task):
    owners: dict[str, Task] | None = None
    mirrors: list[Task] | None = None
    region: str | None = None
    etag: str | None = None

    ignored_fields = {"etag"}


def test_dependencies_come_from_fields_lists_dicts_and_depends_on() -> None:
    net = Network(name="net", cidr="10.0.0.0/16")
    subnet = Subnet(name="a", network=net)
    fw = Firewall(name="fw", network=net)
    key = KeyPair(name="key")
    extra = Network(name="other")
    inst = Instance(name="vm", subnet=subnet, firewalls=[fw, fw], key=key, depends_on=[extra])
    assert [str(t) for t in inst.dependencies()] == ["Subnet/a", "Firewall/fw", "KeyPair/key", "Network/other"]

    bucket = Bucket(name="b", owners={"primary": net}, mirrors=[subnet, (key,)])  # type: ignore[list-item]
    assert [str(t) for t in bucket.dependencies()] == ["Network/net", "Subnet/a", "KeyPair/key"]


def test_key_is_type_and_name() -> None:
    assert Subnet(name="a").task_key == ("Subnet", "a")
    assert str(Subnet(name="a")) == "Subnet/a"


def test_unset_desired_fields_and_ignored_fields_are_not_compared() -> None:
    desired = Bucket(name="b", region=None, etag="new")
    actual = Bucket(name="b", region="eu", etag="old")
    assert desired.diff(actual) == {}
    assert Bucket(name="b", region="us").diff(actual) == {"region": ("eu", "us")}


def test_references_match_by_name_or_by_cloud_id() -> None:
    net = Network(name="net", id="net-1")
    desired = Subnet(name="a", network=net, cidr="10.0.0.0/24")
    assert desired.diff(Subnet(name="a", network=Network(name="net"), cidr="10.0.0.0/24")) == {}
    assert desired.diff(Subnet(name="a", network=Network(name="renamed", id="net-1"), cidr="10.0.0.0/24")) == {}
    assert desired.diff(Subnet(name="a", network="net-1", cidr="10.0.0.0/24")) == {}  # type: ignore[arg-type]
    changes = desired.diff(Subnet(name="a", network="net-2", cidr="10.0.0.0/24"))  # type: ignore[arg-type]
    assert list(changes) == ["network"]


def test_references_inside_lists_compare_structurally() -> None:
    fw_a, fw_b = Firewall(name="a", id="fw-a"), Firewall(name="b", id="fw-b")
    desired = Instance(name="vm", firewalls=[fw_a, fw_b])
    assert desired.diff(Instance(name="vm", firewalls=[Firewall(name="a"), Firewall(name="b")])) == {}
    assert "firewalls" in desired.diff(Instance(name="vm", firewalls=[Firewall(name="a")]))
    assert "firewalls" in desired.diff(Instance(name="vm", firewalls=[fw_b, fw_a]))


def test_output_fields_are_not_compared_but_adopted_from_the_found_resource() -> None:
    desired = Network(name="net", cidr="10.0.0.0/16")
    actual = Network(name="net", cidr="10.0.0.0/16", id="net-9")
    assert desired.diff(actual) == {}
    desired.adopt_outputs(actual)
    assert desired.id == "net-9"


def test_declarations_naming_unknown_fields_are_rejected() -> None:
    class Broken(Task):
        size: int | None = None
        immutable_fields = {"sise"}

    with pytest.raises(TypeError, match="Broken.immutable_fields names fields it does not have: sise"):
        Broken.field_spec()


def test_fields_may_not_shadow_task_attributes() -> None:
    class Shadowing(Task):
        task_key: str | None = None

    with pytest.raises(TypeError, match="task_key"):
        Shadowing.field_spec()


def test_repr_hides_secrets_and_shortens_references() -> None:
    key = KeyPair(name="k", public_key="ssh-rsa AAA", private_key="TOP-SECRET")
    assert "TOP-SECRET" not in repr(key)
    assert "private_key=(sensitive)" in repr(key)
    assert "subnet=<Subnet/a>" in repr(Instance(name="vm", subnet=Subnet(name="a")))


def test_terraform_references() -> None:
    owned = Network(name="main.example.com")
    assert owned.terraform_ref() == Expr("fake_network.main-example-com.id")
    assert owned.terraform_ref("cidr_block") == Expr("fake_network.main-example-com.cidr_block")
    shared = Network(name="users.vpc", id="net-123", lifecycle=Lifecycle.EXISTS_AND_VALIDATES)
    assert shared.terraform_ref() == "net-123"
    assert shared.terraform_ref("cidr_block") == Expr("data.fake_network.users-vpc.cidr_block")


def test_subclasses_are_keyword_only_dataclasses_compared_by_identity() -> None:
    a, b = Network(name="n", cidr="x"), Network(name="n", cidr="x")
    assert a != b and len({a, b}) == 2
    with pytest.raises(TypeError):
        Network("n")  # type: ignore[misc]
