"""S3Object: a file in S3 that kops writes: the boot files of an ``s3://`` state store in Terraform output (nodeup
configs, the completed spec...), the service-account issuer's discovery documents.

Objects are compared by their MD5 (the ETag of a single-part upload), so a plan reads one listing of the
folder, not the files.

A file naming the AWS account (``${aws_account_id}``, which only the direct target can fill in before
writing) is rendered for Terraform with ``templatefile``, so the object Terraform writes names the account.

A public object (``acl: public-read``: the service-account issuer's discovery documents, which IAM and anyone
checking tokens fetch anonymously) is written with that canned ACL, as upstream writes it; the direct target
leaves the ACL out when the bucket's policy already makes the bucket public (a bucket that refuses ACLs must
be made readable that way). The ACL is set on every write and never compared.

They are not deleted by ``kops delete cluster`` through discovery: the state store belongs to kops
itself, which removes the cluster's folder when it deletes the cluster.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from kops.engine import Changes, Context, Expr, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.account import ACCOUNT_PLACEHOLDER, terraform_account
from kops_aws.awsapi import error_code
from kops_aws.discovery import paginate


@dataclass(frozen=True)
class StoredDigest:
    """What a listing says of an object's content: its MD5, as hex."""

    md5: str

    def __str__(self) -> str:
        return f"md5:{self.md5}"


class S3Object(Task):
    bucket: str | None = None
    key: str | None = None
    content: bytes | None = None
    #: ``AES256`` to have S3 encrypt the object at rest.
    server_side_encryption: str | None = None
    #: A canned ACL: ``public-read`` for an object anyone may read.
    acl: str | None = None
    #: The cluster's folder in the bucket: one listing of it tells every object's digest.
    folder: str | None = None
    #: Written exactly as given, never through ``templatefile`` (the node bundle: code that spells placeholders).
    verbatim: bool = False

    immutable_fields = {"bucket", "key"}
    ignored_fields = {"server_side_encryption", "folder", "acl", "verbatim"}
    terraform_type = "aws_s3_object"

    def find(self, ctx: Context) -> S3Object | None:
        digests = listing(ctx, self.bucket or "", self.folder or "")
        if self.key not in digests:
            return None
        return type(self)(name=self.name, lifecycle=self.lifecycle, bucket=self.bucket, key=self.key,
                          content=StoredDigest(digests[self.key]))  # type: ignore[arg-type]

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "content" and isinstance(actual, StoredDigest):
            return hashlib.md5(desired, usedforsecurity=False).hexdigest() == actual.md5
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: S3Object | None, changes: Changes) -> None:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key, "Body": self.content or b""}
        if self.server_side_encryption:
            args["ServerSideEncryption"] = self.server_side_encryption
        if self.acl and not (self.acl == "public-read" and bucket_is_public(ctx, self.bucket or "")):
            args["ACL"] = self.acl
        ctx.cloud.s3.put_object(**args)

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.s3.delete_object(Bucket=self.bucket, Key=self.key)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        content = self.content or b""
        if ACCOUNT_PLACEHOLDER.encode() in content and not self.verbatim:
            # A manifest naming the account (a queue URL): Terraform fills it in, as kops writes no account.
            ref = tf.template_ref("aws_s3_object", self.name, "content", content, terraform_account(tf))
        else:
            ref = tf.file_ref("aws_s3_object", self.name, "content", content)
        tf.add_resource("aws_s3_object", self.name, {
            "acl": self.acl, "bucket": self.bucket, "key": self.key, "provider": Expr("aws.files"), "content": ref,
            "server_side_encryption": self.server_side_encryption,
        })


def bucket_is_public(ctx: Context, bucket: str) -> bool:
    """Whether the bucket's policy lets anyone read it (asked once per run); no policy is not public."""
    def make() -> bool:
        try:
            status = ctx.cloud.s3.get_bucket_policy_status(Bucket=bucket)
        except Exception as exc:
            if error_code(exc) == "NoSuchBucketPolicy":
                return False
            raise
        return bool(status.get("PolicyStatus", {}).get("IsPublic"))

    return ctx.client(f"s3-public:{bucket}", make)


def listing(ctx: Context, bucket: str, prefix: str) -> dict[str, str]:
    """Key -> MD5 of every object under ``prefix``, listed once per run; a missing bucket holds nothing."""
    def make() -> dict[str, str]:
        try:
            objects = paginate(ctx.cloud.s3, "list_objects_v2", "Contents", Bucket=bucket, Prefix=prefix)
        except Exception as exc:
            if error_code(exc) == "NoSuchBucket":
                return {}
            raise
        return {o["Key"]: o.get("ETag", "").strip('"') for o in objects}

    return ctx.client(f"s3-listing:{bucket}/{prefix}", make)
