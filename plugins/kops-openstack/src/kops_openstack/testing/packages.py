"""Debian's packages the OpenStack testbed runs: the services' Python libraries (not their ``nova-api``-style
packages, whose scripts set up databases, users and systemd units the testbed does itself, and which pull in
libvirt and QEMU), MariaDB, RabbitMQ, memcached and uWSGI."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from kops.errors import KopsError

PACKAGES = (
    "mariadb-server", "rabbitmq-server", "memcached", "uwsgi-core", "uwsgi-plugin-python3",
    "python3-pymysql", "python3-memcache", "python3-pymemcache", "python3-keystonemiddleware", "python3-keystone", "python3-glance", "python3-placement",
    "python3-nova", "python3-neutron", "python3-cinder", "python3-octavia", "python3-swift",
)

#: Package scripts must not start services: the testbed runs its own, on its own ports, and a machine without
#: systemd has no init to hand them to anyway. ``invoke-rc.d`` asks this file and 101 means "not allowed".
_POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
_DENY_ALL = "#!/bin/sh\nexit 101\n"


def missing() -> list[str]:
    """The packages not yet installed (``dpkg-query`` answers in a fraction of a second)."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n", *PACKAGES],
                         capture_output=True, text=True).stdout
    installed = {line.split()[0] for line in out.splitlines() if line.endswith(" installed")}
    return [p for p in PACKAGES if p not in installed]


def install() -> float:
    """Install what is missing; return the seconds it took (0 when nothing was). Needs root, as apt does."""
    todo = missing()
    if not todo:
        return 0.0
    if os.geteuid() != 0:
        raise KopsError(f"the openstack testbed needs Debian's packages {' '.join(todo)}: run it as root once "
                        "to install them")
    began = time.monotonic()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "DEBCONF_NONINTERACTIVE_SEEN": "true"}
    placed = not _POLICY_RC_D.exists()
    if placed:
        _POLICY_RC_D.write_text(_DENY_ALL)
        _POLICY_RC_D.chmod(0o755)
    try:
        # The machine's package lists may be missing or older than the mirror: refresh them first.
        _apt(["apt-get", "update", "-q"], env)
        _apt(["apt-get", "install", "-y", "-q", "--no-install-recommends",
              "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", *todo], env)
    finally:
        if placed:
            _POLICY_RC_D.unlink(missing_ok=True)
    still = missing()
    if still:
        raise KopsError(f"apt-get left these packages uninstalled: {' '.join(still)}")
    return time.monotonic() - began


def _apt(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise KopsError(f"{' '.join(cmd[:3])} failed (exit {result.returncode}):\n{tail}")
