"""The OpenStack testbed, used as kops will use it: through openstacksdk, with nothing but the environment the
testbed hands out, a cluster's resources are made, used and deleted in real OpenStack services.

These tests start the testbed (minutes), so they run only with ``KOPS_TESTBEDS=openstack``."""

from __future__ import annotations

import base64
import os
import shlex
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from kops.testing.cli import isolated_env
from kops.testing.testbed import TESTBEDS_VARIABLE, enabled, environment
from kops_openstack.testing.processes import listening


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return environment("openstack")


@pytest.fixture
def conn(env, monkeypatch):
    """openstacksdk configured from the testbed's environment alone, as a shell that sourced it would be."""
    import openstack

    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml")
    connection = openstack.connect()
    yield connection
    connection.close()


@pytest.fixture
def name() -> str:
    return f"kops-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def cleanup() -> Iterator[Callable[[Callable[[], object]], None]]:
    """``cleanup(fn)``: run ``fn`` after the test, newest first, even when it failed; a resource the test already
    deleted is no error."""
    from openstack.exceptions import NotFoundException

    steps: list[Callable[[], object]] = []
    yield steps.append
    for step in reversed(steps):
        try:
            step()
        except NotFoundException:
            pass


def _assert_gone(get, resource) -> None:
    from openstack.exceptions import NotFoundException

    with pytest.raises(NotFoundException):
        get(resource.id)


def _network(conn, name: str, cidr: str, cleanup):
    network = conn.network.create_network(name=name)
    cleanup(lambda: conn.network.delete_network(network))
    subnet = conn.network.create_subnet(name=name, network_id=network.id, ip_version=4, cidr=cidr)
    cleanup(lambda: conn.network.delete_subnet(subnet))
    return network, subnet


def test_the_environment_names_what_the_testbed_seeded(env, conn):
    assert env["OS_AUTH_URL"].startswith("http://127.0.0.1:")
    medium, small = (conn.compute.find_flavor(env[v], ignore_missing=False)
                     for v in ("KOPS_OS_FLAVOR", "KOPS_OS_FLAVOR_ALT"))
    assert (medium.vcpus, medium.ram) == (2, 4096) and (small.vcpus, small.ram) == (1, 2048)
    assert conn.image.find_image(env["KOPS_OS_IMAGE"], ignore_missing=False).status == "active"
    assert conn.network.find_network(env["KOPS_OS_EXT_NET"], ignore_missing=False).is_router_external
    zones = env["KOPS_OS_ZONES"].split(",")
    assert len(zones) >= 2
    assert {z.name for z in conn.compute.availability_zones()} == set(zones)
    assert {z.name for z in conn.block_storage.availability_zones()} == set(zones)
    scheme, _, container = env["KOPS_STATE_STORE"].partition("://")
    assert scheme == "swift" and conn.object_store.get_container_metadata(container)


