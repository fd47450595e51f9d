"""The machine key proof used where a cloud signs nothing for its machines (OpenStack, DigitalOcean, vSphere): a
proof holds only for the key, machine, body and five minutes it was made for."""

from __future__ import annotations

import pytest
from kops.cloud import NodeIdentityRefused
from kops.nodeup import machinekey

GROUPS = {"nodes": {"spec": {"role": "Node"}}, "control-plane": {"spec": {"role": "ControlPlane"}},
          "bastions": {"spec": {"role": "Bastion"}}}
NOW = 1_800_000_000


def _proof(key: str, body: bytes = b"{}", machine: str = "m-1", now: float = NOW) -> machinekey.Claim:
    return machinekey.parse("x-test-key", machinekey.sign("x-test-key", machine, key, body, now=now))


def test_a_proof_holds_for_its_key_body_and_time() -> None:
    key = machinekey.new_key()
    claim = _proof(key)
    assert claim.machine_id == "m-1"
    machinekey.check(claim, key, b"{}", now=NOW + 299)


@pytest.mark.parametrize("change, reason", [
    ({"key": "other"}, "not signed with its key"),
    ({"body": b'{"x":1}'}, "not for this request's body"),
    ({"now": NOW + 301}, "301s ago"),
    ({"now": NOW - 400}, "400s in the future"),
    ({"key": None}, "has no machine key"),
])
def test_a_proof_is_refused_for_another_key_body_or_time(change: dict, reason: str) -> None:
    key = machinekey.new_key()
    claim = _proof(key)
    with pytest.raises(NodeIdentityRefused, match=reason):
        machinekey.check(claim, change.get("key", key) if "key" in change else key, change.get("body", b"{}"),
                         now=change.get("now", NOW))


def test_a_proof_names_its_machine_so_another_cannot_reuse_it() -> None:
    key = machinekey.new_key()
    header = machinekey.sign("x-test-key", "m-1", key, b"{}", now=NOW)
    forged = machinekey.parse("x-test-key", header.replace(" m-1 ", " m-2 "))
    with pytest.raises(NodeIdentityRefused, match="m-2 is not signed"):
        machinekey.check(forged, key, b"{}", now=NOW)


@pytest.mark.parametrize("header", ["", "x-test-key m-1", "x-other m-1 1 " + "0" * 64, "x-test-key m-1 soon " + "0" * 64,
                                    "x-test-key m-1 1 abc"])
def test_malformed_proofs_are_refused(header: str) -> None:
    with pytest.raises(NodeIdentityRefused):
        machinekey.parse("x-test-key", header)


def test_a_machine_may_ask_only_for_its_own_group_and_not_as_a_bastion() -> None:
    machinekey.check_group("c", GROUPS, "m-1", "nodes", "nodes")
    with pytest.raises(NodeIdentityRefused, match="is in instance group nodes, not control-plane"):
        machinekey.check_group("c", GROUPS, "m-1", "control-plane", "nodes")
    with pytest.raises(NodeIdentityRefused, match="does not have"):
        machinekey.check_group("c", GROUPS, "m-1", "gpu", "gpu")
    with pytest.raises(NodeIdentityRefused, match="bastion"):
        machinekey.check_group("c", GROUPS, "m-1", "bastions", "bastions")
