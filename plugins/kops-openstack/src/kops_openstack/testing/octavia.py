"""Octavia: its API (uWSGI) and controller worker with the no-op amphora, compute and network drivers, so a load
balancer goes through the real API, database and provisioning flows to ACTIVE without booting an amphora.
The health manager and housekeeping do not run: with no amphora sending heartbeats they would fail every
load balancer over."""

from __future__ import annotations

import secrets

from kops_openstack.testing import infrastructure, launcher
from kops_openstack.testing.certificates import write_octavia_pki
from kops_openstack.testing.stack import Stack


def configure(stack: Stack) -> None:
    etc, lib = stack.etc("octavia"), stack.lib("octavia")
    ca_passphrase = secrets.token_hex(16)
    pki = write_octavia_pki(stack.lib("octavia-pki"), ca_passphrase)
    stack.write(etc / "octavia.conf", {
        "DEFAULT": {**stack.common("octavia")},
        "api_settings": {"bind_host": "127.0.0.1", "bind_port": stack.ports["octavia"], "auth_strategy": "keystone",
                         "default_provider_driver": "amphora"},
        "database": {"connection": stack.db("octavia")},
        "keystone_authtoken": stack.authtoken("octavia"),
        "service_auth": stack.credentials("octavia"),
        "oslo_messaging": {"topic": "octavia_prov"},
        "controller_worker": {"amphora_driver": "amphora_noop_driver", "compute_driver": "compute_noop_driver",
                              "network_driver": "network_noop_driver", "image_driver": "image_noop_driver",
                              "volume_driver": "volume_noop_driver", "loadbalancer_topology": "SINGLE",
                              "workers": 1, "client_ca": pki["ca"], "amp_flavor_id": "testbed-amphora",
                              "amp_image_tag": "amphora", "amp_boot_network_list": "testbed-lb-mgmt"},
        "certificates": {"cert_generator": "local_cert_generator", "ca_certificate": pki["ca"],
                         "ca_private_key": pki["ca_key"], "ca_private_key_passphrase": ca_passphrase,
                         # Fernet's key: 32 URL-safe base64 characters.
                         "server_certs_key_passphrase": secrets.token_hex(16)},
        "haproxy_amphora": {"client_cert": pki["client"], "server_ca": pki["ca"]},
        "health_manager": {"heartbeat_key": secrets.token_hex(16)},
        "task_flow": {"jobboard_enabled": False},
        "oslo_concurrency": {"lock_path": lib / "lock"},
    })


def _conf(stack: Stack) -> str:
    return str(stack.etc("octavia") / "octavia.conf")


def sync(stack: Stack) -> None:
    stack.run("octavia-db-sync", stack.console("octavia-db-manage", "--config-file", _conf(stack),
                                                  "upgrade", "head"))


def start(stack: Stack) -> None:
    conf = _conf(stack)
    worker = stack.serve("octavia-worker", stack.console("octavia-worker", "--config-file", conf))
    wsgi = launcher.wsgi_file(stack.etc("octavia") / "octavia-api.wsgi", "octavia-wsgi",
                              argv=["octavia-api", "--config-file", conf])
    api = stack.serve("octavia-api", launcher.uwsgi(wsgi, stack.ports["octavia"]))
    stack.supervisor.wait_http(api, stack.url("octavia") + "/", timeout=180)
    # The amphora provider casts to the controller worker on this topic.
    infrastructure.wait_for_rpc(stack, worker, "octavia_provisioning_v2")
