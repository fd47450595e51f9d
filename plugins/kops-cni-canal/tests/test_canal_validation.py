"""Canal's options are checked, each problem naming its field; other providers' clusters are not."""

from __future__ import annotations

import pytest


def _problems(cluster):
    from kops.validation import problems

    return {e.path: e.reason for e in problems(cluster, [])}


@pytest.mark.parametrize("canal", [
    {},
    {"defaultEndpointToHostAction": "DROP", "chainInsertMode": "append", "iptablesBackend": "NFT",
     "logSeveritySys": "WARNING", "typhaReplicas": 3, "mtu": 1400},
    {"logSeveritySys": "debug"},
])
def test_supported_settings_pass(make_cluster, canal):
    assert _problems(make_cluster({"canal": canal})) == {}


@pytest.mark.parametrize(("canal", "overrides", "path"), [
    ({"defaultEndpointToHostAction": "REJECT"}, {}, "spec.networking.canal.defaultEndpointToHostAction"),
    ({"chainInsertMode": "middle"}, {}, "spec.networking.canal.chainInsertMode"),
    ({"iptablesBackend": "nft"}, {}, "spec.networking.canal.iptablesBackend"),
    ({"logSeveritySys": "LOUD"}, {}, "spec.networking.canal.logSeveritySys"),
    ({"typhaReplicas": -2}, {}, "spec.networking.canal.typhaReplicas"),
    ({}, {"nonMasqueradeCIDR": "::/0"}, "spec.networking.canal"),
])
def test_problem_is_reported_at_its_path(make_cluster, canal, overrides, path):
    assert path in _problems(make_cluster({"canal": canal}, **overrides))


def test_other_providers_are_not_checked(make_cluster):
    from kops_canal import plugin

    assert plugin.kops_validate(make_cluster({"cni": {}}, nonMasqueradeCIDR="::/0"), []) == []