def test_a_server_boots_on_a_routed_network_with_a_floating_ip_and_a_volume(env, conn, name, cleanup):
    network, subnet = _network(conn, name, "10.20.0.0/24", cleanup)
    ext = conn.network.find_network(env["KOPS_OS_EXT_NET"], ignore_missing=False)
    router = conn.network.create_router(name=name, external_gateway_info={"network_id": ext.id})
    cleanup(lambda: conn.network.delete_router(router))
    conn.network.add_interface_to_router(router, subnet.id)
    cleanup(lambda: conn.network.remove_interface_from_router(router, subnet.id))
    assert conn.network.get_router(router.id).external_gateway_info["network_id"] == ext.id

    group = conn.network.create_security_group(name=name, description="kops test")
    cleanup(lambda: conn.network.delete_security_group(group))
    conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress", ethertype="IPv4",
                                            protocol="tcp", port_range_min=22, port_range_max=22,
                                            remote_ip_prefix="0.0.0.0/0")
    conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress", ethertype="IPv4",
                                            protocol="tcp", port_range_min=443, port_range_max=443,
                                            remote_group_id=group.id)
    assert len([r for r in conn.network.security_group_rules(security_group_id=group.id)
                if r.direction == "ingress"]) == 2

    port = conn.network.create_port(name=name, network_id=network.id, security_group_ids=[group.id])
    cleanup(lambda: conn.network.delete_port(port))
    server_group = conn.compute.create_server_group(name=name, policy="anti-affinity")
    cleanup(lambda: conn.compute.delete_server_group(server_group))

    image = conn.image.find_image(env["KOPS_OS_IMAGE"], ignore_missing=False)
    flavor = conn.compute.find_flavor(env["KOPS_OS_FLAVOR"], ignore_missing=False)
    zone = env["KOPS_OS_ZONES"].split(",")[0]
    metadata = {"KopsInstanceGroup": "nodes", "KopsRole": "Node", "k8s": "test.example.com"}
    server = conn.compute.create_server(
        name=name, image_id=image.id, flavor_id=flavor.id, networks=[{"port": port.id}], availability_zone=zone,
        user_data=base64.b64encode(b"#!/bin/sh\necho booted\n").decode(), metadata=metadata,
        scheduler_hints={"group": server_group.id})
    cleanup(lambda: conn.compute.wait_for_delete(server, wait=120))
    cleanup(lambda: conn.compute.delete_server(server))
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=180)
    assert server.metadata == metadata
    assert server.availability_zone == zone
    assert server.id in conn.compute.get_server_group(server_group.id).member_ids
    port = conn.network.get_port(port.id)
    assert port.device_id == server.id
    fixed_ip = port.fixed_ips[0]["ip_address"]

    floating = conn.network.create_ip(floating_network_id=ext.id, port_id=port.id)
    cleanup(lambda: conn.network.delete_ip(floating))
    assert floating.fixed_ip_address == fixed_ip
    assert conn.network.get_ip(floating.id).port_id == port.id

    volume = conn.block_storage.create_volume(name=name, size=1, availability_zone=zone)
    cleanup(lambda: conn.block_storage.delete_volume(volume))
    volume = conn.block_storage.wait_for_status(volume, "available", wait=120)
    attachment = conn.compute.create_volume_attachment(server, volume)
    assert attachment.volume_id == volume.id
    volume = conn.block_storage.wait_for_status(volume, "in-use", wait=120)
    assert [a["server_id"] for a in volume.attachments] == [server.id]
    conn.compute.delete_volume_attachment(server, volume)
    volume = conn.block_storage.wait_for_status(volume, "available", wait=120)
    assert volume.attachments == []

    conn.network.delete_ip(floating)
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=120)
    conn.block_storage.delete_volume(volume)
    conn.block_storage.wait_for_delete(volume, wait=120)
    conn.compute.delete_server_group(server_group)
    conn.network.delete_port(port)
    conn.network.remove_interface_from_router(router, subnet.id)
    conn.network.delete_router(router)
    conn.network.delete_security_group(group)
    conn.network.delete_subnet(subnet)
    conn.network.delete_network(network)

    for get, resource in ((conn.compute.get_server, server), (conn.block_storage.get_volume, volume),
                          (conn.network.get_ip, floating), (conn.compute.get_server_group, server_group),
                          (conn.network.get_port, port), (conn.network.get_router, router),
                          (conn.network.get_security_group, group), (conn.network.get_subnet, subnet),
                          (conn.network.get_network, network)):
        _assert_gone(get, resource)


def test_each_zone_holds_two_hosts_for_an_anti_affinity_group(env, conn, name, cleanup):
    """kops puts each instance group's servers in an anti-affinity server group: two fit in a zone, a third
    is refused by the scheduler as a real cloud with two hosts there would refuse it."""
    network, _subnet = _network(conn, name, "10.21.0.0/24", cleanup)
    group = conn.compute.create_server_group(name=name, policy="anti-affinity")
    cleanup(lambda: conn.compute.delete_server_group(group))
    image = conn.image.find_image(env["KOPS_OS_IMAGE"], ignore_missing=False)
    flavor = conn.compute.find_flavor(env["KOPS_OS_FLAVOR_ALT"], ignore_missing=False)
    zone = env["KOPS_OS_ZONES"].split(",")[-1]
    servers = []
    for i in range(3):
        server = conn.compute.create_server(name=f"{name}-{i}", image_id=image.id, flavor_id=flavor.id,
                                            networks=[{"uuid": network.id}], availability_zone=zone,
                                            scheduler_hints={"group": group.id})
        cleanup(lambda server=server: conn.compute.wait_for_delete(server, wait=120))
        cleanup(lambda server=server: conn.compute.delete_server(server))
        servers.append(conn.compute.wait_for_server(server, status="ACTIVE" if i < 2 else "ERROR",
                                                    failures=[] if i < 2 else ["ACTIVE"], wait=180))
    first, second, third = servers
    assert first.host_id != second.host_id
    assert "No valid host" in third.fault["message"]


def test_nova_refuses_a_metadata_key_a_cloud_refuses(env, conn, name, cleanup):
    from openstack.exceptions import BadRequestException

    image = conn.image.find_image(env["KOPS_OS_IMAGE"], ignore_missing=False)
    flavor = conn.compute.find_flavor(env["KOPS_OS_FLAVOR_ALT"], ignore_missing=False)
    ext = conn.network.find_network(env["KOPS_OS_EXT_NET"], ignore_missing=False)
    with pytest.raises(BadRequestException, match="metadata"):
        server = conn.compute.create_server(name=name, image_id=image.id, flavor_id=flavor.id,
                                            networks=[{"uuid": ext.id}], metadata={"kops.k8s.io/instancegroup": "x"})
        cleanup(lambda: conn.compute.delete_server(server))


