"""``kops create cluster --networking flannel|flannel-vxlan|flannel-udp`` writes what upstream kOps writes."""

from __future__ import annotations

import pytest
import yaml


def _create(kops, networking: str, *extra: str):
    return kops("create", "cluster", "flannel.example.com", "--cloud", "aws", "--zones", "us-east-1a",
                "--networking", networking, *extra)


def _cluster(output: str) -> dict:
    return next(d for d in yaml.safe_load_all(output) if d and d["kind"] == "Cluster")


@pytest.mark.parametrize(("networking", "backend"), [
    ("flannel", "vxlan"), ("flannel-vxlan", "vxlan"), ("flannel-udp", "udp"), ("Flannel-VXLAN", "vxlan"),
])
def test_backend_follows_the_name(kops, networking, backend):
    r = _create(kops, networking, "--dry-run", "-o", "yaml")
    assert r.returncode == 0, r.stderr
    spec = _cluster(r.stdout)["spec"]
    assert spec["networking"] == {"flannel": {"backend": backend}}
    assert "kubeProxy" not in spec


def test_udp_is_created_with_a_warning(kops):
    udp = _create(kops, "flannel-udp", "--dry-run", "-o", "yaml")
    vxlan = _create(kops, "flannel", "--dry-run", "-o", "yaml")
    assert "flannel-vxlan" in udp.stderr
    assert "flannel-vxlan" not in vxlan.stderr


def test_unknown_backend_is_refused_naming_the_field(kops):
    r = _create(kops, "flannel", "--set", "spec.networking.flannel.backend=host-gw", "--dry-run", "-o", "yaml")
    assert r.returncode == 1
    assert "spec.networking.flannel.backend" in r.stderr


def test_created_cluster_is_stored_and_gets_the_addon(kops):
    assert _create(kops, "flannel").returncode == 0
    r = kops("get", "cluster", "flannel.example.com", "-o", "yaml")
    assert _cluster(r.stdout)["spec"]["networking"] == {"flannel": {"backend": "vxlan"}}
    r = kops("toolbox", "addons", "list", "flannel.example.com")
    assert r.returncode == 0, r.stderr
    assert "networking.flannel" in r.stdout
