"""Day 2 on the DigitalOcean testbed, through the installed ``kops``: deleting a node's Droplet makes its replacement
from the group's configuration, a surge (detaching it first) keeps it running until its replacement exists, and
Terraform output is refused before anything is written."""

from __future__ import annotations

import json

import digitalocean
from kops.testing.cli import one_line_error

from conftest import leftovers


def ok(result):
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result


def nodes(cloud_kops, name):
    listed = json.loads(ok(cloud_kops("get", "instances", name, "-o", "json")).stdout)
    return [i for i in listed if i["role"] == "node"]


def test_delete_instance_replaces_the_droplet(cloud_kops, cloud_env, cluster_name):
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "digitalocean", "--zones", "nyc1",
                  "--node-count", "2", "--networking", "cni"))
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    first = nodes(cloud_kops, cluster_name)
    assert len(first) == 2

    gone = first[0]["id"]
    ok(cloud_kops("delete", "instance", gone, "--name", cluster_name, "--yes", "--cloudonly", "--surge=false"))
    after = nodes(cloud_kops, cluster_name)
    assert len(after) == 2 and gone not in {i["id"] for i in after}
    assert {i["status"] for i in after} == {"UpToDate"}

    surged = after[0]["id"]
    ok(cloud_kops("delete", "instance", surged, "--name", cluster_name, "--yes", "--cloudonly"))
    final = nodes(cloud_kops, cluster_name)
    assert len(final) == 2 and surged not in {i["id"] for i in final}
    droplets = digitalocean.Manager(token=cloud_env["DIGITALOCEAN_ACCESS_TOKEN"],
                                    end_point=cloud_env["DIGITALOCEAN_END_POINT"]).get_data("droplets")["droplets"]
    assert int(surged) not in {d["id"] for d in droplets}

    ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert leftovers(cloud_env, cluster_name) == []


def test_terraform_output_is_refused_up_front(cloud_kops, cloud_env, cluster_name, tmp_path):
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "digitalocean", "--zones", "nyc1",
                  "--networking", "cni"))
    out = tmp_path / "tf"
    refused = one_line_error(cloud_kops("update", "cluster", cluster_name, "--target", "terraform", "--out", str(out)))
    assert "terraform" in refused.lower() and "digitalocean" in refused.lower(), refused
    assert not out.exists()
    assert leftovers(cloud_env, cluster_name) == []
