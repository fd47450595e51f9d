"""What the account itself and the catalogue answer: ``account``, ``regions``, ``sizes`` and ``images``
(``type=distribution|application``, ``private=true`` and ``tag_name`` filters; one image by id or slug;
deleting a private image)."""

from __future__ import annotations

from kops_digitalocean.testing.do_api.account import Account
from kops_digitalocean.testing.do_api.errors import forbidden, not_found
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate


def show_account(account: Account, req: Request) -> Reply:
    return Reply(200, {"account": {
        "droplet_limit": account.droplet_limit, "floating_ip_limit": 3, "volume_limit": 100,
        "email": "kops@example.com", "name": "kops", "uuid": account.uuid, "email_verified": True,
        "status": "active", "status_message": "", "team": {"uuid": account.uuid, "name": "My Team"}}})


def list_regions(account: Account, req: Request) -> Reply:
    return Reply(200, paginate(req, "regions", list(account.regions.values()), dict))


def list_sizes(account: Account, req: Request) -> Reply:
    return Reply(200, paginate(req, "sizes", list(account.sizes.values()), dict))


def list_images(account: Account, req: Request) -> Reply:
    kind = req.query.get("type")
    if req.query.get("private") == "true":
        found = list(account.images.values())
    elif kind == "distribution":
        found = list(account.public_images)
    elif kind == "application":
        found = []
    else:
        found = [*account.public_images, *account.images.values()]
    if req.query.get("tag_name"):
        found = [i for i in found if req.query["tag_name"] in i["tags"]]
    return Reply(200, paginate(req, "images", found, dict))


def show_image(account: Account, req: Request, ref: str) -> Reply:
    image = account.image(ref)
    if image is None:
        raise not_found()
    return Reply(200, {"image": dict(image)})


def delete_image(account: Account, req: Request, ref: str) -> Reply:
    image = account.image(ref)
    if image is None:
        raise not_found()
    if image["public"]:
        raise forbidden("You do not have access for the attempted action.")
    del account.images[image["id"]]
    for droplet in account.droplets.values():
        if image["id"] in droplet.snapshot_ids:
            droplet.snapshot_ids.remove(image["id"])
    return NO_CONTENT


ROUTES = [
    ("GET", r"account", show_account),
    ("GET", r"regions", list_regions),
    ("GET", r"sizes", list_sizes),
    ("GET", r"images", list_images),
    ("GET", r"images/(?P<ref>[^/]+)", show_image),
    ("DELETE", r"images/(?P<ref>[^/]+)", delete_image),
]
