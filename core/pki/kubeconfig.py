"""kubeconfig files: the cluster, user and context kops exports, merged into the user's file as kubectl does.

The entries are named after the cluster. Everything else in the file (other clusters, users, contexts,
preferences) is kept; the file is replaced atomically and left readable by its owner only, since it may
hold an admin credential.
"""

from __future__ import annotations

import base64
import getpass
import ipaddress
import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from kops.errors import KopsError
from kops.pki.issue import IssuedCertificate, issue_certificate
from kops.pki.keyset import Keyset

#: Lifetime of the admin credential when ``--admin`` is given without one, as upstream.
DEFAULT_ADMIN_LIFETIME = timedelta(hours=18)
#: Group bound to cluster-admin; the admin credential's organisation.
ADMIN_GROUP = "system:masters"

def parse_duration(text: str) -> timedelta:
    """A Go duration such as ``18h``, ``1h30m`` or ``90m`` (the form upstream's flags take)."""
    from kops.durations import parse

    if not text.strip():
        raise ValueError("empty duration")
    try:
        return parse(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a duration such as 18h, 90m or 1h30m") from None


def is_gossip(cluster_name: str) -> bool:
    return cluster_name.endswith(".k8s.local")


def _dns_type(cluster: Any) -> str:
    topology = cluster.spec.topology
    dns = topology.dns.type if topology is not None and topology.dns is not None else None
    return (dns or "Public").lower()


def api_server_url(cluster: Any, *, internal: bool = False, override: str | None = None,
               api_endpoint: str | None = None, admin: bool = False) -> tuple[str, list[str]]:
    """The API server URL for ``cluster`` and any warnings about it.

    ``override`` is the user's ``--api-server``; ``internal`` selects ``api.internal.NAME``. Otherwise
    ``api_endpoint`` is the address the cloud reports for the API load balancer (known only once the
    cluster exists, so callers pass it when they have it); it is used when the cluster has a load balancer,
    as upstream does. Without it the public name is used, which for gossip and ``dns: none`` clusters
    does not resolve: the warning says so.
    """
    name = cluster.metadata.name
    if override:
        return override, []
    if internal:
        return f"https://api.internal.{name}", []
    lb = cluster.spec.api.loadBalancer if cluster.spec.api is not None else None
    warnings = []
    host = cluster.spec.masterPublicName or f"api.{name}"
    if lb is not None and api_endpoint and (not lb.sslCertificate or admin):
        host = api_endpoint
    elif is_gossip(name) or _dns_type(cluster) == "none":
        warnings.append(f"cluster {name} has no DNS records for its API (gossip or dns none), so https://{host} "
                        "may not resolve; once the cluster is up, pass --api-server with its load balancer address")
    server = f"https://{_url_host(host)}"
    if admin and lb is not None and lb.sslCertificate and (lb.class_ or "").lower() == "network":
        server += ":8443"  # the listener with the cluster's own certificate, as upstream
    return server, warnings


def _url_host(host: str) -> str:
    """IPv6 addresses go in brackets in URLs; names and IPv4 addresses as they are."""
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


def admin_credential(ca: Keyset, lifetime: timedelta = DEFAULT_ADMIN_LIFETIME,
                     user: str | None = None) -> IssuedCertificate:
    """A client certificate for ``kubecfg-USER`` in ``system:masters``, signed by the cluster CA."""
    if user is None:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = ""
    common_name = f"kubecfg-{user}" if user else "kubecfg"
    return issue_certificate(ca, f"cn={common_name},o={ADMIN_GROUP}", "client", lifetime=lifetime)


@dataclass
class KubeconfigEntry:
    """What kops writes for one cluster; ``name`` names the cluster, the context and (for admin) the user."""

    name: str
    server: str
    tls_server_name: str | None = None
    ca_data: bytes | None = None
    client: IssuedCertificate | None = None
    #: An existing user in the file to bind the context to (``--user``); None with ``client`` means ``name``.
    user: str | None = None
    #: Without a credential or user, still write a new context, bound to an empty user ``name`` (what
    #: ``update cluster --yes`` writes, as upstream; the user adds credentials later).
    without_credentials: bool = False


def default_path(explicit: str | None = None) -> Path:
    """``--kubeconfig``, else the first path in ``$KUBECONFIG``, else ``~/.kube/config``."""
    if explicit:
        return Path(explicit).expanduser()
    for candidate in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if candidate.strip():
            return Path(candidate.strip()).expanduser()
    return Path.home() / ".kube" / "config"


def read_kubeconfig(path: Path) -> dict[str, Any]:
    """The kubeconfig at ``path`` as a mapping, empty when there is no file."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise KopsError(f"kubeconfig {path}: cannot read it: {exc.strerror}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        raise KopsError(f"kubeconfig {path}: not valid YAML; fix or move it, then retry") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise KopsError(f"kubeconfig {path}: expected a kubeconfig (kind: Config)")
    for key in ("clusters", "users", "contexts"):
        if not isinstance(doc.get(key) or [], list):
            raise KopsError(f"kubeconfig {path}: {key}: expected a list")
    return doc


def merge(config: dict[str, Any], entry: KubeconfigEntry, source: str) -> dict[str, Any]:
    """``config`` with ``entry``'s cluster, user and context set and the context made current."""
    config = dict(config)
    config.setdefault("apiVersion", "v1")
    config.setdefault("kind", "Config")
    config.setdefault("preferences", {})

    cluster = _named(config, "clusters", entry.name, "cluster")
    cluster["server"] = entry.server
    _set(cluster, "tls-server-name", entry.tls_server_name)
    _set(cluster, "certificate-authority-data", _b64(entry.ca_data))
    if entry.ca_data is not None:
        cluster.pop("certificate-authority", None)

    context_user = None
    if entry.client is not None:
        user = _named(config, "users", entry.name, "user")
        user["client-certificate-data"] = _b64(entry.client.certificate_pem)
        user["client-key-data"] = _b64(entry.client.private_key_pem)
        user.pop("client-certificate", None)
        user.pop("client-key", None)
        context_user = entry.name
    elif entry.user is not None:
        known = [u.get("name") for u in config.get("users") or [] if isinstance(u, dict)]
        if entry.user not in known:
            raise KopsError(f"--user {entry.user}: no such user in kubeconfig {source} "
                            f"(users: {', '.join(str(k) for k in known) or 'none'})")
        context_user = entry.user

    existing = [c for c in config.get("contexts") or [] if isinstance(c, dict) and c.get("name") == entry.name]
    if context_user is None and not existing and entry.without_credentials:
        _named(config, "users", entry.name, "user")
        context_user = entry.name
    if context_user is None and not existing:
        raise KopsError(f"kubeconfig {source} has no context {entry.name} yet: pass --admin to export the cluster "
                        "admin credential, or --user NAME to use a user already in the kubeconfig")
    context = _named(config, "contexts", entry.name, "context")
    context["cluster"] = entry.name
    if context_user is not None:
        context["user"] = context_user
    config["current-context"] = entry.name
    return config


def write_kubeconfig(path: Path, config: dict[str, Any]) -> None:
    """Replace the file at ``path`` (following a symlink) atomically, owner-only (0600)."""
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = yaml.safe_dump(config, sort_keys=True, default_flow_style=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_kubeconfig(store: Any, cluster_name: str, *, admin_lifetime: timedelta | None = None,
                      user: str | None = None, kubeconfig: str | None = None, internal: bool = False,
                      api_server: str | None = None, api_endpoint: str | None = None,
                      without_credentials: bool = False) -> tuple[Path, list[str]]:
    """Merge ``cluster_name``'s entries into the kubeconfig; return the file written and any warnings.

    ``admin_lifetime`` adds an admin credential valid that long; ``user`` binds the context to an existing
    user instead; with neither, a new context is refused unless ``without_credentials``. ``api_endpoint`` is the
    address the cloud reports for the API load balancer, for callers
    that have looked it up (see :func:`api_server_url`).
    """
    from kops.pki.cluster import KUBERNETES_CA
    from kops.pki.keystore import Keystore
    from kops.registry import Registry

    reg = Registry(store)
    cluster = reg.cluster(cluster_name)
    lb = cluster.spec.api.loadBalancer if cluster.spec.api is not None else None
    # A load balancer with its own public certificate needs no cluster CA, unless we go around it (as upstream).
    needs_ca = lb is None or not lb.sslCertificate or (lb.class_ or "").lower() == "network" or internal
    ca = None
    if needs_ca or admin_lifetime:
        ca = Keystore(store, cluster_name).find(KUBERNETES_CA)
        if ca is None:
            raise KopsError(f"cluster {cluster_name!r} has no {KUBERNETES_CA} keyset yet; "
                            "kops update cluster creates it")
    warnings: list[str] = []
    if api_endpoint is None and not api_server and not internal and lb is not None and \
            (is_gossip(cluster_name) or _dns_type(cluster) == "none"):
        api_endpoint = cloud_api_endpoint(cluster, warnings)
    server, more = api_server_url(cluster, internal=internal, override=api_server, api_endpoint=api_endpoint,
                                  admin=admin_lifetime is not None)
    warnings += more
    entry = KubeconfigEntry(
        name=cluster_name, server=server, tls_server_name=f"api.internal.{cluster_name}",
        ca_data=ca.trust_bundle() if needs_ca and ca is not None else None,
        client=admin_credential(ca, admin_lifetime) if admin_lifetime and ca is not None else None,
        user=user, without_credentials=without_credentials)
    path = default_path(kubeconfig)
    write_kubeconfig(path, merge(read_kubeconfig(path), entry, str(path)))
    return path, warnings


def cloud_api_endpoint(cluster: Any, warnings: list[str]) -> str | None:
    """The API load balancer's address, asked of the cluster's cloud (:meth:`kops.cloud.CloudProvider.api_endpoint`);
    None, with a warning when the cloud could not be asked, when it has none yet."""
    from kops.plugins import load_driver

    try:
        cloud = load_driver("cloud", cluster.spec.cloudProvider or "")()
        return cloud.api_endpoint(cluster)
    except Exception as exc:  # a cloud that cannot be asked leaves the name to the user (--api-server)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.append(f"could not ask the cloud for the API load balancer's address ({first})")
        return None


def _named(config: dict[str, Any], section: str, name: str, key: str) -> dict[str, Any]:
    """The ``key`` mapping of the entry called ``name`` in ``config[section]``, created when missing."""
    entries = config.setdefault(section, None) or []
    config[section] = entries
    for entry in entries:
        if isinstance(entry, dict) and entry.get("name") == name:
            if not isinstance(entry.get(key), dict):
                entry[key] = {}
            return entry[key]
    entry = {"name": name, key: {}}
    entries.append(entry)
    return entry[key]


def _set(mapping: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode()
