"""Droplets: create one (``name``) or several (``names``, at most 10) with tags, user data, a VPC, SSH keys
and volumes; list (``tag_name`` and ``name`` filters, paginated); get; delete one or every one with a tag.

A new Droplet answers ``new`` with no addresses; from its next read on it is ``active``, with a private
address from its VPC and a public one. A Droplet with no ``vpc_uuid`` joins its region's default VPC.
Deleting a Droplet detaches its volumes and takes it out of load balancers and firewalls, as the real API
does. The API never shows user data; :func:`user_data` is the fake's own view of it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from kops_digitalocean.testing.do_api.account import Account, Progress, now
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

#: Hostname characters, as the real API checks a Droplet's name.
_HOSTNAME = re.compile(r"^[A-Za-z0-9.\-]{1,255}$")
HOSTNAME_MESSAGE = "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)"
#: The most user data a Droplet takes (64 KiB).
MAX_USER_DATA = 64 * 1024
#: The most Droplets one request creates.
MAX_NAMES = 10


@dataclass
class Droplet:
    id: int
    name: str
    region: str
    size: str
    image: dict[str, Any]
    vpc_uuid: str
    tags: list[str]
    user_data: str | None
    ssh_key_ids: list[int]
    features: list[str]
    created_at: str
    progress: Progress
    status: str = "new"
    create_action_id: int = 0
    private_ip: str | None = None
    public_ip: str | None = None
    volume_ids: list[str] = field(default_factory=list)
    snapshot_ids: list[int] = field(default_factory=list)


def settle(account: Account, droplet: Droplet, read: bool = False) -> None:
    """Once a new Droplet has settled (``read``: this look counts as a read of it) it is ``active``, with its
    addresses, and its create action has completed."""
    if droplet.status == "new" and (droplet.progress.read() if read else droplet.progress.done()):
        droplet.status = "active"
        droplet.private_ip = account.private_address(account.vpc(droplet.vpc_uuid))
        droplet.public_ip = account.public_address()
        action = account.actions.get(droplet.create_action_id)
        if action is not None and action.completed_at is None:
            action.completed_at = now()


def check_idle(account: Account, droplet: Droplet) -> None:
    """422 while the Droplet is still being created or an action on it (its own, or a volume's attach or
    detach) is in progress: the real API takes one event at a time per Droplet."""
    settle(account, droplet)
    if droplet.status == "new" or any(a.droplet_id == droplet.id and not account.action_done(a)
                                      for a in account.actions.values()):
        raise unprocessable("Droplet already has a pending event.")


def render(account: Account, droplet: Droplet, read: bool | None = True) -> dict[str, Any]:
    """A Droplet as the API shows it. ``read``: this look counts as a read; ``None``: the answer to its create
    call, which always shows it ``new``."""
    if read is not None:
        settle(account, droplet, read)
    size = account.sizes[droplet.size]
    v4 = []
    if droplet.private_ip:
        v4.append({"ip_address": droplet.private_ip, "netmask": str(_netmask(account, droplet)),
                   "gateway": "", "type": "private"})
    if droplet.public_ip:
        v4.append({"ip_address": droplet.public_ip, "netmask": "255.255.255.0",
                   "gateway": droplet.public_ip.rsplit(".", 1)[0] + ".1", "type": "public"})
    return {
        "id": droplet.id, "name": droplet.name, "memory": size["memory"], "vcpus": size["vcpus"],
        "disk": size["disk"], "locked": False, "status": droplet.status, "kernel": None,
        "created_at": droplet.created_at, "features": list(droplet.features), "backup_ids": [],
        "next_backup_window": None, "snapshot_ids": list(droplet.snapshot_ids), "image": dict(droplet.image),
        "volume_ids": list(droplet.volume_ids), "size": dict(size), "size_slug": droplet.size,
        "networks": {"v4": v4, "v6": []}, "region": dict(account.regions[droplet.region]),
        "tags": list(droplet.tags), "vpc_uuid": droplet.vpc_uuid,
        "disk_info": [{"type": "local", "size": {"amount": size["disk"], "unit": "gib"}}],
    }


def _netmask(account: Account, droplet: Droplet) -> str:
    return str(ipaddress.ip_network(account.vpc(droplet.vpc_uuid).ip_range).netmask)


def valid_name(name: str) -> bool:
    """A hostname: letters, digits, dots and dashes, neither first nor last a dot or dash."""
    return bool(_HOSTNAME.match(name)) and not name.startswith(("-", ".")) and not name.endswith(("-", "."))


def get(account: Account, droplet_id: Any) -> Droplet:
    try:
        found = account.droplets.get(int(droplet_id))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise not_found()
    return found


def user_data(account: Account, droplet_id: Any) -> str | None:
    """The user data a Droplet was created with (the metadata service's view; the API never returns it)."""
    return get(account, droplet_id).user_data


# --- creating ---------------------------------------------------------------------------------------------

def _ssh_keys(account: Account, refs: Any) -> list[int]:
    """Key ids for the ``ssh_keys`` given as ids or fingerprints; 422 naming the unknown ones."""
    if refs is None:
        return []
    if not isinstance(refs, list):
        raise unprocessable("ssh_keys must be an array")
    ids, unknown = [], []
    for ref in refs:
        key = None
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            key = account.ssh_keys.get(int(ref))
        elif isinstance(ref, str):
            key = next((k for k in account.ssh_keys.values() if k.fingerprint == ref), None)
        if key is None:
            unknown.append(str(ref))
        elif key.id not in ids:
            ids.append(key.id)
    if unknown:
        raise unprocessable(f"{', '.join(unknown)} are invalid key identifiers for Droplet creation.")
    return ids


def _validate(account: Account, req: Request, names: list[str]) -> dict[str, Any]:
    """Everything a create request names, checked in the order the real API checks it."""
    if not names:
        raise unprocessable("Name is required")
    for name in names:
        if not isinstance(name, str) or not valid_name(name):
            raise unprocessable(HOSTNAME_MESSAGE)
    region = account.region(req.body.get("region"), "You specified an invalid region for Droplet creation.")
    size = req.body.get("size")
    if not isinstance(size, str) or size not in account.sizes:
        raise unprocessable("You specified an invalid size for Droplet creation.")
    if size not in region["sizes"]:
        raise unprocessable("Size is not available in this region.")
    image = account.image(req.body.get("image"))
    if image is None:
        raise unprocessable("You specified an invalid image for Droplet creation.")
    if region["slug"] not in image["regions"]:
        raise unprocessable("The image you specified is not available in the selected region, "
                            "you can transfer it to this region from the images pages.")
    vpc_uuid = req.body.get("vpc_uuid")
    if vpc_uuid:
        vpc = account.vpc(vpc_uuid)
        if vpc.region != region["slug"]:
            raise unprocessable("VPC is not in the same region as the Droplet.")
    else:
        vpc = account.default_vpc(region["slug"])
    user_data = req.body.get("user_data")
    if user_data is not None and not isinstance(user_data, str):
        raise unprocessable("user_data must be a string")
    if user_data is not None and len(user_data.encode()) > MAX_USER_DATA:
        raise unprocessable("user_data is too large: it must be less than 64 KiB")
    tags = req.strings("tags")
    account.check_tag_names(tags)
    volume_ids = req.strings("volumes")
    if volume_ids and len(names) > 1:
        raise unprocessable("Volumes can only be attached to a single Droplet at creation.")
    for volume_id in volume_ids:
        volume = account.volumes.get(volume_id)
        if volume is None:
            raise unprocessable(f"volume {volume_id} was not found")
        if volume.region != region["slug"]:
            raise unprocessable("Volume and Droplet must be in the same region.")
        if volume.droplet_ids:
            raise unprocessable("Volume is already attached to another Droplet.")
    if len(account.droplets) + len(names) > account.droplet_limit:
        raise unprocessable("creating this/these droplet(s) will exceed your droplet limit")
    return {"region": region["slug"], "size": size, "image": image, "vpc": vpc, "user_data": user_data,
            "tags": tags, "ssh_keys": _ssh_keys(account, req.body.get("ssh_keys")), "volumes": volume_ids}


def create(account: Account, req: Request) -> Reply:
    several = "names" in req.body and req.body.get("names") is not None
    if several:
        names = req.body["names"]
        if not isinstance(names, list):
            raise unprocessable("names must be an array")
        if len(names) > MAX_NAMES:
            raise unprocessable(f"You can only create up to {MAX_NAMES} Droplets at a time.")
    else:
        names = [req.body["name"]] if req.body.get("name") is not None else []
    checked = _validate(account, req, names)
    account.ensure_tags(checked["tags"])
    features = ["private_networking"]
    for flag in ("backups", "ipv6", "monitoring"):
        if req.body.get(flag):
            features.append(flag)
    created, actions = [], []
    for name in names:
        droplet = Droplet(id=account.next_id(), name=name, region=checked["region"], size=checked["size"],
                          image=checked["image"], vpc_uuid=checked["vpc"].id, tags=list(checked["tags"]),
                          user_data=checked["user_data"], ssh_key_ids=checked["ssh_keys"], features=features,
                          created_at=now(), progress=account.progress())
        account.droplets[droplet.id] = droplet
        for volume_id in checked["volumes"]:
            account.volumes[volume_id].droplet_ids.append(droplet.id)
            droplet.volume_ids.append(volume_id)
        created.append(droplet)
        actions.append(account.start_action("create", droplet.id, "droplet", droplet.region))
        droplet.create_action_id = actions[-1].id
    links = {"actions": [{"id": a.id, "rel": "create", "href": f"{req.base_url}actions/{a.id}"} for a in actions]}
    if several:
        return Reply(202, {"droplets": [render(account, d, read=None) for d in created], "links": links})
    return Reply(202, {"droplet": render(account, created[0], read=None), "links": links})


# --- reading and deleting -----------------------------------------------------------------------------------

def list_droplets(account: Account, req: Request) -> Reply:
    found = sorted(account.droplets.values(), key=lambda d: d.id)
    if req.query.get("tag_name"):
        found = [d for d in found if req.query["tag_name"] in d.tags]
    if req.query.get("name"):
        found = [d for d in found if d.name == req.query["name"]]
    return Reply(200, paginate(req, "droplets", found, lambda d: render(account, d)))


def show(account: Account, req: Request, droplet_id: str) -> Reply:
    return Reply(200, {"droplet": render(account, get(account, droplet_id))})


def destroy(account: Account, droplet: Droplet) -> None:
    """Remove a Droplet and everything that pointed at it."""
    for volume_id in droplet.volume_ids:
        volume = account.volumes.get(volume_id)
        if volume is not None and droplet.id in volume.droplet_ids:
            volume.droplet_ids.remove(droplet.id)
    for lb in account.load_balancers.values():
        if droplet.id in lb.droplet_ids:
            lb.droplet_ids.remove(droplet.id)
    for firewall in account.firewalls.values():
        if droplet.id in firewall.droplet_ids:
            firewall.droplet_ids.remove(droplet.id)
    account.release_public_address(droplet.public_ip)
    del account.droplets[droplet.id]


def delete(account: Account, req: Request, droplet_id: str) -> Reply:
    destroy(account, get(account, droplet_id))
    return NO_CONTENT


def delete_by_tag(account: Account, req: Request) -> Reply:
    """``DELETE /v2/droplets?tag_name=TAG``: every Droplet with the tag."""
    tag = req.query.get("tag_name")
    if not tag:
        raise not_found()
    for droplet in [d for d in account.droplets.values() if tag in d.tags]:
        destroy(account, droplet)
    return NO_CONTENT


ROUTES = [
    ("GET", r"droplets", list_droplets),
    ("POST", r"droplets", create),
    ("DELETE", r"droplets", delete_by_tag),
    ("GET", r"droplets/(?P<droplet_id>[^/]+)", show),
    ("DELETE", r"droplets/(?P<droplet_id>[^/]+)", delete),
]
