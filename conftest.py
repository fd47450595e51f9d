"""Every test run: slow cloud stand-ins named in KOPS_TESTBEDS start once, before any worker (kops.testing.testbed)."""

pytest_plugins = ["kops.testing.testbed"]
