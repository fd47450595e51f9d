"""kube-router's constraints are checked, each naming its field; other providers' clusters are not."""

from __future__ import annotations

import pytest


def test_default_cluster_is_valid(problems, make_cluster):
    assert problems(make_cluster({"kuberouter": {"useNFTablesForNetpol": True}})) == {}


@pytest.mark.parametrize(("overrides", "path"), [
    ({"kubeProxy": None}, "spec.kubeProxy.enabled"),
    ({"kubeProxy": {}}, "spec.kubeProxy.enabled"),
    ({"kubeProxy": {"enabled": True}}, "spec.kubeProxy.enabled"),
    ({"nonMasqueradeCIDR": "::/0"}, "spec.networking.kuberouter"),
])
def test_problem_is_reported_at_its_path(problems, make_cluster, overrides, path):
    assert path in problems(make_cluster(**overrides))


def test_other_providers_are_not_checked(problems, make_cluster):
    assert problems(make_cluster({"cni": {}}, kubeProxy={"enabled": True})) == {}
