"""A write kops reported as failed never lands later: the next command's journal recovery does not roll it forward."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.spec.conftest import snapshot


def _immutable(path: Path, on: bool) -> bool:
    """Set or clear the immutable attribute (root only, on filesystems that have it)."""
    done = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_commit_that_failed_is_undone_and_never_rolled_forward(kops, tmp_path):
    assert kops("create", "cluster", "f.example.com", "--cloud", "aws", "--zones", "us-east-1a",
                "--networking", "cni").code == 0
    store = tmp_path / "store"
    group = store / "f.example.com" / "instancegroup" / "nodes-us-east-1a"
    cluster_yaml = kops("get", "cluster", "f.example.com", "-o", "yaml").out
    group_yaml = kops("get", "ig", "--name", "f.example.com", "nodes-us-east-1a", "-o", "yaml").out
    changed = (cluster_yaml.replace("spec:\n", "spec:\n  cloudLabels:\n    team: platform\n", 1) + "---\n"
               + group_yaml.replace("maxSize: 1", "maxSize: 5"))
    (tmp_path / "changed.yaml").write_text(changed)
    before = snapshot(store)
    if not _immutable(group, True):
        pytest.skip("chattr +i is not available here (needs root and a filesystem with the attribute)")
    try:
        failed = kops("replace", "-f", str(tmp_path / "changed.yaml"))
        assert failed.code == 1 and "Traceback" not in failed.err
        assert "nodes-us-east-1a" in failed.err and len(failed.err.strip().splitlines()) == 1, failed.err
    finally:
        _immutable(group, False)
    assert kops("get", "clusters").code == 0  # any command: it would roll a journal left behind forward
    assert "team: platform" not in kops("get", "cluster", "f.example.com", "-o", "yaml").out
    after = {k: v for k, v in snapshot(store).items() if not k.startswith(".kops/")}
    assert after == {k: v for k, v in before.items() if not k.startswith(".kops/")}


def test_a_read_only_store_says_so_and_changes_nothing(kops, tmp_path):
    assert kops("create", "cluster", "r.example.com", "--cloud", "aws", "--zones", "us-east-1a",
                "--networking", "cni").code == 0
    store = tmp_path / "store"
    before = snapshot(store)
    folders = [p for p in [store, *store.rglob("*")] if p.is_dir()]
    if not all(_immutable(p, True) for p in folders):
        for p in folders:
            _immutable(p, False)
        pytest.skip("chattr +i is not available here (needs root and a filesystem with the attribute)")
    try:
        r = kops("edit", "cluster", "r.example.com", "--set", "spec.kubernetesVersion=1.33.0")
    finally:
        for p in folders:
            _immutable(p, False)
    assert r.code == 1 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert f"state store file://{store} is read-only here" in r.err
    assert snapshot(store) == before
