"""``--set``/``--unset`` with list indices, list values and maps, with upstream's semantics (its reflectutils):
an index is an element that exists or the one just past the end, ``[*]`` every element, a list value appends."""

from __future__ import annotations

import pytest
import yaml

BASE = ["create", "cluster", "idx.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni",
        "--dry-run", "-o", "yaml"]


def _spec(kops, *flags):
    r = kops(*BASE, *flags)
    assert r.code == 0, r.err
    return next(d for d in yaml.safe_load_all(r.out) if d["kind"] == "Cluster")["spec"]


def _cluster(kops, cluster):
    return yaml.safe_load(kops("get", "cluster", cluster, "-o", "yaml").out)["spec"]


def test_create_cluster_set_with_indices(kops):
    spec = _spec(kops, "--set", "cluster.spec.addons[0].manifest=s3://bucket/addons.yaml",
                 "--set", "spec.etcdClusters[0].manager.env[0].name=ETCD_QUOTA_BACKEND_BYTES",
                 "--set", "spec.etcdClusters[0].manager.env[0].value=8589934592",
                 "--set", "spec.etcdClusters[*].manager.logLevel=3")
    assert spec["addons"] == [{"manifest": "s3://bucket/addons.yaml"}]
    main, events = spec["etcdClusters"]
    assert main["manager"]["env"] == [{"name": "ETCD_QUOTA_BACKEND_BYTES", "value": "8589934592"}]
    assert main["manager"]["logLevel"] == events["manager"]["logLevel"] == 3


def test_a_list_value_appends_and_unset_first_replaces(kops):
    default = _spec(kops)["sshAccess"]
    assert _spec(kops, "--set", "spec.sshAccess=10.0.0.0/8,192.168.0.0/16")["sshAccess"] == \
        default + ["10.0.0.0/8", "192.168.0.0/16"]
    assert _spec(kops, "--unset", "spec.sshAccess", "--set", "spec.sshAccess=10.0.0.0/8")["sshAccess"] == ["10.0.0.0/8"]
    env = _spec(kops, "--set", "spec.etcdClusters[0].manager.env=A=1,B")["etcdClusters"][0]["manager"]["env"]
    assert env == [{"name": "A", "value": "1"}, {"name": "B"}]


def test_maps_and_empty_objects(kops):
    spec = _spec(kops, "--set", "spec.cloudLabels=team=blue", "--set", "spec.cloudLabels.k8s.io/owner=ops",
                 "--set", "spec.kubelet.featureGates.Foo=true", "--set", "spec.api.dns=",
                 "--unset", "spec.api.loadBalancer")
    assert spec["cloudLabels"] == {"team": "blue", "k8s.io/owner": "ops"}
    assert spec["kubelet"]["featureGates"] == {"Foo": "true"}
    assert spec["api"] == {"dns": {}}
    # A quoted assignment keeps its commas, as upstream's CSV reading of --set does.
    taints = _spec(kops, "--set", '"spec.kubelet.taints=a=b:NoSchedule,c=d:NoExecute"')["kubelet"]["taints"]
    assert taints == ["a=b:NoSchedule", "c=d:NoExecute"]


@pytest.mark.parametrize("assignment,message", [
    ("spec.addons[1].manifest=x", "'spec.addons' has 0 element(s): [0] adds one, [1] would leave a gap"),
    ("spec.etcdClusters[-1].name=x", "[-1] is not a list index"),
    ("spec.addons[*].manifest=x", "'spec.addons' has no elements for [*] to set"),
    ("spec.etcdClusters.name=x", "'spec.etcdClusters' is a list: index it"),
    ("spec.etcdClusters[0].nosuch=x", "unknown field 'spec.etcdClusters[0].nosuch'"),
    ("spec.kubernetesVersion[0]=x", "'spec.kubernetesVersion' is not a list"),
    ("spec.subnets=oops", "'spec.subnets' holds objects: set their fields"),
])
def test_bad_indices_are_named(kops, assignment, message):
    r = kops(*BASE, "--set", assignment)
    assert r.code == 1
    assert f"--set {assignment.split('=')[0]}: {message}" in r.err


def test_edit_cluster_and_ig_with_indices(kops, cluster):
    r = kops("edit", "cluster", cluster, "--set", "spec.etcdClusters[1].manager.env[0].name=GOMAXPROCS",
             "--set", "spec.etcdClusters[1].manager.env[0].value=2", "--set", "spec.nodePortAccess=10.0.0.0/8")
    assert r.code == 0, r.err
    spec = _cluster(kops, cluster)
    assert spec["etcdClusters"][1]["manager"]["env"] == [{"name": "GOMAXPROCS", "value": "2"}]
    r = kops("edit", "cluster", cluster, "--unset", "spec.etcdClusters[1].manager.env[0]",
             "--set", "spec.nodePortAccess=192.168.0.0/16")
    assert r.code == 0, r.err
    spec = _cluster(kops, cluster)
    assert spec["etcdClusters"][1]["manager"]["env"] == []
    assert spec["nodePortAccess"] == ["10.0.0.0/8", "192.168.0.0/16"]
    bad = kops("edit", "cluster", cluster, "--unset", "spec.etcdClusters[5]")
    assert bad.code == 1 and "'spec.etcdClusters' has 2 element(s), no [5]" in bad.err

    r = kops("edit", "ig", "nodes-us-east-1a", "--name", cluster, "--set", "spec.additionalUserData[0].name=a.sh",
             "--set", "spec.additionalUserData[0].type=text/x-shellscript",
             "--set", "spec.additionalUserData[0].content=echo hi", "--set", "spec.taints=x=y:NoSchedule")
    assert r.code == 0, r.err
    group = yaml.safe_load(kops("get", "ig", "nodes-us-east-1a", "--name", cluster, "-o", "yaml").out)["spec"]
    assert group["additionalUserData"] == [{"name": "a.sh", "type": "text/x-shellscript", "content": "echo hi"}]
    assert group["taints"] == ["x=y:NoSchedule"]


def test_template_set_indexes_values_as_helm_does(kops, tmp_path):
    """``toolbox template --set`` sets template values, not a typed spec: upstream reads it with Helm's strvals,
    where an index past the end pads the list with nulls and commas separate assignments."""
    template = tmp_path / "t.yaml"
    template.write_text("zones: {{ .zones | toJson }}\nfirst: {{ index .env 0 \"name\" }}\n")
    r = kops("toolbox", "template", "--template", str(template), "--set", "zones[0]=a,zones[2]=c",
             "--set", "env[0].name=FOO")
    assert r.code == 0, r.err
    assert yaml.safe_load(r.out) == {"zones": ["a", None, "c"], "first": "FOO"}
    bad = kops("toolbox", "template", "--template", str(template), "--set", "zones[-1]=a")
    assert bad.code == 1 and "negative -1 index not allowed" in bad.err
