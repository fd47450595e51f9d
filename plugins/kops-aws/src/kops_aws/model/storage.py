"""Boot files as objects of an ``s3://`` state store in Terraform output: what nodes read (nodeup configs, the
completed spec).

As upstream, Terraform manages them as ``aws_s3_object`` resources (through the ``aws.files`` provider).
Private files are never written into Terraform: ``kops update cluster --target terraform`` stores every boot
file itself before it writes the configuration, so no secret reaches its files.
Plans and applies manage boot files in any store as core's ``ManagedFile`` tasks; other stores (``file://``,
``memfs://``) are not S3: nothing here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kops.engine import Task

from kops_aws.tasks.s3_object import S3Object


class StorageBuilder:
    def build(self, aws: Any) -> list[Task]:
        url = urlsplit(aws.model.state_url)
        if url.scheme != "s3" or aws.model.target != "terraform":
            return []
        prefix = "/".join(p for p in (url.path.strip("/"), aws.cluster_name) if p) + "/"
        tasks: list[Task] = []
        for f in aws.model.bootstrap_files:
            if f.private:
                continue
            tasks.append(S3Object(name=f.path, bucket=url.netloc, key=prefix + f.path, content=f.content,
                                  server_side_encryption="AES256", folder=prefix, verbatim=f.verbatim))
        return tasks


BUILDER = StorageBuilder()
