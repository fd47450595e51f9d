"""Keypair: the admin SSH key servers are made with, named ``kubernetes-<cluster>-<fingerprint>`` as upstream does
(the key's MD5 fingerprint in ``_``-separated hex; Nova takes no dots in the name, so the cluster's become dashes).

Nova key pairs take no tags, and that name is the same for clusters whose names differ only in dots and dashes
(``a.b``, ``a-b``) when they use the same key. So deleting a cluster deletes a key pair of its name only when no
server of another cluster (or of nobody's) was made with it."""

from __future__ import annotations

import re
from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.registry import ssh_fingerprint

from kops_openstack.discovery import DISCOVERY
from kops_openstack.tasks import OpenstackTask

_FINGERPRINT = r"[0-9a-f]{2}(?:_[0-9a-f]{2}){15}"


def key_name(cluster_name: str, public_key: str) -> str:
    digest = ssh_fingerprint(public_key)
    return f"{_prefix(cluster_name)}{'_'.join(digest[i:i + 2] for i in range(0, len(digest), 2))}"


def _prefix(cluster_name: str) -> str:
    return f"kubernetes-{cluster_name.replace('.', '-')}-"


class Keypair(OpenstackTask):
    public_key: str | None = None

    kind = "keypairs"
    id_field = ""
    immutable_fields = {"public_key"}
    replace_on_immutable_change = True

    def find(self, ctx: Context) -> Keypair | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Keypair(name=self.name, lifecycle=self.lifecycle, public_key=self.public_key)

    def render_direct(self, ctx: Context, actual: Keypair | None, changes: Changes) -> None:
        ctx.cloud.compute.create_keypair(name=self.name, public_key=self.public_key)

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.compute.delete_keypair(self.name, ignore_missing=True)


@DISCOVERY.register("keypairs")
def list_keypairs(conn: Any, cluster_name: str) -> list[Any]:
    return list(conn.compute.keypairs())


@DISCOVERY.register("keyUsers")
def list_key_users(conn: Any, cluster_name: str) -> list[Any]:
    """The servers of the project that are not the cluster's: the key pairs they were made with are not its to
    delete."""
    from kops_openstack.discovery import owns

    return [s for s in conn.compute.servers(details=True) if not owns(s, cluster_name)]


@DISCOVERY.register_deletions("keypairs")
def delete_keypairs(snapshot: Snapshot, cluster_name: str) -> list[Keypair]:
    ours = re.compile(re.escape(_prefix(cluster_name)) + _FINGERPRINT + "$")
    used = {s.key_name for s in snapshot.get("keyUsers")}
    return [Keypair(name=k.name) for k in snapshot.get("keypairs") if ours.match(k.name) and k.name not in used]
