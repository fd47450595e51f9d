"""Glance, the image service, storing images as files in the testbed's folder."""

from __future__ import annotations

from kops_openstack.testing.stack import Stack

_PASTE = """\
[pipeline:glance-api-keystone]
pipeline = healthcheck http_proxy_to_wsgi versionnegotiation authtoken context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:healthcheck]
paste.filter_factory = oslo_middleware:Healthcheck.factory
backends = disable_by_file
disable_by_file_path = /nonexistent

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true
"""


def configure(stack: Stack) -> None:
    etc, lib = stack.etc("glance"), stack.lib("glance")
    (etc / "glance-api-paste.ini").write_text(_PASTE)
    stack.write(etc / "glance-api.conf", {
        "DEFAULT": {**stack.common("glance"), "bind_host": "127.0.0.1", "bind_port": stack.ports["glance"],
                    "workers": 1, "enabled_backends": "local:file", "image_cache_dir": lib / "cache"},
        "database": {"connection": stack.db("glance")},
        "keystone_authtoken": stack.authtoken("glance"),
        "paste_deploy": {"flavor": "keystone", "config_file": etc / "glance-api-paste.ini"},
        "glance_store": {"default_backend": "local"},
        "local": {"filesystem_store_datadir": lib / "images"},
        "os_glance_staging_store": {"filesystem_store_datadir": lib / "staging"},
        "os_glance_tasks_store": {"filesystem_store_datadir": lib / "tasks"},
        "oslo_concurrency": {"lock_path": lib / "lock"},
    })


def sync(stack: Stack) -> None:
    stack.run("glance-db-sync", stack.console("glance-manage", "--config-file",
                                                 str(stack.etc("glance") / "glance-api.conf"), "db_sync"))


def start(stack: Stack) -> None:
    service = stack.serve("glance-api", stack.console("glance-api", "--config-file",
                                                          str(stack.etc("glance") / "glance-api.conf")))
    stack.supervisor.wait_http(service, stack.url("glance") + "/", timeout=120)
