"""The shared behaviour suite, run against file:// and memfs:// (see conftest.py)."""

from kops.state.conformance import *  # noqa: F403
