"""Agreement with upstream: for each AWS case of upstream's update-cluster fixtures, the nodeup configuration
of every group lists the same downloads (URL and sha256) and the same kubelet and kube-proxy settings."""

from __future__ import annotations

import pytest
import yaml
from kops.testing import upstream

from ..conftest import FIXTURES

CASES = upstream.cases("update_cluster/*/in-v1alpha2.yaml", value=lambda p: p.parent.name,
                       keep=lambda p: "cloudProvider: aws" in p.read_text() and any(p.parent.glob("data/*nodeupconfig*")))
#: Upstream clients that kops does not install (the clouds' image credential helpers).
NOT_INSTALLED = ("ecr-credential-provider", "auth-provider-gcp")
#: Kubelet settings upstream derives from what this product does not model: the APIServerNodes feature flag
#: (an api-server label on control planes) and GPU machine types (a GPU label and taint).
KUBELET_EXCEPTIONS = {("apiservernodes", "master-us-test-1a"): {"nodeLabels"},
                      ("nvidia", "nodes"): {"nodeLabels", "taints"}}


def _node_configs(case: str) -> dict[str, dict]:
    from kops import api, plugins
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster
    from kops.model import ModelContext
    from kops.nodeup.publish import node_files

    objects = api.load_objects((FIXTURES / "update_cluster" / case / "in-v1alpha2.yaml").read_text(), source=case)
    cluster = next(o for o in objects if o.kind == "Cluster")
    groups = sorted((o for o in objects if o.kind == "InstanceGroup"), key=lambda g: g.metadata.name)
    cloud = plugins.load_driver("cloud", "aws")()
    tree = complete_cluster(api.to_dict(cluster), [api.to_dict(g) for g in groups], cloud,
                            load_channel(cluster.spec.channel or "stable"), [])
    # The fixture's own store (a memfs:// one nobody has written to): its keysets do not exist, so the
    # configurations are the dry run's, without CA certificates.
    state_url = (cluster.spec.configBase or "memfs://agreement").rsplit("/", 1)[0]
    model = ModelContext(cluster_name=cluster.metadata.name, cluster=api.from_dict(tree, source=case),
                         instance_groups=groups, cloud=cloud, state_url=state_url)
    files = node_files(model)
    return {f.path.split("/")[2]: yaml.safe_load(f.content) for f in files if f.path.endswith("nodeupconfig.yaml")}


@pytest.mark.parametrize("case", CASES)
def test_nodeup_configs_agree_with_upstream(case):
    configs = _node_configs(case)
    compared = 0
    for group, ours in configs.items():
        upstream_file = FIXTURES / "update_cluster" / case / "data" / f"aws_s3_object_nodeupconfig-{group}_content"
        if not upstream_file.exists():
            continue
        upstream = yaml.safe_load(upstream_file.read_text())
        for arch in ("amd64", "arm64"):
            want = {a for a in upstream["Assets"][arch] if not any(n in a for n in NOT_INSTALLED)}
            assert {f"{a['sha256']}@{a['url']}" for a in ours["Assets"][arch]} == want, (group, arch)
        skip = KUBELET_EXCEPTIONS.get((case, group), set())
        assert _without(ours["KubeletConfig"], skip) == _without(upstream["KubeletConfig"], skip), group
        assert ours.get("KubeProxy") == upstream.get("KubeProxy"), group
        assert ours.get("EtcdClusterNames") == upstream.get("EtcdClusterNames"), group
        compared += 1
    assert compared


def _without(settings: dict, keys: set[str]) -> dict:
    return {k: v for k, v in settings.items() if k not in keys}
