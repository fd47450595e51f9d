"""Swift: a proxy checking Keystone tokens and one account, container and object server, each ring a single
device in the testbed's folder. The servers run as root (they refuse to run as anyone but the user their
configuration names, and that is the user who started them here)."""

from __future__ import annotations

import secrets

from kops_openstack.testing.processes import listening
from kops_openstack.testing.stack import Stack

SERVERS = ("account", "container", "object")
#: The device every ring's one entry names, a folder under ``devices``.
DEVICE = "d1"

_BUILD_RINGS = """\
import sys
from swift.common.ring import RingBuilder
swift_dir = sys.argv[1]
for spec in sys.argv[2:]:
    kind, port = spec.split("=")
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port), "device": "d1",
                     "weight": 100, "replication_ip": "127.0.0.1", "replication_port": int(port)})
    builder.rebalance()
    builder.save(f"{swift_dir}/{kind}.builder")
    builder.get_ring().save(f"{swift_dir}/{kind}.ring.gz")
"""

# swift.conf is read from the swift_dir a server's configuration names only once the server has read that
# configuration, and /etc/swift first: point Swift at the testbed's folder before anything reads it.
_RUN_SERVER = """\
import sys
from swift.common import utils
utils.set_swift_dir(sys.argv[1])
from swift.common.wsgi import run_wsgi
sys.exit(run_wsgi(sys.argv[2], sys.argv[3], verbose=True))
"""


def configure(stack: Stack) -> None:
    etc, lib = stack.etc("swift"), stack.lib("swift")
    (lib / "devices" / DEVICE).mkdir(parents=True, exist_ok=True)
    stack.write(etc / "swift.conf", {
        "swift-hash": {"swift_hash_path_suffix": secrets.token_hex(8), "swift_hash_path_prefix": secrets.token_hex(8)},
        "storage-policy:0": {"name": "Policy-0", "default": "yes"},
    })
    common = {"user": "root", "swift_dir": etc, "devices": lib / "devices", "mount_check": False, "workers": 0,
              "bind_ip": "127.0.0.1", "log_level": "WARNING"}
    for kind in SERVERS:
        stack.write(etc / f"{kind}-server.conf", {
            "DEFAULT": {**common, "bind_port": stack.ports[f"swift-{kind}"]},
            "pipeline:main": {"pipeline": f"{kind}-server"},
            f"app:{kind}-server": {"use": f"egg:swift#{kind}"},
        })
    stack.write(etc / "proxy-server.conf", {
        "DEFAULT": {"user": "root", "swift_dir": etc, "workers": 0, "bind_ip": "127.0.0.1",
                    "bind_port": stack.ports["swift"], "log_level": "WARNING"},
        "pipeline:main": {"pipeline": "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk "
                                      "authtoken keystoneauth copy slo dlo versioned_writes symlink proxy-logging "
                                      "proxy-server"},
        "app:proxy-server": {"use": "egg:swift#proxy", "account_autocreate": True},
        "filter:catch_errors": {"use": "egg:swift#catch_errors"},
        "filter:gatekeeper": {"use": "egg:swift#gatekeeper"},
        "filter:healthcheck": {"use": "egg:swift#healthcheck"},
        "filter:proxy-logging": {"use": "egg:swift#proxy_logging"},
        "filter:cache": {"use": "egg:swift#memcache", "memcache_servers": stack.memcached},
        "filter:listing_formats": {"use": "egg:swift#listing_formats"},
        "filter:bulk": {"use": "egg:swift#bulk"},
        "filter:authtoken": {"paste.filter_factory": "keystonemiddleware.auth_token:filter_factory",
                             "delay_auth_decision": True, **stack.authtoken("swift")},
        "filter:keystoneauth": {"use": "egg:swift#keystoneauth", "operator_roles": "admin,member"},
        "filter:copy": {"use": "egg:swift#copy"},
        "filter:slo": {"use": "egg:swift#slo"},
        "filter:dlo": {"use": "egg:swift#dlo"},
        "filter:versioned_writes": {"use": "egg:swift#versioned_writes"},
        "filter:symlink": {"use": "egg:swift#symlink"},
    })


def build_rings(stack: Stack) -> None:
    stack.run("swift-rings", stack.script("swift-ring-builder", _BUILD_RINGS, str(stack.etc("swift")),
                                             *(f"{k}={stack.ports[f'swift-{k}']}" for k in SERVERS)))


def start(stack: Stack) -> None:
    etc = stack.etc("swift")
    servers = {kind: stack.serve(f"swift-{kind}", stack.script(f"swift-{kind}-server", _RUN_SERVER, str(etc),
                                                               str(etc / f"{kind}-server.conf"), f"{kind}-server"))
               for kind in SERVERS}
    proxy = stack.serve("swift-proxy", stack.script("swift-proxy-server", _RUN_SERVER, str(etc),
                                                    str(etc / "proxy-server.conf"), "proxy-server"))
    for kind, server in servers.items():
        port = stack.ports[f"swift-{kind}"]
        stack.supervisor.wait_for(server, lambda port=port: listening(port), f"listening on port {port}", 120)
    stack.supervisor.wait_http(proxy, stack.url("swift") + "/healthcheck", timeout=120)
