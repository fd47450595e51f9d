"""DropletGroup: an instance group's Droplets. DigitalOcean has no managed groups, so kops keeps the count itself,
as upstream does: every Droplet of a group has the group's name (``<group>.<cluster>``, the control plane's
``<group>.masters.<cluster>``) and its tags, and an apply makes the missing ones up to ``count`` (the group's
``minSize``) and ends surplus ones, the out-of-date first.

What a Droplet boots with (region, size, image, VPC, SSH key, tags, user data) is its group's configuration,
hashed into ``config``. A Droplet carries the hash it was made from (``kops-config``) and its group's current one
(``kops-group-config``): a changed configuration is applied by re-tagging the group's Droplets with the new group
hash, and those made from an older one are then out of date, for a rolling update to replace
(:mod:`kops_digitalocean.cloudgroups`). Droplets taken out of the group (``kops-detached``) are not counted.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kops.engine import Changes, Context
from kops.nodeup import machinekey

from kops_digitalocean.tags import CONFIG, DETACHED, GROUP_CONFIG, INSTANCE_GROUP, MACHINE_KEY, tag, value
from kops_digitalocean.tasks import DOTask, tag_resources
from kops_digitalocean.tasks.droplet import end
from kops_digitalocean.tasks.ssh_key import SSHKey
from kops_digitalocean.tasks.vpc import VPC

#: The tags of a Droplet that say how it stands towards its group, not what it was made as.
STANDING = (CONFIG + ":", GROUP_CONFIG + ":", DETACHED, MACHINE_KEY + ":")


def config_hash(fields: dict[str, Any]) -> str:
    """A short hash of a group's configuration."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def group_droplets(droplets: Any, name: str, group: str) -> list[dict[str, Any]]:
    """The listed Droplets of a group still in it, oldest first."""
    return sorted((d for d in droplets if d["name"] == name and tag(INSTANCE_GROUP, group) in d["tags"]
                   and DETACHED not in d["tags"]), key=lambda d: d["id"])


class DropletGroup(DOTask):
    #: The instance group's name (its Droplets' ``kops-instancegroup`` tag).
    group: str | None = None
    count: int | None = None
    region: str | None = None
    size: str | None = None
    image: str | None = None
    #: The VPC: the cluster's own (a task), a shared one's ID, or None for the region's default VPC.
    vpc: VPC | str | None = None
    ssh_key: SSHKey | None = None
    #: Upstream's tags, and the state store's ID.
    tags: list[str] | None = None
    user_data: str | None = None
    #: The hash of everything above but the count.
    config: str | None = None

    id_field = ""
    ignored_fields = {"user_data", "ssh_key"}
    immutable_fields = {"region"}
    immutable_advice = "a cluster's Droplets stay in its region"

    def __post_init__(self) -> None:
        if self.config is None and self.size is not None:
            vpc = self.vpc.name if isinstance(self.vpc, VPC) else self.vpc
            key = self.ssh_key.fingerprint if self.ssh_key is not None else None
            self.config = config_hash({"region": self.region, "size": self.size, "image": self.image, "vpc": vpc,
                                       "ssh_key": key, "tags": sorted(self.tags or []),
                                       "user_data": self.user_data or ""})

    def find(self, ctx: Context) -> DropletGroup | None:
        found = group_droplets(ctx.snapshot.get("droplets"), self.name, self.group)
        if not found:
            return None
        current = value(found[-1]["tags"], GROUP_CONFIG)
        if current == self.config:  # the hash says everything matches
            return DropletGroup(name=self.name, lifecycle=self.lifecycle, group=self.group, count=len(found),
                                region=self.region, size=self.size, image=self.image, vpc=self.vpc,
                                ssh_key=self.ssh_key, tags=self.tags, config=current)
        newest = found[-1]
        return DropletGroup(name=self.name, lifecycle=self.lifecycle, group=self.group, count=len(found),
                            region=newest["region"]["slug"], size=newest["size_slug"],
                            image=(newest.get("image") or {}).get("slug"), vpc=newest.get("vpc_uuid"),
                            ssh_key=self.ssh_key, tags=sorted(t for t in newest["tags"] if not t.startswith(STANDING)),
                            config=current)

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "tags":
            return sorted(desired) == sorted(actual or [])
        if field == "vpc" and isinstance(desired, VPC) and isinstance(actual, VPC):
            return desired.name == actual.name
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: DropletGroup | None, changes: Changes) -> None:
        found = group_droplets(ctx.snapshot.get("droplets"), self.name, self.group) if actual is not None else []
        if actual is not None and actual.config != self.config:
            ids = [d["id"] for d in found]
            if actual.config:
                tag_resources(ctx, tag(GROUP_CONFIG, actual.config), "droplet", ids, untag=True)
            tag_resources(ctx, tag(GROUP_CONFIG, self.config), "droplet", ids)
            stale = [d for d in found if value(d["tags"], CONFIG) != self.config]
            if stale:
                ctx.log.warning("%s: %d Droplet(s) were made from an earlier configuration; kops rolling-update "
                                "cluster replaces them", self.group, len(stale))
        missing = (self.count or 0) - len(found)
        for _ in range(max(missing, 0)):
            self._create(ctx)
        if missing < 0:
            surplus = sorted(found, key=lambda d: (value(d["tags"], CONFIG) == self.config, d["id"]))[:-missing]
            for droplet in surplus:
                ctx.log.info("%s: ending Droplet %s, beyond the group's %d", self.group, droplet["id"], self.count)
                end(ctx.cloud, droplet)

    def _create(self, ctx: Context) -> None:
        """One Droplet, with its own machine key (a tag, so one Droplet per call): made here, never planned."""
        vpc = self.vpc.id if isinstance(self.vpc, VPC) else self.vpc
        body: dict[str, Any] = {
            "name": self.name, "region": self.region, "size": self.size, "image": self.image,
            "tags": [*(self.tags or []), tag(CONFIG, self.config), tag(GROUP_CONFIG, self.config),
                     tag(MACHINE_KEY, machinekey.new_key())],
            "user_data": self.user_data or None, "monitoring": True,
        }
        if vpc:
            body["vpc_uuid"] = vpc
        if self.ssh_key is not None:
            body["ssh_keys"] = [self.ssh_key.id]
        ctx.cloud.post("droplets", body)
