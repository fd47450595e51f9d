"""Day 2 on the simulator through the ``kops`` command: deleting one VM (its group gets a new one from its current
configuration), surging (the old VM detached into the cluster's folder, a new one made, then the old one gone), and
a deleted cluster taking a detached VM with it."""

from __future__ import annotations

import json

import pytest


def _ok(result):
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stdout}{result.stderr}"
    return result


@pytest.fixture
def applied(cloud_kops, cloud_env, cluster_name):
    """One zone, one node VM and one control-plane VM, applied; deleted afterwards unless the test did."""
    _ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "vsphere", "--zones", "DC0_C0",
                   "--image", cloud_env["KOPS_VSPHERE_TEMPLATE"], "--networking", "calico"))
    _ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    yield cluster_name
    if cloud_kops("get", "cluster", cluster_name).returncode == 0:
        _ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))


def nodes(cloud_kops, name):
    return [i for i in json.loads(_ok(cloud_kops("get", "instances", name, "-o", "json")).stdout)
            if i["instanceGroup"] == "nodes-dc0-c0"]


def test_a_deleted_vm_is_made_again_by_the_next_apply(cloud_kops, applied):
    [old] = nodes(cloud_kops, applied)
    _ok(cloud_kops("delete", "instance", old["id"], "--name", applied, "--yes", "--cloudonly"))
    [new] = nodes(cloud_kops, applied)
    assert new["id"] != old["id"] and new["status"] == "UpToDate"
    assert cloud_kops("update", "cluster", applied, "--detailed-exitcode").returncode == 0


def test_a_surge_detaches_the_old_vm_first_and_delete_cluster_takes_a_detached_one(cloud_kops, cloud_env,
                                                                                   cloud_case, applied):
    import yaml
    from kops.api.codec import from_dict
    from kops_vsphere.cloud import VSphereCloud

    docs = [d for d in yaml.safe_load_all(_ok(cloud_kops("get", applied, "-o", "yaml")).stdout) if d]
    cluster = next(from_dict(d) for d in docs if d["kind"] == "Cluster")
    groups = [from_dict(d) for d in docs if d["kind"] == "InstanceGroup"]
    env = {k: cloud_env[k] for k in cloud_env if k.startswith("VSPHERE_")}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        cloud = VSphereCloud()
        [group] = [g for g in cloud.cloud_groups(cluster, groups) if g.name == "nodes-dc0-c0"]
        cloud.detach_instance(group.instances[0])
        [group] = [g for g in cloud.cloud_groups(cluster, groups) if g.name == "nodes-dc0-c0"]
        assert [(i.id, i.detached, i.status) for i in group.instances] == [(group.instances[0].id, True,
                                                                            "NeedsUpdate")]
    _ok(cloud_kops("update", "cluster", applied, "--yes"))  # the group's VM is made again
    listed = nodes(cloud_kops, applied)
    assert sorted(i["status"] for i in listed) == ["NeedsUpdate", "UpToDate"]
    _ok(cloud_kops("delete", "cluster", applied, "--yes"))
    assert cloud_case.leftovers(cloud_env, applied) == []
