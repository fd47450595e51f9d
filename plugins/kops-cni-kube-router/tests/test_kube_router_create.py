"""``kops create cluster --networking kube-router`` writes what upstream kOps writes: kube-router on,
kube-proxy off."""

from __future__ import annotations

import yaml

CREATE = ("create", "cluster", "kube-router.example.com", "--cloud", "aws", "--zones", "us-east-1a",
          "--networking", "kube-router")


def _cluster(output: str) -> dict:
    return next(d for d in yaml.safe_load_all(output) if d and d["kind"] == "Cluster")


def test_new_cluster_gets_kube_router_and_no_kube_proxy(kops):
    r = kops(*CREATE, "--dry-run", "-o", "yaml")
    assert r.returncode == 0, r.stderr
    spec = _cluster(r.stdout)["spec"]
    assert spec["networking"] == {"kuberouter": {}}
    assert spec["kubeProxy"] == {"enabled": False}


def test_kube_proxy_forced_back_on_is_refused_naming_the_field(kops):
    r = kops(*CREATE, "--set", "spec.kubeProxy.enabled=true", "--dry-run", "-o", "yaml")
    assert r.returncode == 1
    assert "spec.kubeProxy.enabled" in r.stderr


def test_created_cluster_is_stored_and_gets_the_addon(kops):
    assert kops(*CREATE).returncode == 0
    r = kops("get", "cluster", "kube-router.example.com", "-o", "yaml")
    assert _cluster(r.stdout)["spec"]["kubeProxy"] == {"enabled": False}
    r = kops("toolbox", "addons", "list", "kube-router.example.com")
    assert r.returncode == 0, r.stderr
    assert "networking.kuberouter" in r.stdout
