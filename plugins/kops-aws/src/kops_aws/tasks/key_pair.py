"""KeyPair: the admin SSH key EC2 puts on instances.

Its name carries the key's fingerprint (``kubernetes.<cluster>-c4:a6:...``, as upstream names it), so a
new key is a new key pair and a key pair never changes. A key the user names (``spec.sshKeyName``) is
shared: looked up, never imported or deleted.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tasks.common import delete_quietly, is_not_found, matching_tags, owned, tag_specifications, update_tags


def fingerprint(public_key: str) -> str:
    """Upstream's fingerprint of an OpenSSH public key: the MD5 of its key blob, colon-separated hex."""
    digest = hashlib.md5(base64.b64decode(public_key.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


class KeyPair(Task):
    #: The name in EC2 (with colons; the task's name is the same without them, as Terraform needs).
    key_name: str | None = None
    #: The OpenSSH public key; not compared, the name already says which key it is.
    public_key: str | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    immutable_fields = {"key_name"}
    ignored_fields = {"public_key"}
    output_fields = {"id"}
    terraform_type = "aws_key_pair"

    def find(self, ctx: Context) -> KeyPair | None:
        if self.lifecycle.shared:
            try:
                found = ctx.cloud.ec2.describe_key_pairs(KeyNames=[self.key_name])["KeyPairs"]
            except Exception as exc:
                if not is_not_found(exc):
                    raise
                found = []
            raw = found[0] if found else None
        else:
            raw = ctx.snapshot.first("key_pair", lambda k: k.get("KeyPairId") == self.id if self.id
                                     else k["KeyName"] == self.key_name)
        if raw is None:
            return None
        return KeyPair(name=self.name, lifecycle=self.lifecycle, key_name=raw["KeyName"],
                       tags=matching_tags(raw, self.tags), id=raw.get("KeyPairId"))

    def render_direct(self, ctx: Context, actual: KeyPair | None, changes: Changes) -> None:
        if actual is None:
            self.id = ctx.cloud.ec2.import_key_pair(
                KeyName=self.key_name, PublicKeyMaterial=(self.public_key or "").encode(),
                TagSpecifications=tag_specifications("key-pair", self.tags))["KeyPairId"]
        else:
            update_tags(ctx, self.id, changes)

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.ec2.delete_key_pair(KeyName=self.key_name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_key_pair", self.name, {
            "key_name": self.key_name,
            "public_key": tf.file_ref("aws_key_pair", self.name, "public_key", self.public_key or ""),
            "tags": self.tags,
        })

    def launch_template_ref(self) -> Any:
        """How a Terraform launch template names the key: a shared key by name, ours by reference."""
        return self.key_name if self.lifecycle.shared else self.terraform_ref("id")


@register("key_pair")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_key_pairs", "KeyPairs")


@register_deletions("key_pair")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [KeyPair(name=k["KeyName"].replace(":", ""), key_name=k["KeyName"], id=k["KeyPairId"])
            for k in owned(snapshot.get("key_pair"), cluster_name)]
