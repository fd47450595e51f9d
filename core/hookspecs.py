"""The hooks a kops plugin may implement.

A plugin is any installed distribution that declares an entry point in the group ``kops.plugins``;
the entry point names the plugin (``aws = "kops_aws.plugin"``) and points at a module (or object)
holding functions decorated with :data:`kops.hookimpl`. Discovery happens once per process, lazily,
so a plugin module must import cheaply: cloud SDKs are imported inside the functions that use them.

Besides hooks, a plugin registers *drivers* looked up by name, one entry-point
group each (see :data:`DRIVER_NAMESPACES`): a cloud by ``--cloud``, a networking provider by
``--networking``, a state store by URL scheme, an output target by ``--target``. Hooks are for what
many plugins add to together (rules, checks, add-ons, commands, model builders); drivers are for
what is chosen once, by name.

Hooks are grouped by what a plugin contributes. Unless a hook says ``firstresult``, every
implementation is called and the results come back as a list, one item per plugin; hooks that
return lists are flattened by the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pluggy

if TYPE_CHECKING:  # pragma: no cover - typing only
    import click
    from kops.addons import Addon, ClusterSecrets, PodIdentity, ServiceAccount
    from kops.api import Cluster, InstanceGroup, SpecSection
    from kops.engine import Task
    from kops.errors import FieldError
    from kops.inference import Rule
    from kops.model import ModelContext
    from kops.networking import FirewallRule

PROJECT = "kops"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

#: Entry-point group whose entries are pluggy plugins (modules with ``@hookimpl`` functions).
PLUGIN_NAMESPACE = "kops.plugins"

#: Entry-point groups of by-name drivers. Key: what the driver is chosen by.
DRIVER_NAMESPACES = {
    "cloud": "kops.cloud",  # --cloud NAME -> a kops.cloud.CloudProvider subclass
    "networking": "kops.networking",  # --networking NAME -> a kops.networking.NetworkingProvider subclass
    "state_store": "kops.state_store",  # URL scheme -> a kops.state.StateStore subclass
}


class ModelBuilder(Protocol):
    """What ``kops_model_builders`` returns: turns the run's :class:`kops.model.ModelContext` into tasks."""

    def build(self, model: ModelContext) -> list[Task]: ...


# --- Cloud providers -------------------------------------------------------------------------------

@hookspec
def kops_model_builders(cluster: Cluster, cloud: str) -> list[ModelBuilder]:  # type: ignore[empty-body]
    """Return model builders that turn the completed spec into cloud tasks.

    Called by ``kops update cluster`` and ``kops delete cluster`` once per run, after inference, with
    the completed :class:`kops.api.Cluster` and the cloud's name. A cloud plugin returns its builders
    only when ``cloud`` is its own; other plugins may add builders for any cloud (an IAM statement, an
    extra resource). Each builder has ``build(model) -> list[kops.engine.Task]`` where ``model`` is a
    :class:`kops.model.ModelContext`. All results are used.
    """


# --- Networking (CNI) providers --------------------------------------------------------------------

@hookspec
def kops_firewall_rules(cluster: Cluster) -> list[FirewallRule]:  # type: ignore[empty-body]
    """Return the extra traffic a networking provider needs between cluster roles.

    Called while the cloud model is built, with the completed cluster. Each item is a
    :class:`kops.networking.FirewallRule` (protocol, port range, from role, to role); the cloud
    plugin turns them into its own security-group or firewall resources, so a CNI plugin never needs
    to know which cloud it runs on. All results are used.
    """


# --- Spec sections ---------------------------------------------------------------------------------

@hookspec
def kops_spec_sections() -> list[SpecSection]:  # type: ignore[empty-body]
    """Return the sections of the Cluster spec this plugin owns (:class:`kops.api.SpecSection`).

    Called once per process, the first time a spec with a key the core does not know is loaded or the
    JSON Schema is exported; keep it cheap. A section pairs a key under ``spec`` (``acmeAuditAgent``)
    with a :class:`kops.api.KopsModel` subclass: ``spec.<name>`` is validated against that model (errors
    name the full path, ``spec.acmeAuditAgent.endpoint``), kept in the cluster as its instance (read it
    with :func:`kops.api.spec_section`), written back unchanged by ``kops get -o yaml``, kept in the
    completed spec (so the plugin's inference rules may default its fields) and listed by ``kops toolbox
    schema``. A name the core's spec already has, or that two plugins declare, is named in a warning and
    accepted from neither. All results are used.
    """


