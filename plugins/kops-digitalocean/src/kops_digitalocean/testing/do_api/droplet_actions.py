"""Droplet actions (``POST /v2/droplets/{id}/actions``: power on/off, shutdown, reboot, rename, resize,
snapshot, ...; and by tag, ``POST /v2/droplets/actions?tag_name=``), their listing, and the account's
actions (``GET /v2/actions``, ``GET /v2/actions/{id}``).

An action's effect shows at once; the action itself answers ``in-progress`` until it settles. While a
Droplet is still being created or has an action in progress, another action is refused with 422, as the
real API refuses it.
"""

from __future__ import annotations

from typing import Any

from kops_digitalocean.testing.do_api import droplets
from kops_digitalocean.testing.do_api.account import Account, Action, now
from kops_digitalocean.testing.do_api.droplets import HOSTNAME_MESSAGE, Droplet
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

#: The action types a tag's Droplets take together, as the real API allows.
_BY_TAG = {"power_cycle", "power_on", "power_off", "shutdown", "enable_private_networking", "enable_ipv6",
           "enable_backups", "disable_backups", "snapshot"}


def _snapshot(account: Account, droplet: Droplet, body: dict[str, Any]) -> None:
    image_id = account.next_id()
    name = body.get("name") or f"{droplet.name}-{now()}"
    account.images[image_id] = {
        "id": image_id, "name": name, "distribution": droplet.image.get("distribution"), "slug": None,
        "public": False, "regions": [droplet.region], "created_at": now(), "type": "snapshot",
        "min_disk_size": account.sizes[droplet.size]["disk"], "size_gigabytes": 1.0, "description": "",
        "tags": [], "status": "available", "error_message": ""}
    droplet.snapshot_ids.append(image_id)


def _apply(account: Account, droplet: Droplet, kind: str, body: dict[str, Any]) -> None:
    """The action's effect on the Droplet; 422 when the real API refuses it."""
    if kind == "power_on":
        droplet.status = "active"
    elif kind in ("power_off", "shutdown"):
        droplet.status = "off"
    elif kind in ("reboot", "power_cycle"):
        droplet.status = "active"
    elif kind == "rename":
        name = body.get("name")
        if not isinstance(name, str) or not droplets.valid_name(name):
            raise unprocessable(HOSTNAME_MESSAGE)
        droplet.name = name
    elif kind == "resize":
        size = body.get("size")
        if not isinstance(size, str) or size not in account.sizes:
            raise unprocessable("You specified an invalid size for Droplet resize.")
        if droplet.status != "off":
            raise unprocessable("Droplet is currently on. Please power it off to run this event.")
        droplet.size = size
    elif kind in ("rebuild", "restore"):
        image = account.image(body.get("image"))
        if image is None:
            raise unprocessable("You specified an invalid image for Droplet rebuild.")
        droplet.image = image
    elif kind in ("enable_backups", "disable_backups", "enable_ipv6", "enable_private_networking"):
        feature = kind.split("_", 1)[1]
        if kind == "disable_backups":
            droplet.features = [f for f in droplet.features if f != "backups"]
        elif feature not in droplet.features:
            droplet.features.append(feature)
    elif kind == "snapshot":
        _snapshot(account, droplet, body)
    elif kind not in ("password_reset", "change_kernel"):
        raise unprocessable(f"{kind!r} is not a valid Droplet action type.")


def _act(account: Account, droplet: Droplet, body: dict[str, Any]) -> Action:
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        raise unprocessable("type is required")
    droplets.check_idle(account, droplet)
    _apply(account, droplet, kind, body)
    action = account.start_action(kind, droplet.id, "droplet", droplet.region)
    action.droplet_id = droplet.id
    return action


def act(account: Account, req: Request, droplet_id: str) -> Reply:
    action = _act(account, droplets.get(account, droplet_id), req.body)
    return Reply(201, {"action": account.render_action(action, read=False)})


def act_by_tag(account: Account, req: Request) -> Reply:
    tag = req.query.get("tag_name")
    if not tag:
        raise unprocessable("tag_name is required")
    kind = req.body.get("type")
    if kind not in _BY_TAG:
        raise unprocessable(f"{kind!r} is not a valid action type for Droplets by tag.")
    started = [_act(account, d, req.body) for d in sorted(account.droplets.values(), key=lambda d: d.id)
               if tag in d.tags]
    return Reply(201, {"actions": [account.render_action(a, read=False) for a in started]})


def _actions_of(account: Account, resource_type: str, resource_id: Any) -> list[Action]:
    return sorted((a for a in account.actions.values()
                   if a.resource_type == resource_type and a.resource_id == resource_id),
                  key=lambda a: a.id, reverse=True)


def list_droplet_actions(account: Account, req: Request, droplet_id: str) -> Reply:
    droplet = droplets.get(account, droplet_id)
    return Reply(200, paginate(req, "actions", _actions_of(account, "droplet", droplet.id), account.render_action))


def show_droplet_action(account: Account, req: Request, droplet_id: str, action_id: str) -> Reply:
    droplet = droplets.get(account, droplet_id)
    action = account.action(action_id)
    if action.resource_type != "droplet" or action.resource_id != droplet.id:
        raise not_found()
    return Reply(200, {"action": account.render_action(action)})


def list_actions(account: Account, req: Request) -> Reply:
    found = sorted(account.actions.values(), key=lambda a: a.id, reverse=True)
    return Reply(200, paginate(req, "actions", found, account.render_action))


def show_action(account: Account, req: Request, action_id: str) -> Reply:
    return Reply(200, {"action": account.render_action(account.action(action_id))})


ROUTES = [
    ("POST", r"droplets/actions", act_by_tag),
    ("POST", r"droplets/(?P<droplet_id>[^/]+)/actions", act),
    ("GET", r"droplets/(?P<droplet_id>[^/]+)/actions", list_droplet_actions),
    ("GET", r"droplets/(?P<droplet_id>[^/]+)/actions/(?P<action_id>[^/]+)", show_droplet_action),
    ("GET", r"actions", list_actions),
    ("GET", r"actions/(?P<action_id>[^/]+)", show_action),
]
