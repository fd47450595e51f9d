"""Placement, where nova-compute reports each host's resources and the scheduler claims them."""

from __future__ import annotations

from kops_openstack.testing import launcher
from kops_openstack.testing.stack import Stack


def configure(stack: Stack) -> None:
    stack.write(stack.etc("placement") / "placement.conf", {
        "DEFAULT": {"debug": False, "use_stderr": True},
        "placement_database": {"connection": stack.db("placement")},
        "keystone_authtoken": stack.authtoken("placement"),
    })


def sync(stack: Stack) -> None:
    stack.run("placement-db-sync", stack.console(
        "placement-manage", "--config-file", str(stack.etc("placement") / "placement.conf"), "db", "sync"))


def start(stack: Stack) -> None:
    etc = stack.etc("placement")
    wsgi = launcher.wsgi_file(etc / "placement.wsgi", "placement-api")
    service = stack.serve("placement-api", launcher.uwsgi(wsgi, stack.ports["placement"]),
                          OS_PLACEMENT_CONFIG_DIR=str(etc))
    stack.supervisor.wait_http(service, stack.url("placement") + "/", timeout=120)
