"""Errors name the thing: a store file that is not text or not YAML, an input far too large to be a manifest."""

from __future__ import annotations

import pytest

CREATE = ["create", "cluster", "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni"]


@pytest.mark.parametrize("broken", [b"\xff\xfe\x00\x01binary", b"kind: [\n  unclosed"], ids=["binary", "not YAML"])
def test_a_broken_store_file_is_named_and_the_other_clusters_still_list(broken, kops, tmp_path):
    for name in ("a.example.com", "b.example.com"):
        assert kops(*CREATE[:2], name, *CREATE[2:]).code == 0
    config = tmp_path / "store" / "a.example.com" / "config"
    config.write_bytes(broken)
    listed = kops("get", "clusters")
    assert listed.code == 0 and "b.example.com" in listed.out and "a.example.com" not in listed.out
    assert f"Warning: cluster a.example.com cannot be read: file://{tmp_path / 'store'}/a.example.com/config" in \
        listed.err
    one = kops("get", "cluster", "a.example.com")
    assert one.code == 1 and "Traceback" not in one.err and "internal error" not in one.err
    assert one.err.startswith(f"Error: file://{tmp_path / 'store'}/a.example.com/config: ")
    assert len(one.err.strip().splitlines()) == 1


def test_an_endless_input_is_refused_not_read_until_memory_runs_out(kops):
    r = kops("create", "-f", "/dev/zero")
    assert r.code == 1 and r.err.strip() == "Error: -f /dev/zero: larger than 64 MiB, which no kops input is"
