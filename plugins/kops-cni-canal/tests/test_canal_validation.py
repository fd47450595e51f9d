"""Canal's options are checked, each problem naming its field; other providers' clusters are not."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("canal", [
    {},
    {"defaultEndpointToHostAction": "DROP", "chainInsertMode": "append", "iptablesBackend": "NFT",
     "logSeveritySys": "WARNING", "typhaReplicas": 3, "mtu": 1400},
    {"logSeveritySys": "debug"},
])
def test_supported_settings_pass(problems, make_cluster, canal):
    assert problems(make_cluster({"canal": canal})) == {}


@pytest.mark.parametrize(("canal", "overrides", "path"), [
    ({"defaultEndpointToHostAction": "REJECT"}, {}, "spec.networking.canal.defaultEndpointToHostAction"),
    ({"chainInsertMode": "middle"}, {}, "spec.networking.canal.chainInsertMode"),
    ({"iptablesBackend": "nft"}, {}, "spec.networking.canal.iptablesBackend"),
    ({"logSeveritySys": "LOUD"}, {}, "spec.networking.canal.logSeveritySys"),
    ({"typhaReplicas": -2}, {}, "spec.networking.canal.typhaReplicas"),
    ({}, {"nonMasqueradeCIDR": "::/0"}, "spec.networking.canal"),
])
def test_problem_is_reported_at_its_path(problems, make_cluster, canal, overrides, path):
    assert path in problems(make_cluster({"canal": canal}, **overrides))


def test_other_providers_are_not_checked(problems, make_cluster):
    assert problems(make_cluster({"cni": {}}, nonMasqueradeCIDR="::/0")) == {}
