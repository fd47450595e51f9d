"""Checks of the spec that concern IAM roles for service accounts on AWS, as upstream kOps has them."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError


def validate(cluster: Any) -> list[FieldError]:
    if cluster.spec.cloudProvider != "aws":
        return []
    return [*_issuer_discovery(cluster), *_external_permissions(cluster)]


def _issuer_discovery(cluster: Any) -> list[FieldError]:
    discovery = cluster.spec.serviceAccountIssuerDiscovery
    if discovery is None:
        return []
    path = "spec.serviceAccountIssuerDiscovery"
    errors = []
    store = discovery.discoveryStore or ""
    if store.startswith("s3://") and "." in store.removeprefix("s3://").partition("/")[0]:
        # The documents are fetched over HTTPS at the bucket's virtual-hosted address, which S3's wildcard
        # certificate covers only for names without dots.
        errors.append(FieldError(f"{path}.discoveryStore", f"{store}: the bucket's name cannot contain dots"))
    service = discovery.discoveryService
    if discovery.enableAWSOIDCProvider and not store and not (service is not None and service.url):
        errors.append(FieldError(f"{path}.enableAWSOIDCProvider", "the AWS OIDC provider needs a discoveryStore or "
                                                                  "a discoveryService to trust"))
    return errors


def _external_permissions(cluster: Any) -> list[FieldError]:
    iam = cluster.spec.iam
    errors = []
    seen: set[str] = set()
    for item in (iam.serviceAccountExternalPermissions if iam is not None else None) or []:
        key = f"{item.namespace}/{item.name}"
        path = f"spec.iam.serviceAccountExternalPermissions[{key}]"
        if not item.namespace:
            errors.append(FieldError(f"{path}.namespace", "required"))
        if not item.name:
            errors.append(FieldError(f"{path}.name", "required"))
        elif "*" in item.name:
            errors.append(FieldError(f"{path}.name", "a service account's name cannot hold a wildcard (a namespace "
                                                     "can)"))
        if key in seen:
            errors.append(FieldError(path, "listed twice"))
        seen.add(key)
        aws = item.aws
        if aws is None:
            errors.append(FieldError(f"{path}.aws", "required: the account's AWS permissions"))
        elif not aws.policyARNs and not aws.inlinePolicy:
            errors.append(FieldError(f"{path}.aws", "set either inlinePolicy or policyARNs"))
        elif aws.policyARNs and aws.inlinePolicy:
            errors.append(FieldError(f"{path}.aws", "set inlinePolicy or policyARNs, not both"))
    return errors
