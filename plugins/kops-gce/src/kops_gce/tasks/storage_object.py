"""StorageObject: a file nodes boot from (a nodeup configuration, an add-on manifest, the completed spec), written
by Terraform into a ``gs://`` state store.

Terraform output for a cluster whose state store is in Cloud Storage holds the boot files as
``google_storage_bucket_object`` resources, as upstream writes them: the bucket, the object's full name in it
(``<prefix>/<cluster>/<path>``), and ``source``, the path of the content under ``data/``, through the ``google.files``
provider (which ``spec.target.terraform.filesProviderExtraConfig`` configures). A ``terraform apply`` that changes
the cluster thus also writes what its new machines read, in the same run.

Objects get no ACL: they stay as private as the bucket's IAM policy (or its uniform bucket-level access) makes
them, as the state store writes everything else. Secret material is never one of these objects: the model makes
none for a private file, which ``kops update cluster --target terraform`` stores itself before it writes the
configuration.

Only Terraform output holds these tasks. Plans and applies manage boot files in any store as core's
``ManagedFile`` tasks, through the state store's own client; discovery never lists them either, as
``kops delete cluster`` removes the cluster's folder of the state store itself.
"""

from __future__ import annotations

from kops.engine import Context, Expr, Task
from kops.engine.targets.terraform import TerraformWriter

TERRAFORM_TYPE = "google_storage_bucket_object"
#: The provider alias storage objects are written through (``provider "google" { alias = "files" }``).
FILES_PROVIDER = "google.files"


class StorageObject(Task):
    bucket: str | None = None
    #: The object's name in the bucket: the store's prefix, the cluster's name and the file's path.
    object_name: str | None = None
    content: bytes | None = None

    immutable_fields = {"bucket", "object_name"}
    terraform_type = TERRAFORM_TYPE

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        ref = tf.file_ref(TERRAFORM_TYPE, self.name, "content", self.content or b"")
        # file("${path.module}/data/...") -> the quoted path alone, which is what ``source`` takes.
        source = ref.text.removeprefix("file(").removesuffix(")")
        tf.add_resource(TERRAFORM_TYPE, self.name, {
            "bucket": self.bucket, "name": self.object_name, "provider": Expr(FILES_PROVIDER), "source": Expr(source),
        })
