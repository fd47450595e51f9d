"""Block storage volumes: create (with tags), list (``region`` and ``name`` filters, paginated), get, delete
(one, or by ``name`` and ``region``), and attach, detach and resize through ``volumes/{id}/actions`` or, by
name, ``volumes/actions``.

A volume attached to a Droplet cannot be deleted (409, as the real API answers); detaching one that is not
attached is 422 ``Attachment not found``. A Droplet holds at most 7 volumes, and a volume and its Droplet
share a region.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from kops_digitalocean.testing.do_api import droplets
from kops_digitalocean.testing.do_api.account import Account, now
from kops_digitalocean.testing.do_api.errors import conflict, not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

#: Lowercase letters, digits and dashes, starting with a letter, at most 64 characters.
_NAME = re.compile(r"^[a-z][a-z0-9\-]{0,63}$")
MAX_PER_DROPLET = 7
MAX_SIZE_GIB = 16 * 1024


@dataclass
class Volume:
    id: str
    name: str
    region: str
    size_gigabytes: int
    description: str
    created_at: str
    filesystem_type: str
    filesystem_label: str
    tags: list[str]
    droplet_ids: list[int] = field(default_factory=list)


def render(account: Account, volume: Volume) -> dict[str, Any]:
    return {"id": volume.id, "region": dict(account.regions[volume.region]), "droplet_ids": list(volume.droplet_ids),
            "name": volume.name, "description": volume.description, "size_gigabytes": volume.size_gigabytes,
            "created_at": volume.created_at, "filesystem_type": volume.filesystem_type,
            "filesystem_label": volume.filesystem_label, "tags": list(volume.tags)}


def get(account: Account, volume_id: str) -> Volume:
    found = account.volumes.get(volume_id)
    if found is None:
        raise not_found()
    return found


def _size(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SIZE_GIB:
        raise unprocessable(f"size_gigabytes must be a whole number of GiB between 1 and {MAX_SIZE_GIB}")
    return value


def create(account: Account, req: Request) -> Reply:
    name = req.body.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise unprocessable("name must begin with a lowercase letter and contain only lowercase letters, "
                            "numbers and dashes, at most 64 characters")
    region = account.region(req.body.get("region"), "region is not a valid, available region")
    size = _size(req.body.get("size_gigabytes"))
    if any(v.name == name and v.region == region["slug"] for v in account.volumes.values()):
        raise conflict(f"a volume named {name} already exists in {region['slug']}")
    filesystem = req.text("filesystem_type") or ""
    if filesystem not in ("", "ext4", "xfs"):
        raise unprocessable("filesystem_type must be ext4 or xfs")
    tags = req.strings("tags")
    account.ensure_tags(tags)
    volume = Volume(id=str(uuid.uuid4()), name=name, region=region["slug"], size_gigabytes=size,
                    description=req.text("description") or "", created_at=now(), filesystem_type=filesystem,
                    filesystem_label=req.text("filesystem_label") or "", tags=tags)
    account.volumes[volume.id] = volume
    return Reply(201, {"volume": render(account, volume)})


def _matching(account: Account, req: Request) -> list[Volume]:
    found = sorted(account.volumes.values(), key=lambda v: (v.created_at, v.name))
    if req.query.get("region"):
        found = [v for v in found if v.region == req.query["region"]]
    if req.query.get("name"):
        found = [v for v in found if v.name == req.query["name"]]
    return found


def list_volumes(account: Account, req: Request) -> Reply:
    return Reply(200, paginate(req, "volumes", _matching(account, req), lambda v: render(account, v)))


def show(account: Account, req: Request, volume_id: str) -> Reply:
    return Reply(200, {"volume": render(account, get(account, volume_id))})


def _destroy(account: Account, volume: Volume) -> None:
    if volume.droplet_ids:
        raise conflict("A volume that's attached to a Droplet cannot be deleted. "
                       "Please detach it first before deleting.")
    del account.volumes[volume.id]


def delete(account: Account, req: Request, volume_id: str) -> Reply:
    _destroy(account, get(account, volume_id))
    return NO_CONTENT


def delete_by_name(account: Account, req: Request) -> Reply:
    """``DELETE /v2/volumes?name=NAME&region=REGION``."""
    if not req.query.get("name") or not req.query.get("region"):
        raise unprocessable("name and region are required")
    found = _matching(account, req)
    if not found:
        raise not_found()
    for volume in found:
        _destroy(account, volume)
    return NO_CONTENT


# --- actions -----------------------------------------------------------------------------------------------

def _act(account: Account, volume: Volume, req: Request) -> Reply:
    kind = req.body.get("type")
    region = req.body.get("region")
    if region is not None and region != volume.region:
        raise unprocessable("region does not match the volume's region")
    if kind in ("attach", "detach"):
        droplet = droplets.get(account, req.body.get("droplet_id"))
        if kind == "attach":
            if droplet.region != volume.region:
                raise unprocessable("Volume and Droplet must be in the same region.")
            if volume.droplet_ids and droplet.id not in volume.droplet_ids:
                raise unprocessable("Volume is already attached to another Droplet.")
            if droplet.id not in volume.droplet_ids:
                if len(droplet.volume_ids) >= MAX_PER_DROPLET:
                    raise unprocessable(f"A Droplet can have at most {MAX_PER_DROPLET} volumes attached.")
                droplets.check_idle(account, droplet)
                volume.droplet_ids.append(droplet.id)
                droplet.volume_ids.append(volume.id)
        else:
            if droplet.id not in volume.droplet_ids:
                raise unprocessable("Attachment not found")
            droplets.check_idle(account, droplet)
            volume.droplet_ids.remove(droplet.id)
            droplet.volume_ids.remove(volume.id)
        action_type = f"{kind}_volume"
    elif kind == "resize":
        size = _size(req.body.get("size_gigabytes"))
        if size < volume.size_gigabytes:
            raise unprocessable("A volume can only be resized to a larger size.")
        volume.size_gigabytes = size
        action_type = "resize_volume"
    else:
        raise unprocessable("type must be one of attach, detach or resize")
    action = account.start_action(action_type, 0, "backend", volume.region)
    action.volume_id = volume.id
    if kind in ("attach", "detach"):
        action.droplet_id = droplet.id
    return Reply(202, {"action": account.render_action(action, read=False)})


def act(account: Account, req: Request, volume_id: str) -> Reply:
    return _act(account, get(account, volume_id), req)


def act_by_name(account: Account, req: Request) -> Reply:
    """``POST /v2/volumes/actions`` with ``volume_name`` and ``region`` (attach and detach)."""
    name, region = req.body.get("volume_name"), req.body.get("region")
    found = [v for v in account.volumes.values() if v.name == name and v.region == region]
    if not found:
        raise not_found()
    return _act(account, found[0], req)


def list_actions(account: Account, req: Request, volume_id: str) -> Reply:
    volume = get(account, volume_id)
    found = sorted((a for a in account.actions.values() if a.volume_id == volume.id),
                   key=lambda a: a.id, reverse=True)
    return Reply(200, paginate(req, "actions", found, account.render_action))


def show_action(account: Account, req: Request, volume_id: str, action_id: str) -> Reply:
    volume = get(account, volume_id)
    action = account.action(action_id)
    if action.volume_id != volume.id:
        raise not_found()
    return Reply(200, {"action": account.render_action(action)})


ROUTES = [
    ("GET", r"volumes", list_volumes),
    ("POST", r"volumes", create),
    ("DELETE", r"volumes", delete_by_name),
    ("POST", r"volumes/actions", act_by_name),
    ("GET", r"volumes/(?P<volume_id>[^/]+)", show),
    ("DELETE", r"volumes/(?P<volume_id>[^/]+)", delete),
    ("POST", r"volumes/(?P<volume_id>[^/]+)/actions", act),
    ("GET", r"volumes/(?P<volume_id>[^/]+)/actions", list_actions),
    ("GET", r"volumes/(?P<volume_id>[^/]+)/actions/(?P<action_id>[^/]+)", show_action),
]
