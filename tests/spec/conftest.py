from __future__ import annotations

from pathlib import Path

import pytest

CREATE = ["create", "cluster", "dev.example.com", "--cloud", "aws", "--zones", "us-east-1a,us-east-1b",
          "--networking", "cni"]


@pytest.fixture
def cluster(kops):
    """A stored cluster named dev.example.com with two zones."""
    r = kops(*CREATE)
    assert r.code == 0, r.err
    return "dev.example.com"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the store, by relative path, with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