# --- Add-ons ---------------------------------------------------------------------------------------

@hookspec
def kops_addons(cluster: Cluster, secrets: ClusterSecrets) -> list[Addon]:  # type: ignore[empty-body]
    """Return the add-ons this plugin puts in the cluster's bootstrap channel.

    Called when the channel is built (``kops update cluster``, ``kops toolbox addons list``) with
    the completed cluster. Return ``[]`` for a cluster that does not enable your add-on; an add-on
    switched off must simply stop being returned. Each item is a :class:`kops.addons.Addon`
    (name, version, manifest text, selector). All results are used; names must be unique.

    An implementation declares only the arguments it uses. One that declares ``secrets`` gets a
    :class:`kops.addons.ClusterSecrets`, which reads the cluster's stored secrets (``kops create secret ...``)
    by name, when asked: ``secrets.get(name)`` is the secret's bytes or None, and ``secrets.require(name,
    needed_by, create)`` refuses the update in one line when the store lacks it. Callers that only list
    add-ons pass a reader without a store: every secret reads as None there, and nothing is refused. An add-on
    whose manifest holds secret material sets ``private=True``, so its manifest is stored as a private boot
    file, never shown in plans nor written into Terraform output. Example (Cilium's IPsec keys)::

        @hookimpl
        def kops_addons(cluster, secrets):
            if not ipsec_enabled(cluster):
                return [Addon(name="networking.cilium.io", version=VERSION, manifest=render(cluster))]
            keys = secrets.require("ciliumpassword", "Cilium IPsec encryption",
                                   "kops create secret ciliumpassword -f FILE")
            return [Addon(name="networking.cilium.io", version=VERSION, manifest=render(cluster, keys),
                          private=keys is not None)]
    """


@hookspec(firstresult=True)
def kops_service_account_identity(cluster: Cluster, service_account: ServiceAccount) -> PodIdentity | None:
    """Return how pods running as an add-on's service account take on the cloud identity made for it.

    Called while the bootstrap channel is built, with the completed cluster and each
    :class:`kops.addons.ServiceAccount` an add-on declares, once per Deployment or DaemonSet of that add-on that
    runs as the account. A cloud plugin returns a :class:`kops.addons.PodIdentity` (environment, volumes, mounts)
    when ``cluster`` is on its cloud and gives service accounts identities of their own, else None. The first
    non-None result wins. Example (kops-aws, IAM roles for service accounts)::

        @hookimpl
        def kops_service_account_identity(cluster, service_account):
            if cluster.spec.cloudProvider != "aws" or not uses_service_account_roles(cluster):
                return None
            return PodIdentity(env=[{"name": "AWS_ROLE_ARN", "value": role_arn(cluster, service_account)}], ...)
    """


# --- Inference rules -------------------------------------------------------------------------------

@hookspec
def kops_inference_rules() -> list[Rule]:  # type: ignore[empty-body]
    """Return configuration inference rules (:class:`kops.inference.Rule`).

    Called once per process when the rule set is first needed. A rule is a function of an
    :class:`kops.inference.InferenceContext` that fills in fields the user left empty; it must never
    overwrite a value the user set. Each rule names its stage (``create`` for what ``kops create
    cluster`` stores, ``complete`` for what ``kops update cluster`` adds) and an ``order`` number;
    rules run by stage, then order, then name. All results are used.
    """


# --- Validation ------------------------------------------------------------------------------------

@hookspec
def kops_validate(cluster: Cluster, instance_groups: list[InstanceGroup]) -> list[FieldError]:  # type: ignore[empty-body]
    """Return validation errors (:class:`kops.errors.FieldError`) for a cluster.

    Called after the built-in checks whenever a spec is stored or used, with the cluster and its
    instance groups. Return ``[]`` when all is well; each error names a field path
    (``spec.networking.calico.encapsulationMode``) and the reason. All results are used.
    """


# --- CLI commands ----------------------------------------------------------------------------------

@hookspec
def kops_cli_commands() -> list[click.Command]:  # type: ignore[empty-body]
    """Return click commands to add to the ``kops`` command line.

    Called when the CLI starts, so implementations must be cheap: build the click objects here
    and import anything heavy inside the command's callback. A command whose name collides with a
    built-in one is skipped with a warning. All results are used.
    """
