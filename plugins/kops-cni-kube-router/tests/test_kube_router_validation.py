"""kube-router's constraints are checked, each naming its field; other providers' clusters are not."""

from __future__ import annotations

import pytest


def _problems(cluster):
    from kops.validation import problems

    return {e.path: e.reason for e in problems(cluster, [])}


def test_default_cluster_is_valid(make_cluster):
    assert _problems(make_cluster({"kuberouter": {"useNFTablesForNetpol": True}})) == {}


@pytest.mark.parametrize(("overrides", "path"), [
    ({"kubeProxy": None}, "spec.kubeProxy.enabled"),
    ({"kubeProxy": {}}, "spec.kubeProxy.enabled"),
    ({"kubeProxy": {"enabled": True}}, "spec.kubeProxy.enabled"),
    ({"nonMasqueradeCIDR": "::/0"}, "spec.networking.kuberouter"),
])
def test_problem_is_reported_at_its_path(make_cluster, overrides, path):
    assert path in _problems(make_cluster(**overrides))


def test_other_providers_are_not_checked(make_cluster):
    from kops_kube_router import plugin

    assert plugin.kops_validate(make_cluster({"cni": {}}, kubeProxy={"enabled": True}), []) == []
