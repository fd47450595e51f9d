"""Tags: create, list, get, delete, and tag or untag resources (Droplets, volumes, private images) through
``tags/{name}/resources``.

A tag's ``resources`` counts what carries it, per kind, as the real API does. Deleting a tag takes it off
everything. Creating resources with tags creates the tags (see :meth:`Account.ensure_tags`).
"""

from __future__ import annotations

from typing import Any

from kops_digitalocean.testing.do_api.account import Account
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

_KINDS = ("droplet", "volume", "image")


def _carriers(account: Account, kind: str) -> dict[str, list[str]]:
    """id (as text) -> tag list, for every resource of a kind that can carry tags."""
    if kind == "droplet":
        return {str(d.id): d.tags for d in account.droplets.values()}
    if kind == "volume":
        return {v.id: v.tags for v in account.volumes.values()}
    return {str(i["id"]): i["tags"] for i in account.images.values()}


def render(account: Account, req: Request, name: str) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    total, last_uri = 0, ""
    for kind, plural, path in (("droplet", "droplets", "droplets"), ("image", "images", "images"),
                               ("volume", "volumes", "volumes")):
        tagged = sorted(i for i, tags in _carriers(account, kind).items() if name in tags)
        uri = f"{req.base_url}{path}/{tagged[-1]}" if tagged else ""
        resources[plural] = {"count": len(tagged), "last_tagged_uri": uri}
        total += len(tagged)
        last_uri = uri or last_uri
    for plural in ("volume_snapshots", "databases"):
        resources[plural] = {"count": 0, "last_tagged_uri": ""}
    return {"name": name, "resources": {"count": total, "last_tagged_uri": last_uri, **resources}}


def _get(account: Account, name: str) -> str:
    if name not in account.tags:
        raise not_found()
    return name


def create(account: Account, req: Request) -> Reply:
    name = req.body.get("name")
    account.ensure_tags([name if isinstance(name, str) else ""])
    return Reply(201, {"tag": render(account, req, name)})


def list_tags(account: Account, req: Request) -> Reply:
    return Reply(200, paginate(req, "tags", sorted(account.tags), lambda name: render(account, req, name)))


def show(account: Account, req: Request, name: str) -> Reply:
    return Reply(200, {"tag": render(account, req, _get(account, name))})


def delete(account: Account, req: Request, name: str) -> Reply:
    _get(account, name)
    for kind in _KINDS:
        for tags in _carriers(account, kind).values():
            if name in tags:
                tags.remove(name)
    del account.tags[name]
    return NO_CONTENT


def change_resources(account: Account, req: Request, name: str) -> Reply:
    """POST tags the resources, DELETE untags them; every one must exist."""
    _get(account, name)
    resources = req.body.get("resources")
    if not isinstance(resources, list) or not resources:
        raise unprocessable("resources is required")
    targets = []
    for resource in resources:
        kind = resource.get("resource_type") if isinstance(resource, dict) else None
        if kind not in _KINDS:
            raise unprocessable("resource_type must be one of droplet, image, volume, volume_snapshot, database")
        tags = _carriers(account, kind).get(str(resource.get("resource_id")))
        if tags is None:
            raise not_found()
        targets.append(tags)
    for tags in targets:
        if req.method == "POST" and name not in tags:
            tags.append(name)
        elif req.method == "DELETE" and name in tags:
            tags.remove(name)
    return NO_CONTENT


ROUTES = [
    ("GET", r"tags", list_tags),
    ("POST", r"tags", create),
    ("GET", r"tags/(?P<name>[^/]+)", show),
    ("DELETE", r"tags/(?P<name>[^/]+)", delete),
    ("POST", r"tags/(?P<name>[^/]+)/resources", change_resources),
    ("DELETE", r"tags/(?P<name>[^/]+)/resources", change_resources),
]
