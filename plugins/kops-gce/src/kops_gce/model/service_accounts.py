"""Each role's service account and its project IAM roles, as upstream makes them: the control plane (and API
servers, which share its account) as ``control-plane``, nodes as ``node``, bastions as ``bastion``; the control
plane's account is granted ``roles/container.serviceAgent`` on the project, nodes and bastions nothing.

A spec naming one account for every machine (``spec.cloudConfig.gceServiceAccount``, ``default`` for the project's
Compute Engine account) gets a single shared task, ``shared``, which kops only looks up.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Lifecycle
from kops.errors import KopsError
from kops.model import API_SERVER, BASTION, CONTROL_PLANE, NODE, ModelContext, role_of

from kops_gce.labels import owner_description
from kops_gce.model import project
from kops_gce.names import service_account_id
from kops_gce.tasks.project_iam_binding import ProjectIAMBinding
from kops_gce.tasks.service_account import ServiceAccount

#: The task name of the account the spec names for every machine.
SHARED = "shared"
#: Each role's account (its task and Terraform name), and upstream's description of it.
ACCOUNTS = {CONTROL_PLANE: "control-plane", API_SERVER: "control-plane", NODE: "node", BASTION: "bastion"}
DESCRIPTIONS = {"control-plane": "kubernetes control-plane instances", "node": "kubernetes worker nodes",
                "bastion": "bastion nodes"}
#: The project roles each account is granted, by binding name.
BINDINGS = {"control-plane": {"serviceaccount-control-plane": "roles/container.serviceAgent"}}


def shared_email(model: Any) -> str:
    """The account the spec names for every machine, or ""."""
    config = model.cluster.spec.cloudConfig
    return str((config.gceServiceAccount if config is not None else None) or "").strip()


def account_name(model: Any, group: Any) -> str:
    """The task name of the account a group's machines run as."""
    if shared_email(model):
        return SHARED
    role = role_of(group)
    if role not in ACCOUNTS:
        raise KopsError(f"InstanceGroup/{group.metadata.name}: spec.role: {role!r} has no GCE service account")
    return ACCOUNTS[role]


def account_of(model: ModelContext, group: Any) -> ServiceAccount:
    """The service account a group's instance template runs as (its ``email`` field; in Terraform,
    ``account.terraform_ref("email")``, the email itself for a shared one)."""
    return model.get("ServiceAccount", account_name(model, group))


class ServiceAccountsBuilder:
    def build(self, model: ModelContext) -> list[Any]:
        email = shared_email(model)
        if email:
            return [ServiceAccount(name=SHARED, lifecycle=Lifecycle.EXISTS_AND_VALIDATES, email=email)]
        project_id = project(model)
        if not project_id:
            raise KopsError("spec.project: required on GCE (each role's service account belongs to the project)")
        # What Terraform makes is Terraform's: its accounts carry upstream's description. Made directly, the
        # description names the cluster, by which kops delete cluster knows its own.
        terraform = model.target == "terraform"
        tasks: list[Any] = []
        for group in model.instance_groups:
            name = account_name(model, group)
            if any(t.name == name for t in tasks):
                continue
            account = ServiceAccount(
                name=name, email=f"{service_account_id(name, model.cluster_name)}@{project_id}.iam.gserviceaccount.com",
                display_name=name, description=DESCRIPTIONS[name] if terraform else owner_description(model))
            tasks.append(account)
            for binding, role in BINDINGS.get(name, {}).items():
                tasks.append(ProjectIAMBinding(name=binding, project=project_id, role=role,
                                               member_service_account=account))
        return tasks


BUILDERS = [ServiceAccountsBuilder()]
