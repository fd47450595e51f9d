"""The OpenStack testbed: real OpenStack services from Debian 12's packages, run as plain processes on loopback
(``python -m kops.testing.testbed openstack``).

Keystone, Glance, Placement, Nova (fake virt driver), Neutron (ML2), Cinder (fake volume driver), Octavia
(no-op amphorae) and Swift, on MariaDB, RabbitMQ and memcached. Each start installs what is missing (once),
then builds everything afresh under the testbed's folder: configuration, databases, logs. Nothing is left
running after :meth:`OpenStackTestbed.stop`."""

from __future__ import annotations

import atexit
import shutil
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from kops.testing.testbed import Testbed

from kops_openstack.testing.processes import parallel, then

T = TypeVar("T")

#: Nova's compute hosts, each ``(host, availability zone)``: two zones, and two hosts in each so that a server
#: group with the anti-affinity policy kops gives instance groups can hold two servers in one zone.
COMPUTES = [("compute-1", "zone-1"), ("compute-2", "zone-1"), ("compute-3", "zone-2"), ("compute-4", "zone-2")]


class OpenStackTestbed(Testbed):
    slow = True

    def __init__(self, workdir):
        super().__init__(workdir)
        self.stack = None
        #: Seconds each phase of the last start took: install, databases, services, seed.
        self.timings: dict[str, float] = {}

    def _phase(self, name: str, step: Callable[[], T]) -> T:
        """Run one phase of a start, timed: the times go to standard error (a start takes minutes)."""
        began = time.monotonic()
        result = step()
        self.timings[name] = round(time.monotonic() - began, 1)
        print(f"openstack testbed: {name} took {self.timings[name]:.0f} s", file=sys.stderr, flush=True)
        return result

    def start(self) -> dict[str, str]:
        from kops_openstack.testing import (
            cinder,
            glance,
            infrastructure,
            keystone,
            neutron,
            nova,
            octavia,
            packages,
            placement,
            seed,
            swift,
        )
        from kops_openstack.testing.stack import Stack

        # Whoever started the testbed may exit without stopping it (a test run that started it on first use):
        # its services must not outlive the interpreter.
        atexit.register(self.stop)
        self._phase("install", packages.install)
        for leftover in ("bin", "etc", "lib", "log"):
            shutil.rmtree(self.workdir / leftover, ignore_errors=True)
        stack = self.stack = Stack(self.workdir, computes=COMPUTES)
        apis = (glance, placement, nova, neutron, cinder, octavia)
        for service in (keystone, *apis, swift):
            service.configure(stack)

        def identity() -> None:
            # Every other service authenticates as its own user as it starts: Keystone and the catalog first.
            keystone.sync(stack)
            keystone.start(stack)
            keystone.register_catalog(stack)

        def databases() -> None:
            # Keystone caches in memcached; the rest need RabbitMQ only once they run.
            parallel(then(lambda: infrastructure.start_memcached(stack),
                          lambda: infrastructure.start_mariadb(stack),
                          lambda: parallel(identity, *(lambda s=s: s.sync(stack) for s in apis))),
                     lambda: infrastructure.start_rabbitmq(stack),
                     lambda: swift.build_rings(stack))

        def services() -> None:
            parallel(*(lambda s=s: s.start(stack) for s in (*apis, swift)))
            nova.start_computes(stack)
            stack.supervisor.check()

        self._phase("databases and identity", databases)
        self._phase("services", services)
        return {**seed.environment(stack), **self._phase("seed", lambda: seed.seed(stack))}

    def stop(self) -> None:
        atexit.unregister(self.stop)
        if self.stack is not None:
            self.stack.supervisor.stop_all()
            self.stack = None

    def demo_flags(self, env: dict[str, str]) -> list[str]:
        return ["--zones", env["KOPS_OS_ZONES"], "--network-cidr", "10.0.0.0/16", "--image", env["KOPS_OS_IMAGE"],
                "--control-plane-size", env["KOPS_OS_FLAVOR"], "--node-size", env["KOPS_OS_FLAVOR"],
                "--networking", "calico"]
