"""Day 2 on the DigitalOcean testbed, through the installed ``kops``: deleting a node's Droplet makes its replacement
from the group's configuration, a surge (detaching it first) keeps it running until its replacement exists, and
Terraform output is refused before anything is written; a cluster's own VPC and SSH key; transient API errors;
the records dns-controller published."""

from __future__ import annotations

import json
import uuid

import digitalocean
from do_kit import FINGERPRINT, PUBLIC_KEY
from kops.testing.cli import one_line_error
from kops_digitalocean.testing.do_api import FakeDigitalOcean

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


def test_own_vpc_and_ssh_key_are_made_and_deleted_after_the_droplets(cloud_kops, cloud_env, cluster_name, tmp_path):
    key = tmp_path / "admin.pub"
    key.write_text(PUBLIC_KEY + "\n")
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "digitalocean", "--zones", "nyc1", "--networking",
                  "cni", "--network-cidr", "10.210.0.0/20", "--ssh-public-key", str(key)))
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    api = digitalocean.Manager(token=cloud_env["DIGITALOCEAN_ACCESS_TOKEN"],
                               end_point=cloud_env["DIGITALOCEAN_END_POINT"])
    safe = cluster_name.replace(".", "-")
    vpc = next(v for v in api.get_data("vpcs")["vpcs"] if v["name"] == f"vpc-{safe}")
    assert vpc["ip_range"] == "10.210.0.0/20"
    keys = [k for k in api.get_data("account/keys")["ssh_keys"] if k["fingerprint"] == FINGERPRINT]
    assert [k["name"] for k in keys] == [f"kubernetes.{cluster_name}-{FINGERPRINT}"]
    droplets = api.get_data("droplets", params={"tag_name": f"KubernetesCluster:{safe}"})["droplets"]
    assert {d["vpc_uuid"] for d in droplets} == {vpc["id"]}
    assert cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode").returncode == 0
    ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert leftovers(cloud_env, cluster_name) == []


def test_transient_api_errors_are_retried(kops, tmp_path):
    """With a tenth of the API's answers 429, 500 or 503, a cluster is still applied, re-planned clean and
    deleted whole."""
    with FakeDigitalOcean(fail_rate=0.1, seed=7) as fake:
        env = fake.environ()
        name = "flaky.example.com"
        ok(kops("create", "cluster", name, "--cloud", "digitalocean", "--zones", "nyc1", "--networking", "cni"))
        ok(kops("update", "cluster", name, "--yes", env=env))
        assert kops("update", "cluster", name, "--detailed-exitcode", env=env).returncode == 0
        ok(kops("delete", "cluster", name, "--yes", env=env))
        assert fake.failed > 0
        fake.fail_rate = 0  # the check below reads the API without retrying
        assert leftovers(env, name) == []


def test_records_dns_controller_published_go_with_the_cluster(cloud_kops, cloud_env):
    """With a DigitalOcean-hosted zone, delete takes the API's published records and leaves the others."""
    domain = f"z{uuid.uuid4().hex[:8]}.test"
    name = f"dev.{domain}"
    api = digitalocean.Manager(token=cloud_env["DIGITALOCEAN_ACCESS_TOKEN"],
                               end_point=cloud_env["DIGITALOCEAN_END_POINT"])
    api.get_data("domains", type="POST", params={"name": domain})
    ok(cloud_kops("create", "cluster", name, "--cloud", "digitalocean", "--zones", "nyc1", "--networking", "cni",
                  "--dns-zone", domain))
    ok(cloud_kops("update", "cluster", name, "--yes"))
    for record in ("api.dev", "api.internal.dev", "www.dev"):
        api.get_data(f"domains/{domain}/records", type="POST",
                     params={"type": "A", "name": record, "data": "192.0.2.10", "ttl": 60})
    ok(cloud_kops("delete", "cluster", name, "--yes"))
    left = api.get_data(f"domains/{domain}/records")["domain_records"]
    assert sorted(r["name"] for r in left if r["type"] == "A") == ["www.dev"]
    assert leftovers(cloud_env, name) == []
