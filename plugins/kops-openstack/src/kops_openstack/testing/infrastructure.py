"""What OpenStack's services stand on: MariaDB (Keystone on SQLite fails under load with "database is locked"),
RabbitMQ for their RPC, and memcached for the tokens they validate. Each runs from its Debian package as a
foreground process of the testbed, its files under the testbed's folder."""

from __future__ import annotations

import subprocess

from kops_openstack.testing.processes import Service, listening
from kops_openstack.testing.stack import Stack

#: Every database the services need (Nova has three: its API's, cell0's and cell1's).
DATABASES = ("keystone", "glance", "placement", "nova_api", "nova_cell0", "nova", "neutron", "cinder", "octavia")


def start_mariadb(stack: Stack) -> None:
    data = stack.lib("mysql")
    stack.run("mariadb-install-db", ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
                                     "--auth-root-authentication-method=socket", "--skip-test-db"])
    service = stack.serve("mariadb", [
        "/usr/sbin/mariadbd", "--no-defaults", f"--datadir={data}", f"--socket={stack.mysql_socket}",
        "--skip-networking", "--user=root", f"--pid-file={stack.lib('mysql-run') / 'mysqld.pid'}",
        f"--tmpdir={stack.lib('tmp')}", "--skip-log-bin", "--max-connections=1000",
        "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
        "--innodb-buffer-pool-size=256M", "--innodb-log-file-size=128M",
        # A test bed's data need not survive a power cut: skipping the flushes makes the schema migrations of
        # eight services several times faster.
        "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--innodb-flush-method=nosync",
        "--skip-innodb-adaptive-hash-index"])
    stack.supervisor.wait_for(service, lambda: _sql_answers(stack), "accepting connections on its socket", 60)
    stack.run("create-databases", sql(stack, "".join(f"CREATE DATABASE {name};" for name in DATABASES)))


def sql(stack: Stack, statements: str, database: str = "") -> list[str]:
    """The ``mariadb`` client running ``statements`` as root over the socket."""
    return ["mariadb", "--no-defaults", f"--socket={stack.mysql_socket}", "-uroot", "--batch", "--skip-column-names",
            "-e", statements, *([database] if database else [])]


def _sql_answers(stack: Stack) -> bool:
    if not stack.mysql_socket.exists():
        return False
    return subprocess.run(sql(stack, "SELECT 1"), capture_output=True).returncode == 0


def start_rabbitmq(stack: Stack) -> None:
    """RabbitMQ with its own port mapper (epmd) on a port of its own, so that neither collides with a
    machine's own RabbitMQ and nothing outlives the testbed (a port mapper started by Erlang would)."""
    ports = stack.ports
    stack.serve("epmd", ["epmd", "-port", str(ports["epmd"]), "-address", "127.0.0.1"])
    base = stack.lib("rabbitmq")
    config = stack.etc("rabbitmq")
    (config / "enabled_plugins").write_text("[].\n")
    (config / "rabbitmq.conf").write_text("loopback_users = none\nlog.console = true\nlog.file = false\n"
                                          "vm_memory_high_watermark.absolute = 512MiB\n"
                                          "disk_free_limit.absolute = 50MB\n")
    (config / "rabbitmq-env.conf").touch()
    service = stack.serve("rabbitmq", ["/usr/lib/rabbitmq/bin/rabbitmq-server"],
                          HOME=str(base), ERL_EPMD_PORT=str(ports["epmd"]), ERL_EPMD_ADDRESS="127.0.0.1",
                          RABBITMQ_NODENAME="rabbit@localhost", RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
                          RABBITMQ_NODE_PORT=str(ports["rabbitmq"]), RABBITMQ_DIST_PORT=str(ports["rabbitmq-dist"]),
                          RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
                          RABBITMQ_MNESIA_BASE=str(base / "mnesia"), RABBITMQ_LOG_BASE=str(stack.logs),
                          RABBITMQ_CONFIG_FILE=str(config / "rabbitmq.conf"),
                          RABBITMQ_ENABLED_PLUGINS_FILE=str(config / "enabled_plugins"),
                          RABBITMQ_CONF_ENV_FILE=str(config / "rabbitmq-env.conf"),
                          RABBITMQ_PID_FILE=str(base / "rabbitmq.pid"))
    # RabbitMQ opens its AMQP listener last, once it has booted.
    stack.supervisor.wait_for(service, lambda: listening(ports["rabbitmq"]), "listening for AMQP", 120)


def rpc_consumers(stack: Stack) -> set[str]:
    """The RabbitMQ queues something consumes from: a service's RPC server is up once its queue is here."""
    result = subprocess.run(
        ["/usr/lib/rabbitmq/bin/rabbitmqctl", "-n", "rabbit@localhost", "list_queues", "name", "consumers",
         "--quiet", "--no-table-headers"],
        env=stack.env(HOME=str(stack.lib("rabbitmq")), ERL_EPMD_PORT=str(stack.ports["epmd"])),
        capture_output=True, text=True)
    return {line.split()[0] for line in result.stdout.splitlines()
            if len(line.split()) == 2 and line.split()[1] != "0"}


def wait_for_rpc(stack: Stack, service: Service, *queues: str, timeout: float = 120) -> None:
    """Wait until ``service`` consumes each of ``queues``: a message cast to a queue nobody has declared yet is
    dropped, so a service is ready only once its RPC server listens."""
    stack.supervisor.wait_for(service, lambda: set(queues) <= rpc_consumers(stack),
                              f"consuming RPC queues {', '.join(queues)}", timeout)


def start_memcached(stack: Stack) -> None:
    port = stack.ports["memcached"]
    service = stack.serve("memcached", ["memcached", "-u", "root", "-l", "127.0.0.1", "-p", str(port), "-U", "0",
                                        "-m", "64", "-t", "1"])
    stack.supervisor.wait_for(service, lambda: listening(port), "listening", 30)
