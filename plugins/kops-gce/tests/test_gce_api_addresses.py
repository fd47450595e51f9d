"""A GCE cluster without DNS (``--dns none``) is reached at its API load balancer's addresses: ``kops update cluster
--yes`` reserves them first and names them all (the external one and the internal ones) in the control plane's
nodeup configuration, so the API server's certificate is valid for them; the next update changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from kops.testing import cli


@pytest.fixture
def gce_env(tmp_path):
    """The Compute fake and a file:// state store."""
    from kops_gce.testing.fakegce import FakeGCE

    with FakeGCE(["addresses"]) as fake:
        env = cli.isolated_env(tmp_path)
        env.update(CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=f"{fake.url}/compute/v1/",
                   CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM=f"{fake.url}/",
                   CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=f"{fake.url}/",
                   CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS=f"{fake.url}/dns/v1/",
                   CLOUDSDK_AUTH_DISABLE_CREDENTIALS="true", GOOGLE_CLOUD_PROJECT="addresses",
                   CLOUDSDK_CORE_PROJECT="addresses", NO_GCE_CHECK="true")
        yield env, fake


def ok(result):
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result


def test_the_api_servers_certificate_names_the_load_balancers_addresses(gce_env, cluster_name):
    env, _ = gce_env
    kops = cli.runner(env, timeout=900)
    ok(kops("create", "cluster", cluster_name, "--cloud", "gce", "--zones", "us-central1-a", "--dns", "none",
            "--api-loadbalancer-type", "public", "--networking", "calico"))
    plan = json.loads(ok(kops("update", "cluster", cluster_name, "-o", "json")).stdout)
    assert any("ApiserverAdditionalIPs" in w for w in plan["warnings"])
    ok(kops("update", "cluster", cluster_name, "--yes"))
    store = Path(env["KOPS_STATE_STORE"].removeprefix("file://")) / cluster_name
    [path] = store.glob("igconfig/control-plane/*/nodeupconfig.yaml")
    names = yaml.safe_load(path.read_text())["ApiserverAdditionalIPs"]
    # The external address (from the fake's documentation pool) and the subnet's internal one.
    assert len(names) == 2 and sum(n.startswith("203.0.113.") for n in names) == 1
    replan = kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr
    ok(kops("delete", "cluster", cluster_name, "--yes"))
