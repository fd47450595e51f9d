"""``kops create cluster --networking canal`` writes an empty ``canal`` section, as upstream kOps did."""

from __future__ import annotations

import yaml


def _cluster(output: str) -> dict:
    return next(d for d in yaml.safe_load_all(output) if d and d["kind"] == "Cluster")


def test_new_cluster_gets_an_empty_canal_section(kops):
    r = kops("create", "cluster", "canal.example.com", "--cloud", "aws", "--zones", "us-east-1a",
             "--networking", "canal", "--dry-run", "-o", "yaml")
    assert r.returncode == 0, r.stderr
    spec = _cluster(r.stdout)["spec"]
    assert spec["networking"] == {"canal": {}}
    assert "kubeProxy" not in spec


def test_bad_option_is_refused_naming_the_field(kops):
    r = kops("create", "cluster", "canal.example.com", "--cloud", "aws", "--zones", "us-east-1a",
             "--networking", "canal", "--set", "spec.networking.canal.chainInsertMode=middle", "--dry-run", "-o", "yaml")
    assert r.returncode == 1
    assert "spec.networking.canal.chainInsertMode" in r.stderr


def test_created_cluster_is_stored_and_gets_the_addon(kops):
    r = kops("create", "cluster", "canal.example.com", "--cloud", "aws", "--zones", "us-east-1a",
             "--networking", "canal")
    assert r.returncode == 0, r.stderr
    r = kops("toolbox", "addons", "list", "canal.example.com")
    assert r.returncode == 0, r.stderr
    assert "networking.projectcalico.org.canal" in r.stdout
