"""``kops create cluster --networking kindnet`` writes what upstream kOps writes."""

from __future__ import annotations


def test_kindnet_section_is_written_empty(create_cluster):
    spec = create_cluster("--networking", "kindnet")["spec"]
    assert spec["networking"] == {"kindnet": {}}
    assert "kubeProxy" not in spec
