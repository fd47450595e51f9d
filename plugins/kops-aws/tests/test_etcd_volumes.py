"""etcd volumes: one per member in its zone with etcd-manager's tags; resizable in place, never moved."""

from __future__ import annotations

import pytest
from kops.engine import Executor
from kops.engine.executor import ExecutionError
from kops.engine.plan import Action
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.errors import KopsError
from kops_aws.model import AWSModel
from kops_aws.model.etcd import BUILDER
from upstream_cases import fresh_account, model_for, run_context


def volumes(model) -> dict:
    return {v.name: v for v in BUILDER.build(AWSModel(model))}


def test_a_volume_per_member_in_its_zone_with_etcd_managers_tags() -> None:
    built = volumes(model_for("ha"))
    assert sorted(built) == sorted(f"{m}.etcd-{c}.ha.example.com" for c in ("events", "main") for m in "abc")
    b = built["b.etcd-main.ha.example.com"]
    # This case's members say nothing about encryption: etcd's volumes are encrypted unless a member opts out.
    assert (b.zone, b.size, b.volume_type, b.iops, b.throughput, b.encrypted) == (
        "us-test-1b", 20, "gp3", 3000, 125, True)
    assert b.tags == {
        "Name": "b.etcd-main.ha.example.com", "KubernetesCluster": "ha.example.com",
        "kubernetes.io/cluster/ha.example.com": "owned", "k8s.io/etcd/main": "b/a,b,c",
        "k8s.io/role/control-plane": "1", "k8s.io/role/master": "1"}


def test_member_settings_and_upstreams_floors() -> None:
    model = model_for("minimal-1.35")
    main = model.cluster.spec.etcdClusters[0].etcdMembers[0]
    main.volumeType, main.volumeIops, main.volumeSize, main.kmsKeyId = "io1", 50, 40, "arn:aws:kms:key/1"
    events = model.cluster.spec.etcdClusters[1].etcdMembers[0]
    events.volumeType, events.volumeIops, events.volumeThroughput, events.encryptedVolume = "gp3", 4000, 100, False
    built = volumes(model)
    io1 = built["a.etcd-main.minimal.example.com"]
    assert (io1.volume_type, io1.iops, io1.throughput, io1.size, io1.kms_key) == ("io1", 100, None, 40, "arn:aws:kms:key/1")
    gp3 = built["a.etcd-events.minimal.example.com"]
    assert (gp3.iops, gp3.throughput, gp3.encrypted) == (4000, 125, False)


def test_a_member_needs_a_group_in_one_zone() -> None:
    model = model_for("minimal-1.35")
    model.cluster.spec.etcdClusters[0].etcdMembers[0].instanceGroup = "nodes-elsewhere"
    with pytest.raises(KopsError, match="no instance group named 'nodes-elsewhere'"):
        volumes(model)


@pytest.fixture
def ec2(aws):
    return fresh_account(aws).client("ec2")


def executor() -> Executor:
    return Executor(4, sleep=lambda _: None)


def test_created_resized_in_place_and_never_moved(ec2) -> None:
    model = model_for("minimal-1.35", region="us-east-1")
    DirectTarget(executor()).run(run_context(model), list(volumes(model).values()))
    found = {next(t["Value"] for t in v["Tags"] if t["Key"] == "Name"): v for v in ec2.describe_volumes()["Volumes"]}
    main = found["a.etcd-main.minimal.example.com"]
    assert (main["AvailabilityZone"], main["Size"], main["VolumeType"], main["Iops"], main["Encrypted"]) == (
        "us-east-1a", 20, "gp3", 3000, True)
    assert not DryRunTarget(executor()).run(run_context(model), list(volumes(model).values())).has_changes

    model.cluster.spec.etcdClusters[0].etcdMembers[0].volumeSize = 30
    plan = DryRunTarget(executor()).run(run_context(model), list(volumes(model).values()))
    assert [(c.label, c.action, dict(c.fields)) for c in plan.changes if c.action != Action.NONE] == [
        ("EBSVolume/a.etcd-main.minimal.example.com", Action.UPDATE, {"size": (20, 30)})]
    DirectTarget(executor()).run(run_context(model), list(volumes(model).values()))
    assert ec2.describe_volumes(VolumeIds=[main["VolumeId"]])["Volumes"][0]["Size"] == 30

    model.cluster.spec.etcdClusters[0].etcdMembers[0].encryptedVolume = False
    with pytest.raises(ExecutionError, match="encrypted: true -> false cannot be changed in place"):
        DryRunTarget(executor()).run(run_context(model), list(volumes(model).values()))
