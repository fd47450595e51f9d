"""What a node or the cloud would refuse later is refused when the spec is written: exit 1, one line naming the
field, nothing stored."""

from __future__ import annotations

import pytest

from tests.spec.conftest import snapshot

BASE = ["create", "cluster", "n.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni"]

#: (extra flags, the field the error names)
REFUSED = [
    (["--set", "spec.kubelet.taints=dedicated=gpu:Sometimes"], "spec.kubelet.taints[0]"),
    (["--set", "spec.kubelet.taints=bad key:NoSchedule"], "spec.kubelet.taints[0]"),
    (["--set", "spec.kubelet.featureGates.InPlacePodVerticalScaling=maybe"],
     "spec.kubelet.featureGates.InPlacePodVerticalScaling"),
    (["--set", "spec.kubelet.featureGates.Not-A-Gate=true"], "spec.kubelet.featureGates.Not-A-Gate"),
    (["--set", "spec.kubelet.evictionHard=memory.available<lots"], "spec.kubelet.evictionHard"),
    (["--set", "spec.kubelet.evictionHard=memory.free<100Mi"], "spec.kubelet.evictionHard"),
    (["--set", "spec.kubelet.evictionSoft=nodefs.available<120%"], "spec.kubelet.evictionSoft"),
    (["--set", "spec.kubelet.nodeLabels.team/a/b=x"], "spec.kubelet.nodeLabels.team/a/b"),
    (["--set", "spec.kubelet.nodeLabels.team=has spaces"], "spec.kubelet.nodeLabels.team"),
    (["--set", "spec.kubelet.podInfraContainerImage=pause\nExecStartPre=/bin/evil"],
     "spec.kubelet.podInfraContainerImage"),
    (["--set", "spec.kubeAPIServer.auditLogPath=/var/log/a\r\nb"], "spec.kubeAPIServer.auditLogPath"),
    (["--zones", "us-east-1a,eu-west-1b"], "spec.subnets[1].zone"),
    (["--network-cidr", "2001:db8::/56"], "spec.networkCIDR"),
    (["--node-count", "3000000000"], "spec.minSize"),
    (["--node-volume-size", "-1"], "spec.rootVolumeSize"),
    (["--node-size", "t3.medium --privileged"], "spec.machineType"),
    (["--node-size", "bigmachine"], "spec.machineType"),
    (["--set", "spec.nonMasqueradeCIDR=172.20.0.0/16"], "spec.nonMasqueradeCIDR"),
]


@pytest.mark.parametrize("flags,named", REFUSED, ids=[named for _, named in REFUSED])
def test_refused_with_the_field_and_nothing_stored(flags, named, kops, tmp_path):
    args = list(BASE)
    if flags[0] == "--zones":
        args[args.index("--zones") + 1] = flags[1]
        flags = []
    r = kops(*args, *flags)
    assert r.code == 1, r.out
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert f"{named}:" in r.err, r.err
    store = tmp_path / "store"
    assert not store.exists() or snapshot(store) == {}


def test_what_nodes_accept_is_kept(kops):
    r = kops(*BASE, "--set", "spec.kubelet.taints=dedicated=gpu:NoSchedule", "--set",
             "spec.kubelet.evictionHard=memory.available<100Mi,nodefs.available<10%", "--set",
             "spec.kubelet.featureGates.InPlacePodVerticalScaling=true", "--node-size", "m5d.2xlarge")
    assert r.code == 0, r.err
