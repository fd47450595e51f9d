"""A plugin installed after stevedore cached the entry points is still found.

stevedore keeps the entry points it read in a cache file keyed on the import path and its directories'
modification times, which can miss a distribution installed within the same second. kops falls back to the
installed distributions' metadata, which is authoritative."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_a_driver_missing_from_a_stale_cache_is_loaded_from_metadata(tmp_path):
    script = textwrap.dedent("""
        import json, os, sys
        from stevedore import _cache

        # The cache as stevedore writes it, from before any kops.cloud driver was installed.
        digest, path_values = _cache._hash_settings_for_path(tuple(sys.path))
        data = _cache._build_cacheable_data()
        data["groups"].pop("kops.cloud", None)
        data["path_values"] = path_values
        folder = _cache._get_cache_dir()
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, digest), "w") as f:
            json.dump(data, f)

        from stevedore import driver
        try:
            driver.DriverManager(namespace="kops.cloud", name="aws")
        except driver.NoMatches:
            pass
        else:
            sys.exit("the stale cache was not used: nothing to test")

        from kops.plugins import load_driver
        print(load_driver("cloud", "aws").__name__)
    """)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "AWSCloud"
