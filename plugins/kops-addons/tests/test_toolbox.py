"""``kops toolbox addons list`` names the plugin each add-on comes from (this one, core, a cloud plugin)."""

from __future__ import annotations

import json

CLUSTER = "list.example.com"


def test_enabled_addons_are_listed_with_source_addons(kops):
    created = kops("create", "cluster", CLUSTER, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private")
    assert created.returncode == 0, created.stderr
    edited = kops("edit", "cluster", CLUSTER, "--set", "spec.metricsServer.enabled=true",
                  "--set", "spec.certManager.enabled=true", "--set", "spec.snapshotController.enabled=true",
                  "--set", "spec.awsLoadBalancerController.enabled=true")
    assert edited.returncode == 0, edited.stderr
    listed = kops("toolbox", "addons", "list", CLUSTER, "-o", "json")
    assert listed.returncode == 0, listed.stderr
    sources = {a["name"]: a["source"] for a in json.loads(listed.stdout)}
    assert sources["metrics-server.addons.k8s.io"] == "addons"
    assert sources["certmanager.io"] == "addons"
    assert sources["snapshot-controller.addons.k8s.io"] == "addons"
    assert sources["aws-load-balancer-controller.addons.k8s.io"] == "aws"  # an AWS-only add-on, in kops-aws
    assert sources["coredns.addons.k8s.io"] == "core"
