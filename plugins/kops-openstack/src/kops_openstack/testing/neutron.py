"""Neutron with ML2: VXLAN project networks, one flat physical network for the external network, routers,
floating IPs and security groups.

No agent runs (they would build bridges and namespaces on the host); instead each compute host has an Open
vSwitch agent row, with the bridge mappings and tunnel types a real agent reports, that stays alive: that is
what the openvswitch mechanism driver needs to bind a port to the host Nova boots a server on."""

from __future__ import annotations

import json

from kops_openstack.testing import infrastructure
from kops_openstack.testing.stack import Stack

#: The physical network the external (provider) network is on.
PHYSNET = "physnet1"
#: An agent row counts as alive for this long after its one heartbeat (ten years).
_AGENT_DOWN_TIME = 10 * 365 * 24 * 3600

_PASTE = """\
[composite:neutron]
use = egg:Paste#urlmap
/: neutronversions_composite
/v2.0: neutronapi_v2_0

[composite:neutronapi_v2_0]
use = call:neutron.auth:pipeline_factory
keystone = http_proxy_to_wsgi request_id catch_errors authtoken keystonecontext extensions neutronapiapp_v2_0

[composite:neutronversions_composite]
use = call:neutron.auth:pipeline_factory
keystone = http_proxy_to_wsgi neutronversions

[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory

[filter:catch_errors]
paste.filter_factory = oslo_middleware:CatchErrors.factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[filter:keystonecontext]
paste.filter_factory = neutron.auth:NeutronKeystoneContext.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:extensions]
paste.filter_factory = neutron.api.extensions:plugin_aware_extension_middleware_factory

[app:neutronversions]
paste.app_factory = neutron.pecan_wsgi.app:versions_factory

[app:neutronapiapp_v2_0]
paste.app_factory = neutron.api.v2.router:APIRouter.factory
"""


def configure(stack: Stack) -> None:
    etc, lib = stack.etc("neutron"), stack.lib("neutron")
    (etc / "api-paste.ini").write_text(_PASTE)
    stack.write(etc / "neutron.conf", {
        "DEFAULT": {**stack.common("neutron"), "bind_host": "127.0.0.1", "bind_port": stack.ports["neutron"],
                    "core_plugin": "ml2", "service_plugins": "router", "auth_strategy": "keystone",
                    "api_paste_config": etc / "api-paste.ini", "api_workers": 1, "rpc_workers": 1,
                    "rpc_state_report_workers": 0, "agent_down_time": _AGENT_DOWN_TIME,
                    "allow_overlapping_ips": True, "notify_nova_on_port_status_changes": True,
                    "notify_nova_on_port_data_changes": True},
        "database": {"connection": stack.db("neutron")},
        "keystone_authtoken": stack.authtoken("neutron"),
        "nova": stack.credentials("neutron"),
        "oslo_concurrency": {"lock_path": lib / "lock"},
    })
    stack.write(etc / "ml2_conf.ini", {
        "ml2": {"type_drivers": "flat,vlan,vxlan", "tenant_network_types": "vxlan",
                "mechanism_drivers": "openvswitch", "extension_drivers": "port_security"},
        "ml2_type_flat": {"flat_networks": PHYSNET},
        "ml2_type_vxlan": {"vni_ranges": "1:10000"},
        "securitygroup": {"enable_security_group": True, "firewall_driver": "openvswitch"},
    })


def _config_args(stack: Stack) -> list[str]:
    etc = stack.etc("neutron")
    return ["--config-file", str(etc / "neutron.conf"), "--config-file", str(etc / "ml2_conf.ini")]


def sync(stack: Stack) -> None:
    stack.run("neutron-db-sync", stack.console("neutron-db-manage", *_config_args(stack), "upgrade", "heads"))
    register_agents(stack)


def register_agents(stack: Stack) -> None:
    """One Open vSwitch agent row per compute host, as the agent's first report would write it."""
    configurations = json.dumps({"bridge_mappings": {PHYSNET: "br-ex"}, "tunnel_types": ["vxlan"],
                                 "integration_bridge": "br-int", "datapath_type": "system",
                                 "ovs_hybrid_plug": False, "l2_population": False, "devices": 0})
    rows = ",".join(
        f"(UUID(), 'Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A', '{host}', 1, UTC_TIMESTAMP(),"
        f" UTC_TIMESTAMP(), UTC_TIMESTAMP(), '{configurations}', 0, 1)" for host, _zone in stack.computes)
    stack.run("neutron-agents", infrastructure.sql(
        stack, "INSERT INTO agents (id, agent_type, `binary`, topic, host, admin_state_up, created_at, started_at,"
               f" heartbeat_timestamp, configurations, `load`, resources_synced) VALUES {rows}", "neutron"))


def start(stack: Stack) -> None:
    service = stack.serve("neutron-server", stack.console("neutron-server", *_config_args(stack)))
    stack.supervisor.wait_http(service, stack.url("neutron") + "/", timeout=180)
    infrastructure.wait_for_rpc(stack, service, "q-plugin")
