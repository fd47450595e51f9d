"""The worked example of an organisation's own add-on (``tests/plugins/kops-acme-addon``), through the whole
path a user takes: create a cluster, switch the add-on on with an annotation, update to Terraform, find it in
the stored bootstrap channel, switch it off and see it leave the channel."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

CLUSTER = "acme.example.com"
NAME = "audit-agent.acme.example.com"
SWITCH = "audit.acme.example.com/enabled"


def _set_annotations(kops, tmp_path: Path, annotations: dict[str, str]) -> None:
    got = kops("get", "cluster", CLUSTER, "-o", "yaml")
    assert got.returncode == 0, got.stderr
    doc = yaml.safe_load(got.stdout)
    doc["metadata"]["annotations"] = annotations
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(doc))
    replaced = kops("replace", "-f", str(tmp_path / "cluster.yaml"))
    assert replaced.returncode == 0, replaced.stderr


def _channel(kops, tmp_path: Path) -> dict[str, dict]:
    updated = kops("update", "cluster", CLUSTER, "--target", "terraform", "--out", str(tmp_path / "tf"), "--yes")
    assert updated.returncode == 0, updated.stderr
    channel = yaml.safe_load((tmp_path / "store" / CLUSTER / "addons" / "bootstrap-channel.yaml").read_text())
    return {entry["name"]: entry for entry in channel["spec"]["addons"]}


def test_switch_on_and_off_through_update(kops, tmp_path, schema_problems):
    pytest.importorskip("kops_acme_addon")
    created = kops("create", "cluster", CLUSTER, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private")
    assert created.returncode == 0, created.stderr
    assert NAME not in _channel(kops, tmp_path)

    _set_annotations(kops, tmp_path, {SWITCH: "true"})
    entry = _channel(kops, tmp_path)[NAME]
    manifest = (tmp_path / "store" / CLUSTER / "addons" / entry["manifest"]).read_text()
    assert schema_problems(manifest) == []
    listed = kops("toolbox", "addons", "list", CLUSTER)
    assert any(line.split()[:1] == [NAME] and line.split()[-1] == "acme" for line in listed.stdout.splitlines())

    _set_annotations(kops, tmp_path, {SWITCH: "false"})
    assert NAME not in _channel(kops, tmp_path)


def test_bad_switch_is_refused_with_its_path(kops, tmp_path):
    pytest.importorskip("kops_acme_addon")
    created = kops("create", "cluster", CLUSTER, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private")
    assert created.returncode == 0, created.stderr
    doc = yaml.safe_load(kops("get", "cluster", CLUSTER, "-o", "yaml").stdout)
    doc["metadata"]["annotations"] = {SWITCH: "yes please"}
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(doc))
    replaced = kops("replace", "-f", str(tmp_path / "cluster.yaml"))
    assert replaced.returncode != 0
    assert f"metadata.annotations[{SWITCH}]" in replaced.stderr