def test_a_load_balancer_with_listener_pool_member_and_monitor_reaches_active(env, conn, name, cleanup):
    _network_, subnet = _network(conn, name, "10.22.0.0/24", cleanup)
    lbaas = conn.load_balancer
    lb = lbaas.create_load_balancer(name=name, vip_subnet_id=subnet.id)
    cleanup(lambda: lbaas.delete_load_balancer(lb, cascade=True))
    lb = lbaas.wait_for_load_balancer(lb.id, status="ACTIVE", failures=["ERROR"], wait=180)
    listener = lbaas.create_listener(name=name, loadbalancer_id=lb.id, protocol="TCP", protocol_port=443)
    lbaas.wait_for_load_balancer(lb.id, status="ACTIVE", failures=["ERROR"], wait=180)
    pool = lbaas.create_pool(name=name, listener_id=listener.id, protocol="TCP", lb_algorithm="ROUND_ROBIN")
    lbaas.wait_for_load_balancer(lb.id, status="ACTIVE", failures=["ERROR"], wait=180)
    member = lbaas.create_member(pool, name=name, address="10.22.0.10", protocol_port=443, subnet_id=subnet.id)
    lbaas.wait_for_load_balancer(lb.id, status="ACTIVE", failures=["ERROR"], wait=180)
    monitor = lbaas.create_health_monitor(pool_id=pool.id, type="TCP", delay=10, timeout=5, max_retries=3)
    lb = lbaas.wait_for_load_balancer(lb.id, status="ACTIVE", failures=["ERROR"], wait=180)
    assert lb.vip_address and lb.operating_status
    assert lbaas.get_listener(listener.id).provisioning_status == "ACTIVE"
    assert lbaas.get_pool(pool.id).provisioning_status == "ACTIVE"
    assert lbaas.get_member(member.id, pool.id).address == "10.22.0.10"
    assert lbaas.get_health_monitor(monitor.id).provisioning_status == "ACTIVE"

    lbaas.delete_load_balancer(lb, cascade=True)
    lbaas.wait_for_delete(lb, wait=180)
    for get, resource in ((lbaas.get_load_balancer, lb), (lbaas.get_listener, listener), (lbaas.get_pool, pool),
                          (lbaas.get_health_monitor, monitor)):
        _assert_gone(get, resource)


def test_the_state_store_container_keeps_objects(env, conn, name, cleanup):
    container = env["KOPS_STATE_STORE"].removeprefix("swift://")
    path = f"{name}/config"
    body = b"apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\n"
    conn.object_store.upload_object(container=container, name=path, data=body)
    cleanup(lambda: conn.object_store.delete_object(path, container=container))
    assert conn.object_store.download_object(path, container=container) == body
    assert path in [o.name for o in conn.object_store.objects(container, prefix=name)]
    conn.object_store.delete_object(path, container=container)
    assert [o.name for o in conn.object_store.objects(container, prefix=name)] == []


def test_python_m_kops_testing_testbed_openstack_prints_the_environment_then_stops_everything(tmp_path):
    """The command a developer runs: a stack of its own (beside the one the other tests share, on ports of its
    own), its ``export`` lines and ``ready``; Ctrl-C stops it and nothing it started still answers."""
    if not enabled("openstack"):
        pytest.skip(f"the openstack testbed takes minutes to start: set {TESTBEDS_VARIABLE}=openstack")
    import openstack

    proc = subprocess.Popen([sys.executable, "-m", "kops.testing.testbed", "openstack"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=isolated_env(tmp_path))
    try:
        env: dict[str, str] = {}
        for line in proc.stdout:
            if line.strip() == "ready":
                break
            assert line.startswith("export "), line
            key, _, value = line[len("export "):].rstrip("\n").partition("=")
            env[key] = shlex.split(value)[0]
        else:
            raise AssertionError(f"no 'ready' line: {proc.stderr.read()}")
        assert {"OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_USER_DOMAIN_NAME",
                "OS_PROJECT_DOMAIN_NAME", "OS_REGION_NAME", "OS_IDENTITY_API_VERSION", "KOPS_OS_IMAGE",
                "KOPS_OS_FLAVOR", "KOPS_OS_FLAVOR_ALT", "KOPS_OS_EXT_NET", "KOPS_OS_ZONES",
                "KOPS_STATE_STORE"} <= set(env)
        conn = openstack.connect(auth_url=env["OS_AUTH_URL"], username=env["OS_USERNAME"],
                                 password=env["OS_PASSWORD"], project_name=env["OS_PROJECT_NAME"],
                                 user_domain_name=env["OS_USER_DOMAIN_NAME"],
                                 project_domain_name=env["OS_PROJECT_DOMAIN_NAME"], region_name=env["OS_REGION_NAME"],
                                 load_yaml_config=False, load_envvars=False)
        assert conn.compute.find_flavor(env["KOPS_OS_FLAVOR"], ignore_missing=False)
        ports = {urlsplit(endpoint["url"]).port for service in conn.service_catalog
                 for endpoint in service["endpoints"]}
        conn.close()
        assert len(ports) == 8  # Keystone, Glance, Placement, Nova, Neutron, Cinder, Octavia, Swift
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 0
    assert [port for port in ports if listening(port)] == []
