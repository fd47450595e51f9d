"""A third-party plugin reaches the user through its entry points alone: its inference rule shapes new
clusters, and its add-on is listed and lands in the cluster's bootstrap channel."""

from __future__ import annotations

import json

import yaml


def test_inference_rule_from_a_plugin_labels_every_group(kops):
    out = kops("create", "cluster", "team.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking",
               "cni", "--cloud-labels", "example.com/team=blue", "--dry-run", "-o", "yaml").out
    groups = [d for d in yaml.safe_load_all(out) if d["kind"] == "InstanceGroup"]
    assert groups and all(g["spec"]["nodeLabels"]["example.com/team"] == "blue" for g in groups)
    plain = kops("create", "cluster", "plain.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking",
                 "cni", "--dry-run", "-o", "yaml").out
    assert "example.com/team" not in plain


def test_addon_from_a_plugin_is_listed_and_written_to_the_channel(kops, tmp_path):
    assert kops("create", "cluster", "team.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking",
                "cni", "--cloud-labels", "example.com/team=blue").code == 0
    listed = {a["name"]: a for a in json.loads(kops("toolbox", "addons", "list", "team.example.com", "-o", "json").out)}
    assert listed["example-banner.addons.example.com"]["source"] == "example"
    assert kops("update", "cluster", "team.example.com", "--target", "terraform", "--out", str(tmp_path / "tf"),
                "--yes").code == 0
    channel = yaml.safe_load((tmp_path / "store" / "team.example.com" / "addons" / "bootstrap-channel.yaml").read_text())
    names = [a["name"] for a in channel["spec"]["addons"]]
    assert "example-banner.addons.example.com" in names
    # Switched off (the team label removed), the add-on leaves the channel at the next update.
    assert kops("edit", "cluster", "team.example.com", "--unset", "spec.cloudLabels").code == 0
    assert kops("update", "cluster", "team.example.com", "--target", "terraform", "--out", str(tmp_path / "tf"),
                "--yes").code == 0
    channel = yaml.safe_load((tmp_path / "store" / "team.example.com" / "addons" / "bootstrap-channel.yaml").read_text())
    assert "example-banner.addons.example.com" not in [a["name"] for a in channel["spec"]["addons"]]
