"""Nova: its API (uWSGI), conductor and scheduler, and one nova-compute per host with the fake virt driver,
which runs no machine but goes through everything else a boot does: scheduling, placement claims, port
binding in Neutron, volume attachments in Cinder."""

from __future__ import annotations

import subprocess

from kops_openstack.testing import infrastructure, launcher
from kops_openstack.testing.processes import parallel
from kops_openstack.testing.stack import Stack

_PASTE = """\
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory
/: oscomputeversions
/v2.1: oscomputeversion_v2
/v2.1/+: openstack_compute_api_v21

[pipeline:oscomputeversions]
pipeline = faultwrap http_proxy_to_wsgi oscomputeversionapp

[pipeline:oscomputeversion_v2]
pipeline = compute_req_id faultwrap http_proxy_to_wsgi oscomputeversionapp_v2

[composite:openstack_compute_api_v21]
use = call:nova.api.auth:pipeline_factory_v21
keystone = compute_req_id faultwrap request_log sizelimit http_proxy_to_wsgi authtoken keystonecontext osapi_compute_app_v21

[filter:request_log]
paste.filter_factory = nova.api.openstack.requestlog:RequestLog.factory

[filter:compute_req_id]
paste.filter_factory = nova.api.compute_req_id:ComputeReqIdMiddleware.factory

[filter:faultwrap]
paste.filter_factory = nova.api.openstack:FaultWrapper.factory

[filter:sizelimit]
paste.filter_factory = oslo_middleware:RequestBodySizeLimiter.factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:keystonecontext]
paste.filter_factory = nova.api.auth:NovaKeystoneContext.factory

[app:osapi_compute_app_v21]
paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory

[app:oscomputeversionapp]
paste.app_factory = nova.api.openstack.compute.versions:Versions.factory

[app:oscomputeversionapp_v2]
paste.app_factory = nova.api.openstack.compute.versions:VersionsV2.factory
"""


def configure(stack: Stack) -> None:
    etc, lib = stack.etc("nova"), stack.lib("nova")
    (etc / "api-paste.ini").write_text(_PASTE)
    nova = stack.credentials("nova")
    stack.write(etc / "nova.conf", {
        "DEFAULT": {**stack.common("nova"), "compute_driver": "fake.FakeDriver", "instances_path": lib / "instances",
                    # The fake driver reports 8 CPUs and 8000 MB per host: overcommit so a few clusters fit.
                    "cpu_allocation_ratio": 16.0, "ram_allocation_ratio": 16.0, "disk_allocation_ratio": 16.0,
                    "reserved_host_memory_mb": 0, "allow_resize_to_same_host": True},
        "wsgi": {"api_paste_config": etc / "api-paste.ini"},
        "keystone_authtoken": stack.authtoken("nova"),
        # Nova's calls to Cinder (detaching a volume in particular) must carry a service token.
        "service_user": {**nova, "send_service_user_token": True},
        "placement": nova,
        "neutron": nova,
        "cinder": {**nova, "os_region_name": nova["region_name"]},
        "glance": {"region_name": nova["region_name"]},
        "conductor": {"workers": 1},
        "scheduler": {"workers": 1},
        "vnc": {"enabled": False},
        "oslo_concurrency": {"lock_path": lib / "lock"},
    })
    # Compute hosts reach the database through the conductor only: they get no credentials for it.
    stack.write(etc / "nova-db.conf", {
        "api_database": {"connection": stack.db("nova_api")},
        "database": {"connection": stack.db("nova")},
    })
    for host, _zone in stack.computes:
        stack.write(etc / f"compute-{host}.conf", {
            "DEFAULT": {"host": host, "state_path": stack.lib(f"nova-{host}"),
                        "instances_path": stack.lib(f"nova-{host}") / "instances"},
            "oslo_concurrency": {"lock_path": stack.lib(f"nova-{host}") / "lock"},
        })


def _config_args(stack: Stack) -> list[str]:
    """The configuration of the services that use Nova's databases."""
    etc = stack.etc("nova")
    return ["--config-file", str(etc / "nova.conf"), "--config-file", str(etc / "nova-db.conf")]


def _manage(stack: Stack, *args: str) -> list[str]:
    return stack.console("nova-manage", *_config_args(stack), *args)


def sync(stack: Stack) -> None:
    """Nova's three schemas side by side (each migration takes a while): the API database, then cell0's and
    cell1's mappings in it; and each cell's own database."""
    cell0 = stack.write(stack.etc("nova") / "nova-cell0.conf", {"database": {"connection": stack.db("nova_cell0")}})

    def api() -> None:
        stack.run("nova-api-db-sync", _manage(stack, "api_db", "sync"))
        stack.run("nova-map-cell0", _manage(stack, "cell_v2", "map_cell0", "--database_connection",
                                            stack.db("nova_cell0")))
        stack.run("nova-create-cell1", _manage(stack, "cell_v2", "create_cell", "--name", "cell1"))

    parallel(api,
             lambda: stack.run("nova-db-sync", _manage(stack, "db", "sync", "--local_cell")),
             lambda: stack.run("nova-cell0-db-sync", stack.console(
                 "nova-manage", *_config_args(stack), "--config-file", str(cell0), "db", "sync", "--local_cell")))


def start(stack: Stack) -> None:
    etc = stack.etc("nova")
    conductor = stack.serve("nova-conductor", stack.console("nova-conductor", *_config_args(stack)))
    scheduler = stack.serve("nova-scheduler", stack.console("nova-scheduler", *_config_args(stack)))
    wsgi = launcher.wsgi_file(etc / "nova-api.wsgi", "nova-api-wsgi")
    # Nova's API runs on eventlet, whose hub belongs to one thread: an RPC reply that another uWSGI thread waits
    # for is never read. So several single-threaded processes, as Nova's own deployments run it.
    api = stack.serve("nova-api", launcher.uwsgi(wsgi, stack.ports["nova"], processes=2, threads=1),
                      OS_NOVA_CONFIG_DIR=str(etc), OS_NOVA_CONFIG_FILES="api-paste.ini;nova.conf;nova-db.conf")
    stack.supervisor.wait_http(api, stack.url("nova") + "/v2.1", timeout=180)
    infrastructure.wait_for_rpc(stack, conductor, "conductor")
    infrastructure.wait_for_rpc(stack, scheduler, "scheduler")


def start_computes(stack: Stack) -> None:
    """Start every nova-compute and wait until each has reported its host, then map them into cell1 (the
    scheduler only places servers on hosts a cell maps)."""
    etc = stack.etc("nova")
    services = {host: stack.serve(f"nova-compute-{host}", stack.console(
        "nova-compute", "--config-file", str(etc / "nova.conf"), "--config-file", str(etc / f"compute-{host}.conf")))
        for host, _zone in stack.computes}
    for host, service in services.items():
        stack.supervisor.wait_for(service, lambda host=host: host in _compute_nodes(stack),
                                  f"reporting host {host} to Nova's database", 180)
    stack.run("nova-discover-hosts", _manage(stack, "cell_v2", "discover_hosts", "--verbose"))


def _compute_nodes(stack: Stack) -> set[str]:
    out = subprocess.run(infrastructure.sql(stack, "SELECT host FROM compute_nodes WHERE deleted = 0", "nova"),
                         capture_output=True, text=True).stdout
    return set(out.split())
