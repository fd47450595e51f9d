"""What a cloud's operator provides before a user arrives: a project and user for kops, availability zones,
flavors, an image, an external network, and the state store's container."""

from __future__ import annotations

from kops_openstack.testing.keystone import admin_connection
from kops_openstack.testing.neutron import PHYSNET
from kops_openstack.testing.stack import REGION, Stack

PROJECT = USER = "kops"
#: The roles a cloud gives its users: ``member`` (``reader`` comes with it) and Octavia's own.
USER_ROLES = ("member", "load-balancer_member")
#: OpenStack's stock sizes ``(vCPUs, MiB, GB)``: kops' defaults name them (m1.medium for the control plane and
#: nodes, m1.small for bastions).
FLAVORS = {"m1.medium": (2, 4096, 40), "m1.small": (1, 2048, 20)}
FLAVOR, FLAVOR_ALT = "m1.medium", "m1.small"
IMAGE = "ubuntu-22.04"
EXTERNAL_NETWORK = "external"
#: Floating IPs come from a documentation range (RFC 5737): addresses that mean nothing anywhere else.
EXTERNAL_CIDR = "203.0.113.0/24"
CONTAINER = "kops-state"


def seed(stack: Stack) -> dict[str, str]:
    """Seed the cloud; return the names kops' tests need, as ``KOPS_OS_*`` variables, and the state store."""
    conn = admin_connection(stack)
    _user(stack, conn)
    zones = _zones(stack, conn)
    for name, (vcpus, ram, disk) in FLAVORS.items():
        conn.compute.create_flavor(name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True)
    # The fake virt driver boots nothing, so the image's bytes are never read: a small raw disk of zeros.
    conn.image.create_image(name=IMAGE, disk_format="raw", container_format="bare", visibility="public",
                            data=b"\0" * 65536, os_distro="ubuntu", os_version="22.04")
    network = conn.network.create_network(name=EXTERNAL_NETWORK, is_router_external=True,
                                          provider_network_type="flat", provider_physical_network=PHYSNET)
    conn.network.create_subnet(name=f"{EXTERNAL_NETWORK}-subnet", network_id=network.id, ip_version=4,
                               cidr=EXTERNAL_CIDR, gateway_ip="203.0.113.1", is_dhcp_enabled=False,
                               allocation_pools=[{"start": "203.0.113.10", "end": "203.0.113.250"}])
    user_connection(stack).object_store.create_container(name=CONTAINER)
    return {"KOPS_OS_IMAGE": IMAGE, "KOPS_OS_FLAVOR": FLAVOR, "KOPS_OS_FLAVOR_ALT": FLAVOR_ALT,
            "KOPS_OS_EXT_NET": EXTERNAL_NETWORK, "KOPS_OS_ZONES": ",".join(zones),
            "KOPS_STATE_STORE": f"swift://{CONTAINER}"}


def _user(stack: Stack, conn) -> None:
    identity = conn.identity
    project = identity.create_project(name=PROJECT, domain_id="default", description="kops' tests")
    user = identity.create_user(name=USER, password=stack.password, domain_id="default",
                                default_project_id=project.id)
    roles = {role.name: role for role in identity.roles()}
    for name in USER_ROLES:
        role = roles.get(name) or identity.create_role(name=name)
        identity.assign_project_role_to_user(project, user, role)
    # Room for a few clusters at once (the stock quotas allow ten security groups per project; a cluster uses
    # several, and tests run clusters side by side).
    conn.set_compute_quotas(project.id, instances=100, cores=400, ram=409600, server_groups=100,
                            server_group_members=100)
    conn.set_network_quotas(project.id, network=100, subnet=100, port=1000, router=50, floatingip=100,
                            security_group=200, security_group_rule=2000)
    conn.set_volume_quotas(project.id, volumes=200, gigabytes=10000, snapshots=200)


def _zones(stack: Stack, conn) -> list[str]:
    """An aggregate per zone, holding that zone's compute hosts: Nova's availability zones."""
    zones: dict[str, list[str]] = {}
    for host, zone in stack.computes:
        zones.setdefault(zone, []).append(host)
    for zone, hosts in zones.items():
        aggregate = conn.compute.create_aggregate(name=zone, availability_zone=zone)
        for host in hosts:
            conn.compute.add_host_to_aggregate(aggregate, host)
    return list(zones)


def environment(stack: Stack) -> dict[str, str]:
    """The ``OS_*`` variables openstacksdk, the ``openstack`` client and kops read, for the kops user: a member
    of its project, as a cloud's users are. (Keystone's ``admin``, in project ``admin``, has the same password,
    for a test that must look behind a user's back.)"""
    return {"OS_AUTH_URL": stack.auth_url, "OS_AUTH_TYPE": "password", "OS_USERNAME": USER,
            "OS_PASSWORD": stack.password, "OS_PROJECT_NAME": PROJECT, "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default", "OS_REGION_NAME": REGION, "OS_IDENTITY_API_VERSION": "3",
            "OS_INTERFACE": "public"}


def user_connection(stack: Stack):
    import openstack

    env = environment(stack)
    return openstack.connect(auth_url=env["OS_AUTH_URL"], username=USER, password=stack.password,
                             project_name=PROJECT, user_domain_name="Default", project_domain_name="Default",
                             region_name=REGION, identity_api_version="3", load_yaml_config=False,
                             load_envvars=False)
