"""Boot files as objects of an ``s3://`` state store: what nodes read (nodeup configs, the completed spec).

As upstream, Terraform manages them as ``aws_s3_object`` resources (through the ``aws.files`` provider)
and the direct target writes them. Private files are never written into Terraform (see
:class:`kops_aws.tasks.s3_object.PrivateS3Object`). Other stores (``file://``, ``memfs://``) are not S3:
nothing here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kops.engine import Task

from kops_aws.tasks.s3_object import PrivateS3Object, S3Object


class StorageBuilder:
    def build(self, aws: Any) -> list[Task]:
        url = urlsplit(aws.model.state_url)
        if url.scheme != "s3":
            return []
        prefix = "/".join(p for p in (url.path.strip("/"), aws.cluster_name) if p) + "/"
        tasks: list[Task] = []
        for f in aws.model.bootstrap_files:
            kind = PrivateS3Object if f.private else S3Object
            tasks.append(kind(name=f.path, bucket=url.netloc, key=prefix + f.path, content=f.content,
                              server_side_encryption="AES256", folder=prefix))
        return tasks


BUILDER = StorageBuilder()
