"""``kops upgrade cluster``: the release channel's recommended Kubernetes version and images, shown, then stored
with ``--yes``; upstream's rules (one minor version at a time, never a downgrade, nothing kops cannot run yet,
images of the user's own left alone)."""

from __future__ import annotations

import textwrap

import pytest
import yaml

JAMMY = "099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20260714"
NOBLE = "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260714"
NOBLE_ARM = "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20260714"
NAME = "up.example.com"


def create(kops, *flags: str) -> None:
    made = kops("create", "cluster", NAME, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "calico", *flags)
    assert made.code == 0, made.err


def stored(kops) -> tuple[dict, dict[str, dict]]:
    """The stored cluster spec and each instance group's spec."""
    cluster = yaml.safe_load(kops("get", "cluster", NAME, "-o", "yaml").out)
    groups = {g["metadata"]["name"]: g["spec"] for g in yaml.safe_load_all(kops("get", "ig", "--name", NAME, "-o",
                                                                                 "yaml").out) if g}
    return cluster["spec"], groups


def rows(out: str) -> list[list[str]]:
    """The table's rows (header included), up to the blank line that ends it."""
    return [line.split() for line in out.split("\n\n")[0].splitlines()]


def channel_file(tmp_path, body: str) -> str:
    path = tmp_path / "channel.yaml"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_shows_the_next_minor_and_its_images_then_stores_them(kops):
    create(kops, "--kubernetes-version", "1.31.5")
    before = stored(kops)
    shown = kops("upgrade", "cluster", NAME)
    assert shown.code == 0, shown.err
    assert rows(shown.out) == [
        ["ITEM", "PROPERTY", "OLD", "NEW"],
        ["Cluster", "KubernetesVersion", "1.31.5", "1.32.13"],
        ["InstanceGroup/control-plane-us-east-1a", "Image", JAMMY, NOBLE],
        ["InstanceGroup/nodes-us-east-1a", "Image", JAMMY, NOBLE],
    ]
    assert "--yes" in shown.out
    assert stored(kops) == before  # shown, not stored

    applied = kops("upgrade", "cluster", NAME, "-y")
    assert applied.code == 0, applied.err
    spec, groups = stored(kops)
    assert spec["kubernetesVersion"] == "1.32.13"
    assert {g["image"] for g in groups.values()} == {NOBLE}
    assert {k: v for k, v in spec.items() if k != "kubernetesVersion"} == \
        {k: v for k, v in before[0].items() if k != "kubernetesVersion"}

    # One minor version per upgrade: the next run proposes 1.33, the images stay.
    again = kops("upgrade", "cluster", NAME)
    assert rows(again.out) == [["ITEM", "PROPERTY", "OLD", "NEW"], ["Cluster", "KubernetesVersion", "1.32.13",
                                                                    "1.33.13"]]


def test_an_up_to_date_cluster_says_so_and_names_the_version_kops_cannot_run_yet(kops):
    create(kops)  # the stable channel's recommendation for this kops: v1.35.7
    before = stored(kops)
    result = kops("upgrade", "cluster", NAME, "--yes")
    assert result.code == 0, result.err
    assert result.out == ""
    assert "up to date" in result.err
    assert "1.36.3" in result.err and "newer kops" in result.err  # the stable channel's next minor
    assert stored(kops) == before


def test_never_downgrades(kops):
    create(kops, "--kubernetes-version", "1.35.9")
    result = kops("upgrade", "cluster", NAME)
    assert result.code == 0, result.err
    assert "up to date" in result.err and "not downgrading" in result.err
    assert stored(kops)[0]["kubernetesVersion"] == "1.35.9"


def test_an_image_of_the_users_own_is_left_alone(kops):
    create(kops, "--kubernetes-version", "1.31.5")
    assert kops("edit", "ig", "--name", NAME, "nodes-us-east-1a", "--set", "spec.image=ami-0123456789abcdef0").code == 0
    result = kops("upgrade", "cluster", NAME, "--yes")
    assert result.code == 0, result.err
    assert [r[0] for r in rows(result.out)[1:]] == ["Cluster", "InstanceGroup/control-plane-us-east-1a"]
    assert "nodes-us-east-1a" in result.err and "ami-0123456789abcdef0" in result.err
    groups = stored(kops)[1]
    assert groups["nodes-us-east-1a"]["image"] == "ami-0123456789abcdef0"
    assert groups["control-plane-us-east-1a"]["image"] == NOBLE


def test_an_arm64_group_gets_the_arm64_image(kops):
    create(kops, "--kubernetes-version", "1.31.5", "--node-size", "t4g.medium")
    assert kops("upgrade", "cluster", NAME, "--yes").code == 0
    groups = stored(kops)[1]
    assert groups["nodes-us-east-1a"]["image"] == NOBLE_ARM
    assert groups["control-plane-us-east-1a"]["image"] == NOBLE


