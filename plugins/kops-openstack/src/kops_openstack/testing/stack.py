"""Where one testbed keeps everything (its folder), which loopback ports its services listen on, and what the
services' configurations share: database and message-queue URLs, Keystone credentials."""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kops.errors import KopsError

from kops_openstack.testing import launcher
from kops_openstack.testing.processes import Service, Supervisor, free_ports, log_tail

REGION = "RegionOne"
#: The host name the control services (schedulers, conductors, APIs) run as.
CONTROLLER = "controller"
#: Every service's user is in this project, with the admin and service roles, as a deployment tool makes them.
SERVICE_PROJECT = "service"
#: Services with an HTTP API reached through the catalog, with the path their endpoints end in.
ENDPOINTS = {
    "keystone": ("identity", "/v3"),
    "glance": ("image", ""),
    "placement": ("placement", ""),
    "nova": ("compute", "/v2.1"),
    "neutron": ("network", ""),
    "cinder": ("volumev3", "/v3/$(project_id)s"),
    "octavia": ("load-balancer", ""),
    "swift": ("object-store", "/v1/AUTH_$(project_id)s"),
}
_PORTS = (*ENDPOINTS, "rabbitmq", "rabbitmq-dist", "epmd", "memcached", "swift-account", "swift-container",
          "swift-object")

Sections = dict[str, dict[str, object]]


@dataclass
class Stack:
    """One testbed's layout. Everything it writes is under ``root``: configuration in ``etc/``, databases and
    stores in ``lib/``, logs in ``log/``."""

    root: Path
    #: ``(host, zone)`` of each nova-compute: one availability zone, aggregate and Open vSwitch agent per host.
    computes: list[tuple[str, str]]
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    ports: dict[str, int] = field(default_factory=lambda: dict(zip(_PORTS, free_ports(len(_PORTS)), strict=True)))
    supervisor: Supervisor = field(init=False)

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(self.logs)

    # --- layout ----------------------------------------------------------------------------------------------

    @property
    def logs(self) -> Path:
        return self.root / "log"

    def etc(self, project: str) -> Path:
        path = self.root / "etc" / project
        path.mkdir(parents=True, exist_ok=True)
        return path

    def lib(self, project: str) -> Path:
        path = self.root / "lib" / project
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def mysql_socket(self) -> Path:
        return self.lib("mysql-run") / "mysqld.sock"

    # --- what configurations share ---------------------------------------------------------------------------

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def auth_url(self) -> str:
        return self.url("keystone") + "/v3"

    def db(self, name: str) -> str:
        # Root over MariaDB's socket: the services run as root, and no password or TCP port is needed.
        return f"mysql+pymysql://root@localhost/{name}?unix_socket={self.mysql_socket}&charset=utf8"

    @property
    def transport_url(self) -> str:
        return f"rabbit://guest:guest@127.0.0.1:{self.ports['rabbitmq']}/"

    @property
    def memcached(self) -> str:
        return f"127.0.0.1:{self.ports['memcached']}"

    def credentials(self, user: str) -> dict[str, object]:
        """A service user's password credentials, as keystoneauth's ``password`` plugin reads them."""
        return {"auth_type": "password", "auth_url": self.auth_url, "username": user, "password": self.password,
                "project_name": SERVICE_PROJECT, "user_domain_name": "Default",
                "project_domain_name": "Default", "region_name": REGION}

    def authtoken(self, user: str) -> dict[str, object]:
        """``[keystone_authtoken]``: how an API checks the tokens it is sent. Services calling each other send
        a service token too, and those must carry the service role (Cinder refuses a detach without one)."""
        return {**self.credentials(user), "www_authenticate_uri": self.auth_url,
                "memcached_servers": self.memcached, "service_token_roles": "service",
                "service_token_roles_required": True}

    def common(self, project: str) -> dict[str, object]:
        """``[DEFAULT]`` settings every oslo service shares: logs to standard error (the service's log file),
        state in the project's folder, RPC over the testbed's RabbitMQ."""
        return {"transport_url": self.transport_url, "debug": False, "use_stderr": True,
                "state_path": self.lib(project), "host": CONTROLLER, "my_ip": "127.0.0.1"}

    def write(self, path: Path, sections: Sections) -> Path:
        """Write an INI file; ``True`` and lists are written the way oslo.config reads them."""

        def value(v: object) -> str:
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, (list, tuple)):
                return ",".join(str(x) for x in v)
            return str(v)

        text = "".join(f"[{name}]\n" + "".join(f"{k} = {value(v)}\n" for k, v in body.items()) + "\n"
                       for name, body in sections.items())
        path.write_text(text)
        return path

    # --- processes -------------------------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment for Debian's programs: nothing of the caller's virtualenv or cloud settings."""
        home = self.lib("home")
        tmp = self.lib("tmp")
        return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home),
                "TMPDIR": str(tmp), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **extra}

    def run(self, name: str, argv: list[str], timeout: float = 300) -> str:
        """Run a one-off command (a schema migration, a bootstrap) to completion; its output goes to
        ``log/NAME.log`` and a failure is an error naming it, with the end of that log."""
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}.log"
        try:
            result = subprocess.run(argv, env=self.env(), capture_output=True, text=True, timeout=timeout,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            log.write_text(f"{exc.stdout or ''}{exc.stderr or ''}")
            raise KopsError(f"{name} did not finish within {timeout:.0f} s; the end of its log ({log}):\n"
                            f"{log_tail(log)}") from None
        log.write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise KopsError(f"{name} failed (exit {result.returncode}); the end of its log ({log}):\n{log_tail(log)}")
        return result.stdout

    def console(self, name: str, *args: str) -> list[str]:
        """The command line of OpenStack's program ``name`` (``nova-compute``) with ``args``."""
        return launcher.console(self.bin, name, *args)

    def script(self, name: str, body: str, *args: str) -> list[str]:
        """The command line running Python ``body`` as ``bin/NAME ARGS`` with Debian's interpreter."""
        return launcher.script(self.bin, name, body, *args)

    def serve(self, name: str, argv: list[str], **extra_env: str) -> Service:
        return self.supervisor.start(name, argv, self.env(**extra_env), cwd=self.root)
