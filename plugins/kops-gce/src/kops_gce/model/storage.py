"""Boot files as objects of a ``gs://`` state store in Terraform output (see
:class:`kops_gce.tasks.storage_object.StorageObject`): one per file of ``model.bootstrap_files`` but the private
ones, which never reach Terraform's files (``kops update cluster --target terraform`` stores every boot file
itself before it writes the configuration).

Plans and applies, and Terraform output for any other store, write boot files as core's ``ManagedFile`` tasks or
through the store itself: nothing here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kops.engine import Task

from kops_gce.tasks.storage_object import StorageObject


def stores_boot_files(model: Any) -> bool:
    """Whether Terraform output writes the boot files: for Terraform, with the state store in Cloud Storage."""
    return model.target == "terraform" and urlsplit(model.state_url).scheme.lower() == "gs"


class StorageBuilder:
    def build(self, model: Any) -> list[Task]:
        if not stores_boot_files(model):
            return []
        url = urlsplit(model.state_url)
        folder = "/".join(p for p in (url.path.strip("/"), model.cluster_name) if p)
        return [StorageObject(name=f.path, bucket=url.netloc, object_name=f"{folder}/{f.path}", content=f.content)
                for f in model.bootstrap_files if not f.private]


BUILDERS = [StorageBuilder()]
