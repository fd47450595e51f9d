"""Keystone, the identity service every other one checks tokens with: configured, bootstrapped with an admin,
served by uWSGI, then given the catalog (each service's user, service entry and endpoints)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from kops_openstack.testing import launcher
from kops_openstack.testing.stack import ENDPOINTS, REGION, SERVICE_PROJECT, Stack

#: The roles a service's user holds in the service project. ``service`` marks its tokens as a service's: Cinder
#: accepts a detach for an instance only with one, and Nova sends one when asked to.
SERVICE_ROLES = ("admin", "service")
#: Projects whose users act for another service (they get users in the service project too).
SERVICE_USERS = ("glance", "placement", "nova", "neutron", "cinder", "octavia", "swift")


def configure(stack: Stack) -> None:
    lib = stack.lib("keystone")
    stack.write(stack.etc("keystone") / "keystone.conf", {
        "DEFAULT": {"debug": False, "use_stderr": True},
        "database": {"connection": stack.db("keystone")},
        "token": {"provider": "fernet"},
        "fernet_tokens": {"key_repository": lib / "fernet-keys"},
        "fernet_receipts": {"key_repository": lib / "fernet-keys"},
        "credential": {"key_repository": lib / "credential-keys"},
        "cache": {"enabled": True, "backend": "dogpile.cache.pymemcache", "memcache_servers": stack.memcached},
    })


def _key_repository(path: Path) -> None:
    """What ``keystone-manage fernet_setup`` (or ``credential_setup``) writes: a primary key (the highest
    number) and a staged one (0), each 32 random bytes in URL-safe base64, readable by Keystone alone."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for index in (0, 1):
        key = path / str(index)
        key.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
        key.chmod(0o600)


def _manage(stack: Stack, *args: str) -> list[str]:
    return stack.console("keystone-manage", "--config-file", str(stack.etc("keystone") / "keystone.conf"), *args)


def sync(stack: Stack) -> None:
    stack.run("keystone-db-sync", _manage(stack, "db_sync"))
    for repo in ("fernet-keys", "credential-keys"):
        _key_repository(stack.lib("keystone") / repo)
    url = stack.auth_url
    stack.run("keystone-bootstrap", _manage(
        stack, "bootstrap", "--bootstrap-password", stack.password, "--bootstrap-username", "admin",
        "--bootstrap-project-name", "admin", "--bootstrap-role-name", "admin", "--bootstrap-service-name",
        "keystone", "--bootstrap-region-id", REGION, "--bootstrap-admin-url", url, "--bootstrap-public-url", url,
        "--bootstrap-internal-url", url))


def start(stack: Stack) -> None:
    etc = stack.etc("keystone")
    wsgi = launcher.wsgi_file(etc / "keystone.wsgi", "keystone-wsgi-public")
    service = stack.serve("keystone", launcher.uwsgi(wsgi, stack.ports["keystone"]),
                          OS_KEYSTONE_CONFIG_DIR=str(etc), OS_KEYSTONE_CONFIG_FILES="keystone.conf")
    stack.supervisor.wait_http(service, stack.auth_url, timeout=120)


def admin_connection(stack: Stack):
    """openstacksdk as Keystone's bootstrap admin, in the admin project."""
    import openstack

    return openstack.connect(auth_url=stack.auth_url, username="admin", password=stack.password,
                             project_name="admin", user_domain_name="Default", project_domain_name="Default",
                             region_name=REGION, identity_api_version="3", load_yaml_config=False,
                             load_envvars=False)


def register_catalog(stack: Stack) -> None:
    """The service project and role, a user per service, and every API's public and internal endpoints."""
    conn = admin_connection(stack)
    identity = conn.identity
    project = identity.create_project(name=SERVICE_PROJECT, domain_id="default", description="OpenStack services")
    roles = {role.name: role for role in identity.roles()}
    if "service" not in roles:
        roles["service"] = identity.create_role(name="service")
    for name in SERVICE_USERS:
        user = identity.create_user(name=name, password=stack.password, domain_id="default",
                                    default_project_id=project.id)
        for role in SERVICE_ROLES:
            identity.assign_project_role_to_user(project, user, roles[role])
    for name, (kind, path) in ENDPOINTS.items():
        if name == "keystone":
            continue  # bootstrap made it
        service = identity.create_service(name=name, type=kind)
        for interface in ("public", "internal"):
            identity.create_endpoint(service_id=service.id, interface=interface, region_id=REGION,
                                     url=stack.url(name) + path)
