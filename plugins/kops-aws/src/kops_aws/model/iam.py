"""IAM: a role, an instance profile and least-privilege policies for each instance group role in use.

As upstream: one role per role (``masters.<cluster>``, ``nodes.<cluster>``, ``bastions.<cluster>``), not
per instance group, with an inline policy from :mod:`kops_aws.iampolicy`, the user's
``additionalPolicies`` as a second inline policy and ``externalPolicies`` attached. A group that brings
its own instance profile (``iam.profile``) gets none of this: its profile is looked up, never changed.

Service accounts that have roles of their own (:mod:`kops_aws.serviceaccounts`) get one each, named
``<account>.<namespace>.sa.<cluster>``, trusting the cluster's OIDC provider for that account, with the
account's permissions as its inline policy and ``policyARNs`` attached (``external-<role>``).
"""

from __future__ import annotations

from typing import Any

from kops.engine import Lifecycle, Task
from kops.errors import KopsError

from kops_aws import iampolicy, serviceaccounts
from kops_aws.instancegroups import (
    CONTROL_PLANE,
    custom_profile_name,
    iam_role_name,
    role_key,
    role_of,
    warm_pool,
)
from kops_aws.model.dns import dns_type, publishes_records
from kops_aws.tasks.dns_record import is_zone_id
from kops_aws.tasks.iam_instance_profile import IAMInstanceProfile
from kops_aws.tasks.iam_role import IAMRole
from kops_aws.tasks.iam_role_policy import IAMRolePolicy
from kops_aws.tasks.iam_role_policy_attachment import IAMRolePolicyAttachments


def spec_keys(role: str) -> tuple[str, ...]:
    """The keys of ``externalPolicies``/``additionalPolicies`` that apply to a role (``master`` is the old
    spelling of ``control-plane``)."""
    key = role_key(role)
    return ("control-plane", "master") if role == CONTROL_PLANE else (key,)


class IAMBuilder:
    def build(self, aws: Any) -> list[Task]:
        groups = aws.model.instance_groups
        shared: dict[str, str] = {}
        for group in groups:
            name = custom_profile_name(group)
            if name is None:
                continue
            if shared.setdefault(name, role_of(group)) != role_of(group):
                raise KopsError(f"InstanceGroup/{group.metadata.name}: spec.iam.profile: the instance profile "
                                f"{name!r} is used by groups of two roles ({shared[name]} and {role_of(group)})")
        tasks: list[Task] = [IAMInstanceProfile(name=name, lifecycle=Lifecycle.EXISTS_AND_WARN_IF_CHANGES)
                             for name in sorted(shared)]
        managed = sorted({role_of(g) for g in groups if custom_profile_name(g) is None})
        for role in managed:
            hooks = any(role_of(g) == role and warm_pool(aws.spec, g).lifecycle_hook for g in groups)
            tasks.extend(self._role(aws, role, hooks))
        for account in serviceaccounts.roles(aws.cluster):
            tasks.extend(self._service_account_role(aws, account))
        return tasks

    def _service_account_role(self, aws: Any, account: serviceaccounts.AccountRole) -> list[Task]:
        spec = aws.spec
        name = serviceaccounts.role_name(account.namespace, account.name, aws.cluster_name)
        trust = iampolicy.service_account_trust_policy(aws.region, serviceaccounts.provider_host(aws.cluster),
                                                       account.namespace, account.name)
        provider = aws.find("IAMOIDCProvider", aws.cluster_name)
        iam_role = IAMRole(name=name, assume_role_policy=trust,
                           permissions_boundary=spec.iam.permissionsBoundary if spec.iam else None,
                           tags={**aws.tags(name), **serviceaccounts.role_tags(account.namespace, account.name)},
                           export_name=serviceaccounts.export_name(account.namespace, account.name),
                           depends_on=[provider] if provider is not None else [])
        zone = hosted_zone(aws)
        document = iampolicy.service_account_policy(aws, account.permissions, hosted_zone_id=policy_zone_id(zone))
        tasks: list[Task] = [iam_role, IAMRolePolicy(name=name, role=iam_role, hosted_zone=zone,
                                                     policy_document=document)]
        if account.external:
            tasks.append(IAMRolePolicyAttachments(name=f"external-{name}", role=iam_role,
                                                  policy_arns=account.policy_arns))
        return tasks

    def _role(self, aws: Any, role: str, warm_pool_hooks: bool) -> list[Task]:
        spec = aws.spec
        name = iam_role_name(role, aws.cluster_name)
        key = role_key(role)
        boundary = spec.iam.permissionsBoundary if spec.iam else None
        iam_role = IAMRole(name=name, assume_role_policy=iampolicy.assume_role_policy(aws.region),
                           permissions_boundary=boundary, tags=aws.tags(name), export_name=key + "s")
        profile = IAMInstanceProfile(name=name, role=iam_role, tags=aws.tags(name))
        zone = hosted_zone(aws)
        policy = IAMRolePolicy(name=name, role=iam_role, hosted_zone=zone, policy_document=iampolicy.role_policy(
            aws, role, hosted_zone_id=policy_zone_id(zone), warm_pool_hooks=warm_pool_hooks))
        external = sorted({arn for k in spec_keys(role) for arn in (spec.externalPolicies or {}).get(k, [])})
        attachments = IAMRolePolicyAttachments(name=f"{key}-policyoverride", role=iam_role, policy_arns=external)
        additional_text = next((t for k in spec_keys(role) if (t := (spec.additionalPolicies or {}).get(k))), "")
        additional = ""
        if additional_text:
            statements = iampolicy.parse_additional(additional_text, aws.cluster_name, spec_keys(role)[0])
            additional = iampolicy.document(statements)
        extra = IAMRolePolicy(name=f"additional.{name}", role=iam_role, policy_document=additional)
        return [iam_role, profile, policy, attachments, extra]


def hosted_zone(aws: Any) -> dict[str, Any] | None:
    """The Route 53 zone dns-controller writes to (``spec.dnsZone``, an ID or a domain, or the closest zone of
    the cluster's domain), or None when the cluster publishes no DNS records."""
    if not publishes_records(aws):
        return None
    return {"zone": aws.spec.dnsZone or None, "private": dns_type(aws) == "Private"}


def policy_zone_id(zone: dict[str, Any] | None) -> str | None:
    """How a policy names dns-controller's zone: its ID when the spec gives one, else the placeholder the
    policy task fills in (None: no zone)."""
    if zone is None:
        return None
    return str(zone["zone"]) if zone["zone"] and is_zone_id(zone["zone"]) else iampolicy.HOSTED_ZONE


def profile_for(aws: Any, group: Any) -> IAMInstanceProfile:
    """The instance profile a group's launch template names (built by :class:`IAMBuilder`)."""
    name = custom_profile_name(group) or iam_role_name(role_of(group), aws.cluster_name)
    return aws.get("IAMInstanceProfile", name)


BUILDER = IAMBuilder()
