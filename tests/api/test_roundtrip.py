"""Upstream manifests load into the models and come back as the same tree."""

import pytest
import yaml
from kops.api import AdditionalObject, Cluster, InstanceGroup, dump_yaml, load_objects
from kops.testing import upstream
from upstream_fixtures import UPSTREAM, manifest_id, upstream_manifests

MANIFESTS = upstream_manifests()
pytestmark = upstream.needed


def test_fixture_set_is_complete():
    assert len(MANIFESTS) > 100


@pytest.mark.parametrize("path", MANIFESTS, ids=manifest_id)
def test_manifest_round_trips(path):
    text = path.read_text()
    objects = load_objects(text, source=path.name)
    assert all(isinstance(obj, Cluster | InstanceGroup | AdditionalObject) for obj in objects)
    assert any(isinstance(obj, Cluster) for obj in objects)
    expected = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    assert list(yaml.safe_load_all(dump_yaml(objects))) == expected


def test_models_give_typed_access_to_fixture_fields():
    text = (UPSTREAM / "update_cluster/complex/in-v1alpha2.yaml").read_text()
    cluster, *groups = load_objects(text)
    assert isinstance(cluster, Cluster)
    assert cluster.spec.api.loadBalancer.class_ == "Network"
    assert cluster.spec.networking.cni is not None
    assert cluster.spec.authentication.aws.identityMappings[0].groups == ["he:dev"]
    assert [m.instanceGroup for m in cluster.spec.etcdClusters[0].etcdMembers] == ["master-us-test-1a"]
    assert all(isinstance(g, InstanceGroup) for g in groups)
    assert {g.spec.role for g in groups} >= {"Master", "Node"}


def test_additional_objects_come_back_unchanged():
    text = (UPSTREAM / "update_cluster/additionalobjects/in-v1alpha2.yaml").read_text()
    objects = load_objects(text)
    extra = [obj for obj in objects if isinstance(obj, AdditionalObject)]
    assert [obj.kind for obj in extra] == ["KubeSchedulerConfiguration"]
    assert extra[0].data == {
        "apiVersion": "kubescheduler.config.k8s.io/v1beta2",
        "kind": "KubeSchedulerConfiguration",
        "clientConnection": {"burst": 100, "qps": 3.1},
    }
    assert list(yaml.safe_load_all(dump_yaml(objects)))[-1] == extra[0].data
