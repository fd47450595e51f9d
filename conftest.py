"""Every test run: slow cloud stand-ins named in KOPS_TESTBEDS start once, before any worker (kops.testing.testbed);
kops' cache is one folder for the whole run, workers included (kops.testing.cli.SHARED_CACHE_VARIABLE)."""

import os
import shutil
import tempfile

from kops.testing.cli import SHARED_CACHE_VARIABLE

pytest_plugins = ["kops.testing.testbed"]
_made: list[str] = []


def pytest_configure(config):
    if hasattr(config, "workerinput") or os.environ.get(SHARED_CACHE_VARIABLE):
        return  # a worker inherits the folder its controller made
    _made.append(tempfile.mkdtemp(prefix="kops-test-cache-"))
    os.environ[SHARED_CACHE_VARIABLE] = _made[0]


def pytest_unconfigure(config):
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)
