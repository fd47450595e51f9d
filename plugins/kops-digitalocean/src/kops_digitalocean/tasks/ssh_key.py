"""SSHKey: the admin SSH key DigitalOcean puts on new Droplets, named as upstream names it
(``kubernetes.<cluster>-<fingerprint>``), so a new key is a new SSH key and an SSH key never changes. An SSH key
carries no tags: its name is what makes it the cluster's."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY
from kops_digitalocean.tags import ssh_key_prefix
from kops_digitalocean.tasks import DOTask


class SSHKey(DOTask):
    #: The OpenSSH public key; not compared, the name already says which key it is.
    public_key: str | None = None
    #: Its MD5 fingerprint, colon-separated, as the API shows it and Droplets may name it.
    fingerprint: str | None = None
    id: int | None = None

    api_kind = "account/keys"
    ignored_fields = {"public_key"}
    immutable_fields = {"fingerprint"}
    output_fields = {"id"}

    def find(self, ctx: Context) -> SSHKey | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return SSHKey(name=self.name, lifecycle=self.lifecycle, fingerprint=raw["fingerprint"], id=raw["id"])

    def render_direct(self, ctx: Context, actual: SSHKey | None, changes: Changes) -> None:
        if actual is None:
            self.id = ctx.cloud.post("account/keys", {"name": self.name, "public_key": self.public_key})["ssh_key"]["id"]


@DISCOVERY.register("account/keys")
def list_ssh_keys(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return [k for k in api.get("account/keys")["ssh_keys"] if k["name"].startswith(ssh_key_prefix(cluster_name))]


@DISCOVERY.register_deletions("account/keys")
def delete_ssh_keys(snapshot: Snapshot, cluster_name: str) -> list[SSHKey]:
    return [SSHKey(name=k["name"], id=k["id"], fingerprint=k["fingerprint"]) for k in snapshot.get("account/keys")]
