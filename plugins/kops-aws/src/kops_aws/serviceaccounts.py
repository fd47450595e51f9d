"""IAM roles for service accounts: which Kubernetes service accounts get an AWS role of their own, the role's
name and ARN, who may assume it, and what their pods need to assume it.

With ``spec.iam.useServiceAccountExternalPermissions`` every add-on's service account that declares AWS
permissions (:class:`kops.addons.ServiceAccount`: dns-controller, the cloud controller manager, the EBS CSI
driver, the node termination handler, the load balancer controller, the cluster autoscaler, cert-manager...)
gets a role named ``<account>.<namespace>.sa.<cluster>`` (cut to IAM's 64 characters as upstream cuts it),
and the control-plane role no longer carries those permissions. The accounts of
``spec.iam.serviceAccountExternalPermissions`` get roles whether or not the add-ons do.

A role trusts tokens the cluster's service-account issuer signed for that one account
(``system:serviceaccount:<namespace>:<account>``; a ``*`` in the namespace matches with ``StringLike``),
through the IAM OIDC provider of the issuer (``serviceAccountIssuerDiscovery.enableAWSOIDCProvider``). Its
pods read a projected token with the audience ``amazonaws.com`` and name the role in ``AWS_ROLE_ARN``, which
the AWS SDKs exchange for credentials. ARNs name the account as ``${aws_account_id}``, filled in on apply
(from STS) and by Terraform (``templatefile``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kops.errors import KopsError

from kops_aws.account import ACCOUNT_PLACEHOLDER
from kops_aws.naming import iam_name

#: The audience of the tokens AWS STS accepts, and the IAM OIDC provider's default client ID.
AUDIENCE = "amazonaws.com"
#: Where pods find their token, as upstream mounts it.
TOKEN_DIR = "/var/run/secrets/amazonaws.com/"
TOKEN_FILE = TOKEN_DIR + "token"
TOKEN_VOLUME = "token-amazonaws-com"
#: How long a projected token lives; the kubelet renews it well before.
TOKEN_SECONDS = 86400
#: The group that may read the token in a pod that sets no ``fsGroup`` (upstream's generic user).
FS_GROUP = 10001
#: Tags naming the account a role is for.
TAG_NAME = "service-account.kops.k8s.io/name"
TAG_NAMESPACE = "service-account.kops.k8s.io/namespace"


@dataclass
class AccountRole:
    """One service account's role: whose it is and what it may do."""

    namespace: str
    name: str
    #: A permission set's name or IAM statements (see :func:`kops_aws.iampolicy.service_account_policy`).
    permissions: Any = None
    #: Managed policies attached to the role (``serviceAccountExternalPermissions``' ``policyARNs``).
    policy_arns: list[str] = field(default_factory=list)
    #: The user's, from ``spec.iam.serviceAccountExternalPermissions`` (not an add-on's).
    external: bool = False


def enabled(cluster: Any) -> bool:
    """Whether add-ons' service accounts get roles of their own (``spec.iam.useServiceAccountExternalPermissions``)."""
    iam = cluster.spec.iam
    return bool(iam is not None and iam.useServiceAccountExternalPermissions)


def role_name(namespace: str, name: str, cluster_name: str) -> str:
    """``<account>.<namespace>.sa.<cluster>`` (``*`` in a namespace spelled ``wildcard``), cut to fit IAM."""
    return iam_name(f"{name}.{namespace.replace('*', 'wildcard')}.sa.{cluster_name}")


def export_name(namespace: str, name: str) -> str:
    """The prefix of the role's Terraform outputs: ``kube-system-dns-controller``."""
    return f"{namespace}-{name}".replace("*", "wildcard").lower()


def role_tags(namespace: str, name: str) -> dict[str, str]:
    return {TAG_NAME: name, TAG_NAMESPACE: namespace.replace("*", "wildcard")}


def role_arn(cluster: Any, namespace: str, name: str) -> str:
    """The role's ARN, with ``${aws_account_id}`` for the account."""
    from kops_aws.iampolicy import partition

    role = role_name(namespace, name, cluster.metadata.name)
    return f"arn:{partition(region_of(cluster))}:iam::{ACCOUNT_PLACEHOLDER}:role/{role}"


def region_of(cluster: Any) -> str:
    from kops_aws.cloud import AWSCloud

    zones = sorted({s.zone for s in cluster.spec.subnets or [] if s.zone})
    if not zones:
        raise KopsError(f"cluster {cluster.metadata.name}: no subnet names a zone, so the AWS region is unknown")
    return AWSCloud().region_for_zone(zones[0])


def issuer(cluster: Any) -> str:
    """The service-account issuer's address (``https://...``), which the completed spec holds."""
    api = cluster.spec.kubeAPIServer
    found = api.serviceAccountIssuer if api is not None else None
    if not found:
        raise KopsError(f"Cluster/{cluster.metadata.name}: IAM needs the service-account issuer's address: set "
                        "spec.serviceAccountIssuerDiscovery.discoveryStore (or spec.kubeAPIServer.serviceAccountIssuer)")
    return str(found)


def provider_host(cluster: Any) -> str:
    """The issuer without ``https://``: how IAM names the OIDC provider and the keys of its conditions."""
    return issuer(cluster).removeprefix("https://")


def roles(cluster: Any) -> list[AccountRole]:
    """Every service account that gets a role: the add-ons' (when enabled), then the user's."""
    found: dict[tuple[str, str], AccountRole] = {}
    if enabled(cluster):
        from kops.addons import collect

        for addon in collect(cluster):
            for account in addon.service_accounts:
                permissions = account.permissions_on("aws")
                if permissions is None or account.key in found:
                    continue
                found[account.key] = AccountRole(account.namespace, account.name, permissions)
    iam = cluster.spec.iam
    for item in (iam.serviceAccountExternalPermissions if iam is not None else None) or []:
        key = (item.namespace, item.name)
        where = f"spec.iam.serviceAccountExternalPermissions[{item.namespace}/{item.name}]"
        if key in found:
            raise KopsError(f"Cluster/{cluster.metadata.name}: {where}: this service account is an add-on's, "
                            "which already has a role")
        aws = item.aws
        statements = None
        if aws is not None and aws.inlinePolicy:
            from kops_aws.iampolicy import parse_statements

            statements = parse_statements(aws.inlinePolicy, cluster.metadata.name, f"{where}.aws.inlinePolicy")
        found[key] = AccountRole(item.namespace, item.name, statements,
                                 sorted((aws.policyARNs if aws is not None else None) or []), external=True)
    return list(found.values())


def identity(cluster: Any, service_account: Any) -> Any:
    """The :class:`kops.addons.PodIdentity` of an add-on's service account on an AWS cluster whose add-ons have
    roles; None otherwise."""
    from kops.addons import PodIdentity

    if cluster.spec.cloudProvider != "aws" or not enabled(cluster) or service_account.permissions_on("aws") is None:
        return None
    return PodIdentity(
        env=[{"name": "AWS_ROLE_ARN", "value": role_arn(cluster, service_account.namespace, service_account.name)},
             {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": TOKEN_FILE}],
        volumes=[{"name": TOKEN_VOLUME, "projected": {"defaultMode": 0o644, "sources": [{"serviceAccountToken": {
            "audience": AUDIENCE, "expirationSeconds": TOKEN_SECONDS, "path": TOKEN_FILE.rsplit("/", 1)[1]}}]}}],
        volume_mounts=[{"mountPath": TOKEN_DIR, "name": TOKEN_VOLUME, "readOnly": True}],
        fs_group=FS_GROUP,
    )
