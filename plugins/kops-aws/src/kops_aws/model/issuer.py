"""The service-account issuer on AWS: its discovery documents in an ``s3://`` discovery store, and IAM's OIDC
provider that trusts it (``serviceAccountIssuerDiscovery.enableAWSOIDCProvider``).

The documents (:mod:`kops.pki.oidc`: the OpenID configuration and the service-account keyset's public keys)
become public ``S3Object`` tasks under the store (Terraform: ``aws_s3_object`` through the ``aws.files``
provider, ``acl = "public-read"``). A store of another scheme is another plugin's to write (``gs://``), or
not written at all (``memfs://``, which only tests use). The provider is named after the cluster and trusts
the issuer's address for the audience ``amazonaws.com`` and the spec's ``additionalAudiences``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from kops.engine import Task

from kops_aws.serviceaccounts import AUDIENCE
from kops_aws.tasks.iam_oidc_provider import S3_ROOT_CA_THUMBPRINTS, IAMOIDCProvider
from kops_aws.tasks.s3_object import S3Object

log = logging.getLogger(__name__)


class IssuerBuilder:
    def build(self, aws: Any) -> list[Task]:
        return [*self._documents(aws), *self._provider(aws)]

    def _documents(self, aws: Any) -> list[Task]:
        from kops.pki.oidc import published_files

        discovery = aws.spec.serviceAccountIssuerDiscovery
        store = urlsplit((discovery.discoveryStore if discovery is not None else None) or "")
        if store.scheme != "s3":
            if store.scheme:
                log.info("the service-account issuer's documents go to %s, which is not in S3: kops-aws leaves "
                         "them out", discovery.discoveryStore)
            return []
        folder = store.path.strip("/") + "/" if store.path.strip("/") else ""
        tasks: list[Task] = []
        for f in published_files(aws.model):
            url = urlsplit(f.url)
            tasks.append(S3Object(name=f.name, bucket=url.netloc, key=url.path.lstrip("/"), content=f.content,
                                  server_side_encryption="AES256", acl="public-read", folder=folder))
        return tasks

    def _provider(self, aws: Any) -> list[Task]:
        discovery = aws.spec.serviceAccountIssuerDiscovery
        if discovery is None or not discovery.enableAWSOIDCProvider:
            return []
        from kops_aws.serviceaccounts import issuer

        audiences = [AUDIENCE, *(a for a in discovery.additionalAudiences or [] if a != AUDIENCE)]
        name = aws.cluster_name
        return [IAMOIDCProvider(name=name, url=issuer(aws.cluster), client_ids=audiences,
                                thumbprints=list(S3_ROOT_CA_THUMBPRINTS), tags=aws.tags(name))]


BUILDER = IssuerBuilder()
