"""Add-ons: the manifests a cluster's bootstrap channel installs, contributed by core and plugins.

Each plugin's ``kops_addons`` hook is called separately so that every add-on can say where it came
from (``kops toolbox addons list`` shows it). Core contributes its own add-ons through the same hook
(:mod:`kops.addons.core_plugin`); :mod:`kops.addons.channel` turns them into the bootstrap channel
``kops update cluster`` writes, and :mod:`kops.addons.apply` applies that channel to a running cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kops.errors import KopsError


@dataclass(frozen=True)
class ServiceAccount:
    """A Kubernetes service account an add-on's pods run as, which needs cloud permissions of its own.

    When the cluster gives service accounts cloud identities of their own (on AWS,
    ``spec.iam.useServiceAccountExternalPermissions``: an IAM role per service account), the cloud plugin makes
    one for each account the add-ons declare, with the permissions named here, and the add-on's Deployments and
    DaemonSets that run as the account are given that identity (see
    :func:`kops.hookspecs.kops_service_account_identity`). Without such identities a declaration changes nothing:
    pods have the permissions of the instance role of the machine they run on.
    """

    namespace: str
    name: str
    #: What the account may do: the name of a permission set that cloud plugins define (kops-aws:
    #: ``dns-controller``, ``aws-cloud-controller-manager``, ... see ``kops_aws.iampolicy``), or, by cloud name,
    #: such a name or a value in that cloud plugin's own terms (kops-aws: a list of IAM policy statements).
    permissions: str | dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def permissions_on(self, cloud: str) -> Any:
        """What the account may do on ``cloud``, or None when the add-on names nothing for it."""
        return self.permissions if isinstance(self.permissions, str) else self.permissions.get(cloud)


@dataclass
class PodIdentity:
    """How a pod takes on the cloud identity of its service account: what a cloud plugin's
    ``kops_service_account_identity`` hook returns, and :mod:`kops.addons.channel` adds to the pod spec."""

    #: Environment variables (``{"name": ..., "value": ...}``) appended to every container's.
    env: list[dict[str, Any]] = field(default_factory=list)
    #: Volumes appended to the pod's (a projected service-account token, typically).
    volumes: list[dict[str, Any]] = field(default_factory=list)
    #: Mounts appended to every container's.
    volume_mounts: list[dict[str, Any]] = field(default_factory=list)
    #: The pod's ``securityContext.fsGroup`` unless it sets one, so that non-root containers can read the token.
    fs_group: int | None = None


@dataclass
class Addon:
    """One entry in the bootstrap channel."""

    #: Unique name, by convention a DNS-style name such as ``coredns.addons.k8s.io``.
    name: str
    #: Version string; nodes re-apply the manifest only when it changes.
    version: str
    #: The Kubernetes objects to apply, as multi-document YAML.
    manifest: str
    #: Labels the channel uses to find the add-on's objects for pruning.
    selector: dict[str, str] = field(default_factory=dict)
    #: Where it came from: ``core``, a plugin name, or ``spec`` for ``spec.addons``. Set by :func:`collect`.
    source: str = ""
    #: Names the manifest file in the channel; empty means ``k8s-<major>.<minor>`` of the cluster, so an
    #: upgrade of Kubernetes re-applies every add-on.
    id: str = ""
    #: Service accounts of the add-on that need cloud permissions (see :class:`ServiceAccount`).
    service_accounts: list[ServiceAccount] = field(default_factory=list)
    #: The manifest holds secret material (a Secret made from one of :class:`ClusterSecrets`): the channel stores it
    #: as a private boot file (owner-only, encrypted where the store encrypts), which plans never show and Terraform
    #: output never holds. The channel document itself names only its path and hash.
    private: bool = False

    def __post_init__(self) -> None:
        if not self.selector:
            self.selector = {"k8s-addon": self.name}


class ClusterSecrets:
    """A cluster's secrets in the state store (``kops create secret ...``), as add-on hooks read them.

    Nothing is read until a hook asks for a secret by name, and each is read once. Without a store (``store`` None:
    ``kops toolbox addons list``, which shows names and versions only, and other callers that build add-ons without
    writing them) every secret reads as missing and :meth:`require` refuses nothing, so such callers never need
    access to secret material nor fail for the lack of it.
    """

    def __init__(self, store: Any = None, cluster_name: str = ""):
        self._store = store
        self._cluster = cluster_name
        self._read: dict[str, bytes | None] = {}

    @property
    def available(self) -> bool:
        """Whether secrets are read from a state store (False: every secret reads as missing)."""
        return self._store is not None

    def get(self, name: str) -> bytes | None:
        """The secret ``name`` as stored (``kops create secret`` decodes nothing else), or None when there is none."""
        if self._store is None:
            return None
        if name not in self._read:
            from kops.pki.secrets import find_secret

            self._read[name] = find_secret(self._store, self._cluster, name)
        return self._read[name]

    def require(self, name: str, needed_by: str, create: str = "") -> bytes | None:
        """The secret ``name``; a store without it is refused in one line saying what needs it (``needed_by``) and
        how to create it (``create``, by default ``kops create secret NAME``). None without a store."""
        found = self.get(name)
        if found is None and self.available:
            how = create or f"kops create secret {name}"
            raise KopsError(f"cluster {self._cluster}: {needed_by} needs the secret {name}, which the state store "
                            f"does not hold: create it with {how}")
        return found


def call_hook(function: Any, cluster: Any, secrets: ClusterSecrets | None = None) -> list[Addon]:
    """Call one implementation of ``kops_addons`` with the arguments it declares (``cluster``, and ``secrets`` when
    it asks for them), as :func:`collect` does."""
    import inspect

    declared = inspect.signature(function).parameters
    given = {"cluster": cluster, "secrets": secrets if secrets is not None else ClusterSecrets()}
    return list(function(**{k: v for k, v in given.items() if k in declared}) or [])


def collect(cluster: Any, secrets: ClusterSecrets | None = None) -> list[Addon]:
    """Every add-on the installed plugins contribute for ``cluster``, each tagged with its source. Hooks that declare
    ``secrets`` read the cluster's stored secrets through ``secrets`` (none read when it is None)."""
    from kops.plugins import plugin_manager

    pm = plugin_manager()
    found: dict[str, Addon] = {}
    for impl in reversed(pm.hook.kops_addons.get_hookimpls()):
        source = pm.get_name(impl.plugin) or "?"
        for addon in call_hook(impl.function, cluster, secrets):
            if not isinstance(addon, Addon):
                raise KopsError(f"plugin {source!r} returned an add-on that is not a kops.addons.Addon")
            if addon.name in found:
                raise KopsError(f"add-on {addon.name!r} is contributed twice ({found[addon.name].source} and {source})")
            addon.source = addon.source or source
            found[addon.name] = addon
    return sorted(found.values(), key=lambda a: a.name)
