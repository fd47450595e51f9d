"""``kops create secret encryptionconfig|dockerconfig|ciliumpassword``, ``kops get secrets`` and ``kops delete secret``.

The files are checked before anything is stored (see :mod:`kops.pki.secret_formats`), so a typo is
reported now rather than by a kube-apiserver that will not start. Values are never printed.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup, bool_flag
from kops.cli.settings import Settings, global_options


@click.group("secret", cls=KopsCommandGroup)
@global_options
def create_secret() -> None:
    """Create a secret: an encryption config, a Docker config or Cilium's IPsec keys."""


def _existing_cluster(settings: Settings, arg: str | None, takes_argument: bool) -> tuple[object, str]:
    from kops.cli.specs import registry
    from kops.registry import ClusterNotFound

    name = settings.cluster_name(arg, required=False)
    if not name:
        where = "the CLUSTER argument, --name" if takes_argument else "--name"
        raise click.UsageError(f"no cluster name: give {where} or set KOPS_CLUSTER_NAME")
    reg = registry(settings)
    if not reg.exists(name):
        raise ClusterNotFound(f"cluster {name!r} not found in {reg.store.url}")
    return reg.store, name


def _store_secret(settings: Settings, cluster: str | None, filename: str, force: bool, secret: str,
                  check: Callable[[bytes, str], None]) -> None:
    from kops.pki import secrets

    store, name = _existing_cluster(settings, cluster, takes_argument=True)
    from kops.cli.specs import read_bytes

    data = read_bytes(filename, "-f")
    check(data, f"-f {filename}")
    secrets.put_secret(store, name, secret, data, replace=force)
    click.echo(f"Stored the {secret} secret of cluster {name}.")


_FILENAME = click.option("-f", "--filename", required=True, type=click.Path(dir_okay=False, allow_dash=True),
                         help="The file to store ('-' for standard input).")
_FORCE = bool_flag("--force", "Replace the secret if it already exists.", default=False)


@create_secret.command("encryptionconfig", cls=KopsCommand)
@click.argument("cluster", required=False)
@_FILENAME
@_FORCE
@global_options
@click.pass_obj
def create_secret_encryptionconfig(settings: Settings, cluster: str | None, filename: str, force: bool) -> None:
    """Store the kube-apiserver's EncryptionConfiguration (encryption at rest)."""
    from kops.pki import secret_formats, secrets

    _store_secret(settings, cluster, filename, force, secrets.ENCRYPTION_CONFIG,
                  secret_formats.check_encryption_config)


@create_secret.command("dockerconfig", cls=KopsCommand)
@click.argument("cluster", required=False)
@_FILENAME
@_FORCE
@global_options
@click.pass_obj
def create_secret_dockerconfig(settings: Settings, cluster: str | None, filename: str, force: bool) -> None:
    """Store a Docker config.json that nodes use to pull from private registries."""
    from kops.pki import secret_formats, secrets

    _store_secret(settings, cluster, filename, force, secrets.DOCKER_CONFIG, secret_formats.check_docker_config)


@create_secret.command("ciliumpassword", cls=KopsCommand)
@click.argument("cluster", required=False)
@_FILENAME
@_FORCE
@global_options
@click.pass_obj
def create_secret_ciliumpassword(settings: Settings, cluster: str | None, filename: str, force: bool) -> None:
    """Store Cilium's IPsec keys, with which Cilium encrypts traffic between pods and nodes.

    \b
    kops create secret ciliumpassword -f ipsec.yaml --name k8s.example.com
    where ipsec.yaml holds   keys: "3+ rfc4106(gcm(aes)) HEXKEY 128"
    """
    from kops.pki import secret_formats, secrets

    _store_secret(settings, cluster, filename, force, secrets.CILIUM_PASSWORD,
                  secret_formats.check_cilium_ipsec_keys)


@click.command("secrets", cls=KopsCommand)
@click.argument("names", nargs=-1, metavar="[SECRET]...")
@click.option("-o", "--output", type=click.Choice(["table", "yaml", "json"], case_sensitive=False),
              default="table", help="Output format.")
@global_options
@click.pass_obj
def get_secrets(settings: Settings, names: tuple[str, ...], output: str) -> None:
    """List a cluster's secrets by name and type (never their values)."""
    from kops.cli.table import print_records
    from kops.errors import KopsError
    from kops.pki import secrets

    store, cluster = _existing_cluster(settings, None, takes_argument=False)
    found = secrets.list_secrets(store, cluster)
    for name in names:
        if name not in found:
            raise KopsError(f"secret {name!r} not found in cluster {cluster!r}")
    rows = [{"name": n, "type": secrets.secret_type(n)} for n in found if not names or n in names]
    if not rows:
        raise KopsError(f"no secrets found in cluster {cluster!r}")
    print_records(rows, output, ["NAME", "TYPE"], lambda r: [r["name"], r["type"]])


@click.command("secret", cls=KopsCommand)
@click.argument("name", metavar="SECRET")
@global_options
@click.pass_obj
def delete_secret(settings: Settings, name: str) -> None:
    """Delete one of the cluster's secrets.

    \b
    kops delete secret encryptionconfig --name k8s.example.com
    """
    from kops.pki import secrets

    store, cluster = _existing_cluster(settings, None, takes_argument=False)
    if name == "sshpublickey" and name not in secrets.list_secrets(store, cluster):
        from kops.cli.delete_cmd import delete_ssh_keys

        delete_ssh_keys(settings, cluster, yes=True)  # upstream's older spelling of kops delete sshpublickey
        return
    secrets.delete_secret(store, cluster, name)
    click.echo(f"Deleted the {name} secret of cluster {cluster}.")
