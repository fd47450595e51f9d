"""Fixtures for the kops-addons tests: the shared add-on fixtures of :mod:`kops.testing.addons`, for this
distribution's hooks."""

from __future__ import annotations

import pytest
from kops.testing.addons import *  # noqa: F403 - the shared fixtures, found by pytest by name
from kops.testing.manifests import KUBERNETES_MINORS  # noqa: F401 - tests import it from here


@pytest.fixture
def addons_plugin() -> str:
    return "addons"
