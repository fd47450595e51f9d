"""Cinder: API, scheduler and one volume service with a backend per availability zone, each backend the fake
driver Debian ships with Cinder (``cinder.tests.fake_driver``), which keeps volumes as database rows only."""

from __future__ import annotations

import json

from kops_openstack.testing import infrastructure
from kops_openstack.testing.keystone import admin_connection
from kops_openstack.testing.stack import CONTROLLER, Stack

FAKE_DRIVER = "cinder.tests.fake_driver.FakeLoggingVolumeDriver"

_PASTE = """\
[composite:osapi_volume]
use = call:cinder.api:root_app_factory
/: apiversions
/v3: openstack_volume_api_v3

[composite:openstack_volume_api_v3]
use = call:cinder.api.middleware.auth:pipeline_factory
keystone = http_proxy_to_wsgi request_id faultwrap sizelimit authtoken keystonecontext apiv3

[filter:request_id]
paste.filter_factory = oslo_middleware.request_id:RequestId.factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[filter:faultwrap]
paste.filter_factory = cinder.api.middleware.fault:FaultWrapper.factory

[filter:sizelimit]
paste.filter_factory = oslo_middleware.sizelimit:RequestBodySizeLimiter.factory

[app:apiv3]
paste.app_factory = cinder.api.v3.router:APIRouter.factory

[pipeline:apiversions]
pipeline = http_proxy_to_wsgi faultwrap osvolumeversionapp

[app:osvolumeversionapp]
paste.app_factory = cinder.api.versions:Versions.factory

[filter:keystonecontext]
paste.filter_factory = cinder.api.middleware.auth:CinderKeystoneContext.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
"""


#: The filters each list query may use (Cinder refuses any other, and all of them without this file), as a
#: deployment configures them.
RESOURCE_FILTERS = {
    "volume": ["name", "status", "metadata", "bootable", "migration_status", "availability_zone", "group_id",
               "size", "created_at", "updated_at"],
    "backup": ["name", "status", "volume_id"],
    "snapshot": ["name", "status", "volume_id", "metadata", "availability_zone"],
    "group": [],
    "group_snapshot": ["status", "group_id"],
    "attachment": ["volume_id", "status", "instance_id", "attach_status"],
    "message": ["resource_uuid", "resource_type", "event_id", "request_id", "message_level"],
    "pool": ["name", "volume_type"],
    "volume_type": ["is_public"],
}


def backend(zone: str) -> str:
    return f"fake-{zone}"


def configure(stack: Stack) -> None:
    etc, lib = stack.etc("cinder"), stack.lib("cinder")
    (etc / "api-paste.ini").write_text(_PASTE)
    (etc / "resource_filters.json").write_text(json.dumps(RESOURCE_FILTERS, indent=1))
    zones = _zones(stack)
    sections: dict = {
        "DEFAULT": {**stack.common("cinder"), "osapi_volume_listen": "127.0.0.1",
                    "osapi_volume_listen_port": stack.ports["cinder"], "osapi_volume_workers": 1,
                    "auth_strategy": "keystone", "api_paste_config": etc / "api-paste.ini",
                    "enabled_backends": ",".join(backend(z) for z in zones), "storage_availability_zone": zones[0],
                    "default_availability_zone": zones[0], "volumes_dir": lib / "volumes",
                    "resource_query_filters_file": etc / "resource_filters.json"},
        "database": {"connection": stack.db("cinder")},
        "keystone_authtoken": stack.authtoken("cinder"),
        "nova": stack.credentials("cinder"),
        "oslo_concurrency": {"lock_path": lib / "lock"},
    }
    for zone in zones:
        sections[backend(zone)] = {"volume_driver": FAKE_DRIVER, "volume_backend_name": backend(zone),
                                   "target_helper": "fake", "backend_availability_zone": zone}
    stack.write(etc / "cinder.conf", sections)


def _zones(stack: Stack) -> list[str]:
    return sorted({zone for _host, zone in stack.computes})


def _conf(stack: Stack) -> str:
    return str(stack.etc("cinder") / "cinder.conf")


def sync(stack: Stack) -> None:
    stack.run("cinder-db-sync", stack.console("cinder-manage", "--config-file", _conf(stack), "db", "sync"))


def start(stack: Stack) -> None:
    conf = _conf(stack)
    scheduler = stack.serve("cinder-scheduler", stack.console("cinder-scheduler", "--config-file", conf))
    volume = stack.serve("cinder-volume", stack.console("cinder-volume", "--config-file", conf))
    api = stack.serve("cinder-api", stack.console("cinder-api", "--config-file", conf))
    stack.supervisor.wait_http(api, stack.url("cinder") + "/", timeout=180)
    infrastructure.wait_for_rpc(stack, scheduler, "cinder-scheduler")
    backends = [backend(zone) for zone in _zones(stack)]
    infrastructure.wait_for_rpc(stack, volume, *(f"cinder-volume.{CONTROLLER}@{b}" for b in backends))
    # The scheduler places a volume only on a backend whose capabilities it has heard.
    admin = admin_connection(stack)
    stack.supervisor.wait_for(scheduler, lambda: len(list(admin.block_storage.backend_pools())) == len(backends),
                              "knowing every volume backend's pool", 120)
