"""ManagedFile: a file nodes read at boot, kept in the cluster's state store (upstream's ``fitasks.ManagedFile``).

Nodeup configurations, the add-on channel and its manifests, the completed spec: ``kops update cluster`` plans and
applies them like any cloud resource, so the plan names every file an apply would write, and a file whose bytes
did not change is not written again. They are compared by digest, from one listing of the cluster's folder per
run (the run's snapshot lists kind :data:`KIND` with :meth:`kops.state.StateStore.content_digests`), so a plan's
reads do not grow with the number of files.

Terraform output does not hold them: ``kops update cluster --target terraform`` writes them itself (and a cloud
whose storage Terraform manages, such as S3, adds its own resources for them).
"""

from __future__ import annotations

import hashlib
from typing import Any

from kops.engine import Changes, Context, Task
from kops.engine.targets.terraform import TerraformWriter

#: The snapshot's kind for the cluster's files in the state store: one item, a dict of path -> MD5.
KIND = "managed_file"


class ManagedFile(Task):
    #: The path in the state store, relative to the store's root (``my.example.com/igconfig/...``).
    location: str | None = None
    #: Compared by content; a plan shows its size and digest, never the bytes.
    content: bytes | None = None

    immutable_fields = {"location"}

    #: Whether the file is secret material (stored privately; never shown in plans).
    private = False

    def find(self, ctx: Context) -> ManagedFile | None:
        md5 = ctx.snapshot.get(KIND)[0].get(self.location)
        if md5 is None:
            return None
        if self.content is not None and hashlib.md5(self.content, usedforsecurity=False).hexdigest() == md5:
            return type(self)(name=self.name, location=self.location, content=self.content)
        stored = ctx.store.read(self.location)
        return type(self)(name=self.name, location=self.location, content=stored.data if stored else None)

    def render_direct(self, ctx: Context, actual: ManagedFile | None, changes: Changes) -> None:
        ctx.store.write(self.location, self.content or b"", private=self.private)

    def delete_direct(self, ctx: Context) -> None:
        ctx.store.delete(self.location)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Nothing: the terraform target writes the files to the store itself."""


class PrivateManagedFile(ManagedFile):
    """A boot file holding secret material: stored privately, its content never shown."""

    type_name = "ManagedFile"
    secret_fields = {"content"}
    private = True


def lister(store: Any, cluster_name: str) -> Any:
    """The snapshot's lister of :data:`KIND`: every object in the cluster's folder, with its MD5."""
    return lambda: [store.content_digests(cluster_name + "/")]
