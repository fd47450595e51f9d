"""Upstream's own fixtures: ``kops create cluster`` stores what upstream stores, and manifests round-trip."""

from __future__ import annotations

import pytest
import yaml
from kops.plugins import driver_names

from tests.conformance import cases, load_tool

tool = load_tool()
# Every case of a cloud whose plugin is installed (kops-aws always is here; kops-gce and kops-openstack too).
CREATE_CASES = cases("create_cluster", lambda c: yaml.safe_load((c / "options.yaml").read_text()).get("CloudProvider")
                     in driver_names("cloud"))
#: Upstream cases that carry what a node refuses (see tests/api/test_validation.py), and the error naming it.
REFUSED = {"ha_gce": "InstanceGroup/nodes: spec.taints[0]: 'a=b:c' is not a taint"}
ROUNDTRIP_CASES = cases("update_cluster", lambda c: (c / "in-v1alpha2.yaml").exists())


@pytest.mark.parametrize("case", CREATE_CASES, ids=lambda c: c.name)
def test_create_cluster_matches_upstream(case, kops):
    options = yaml.safe_load((case / "options.yaml").read_text())
    networking = str(options.get("Networking", "cilium")).lower()
    if networking not in driver_names("networking"):
        pytest.skip(f"needs the {networking} networking plugin")
    args = tool.options_to_args(options)
    r = kops(*args)
    assert r.code == 0, r.err
    expected = list(yaml.safe_load_all((case / "expected-v1alpha2.yaml").read_text()))
    score, missing, extra, differing = tool.compare(expected, list(yaml.safe_load_all(r.out)))
    if options.get("SubnetIDs") or options.get("NetworkID"):
        # Shared networks' CIDRs come from the cloud, which create cluster does not ask (it works offline).
        assert not extra and not differing
        assert all(".cidr" in m or "networkCIDR" in m for m in missing)
    else:
        assert (missing, extra, differing) == ([], [], []), f"score {score:.1%}"


@pytest.mark.parametrize("case", ROUNDTRIP_CASES, ids=lambda c: c.name)
def test_manifest_round_trips_through_the_state_store(case, kops):
    docs = [d for d in yaml.safe_load_all((case / "in-v1alpha2.yaml").read_text()) if d]
    name, _cloud = tool.cluster_of(docs)
    created = kops("create", "-f", str(case / "in-v1alpha2.yaml"))
    if case.name in REFUSED:
        assert created.code == 1 and REFUSED[case.name] in created.err, created.err
        return
    assert created.code == 0, created.err
    got = kops("get", "all", name, "-o", "yaml")
    assert got.code == 0, got.err
    expected, actual = tool.objects_by_key(docs), tool.objects_by_key(list(yaml.safe_load_all(got.out)))
    for key, doc in expected.items():
        assert key in actual
        flat = tool.flatten(actual[key])
        for path, value in tool.flatten(doc).items():
            assert flat.get(path) == value, f"{key}: {path}"
