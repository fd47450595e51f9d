"""``kops get NAME -o yaml|json`` (the whole cluster as one manifest) and ``kops get cluster NAME --full``."""

from __future__ import annotations

import json

import yaml


def test_a_cluster_name_as_the_resource_prints_the_whole_cluster(kops, cluster):
    r = kops("get", cluster, "-o", "yaml")
    assert r.code == 0, r.err
    docs = list(yaml.safe_load_all(r.out))
    assert [d["kind"] for d in docs] == ["Cluster", "InstanceGroup", "InstanceGroup", "InstanceGroup"]
    assert docs[0]["metadata"]["name"] == cluster
    assert r.out == kops("get", "all", cluster, "-o", "yaml").out
    # -o before the name, and the name from --name, as upstream's persistent flag allows.
    assert kops("get", "-o", "yaml", cluster).out == r.out
    assert kops("get", "-o", "yaml", "--name", cluster).out == r.out
    assert kops("get", "-o", "yaml", env={"KOPS_CLUSTER_NAME": cluster}).out == r.out
    listed = json.loads(kops("get", cluster, "-o", "json").out)
    assert [d["kind"] for d in listed] == ["Cluster", "InstanceGroup", "InstanceGroup", "InstanceGroup"]


def test_the_manifest_recreates_the_cluster_in_another_store(kops, cluster, tmp_path):
    manifest = tmp_path / "cluster.yaml"
    manifest.write_text(kops("get", cluster, "-o", "yaml").out)
    other = {"KOPS_STATE_STORE": f"file://{tmp_path / 'other'}"}
    r = kops("create", "-f", str(manifest), env=other)
    assert r.code == 0, r.err
    assert kops("get", cluster, "-o", "yaml", env=other).out == manifest.read_text()


def test_an_unknown_name_says_which_cluster_is_missing(kops, cluster):
    r = kops("get", "nosuch.example.com", "-o", "yaml")
    assert r.code == 1
    assert "cluster 'nosuch.example.com' not found" in r.err
    # -o before a resource type goes to that type; a listing is a JSON list, a named cluster one object.
    assert json.loads(kops("get", "-o", "json", "clusters").out)[0]["metadata"]["name"] == cluster
    assert json.loads(kops("get", "clusters", cluster, "-o", "json").out)["metadata"]["name"] == cluster


def test_full_shows_the_completed_spec(kops, cluster):
    r = kops("get", "cluster", cluster, "--full", "-o", "yaml")
    assert r.code == 0, r.err
    full = yaml.safe_load(r.out)
    user = yaml.safe_load(kops("get", "cluster", cluster, "-o", "yaml").out)
    # Defaults the user never wrote are filled in; what the user wrote stays.
    assert "kubeAPIServer" not in user["spec"]
    assert full["spec"]["kubeAPIServer"]["image"].startswith("registry.k8s.io/kube-apiserver:")
    assert full["spec"]["configBase"].endswith(f"/{cluster}")
    assert full["spec"]["kubernetesVersion"] == user["spec"]["kubernetesVersion"]
    assert "--full" in r.err and "kops get cluster -o yaml" in r.err  # the warning stays out of the YAML
    assert json.loads(kops("get", "cluster", cluster, "--full", "-o", "json").out)["kind"] == "Cluster"


def test_full_shows_what_the_last_update_stored(kops, cluster, kops_env):
    """Once an update stored ``cluster-completed.spec``, --full shows that file, as upstream does."""
    from pathlib import Path

    store = Path(kops_env["KOPS_STATE_STORE"].removeprefix("file://"))
    completed = yaml.safe_load(kops("get", "cluster", cluster, "--full", "-o", "yaml").out)
    completed["spec"]["kubeAPIServer"]["logLevel"] = 7  # marks the stored file as the one shown
    (store / cluster / "cluster-completed.spec").write_text(yaml.safe_dump(completed))
    shown = yaml.safe_load(kops("get", "cluster", cluster, "--full", "-o", "yaml").out)
    assert shown["spec"]["kubeAPIServer"]["logLevel"] == 7


def test_a_stored_file_edited_by_hand_is_read_through_the_api_as_before(kops, cluster, tmp_path):
    config = tmp_path / "store" / cluster / "config"
    printed = kops("get", "cluster", cluster, "-o", "yaml").out
    assert printed == config.read_text()  # what kops stores is what it prints
    # Reordered, commented and flow-styled: still the same cluster, printed in kops' form.
    tree = yaml.safe_load(config.read_text())
    config.write_text("# edited by hand\n" + yaml.safe_dump(dict(reversed(tree.items())), default_flow_style=True))
    assert kops("get", "cluster", cluster, "-o", "yaml").out == printed
    assert kops("get", "clusters").out.splitlines()[1].split()[0] == cluster
    # A field the API does not have, in a hand-written file, is named as any read of the cluster names it.
    tree["spec"]["bogusField"] = 1
    config.write_text("# edited by hand\n" + yaml.safe_dump(tree))
    one = kops("get", "cluster", cluster, "-o", "yaml")
    assert one.code == 1 and "spec.bogusField" in one.err and len(one.err.strip().splitlines()) == 1
    listed = kops("get", "clusters")
    assert listed.code == 0 and f"Warning: cluster {cluster} cannot be read" in listed.err
    assert "spec.bogusField" in listed.err
