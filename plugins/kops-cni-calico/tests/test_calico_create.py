"""``kops create cluster --networking calico`` writes what upstream kOps writes."""

from __future__ import annotations

import yaml

CREATE = ("create", "cluster", "calico.example.com", "--cloud", "aws", "--zones", "us-east-1a",
          "--networking", "calico", "--dry-run", "-o", "yaml")


def _cluster(output: str) -> dict:
    return next(d for d in yaml.safe_load_all(output) if d and d["kind"] == "Cluster")


def test_new_cluster_gets_an_empty_calico_section(kops):
    r = kops(*CREATE)
    assert r.returncode == 0, r.stderr
    spec = _cluster(r.stdout)["spec"]
    assert spec["networking"] == {"calico": {}}
    assert "kubeProxy" not in spec


def test_bpf_set_on_the_command_line_switches_kube_proxy_off(kops):
    r = kops(*CREATE, "--set", "cluster.spec.networking.calico.bpfEnabled=true")
    assert r.returncode == 0, r.stderr
    spec = _cluster(r.stdout)["spec"]
    assert spec["networking"] == {"calico": {"bpfEnabled": True}}
    assert spec["kubeProxy"] == {"enabled": False}


def test_bpf_with_kube_proxy_forced_on_is_refused_naming_the_field(kops):
    r = kops(*CREATE, "--set", "cluster.spec.networking.calico.bpfEnabled=true",
             "--set", "spec.kubeProxy.enabled=true")
    assert r.returncode == 1
    assert "spec.kubeProxy.enabled" in r.stderr


def test_bad_option_is_refused_naming_the_field(kops):
    r = kops(*CREATE, "--set", "spec.networking.calico.encapsulationMode=gre")
    assert r.returncode == 1
    assert "spec.networking.calico.encapsulationMode" in r.stderr and "gre" in r.stderr


def test_created_cluster_is_stored_with_calico(kops):
    r = kops(*CREATE[:-3])
    assert r.returncode == 0, r.stderr
    r = kops("get", "cluster", "calico.example.com", "-o", "yaml")
    assert r.returncode == 0, r.stderr
    assert _cluster(r.stdout)["spec"]["networking"] == {"calico": {}}


def test_addon_is_listed_for_the_stored_cluster(kops):
    assert kops(*CREATE[:-3]).returncode == 0
    r = kops("toolbox", "addons", "list", "calico.example.com")
    assert r.returncode == 0, r.stderr
    assert "networking.projectcalico.org" in r.stdout
