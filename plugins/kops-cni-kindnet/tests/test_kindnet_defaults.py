"""The completed spec carries upstream kOps's kindnet defaults, and never loses what the user set."""

from __future__ import annotations

import pytest
import yaml
from kops.inference import InferenceContext, run_stage
from kops.testing import upstream


def complete(cluster: dict) -> dict:
    run_stage("complete", InferenceContext(cluster=cluster))
    return cluster["spec"]


def test_completed_kindnet_section_matches_upstream():
    folder = upstream.require() / "update_cluster" / "privatekindnet"
    cluster = next(d for d in yaml.safe_load_all((folder / "in-v1alpha2.yaml").read_text()) if d["kind"] == "Cluster")
    expected = yaml.safe_load(next((folder / "data").glob("*cluster-completed.spec_content")).read_text())
    assert complete(cluster)["networking"]["kindnet"] == expected["spec"]["networking"]["kindnet"]


def test_ipv4_masquerades_all_but_the_cluster_ranges(cluster_doc):
    cluster_doc["spec"].update(podCIDR="100.96.0.0/11", serviceClusterIPRange="100.64.0.0/13")
    kindnet = complete(cluster_doc)["networking"]["kindnet"]
    assert kindnet == {"version": "v1.0.1", "fastPathThreshold": 0, "logLevel": 2,
                       "masquerade": {"enabled": True,
                                      "nonMasqueradeCIDRs": ["172.20.0.0/16", "100.96.0.0/11", "100.64.0.0/13"]}}


@pytest.mark.parametrize("cloud, nat64", [("aws", None), ("gce", True)])
def test_ipv6_does_not_masquerade_and_uses_nat64_where_the_cloud_has_none(cluster_doc, cloud, nat64):
    cluster_doc["spec"].update(cloudProvider=cloud, nonMasqueradeCIDR="::/0")
    kindnet = complete(cluster_doc)["networking"]["kindnet"]
    assert kindnet["masquerade"] == {"enabled": False}
    assert kindnet.get("nat64") == nat64


def test_user_values_stand(cluster_doc):
    cluster_doc["spec"]["networking"]["kindnet"] = {"version": "v1.0.0", "logLevel": 4, "fastPathThreshold": 20,
                                                    "masquerade": {"enabled": False}}
    kindnet = complete(cluster_doc)["networking"]["kindnet"]
    assert kindnet == {"version": "v1.0.0", "logLevel": 4, "fastPathThreshold": 20, "masquerade": {"enabled": False}}


def test_other_networking_is_left_alone(cluster_doc):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert complete(cluster_doc)["networking"] == {"cni": {}}
