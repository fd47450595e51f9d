"""Stores for the behaviour suite: every test runs once per backend."""

from __future__ import annotations

import uuid

import pytest
from kops.state import open_store


@pytest.fixture(params=["file", "memfs"])
def store_url(request, tmp_path):
    if request.param == "file":
        return f"file://{tmp_path / 'store'}"
    return f"memfs://test-{uuid.uuid4().hex}"


@pytest.fixture
def store(store_url):
    return open_store(store_url)
