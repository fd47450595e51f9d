"""VPCs: create, list, get, update, delete, and list a VPC's members.

Every available region starts with its default VPC (``default-<region>``), as a real account has; a
Droplet or load balancer created without ``vpc_uuid`` joins it. A default VPC cannot be deleted (403),
nor can a VPC that still has members (409 ``Can not delete VPC with members``, the status the real API
answers although its reference says 403). An ``ip_range`` must be a private range between /16 and /28
that overlaps no other VPC of the account nor DigitalOcean's reserved ranges; without one, a free /20
is chosen.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass
from typing import Any

from kops_digitalocean.testing.do_api.account import Account, now
from kops_digitalocean.testing.do_api.errors import ApiError, conflict, forbidden, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

_NAME = re.compile(r"^[A-Za-z0-9.\-]{1,64}$")
#: Ranges DigitalOcean keeps for its own networks; a VPC may not overlap them.
_RESERVED = [ipaddress.ip_network(c) for c in ("10.244.0.0/16", "10.245.0.0/16", "10.246.0.0/24", "10.229.0.0/16")]
_PRIVATE = [ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
_SEEDED_AT = "2020-03-13T19:20:47Z"


@dataclass
class Vpc:
    id: str
    name: str
    description: str
    region: str
    ip_range: str
    default: bool
    created_at: str


def render(vpc: Vpc) -> dict[str, Any]:
    return {"id": vpc.id, "urn": f"do:vpc:{vpc.id}", "name": vpc.name, "description": vpc.description,
            "region": vpc.region, "ip_range": vpc.ip_range, "default": vpc.default, "created_at": vpc.created_at}


def seed_default_vpcs(account: Account) -> None:
    """Each available region's default VPC, with the /20 ranges DigitalOcean hands out for them."""
    for index, (slug, region) in enumerate(account.regions.items()):
        if region["available"]:
            vpc = Vpc(id=str(uuid.uuid4()), name=f"default-{slug}", description="", region=slug,
                      ip_range=f"10.{100 + index}.0.0/20", default=True, created_at=_SEEDED_AT)
            account.vpcs[vpc.id] = vpc


def _check_range(account: Account, text: Any) -> str:
    try:
        network = ipaddress.ip_network(text)
    except (TypeError, ValueError):
        raise unprocessable("ip_range must be a valid CIDR block") from None
    if network.version != 4 or not any(network.subnet_of(p) for p in _PRIVATE):
        raise unprocessable("ip_range must be a private (RFC 1918) IPv4 range")
    if not 16 <= network.prefixlen <= 28:
        raise unprocessable("ip_range must have a prefix between /16 and /28")
    if any(network.overlaps(r) for r in _RESERVED):
        raise unprocessable("ip_range overlaps a range reserved by DigitalOcean")
    for vpc in account.vpcs.values():
        if network.overlaps(ipaddress.ip_network(vpc.ip_range)):
            raise unprocessable(f"ip_range overlaps with the range of VPC {vpc.name} ({vpc.ip_range})")
    return str(network)


def _free_range(account: Account) -> str:
    for second in range(1, 256):
        for third in range(0, 256, 16):
            candidate = f"10.{second}.{third}.0/20"
            try:
                return _check_range(account, candidate)
            except ApiError:
                continue
    raise unprocessable("no free IP range is left for a new VPC")


def _check_name(account: Account, name: Any, vpc_id: str | None = None) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise unprocessable("name must be 1-64 characters: letters, numbers, dashes and periods")
    if any(v.name == name and v.id != vpc_id for v in account.vpcs.values()):
        raise unprocessable(f"a VPC named {name} already exists")
    return name


def create(account: Account, req: Request) -> Reply:
    name = _check_name(account, req.body.get("name"))
    region = account.region(req.body.get("region"), "region is not a valid, available region")
    ip_range = req.body.get("ip_range")
    ip_range = _check_range(account, ip_range) if ip_range else _free_range(account)
    vpc = Vpc(id=str(uuid.uuid4()), name=name, description=req.text("description") or "", region=region["slug"],
              ip_range=ip_range, default=False, created_at=now())
    account.vpcs[vpc.id] = vpc
    return Reply(201, {"vpc": render(vpc)})


def list_vpcs(account: Account, req: Request) -> Reply:
    found = sorted(account.vpcs.values(), key=lambda v: (v.created_at, v.name))
    return Reply(200, paginate(req, "vpcs", found, render))


def show(account: Account, req: Request, vpc_id: str) -> Reply:
    return Reply(200, {"vpc": render(account.vpc(vpc_id))})


def update(account: Account, req: Request, vpc_id: str) -> Reply:
    """PUT replaces name and description (name required); PATCH changes what it names. ``default: true``
    makes the VPC its region's default."""
    vpc = account.vpc(vpc_id)
    if req.method == "PUT" or "name" in req.body:
        vpc.name = _check_name(account, req.body.get("name"), vpc.id)
    if req.method == "PUT" or "description" in req.body:
        vpc.description = req.text("description") or ""
    if req.body.get("default") is True:
        for other in account.vpcs.values():
            if other.region == vpc.region:
                other.default = other.id == vpc.id
    return Reply(200, {"vpc": render(vpc)})


def members(account: Account, vpc: Vpc) -> list[dict[str, Any]]:
    """What the VPC holds: Droplets and load balancers, by URN."""
    found = [{"urn": f"do:droplet:{d.id}", "name": d.name, "created_at": d.created_at}
             for d in account.droplets.values() if d.vpc_uuid == vpc.id]
    found += [{"urn": f"do:loadbalancer:{lb.id}", "name": lb.name, "created_at": lb.created_at}
              for lb in account.load_balancers.values() if lb.vpc_uuid == vpc.id]
    return found


def list_members(account: Account, req: Request, vpc_id: str) -> Reply:
    found = members(account, account.vpc(vpc_id))
    kind = req.query.get("resource_type")
    if kind:
        found = [m for m in found if m["urn"].split(":")[1] == kind.replace("_", "")]
    return Reply(200, paginate(req, "members", found, dict))


def delete(account: Account, req: Request, vpc_id: str) -> Reply:
    vpc = account.vpc(vpc_id)
    if vpc.default:
        raise forbidden("Can not delete default VPC")
    if members(account, vpc):
        raise conflict("Can not delete VPC with members")
    del account.vpcs[vpc.id]
    return NO_CONTENT


ROUTES = [
    ("GET", r"vpcs", list_vpcs),
    ("POST", r"vpcs", create),
    ("GET", r"vpcs/(?P<vpc_id>[^/]+)", show),
    ("PUT", r"vpcs/(?P<vpc_id>[^/]+)", update),
    ("PATCH", r"vpcs/(?P<vpc_id>[^/]+)", update),
    ("DELETE", r"vpcs/(?P<vpc_id>[^/]+)", delete),
    ("GET", r"vpcs/(?P<vpc_id>[^/]+)/members", list_members),
]