def test_another_channel_is_a_change_and_its_rules_apply(kops, tmp_path):
    create(kops, "--kubernetes-version", "1.33.2")
    # No entry of 1.34's own, only a catch-all: the catch-all's older recommendation is no upgrade to take.
    channel = channel_file(tmp_path, """\
        spec:
          images:
          - name: 099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20270101
            providerID: aws
            architectureID: amd64
            kubernetesVersion: '>=1.32.0'
          kubernetesVersions:
          - range: '>=1.33.0'
            recommendedVersion: 1.33.9
          - range: '>=1.20.0'
            recommendedVersion: 1.20.15
        """)
    result = kops("upgrade", "cluster", NAME, "--channel", channel, "--yes")
    assert result.code == 0, result.err
    newer = "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20270101"
    assert rows(result.out)[1:] == [
        ["Cluster", "Channel", "stable", channel],
        ["Cluster", "KubernetesVersion", "1.33.2", "1.33.9"],
        ["InstanceGroup/control-plane-us-east-1a", "Image", NOBLE, newer],
        ["InstanceGroup/nodes-us-east-1a", "Image", NOBLE, newer],
    ]
    spec, groups = stored(kops)
    assert (spec["channel"], spec["kubernetesVersion"]) == (channel, "1.33.9")
    # The cluster now follows that channel without naming it again.
    assert "up to date" in kops("upgrade", "cluster", NAME).err


def test_a_version_the_channel_does_not_cover_is_reported(kops, tmp_path):
    create(kops, "--kubernetes-version", "1.31.5")
    channel = channel_file(tmp_path, """\
        spec:
          kubernetesVersions:
          - range: '>=1.34.0'
            recommendedVersion: 1.34.10
        """)
    result = kops("upgrade", "cluster", NAME, "--channel", channel)
    assert result.code == 0, result.err
    assert "no recommendation for Kubernetes 1.31.5" in result.err
    assert "no amd64 image" in result.err
    assert rows(result.out)[1:] == [["Cluster", "Channel", "stable", channel]]


def test_kubernetes_version_flag(kops):
    create(kops, "--kubernetes-version", "1.31.5")
    result = kops("upgrade", "cluster", NAME, "--kubernetes-version", "1.31.9", "--yes")
    assert result.code == 0, result.err
    assert rows(result.out)[1:] == [["Cluster", "KubernetesVersion", "1.31.5", "1.31.9"]]
    too_new = kops("upgrade", "cluster", NAME, "--kubernetes-version", "1.36.0", "--yes")
    assert too_new.code == 1 and len(too_new.err.strip().splitlines()) == 1 and "newer kops" in too_new.err
    assert stored(kops)[0]["kubernetesVersion"] == "1.31.9"


@pytest.mark.parametrize("args, says", [
    (("upgrade", "cluster", "missing.example.com"), "not found"),
    (("upgrade", "cluster", NAME, "--channel", "/nowhere/channel.yaml"), "cannot read"),
    (("upgrade", "cluster", NAME, "--kubernetes-version", "latest"), "invalid version"),
])
def test_errors_are_one_line(kops, args, says):
    create(kops)
    result = kops(*args)
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1 and says in result.err, result.err


def test_an_imported_cluster_is_refused(kops):
    create(kops)
    assert kops("edit", "cluster", NAME, "--set", "metadata.annotations.kops.kubernetes.io/management=imported").code == 0
    result = kops("upgrade", "cluster", NAME)
    assert result.code == 1 and "imported" in result.err


def test_an_edit_made_meanwhile_is_a_conflict_not_lost(kops, kops_env):
    """The upgrade is stored only if nothing changed since it was worked out, in one commit."""
    from kops.registry import Registry
    from kops.state import ConflictError, open_store
    from kops.upgrade import plan_upgrade, store_upgrade

    create(kops, "--kubernetes-version", "1.31.5")
    registry = Registry(open_store(kops_env["KOPS_STATE_STORE"]))
    state = registry.get(NAME)
    plan = plan_upgrade(state.cluster, state.instance_groups)
    assert kops("edit", "ig", "--name", NAME, "nodes-us-east-1a", "--set", "spec.maxSize=5").code == 0
    with pytest.raises(ConflictError):
        store_upgrade(registry, state, plan)
    spec, groups = stored(kops)
    assert spec["kubernetesVersion"] == "1.31.5"
    assert groups["nodes-us-east-1a"]["maxSize"] == 5
    assert {g["image"] for g in groups.values()} == {JAMMY}  # nothing of the upgrade landed, not even the cluster
