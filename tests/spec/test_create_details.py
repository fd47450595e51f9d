"""Details of ``kops create`` that hold on every cloud: cloud labels, gossip-style names, group zones, and what a
cloud plugin that only knows specs says when asked for more."""

from __future__ import annotations

import pytest
import yaml
from kops.cloud import CloudProvider
from kops.errors import KopsError
from kops.inference.instance_groups import parse_cloud_labels

BASE = ["create", "cluster", "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni", "--dry-run", "-o", "yaml"]


@pytest.mark.parametrize(("text", "labels"), [
    ("", {}),
    ("Owner=John Doe,Team=Ops", {"Owner": "John Doe", "Team": "Ops"}),
    ('Owner=John Doe,dn="cn=John Doe: dc=example dc=com", foo/bar=fib+baz',
     {"Owner": "John Doe", "dn": "cn=John Doe: dc=example dc=com", "foo/bar": "fib+baz"}),
    ('k="a, b",x="say ""hi"""', {"k": "a, b", "x": 'say "hi"'}),
    ("a=1,,b=2,", {"a": "1", "b": "2"}),
    ("example.com/team=blue", {"example.com/team": "blue"}),
])
def test_cloud_labels_follow_upstreams_rules(text, labels):
    assert parse_cloud_labels(text) == labels


@pytest.mark.parametrize("text", ["a", "a=b=c", 'a=b"c', 'a="b"c', 'a="b', "a=1, "])
def test_malformed_cloud_labels_are_refused(text):
    with pytest.raises(KopsError, match="--cloud-labels"):
        parse_cloud_labels(text)


def cluster_spec(kops, name: str, *flags: str) -> dict:
    r = kops(*BASE[:2], name, *BASE[2:], *flags)
    assert r.code == 0, r.err
    return next(d for d in yaml.safe_load_all(r.out) if d["kind"] == "Cluster")["spec"]


def test_gossip_style_names_reach_the_api_through_a_load_balancer(kops):
    # A .k8s.local name has no DNS records outside the cluster, whatever the DNS type.
    spec = cluster_spec(kops, "g.k8s.local", "--dns", "private")
    assert spec["api"]["loadBalancer"]["type"] == "Public"
    assert "dns" not in spec["api"] and "masterPublicName" not in spec
    assert cluster_spec(kops, "g.example.com", "--dns", "private")["api"] == {"dns": {}}


def test_create_instancegroup_zone_flag(kops):
    assert kops("create", "cluster", "z.example.com", "--cloud", "aws", "--zones", "us-east-1a,us-east-1b",
                "--networking", "cni").code == 0
    r = kops("create", "instancegroup", "extra", "--name", "z.example.com", "--zone", "us-east-1b", "--subnet",
             "us-east-1b", "--dry-run", "-o", "yaml")
    assert r.code == 0, r.err
    assert yaml.safe_load(r.out)["spec"]["zones"] == ["us-east-1b"]
    bad = kops("create", "instancegroup", "extra", "--name", "z.example.com", "--zone", "nowhere", "--edit=false")
    assert bad.code == 1 and bad.err.startswith("Error: --zone: invalid AWS zone 'nowhere'")


def test_a_cloud_without_the_engines_side_says_so():
    class SpecsOnly(CloudProvider):
        name = "specsonly"

    class Creates(CloudProvider):
        name = "creates"

        def engine_context(self, model):
            return object()

    assert SpecsOnly().creates_resources is False
    assert Creates().creates_resources is True
    with pytest.raises(KopsError, match="^cloud specsonly: creating cloud resources is not supported yet$"):
        SpecsOnly().engine_context(None)


def test_missing_driver_of_an_installed_distribution_is_not_called_uninstalled(monkeypatch):
    from kops import plugins

    monkeypatch.setattr(plugins, "_is_installed", lambda dist: dist == "kops-digitalocean")
    message = plugins._missing_message("state_store", "do")
    assert "'kops-digitalocean', which is installed but does not provide it yet" in message
    assert "pip install" not in message
    assert "pip install kops-vsphere" in plugins._missing_message("cloud", "vsphere")
