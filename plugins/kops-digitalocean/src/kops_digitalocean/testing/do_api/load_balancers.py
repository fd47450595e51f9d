"""Load balancers: create (forwarding rules, health check, sticky sessions, a Droplet ``tag`` or
``droplet_ids``, ``vpc_uuid``), list, get, update (PUT replaces the configuration), delete, and add or
remove Droplets and forwarding rules.

A new load balancer answers ``new`` with an empty ``ip``; once it settles it is ``active`` with a public
address. One that balances a tag lists the tag's Droplets of its region in ``droplet_ids``, as the real API
does.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from kops_digitalocean.testing.do_api import droplets
from kops_digitalocean.testing.do_api.account import TAG_NAME, TAG_NAME_MESSAGE, Account, Progress, now
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

_NAME = re.compile(r"^[A-Za-z0-9.\-]{1,255}$")
_PROTOCOLS = ("http", "https", "http2", "http3", "tcp", "udp")
_SIZES = {"lb-small": 1, "lb-medium": 3, "lb-large": 6}
_HEALTH_CHECK = {"protocol": "http", "port": 80, "path": "/", "check_interval_seconds": 10,
                 "response_timeout_seconds": 5, "healthy_threshold": 5, "unhealthy_threshold": 3}


@dataclass
class LoadBalancer:
    id: str
    name: str
    region: str
    size_unit: int
    size: str
    vpc_uuid: str
    created_at: str
    progress: Progress
    config: dict[str, Any] = field(default_factory=dict)
    droplet_ids: list[int] = field(default_factory=list)
    tag: str = ""
    status: str = "new"
    ip: str = ""


def get(account: Account, lb_id: str) -> LoadBalancer:
    found = account.load_balancers.get(lb_id)
    if found is None:
        raise not_found()
    return found


def render(account: Account, lb: LoadBalancer, read: bool | None = True) -> dict[str, Any]:
    """As the API shows it. ``read``: this look counts as a read; ``None``: the answer to its create call."""
    if read is not None and lb.status == "new" and (lb.progress.read() if read else lb.progress.done()):
        lb.status, lb.ip = "active", account.public_address()
    if lb.tag:
        members = sorted(d.id for d in account.droplets.values() if lb.tag in d.tags and d.region == lb.region)
    else:
        members = list(lb.droplet_ids)
    return {"id": lb.id, "name": lb.name, "ip": lb.ip, "ipv6": "", "size_unit": lb.size_unit, "size": lb.size,
            "status": lb.status, "created_at": lb.created_at, "region": dict(account.regions[lb.region]),
            "tag": lb.tag, "droplet_ids": members, "vpc_uuid": lb.vpc_uuid, "project_id": account.uuid,
            "network": "EXTERNAL", "type": "REGIONAL", "firewall": {"deny": [], "allow": []},
            **copy.deepcopy(lb.config)}


def _forwarding_rules(rules: Any) -> list[dict[str, Any]]:
    if not isinstance(rules, list) or not rules:
        raise unprocessable("at least one forwarding rule is required")
    return [_forwarding_rule(rule) for rule in rules]


def _forwarding_rule(rule: Any) -> dict[str, Any]:
    if not isinstance(rule, dict):
        raise unprocessable("forwarding rules must be objects")
    for key in ("entry_protocol", "target_protocol"):
        if rule.get(key) not in _PROTOCOLS:
            raise unprocessable(f"{key} must be one of {', '.join(_PROTOCOLS)}")
    for key in ("entry_port", "target_port"):
        port = rule.get(key)
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise unprocessable(f"{key} must be a port between 1 and 65535")
    passthrough = bool(rule.get("tls_passthrough"))
    certificate = rule.get("certificate_id") or ""
    if passthrough and (rule["entry_protocol"] != "https" or rule["target_protocol"] != "https"):
        raise unprocessable("tls_passthrough requires https as both entry_protocol and target_protocol")
    if passthrough and certificate:
        raise unprocessable("tls_passthrough and certificate_id cannot both be set")
    if rule["entry_protocol"] in ("https", "http2", "http3") and not passthrough and not certificate:
        raise unprocessable(f"certificate_id is required for {rule['entry_protocol']} forwarding rules "
                            "without tls_passthrough")
    return {"entry_protocol": rule["entry_protocol"], "entry_port": rule["entry_port"],
            "target_protocol": rule["target_protocol"], "target_port": rule["target_port"],
            "certificate_id": certificate, "tls_passthrough": passthrough}


def _health_check(given: Any) -> dict[str, Any]:
    check = dict(_HEALTH_CHECK)
    if isinstance(given, dict):
        check.update({k: v for k, v in given.items() if k in _HEALTH_CHECK and v is not None})
    if check["protocol"] not in ("http", "https", "tcp"):
        raise unprocessable("health_check protocol must be http, https or tcp")
    if not isinstance(check["port"], int) or not 1 <= check["port"] <= 65535:
        raise unprocessable("health_check port must be between 1 and 65535")
    if check["protocol"] == "tcp":
        check["path"] = ""
    return check


def _configure(account: Account, req: Request, region: str) -> dict[str, Any]:
    """The settings a create or update call gives, checked; with the Droplets it names."""
    name = req.body.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise unprocessable("name must contain only alphanumeric characters, dashes and periods")
    tag, ids = req.body.get("tag") or "", req.body.get("droplet_ids") or []
    if tag and ids:
        raise unprocessable("droplet_ids and tag cannot be set together")
    if tag and not TAG_NAME.match(tag):
        raise unprocessable(TAG_NAME_MESSAGE)
    for droplet_id in ids:
        droplet = droplets.get(account, droplet_id)
        if droplet.region != region:
            raise unprocessable(f"Droplet {droplet.id} is not in the load balancer's region")
    algorithm = req.body.get("algorithm") or "round_robin"
    if algorithm not in ("round_robin", "least_connections"):
        raise unprocessable("algorithm must be round_robin or least_connections")
    sticky = req.body.get("sticky_sessions") or {"type": "none"}
    return {"name": name, "tag": tag, "droplet_ids": [int(i) for i in ids], "config": {
        "algorithm": algorithm, "forwarding_rules": _forwarding_rules(req.body.get("forwarding_rules")),
        "health_check": _health_check(req.body.get("health_check")),
        "sticky_sessions": {k: v for k, v in sticky.items() if v not in (None, "")},
        "redirect_http_to_https": bool(req.body.get("redirect_http_to_https")),
        "enable_proxy_protocol": bool(req.body.get("enable_proxy_protocol")),
        "enable_backend_keepalive": bool(req.body.get("enable_backend_keepalive")),
        "http_idle_timeout_seconds": req.body.get("http_idle_timeout_seconds") or 60,
        "disable_lets_encrypt_dns_records": bool(req.body.get("disable_lets_encrypt_dns_records"))}}


def _size(body: dict[str, Any]) -> tuple[int, str]:
    size = body.get("size")
    if size:
        if size not in _SIZES:
            raise unprocessable(f"size must be one of {', '.join(_SIZES)}")
        return _SIZES[size], size
    unit = body.get("size_unit") or 1
    if not isinstance(unit, int) or not 1 <= unit <= 100:
        raise unprocessable("size_unit must be between 1 and 100")
    return unit, "lb-small" if unit < 3 else ("lb-medium" if unit < 6 else "lb-large")


def create(account: Account, req: Request) -> Reply:
    region = account.region(req.body.get("region"), "region is not a valid, available region")["slug"]
    settings = _configure(account, req, region)
    vpc_uuid = req.body.get("vpc_uuid")
    if vpc_uuid:
        if account.vpc(vpc_uuid).region != region:
            raise unprocessable("VPC is not in the same region as the load balancer.")
    else:
        vpc_uuid = account.default_vpc(region).id
    size_unit, size = _size(req.body)
    lb = LoadBalancer(id=str(uuid.uuid4()), name=settings["name"], region=region, size_unit=size_unit, size=size,
                      vpc_uuid=vpc_uuid, created_at=now(), progress=account.progress(), config=settings["config"],
                      droplet_ids=settings["droplet_ids"], tag=settings["tag"])
    if lb.tag:
        account.ensure_tags([lb.tag])
    account.load_balancers[lb.id] = lb
    return Reply(202, {"load_balancer": render(account, lb, read=None)})


def list_load_balancers(account: Account, req: Request) -> Reply:
    found = sorted(account.load_balancers.values(), key=lambda lb: (lb.created_at, lb.name))
    return Reply(200, paginate(req, "load_balancers", found, lambda lb: render(account, lb)))


def show(account: Account, req: Request, lb_id: str) -> Reply:
    return Reply(200, {"load_balancer": render(account, get(account, lb_id))})


def update(account: Account, req: Request, lb_id: str) -> Reply:
    """PUT: the whole configuration, as on create; region and VPC cannot change."""
    lb = get(account, lb_id)
    region = req.body.get("region")
    if isinstance(region, dict):
        region = region.get("slug")
    if region is not None and region != lb.region:
        raise unprocessable("the region of a load balancer cannot be changed")
    if req.body.get("vpc_uuid") and req.body["vpc_uuid"] != lb.vpc_uuid:
        raise unprocessable("the VPC of a load balancer cannot be changed")
    settings = _configure(account, req, lb.region)
    if settings["tag"]:
        account.ensure_tags([settings["tag"]])
    lb.name, lb.tag, lb.droplet_ids, lb.config = (settings["name"], settings["tag"], settings["droplet_ids"],
                                                  settings["config"])
    return Reply(200, {"load_balancer": render(account, lb)})


def delete(account: Account, req: Request, lb_id: str) -> Reply:
    lb = get(account, lb_id)
    account.release_public_address(lb.ip)
    del account.load_balancers[lb.id]
    return NO_CONTENT


def change_droplets(account: Account, req: Request, lb_id: str) -> Reply:
    lb = get(account, lb_id)
    if lb.tag:
        raise unprocessable("Droplets cannot be added or removed by id on a load balancer that uses a tag")
    ids = req.body.get("droplet_ids")
    if not isinstance(ids, list) or not ids:
        raise unprocessable("droplet_ids is required")
    for droplet_id in ids:
        droplet = droplets.get(account, droplet_id)
        if req.method == "POST" and droplet.id not in lb.droplet_ids:
            lb.droplet_ids.append(droplet.id)
        elif req.method == "DELETE" and droplet.id in lb.droplet_ids:
            lb.droplet_ids.remove(droplet.id)
    return NO_CONTENT


def change_forwarding_rules(account: Account, req: Request, lb_id: str) -> Reply:
    lb = get(account, lb_id)
    rules = _forwarding_rules(req.body.get("forwarding_rules"))
    current = lb.config["forwarding_rules"]
    if req.method == "POST":
        current.extend(r for r in rules if r not in current)
    else:
        lb.config["forwarding_rules"] = [r for r in current if r not in rules]
    return NO_CONTENT


ROUTES = [
    ("GET", r"load_balancers", list_load_balancers),
    ("POST", r"load_balancers", create),
    ("GET", r"load_balancers/(?P<lb_id>[^/]+)", show),
    ("PUT", r"load_balancers/(?P<lb_id>[^/]+)", update),
    ("DELETE", r"load_balancers/(?P<lb_id>[^/]+)", delete),
    ("POST", r"load_balancers/(?P<lb_id>[^/]+)/droplets", change_droplets),
    ("DELETE", r"load_balancers/(?P<lb_id>[^/]+)/droplets", change_droplets),
    ("POST", r"load_balancers/(?P<lb_id>[^/]+)/forwarding_rules", change_forwarding_rules),
    ("DELETE", r"load_balancers/(?P<lb_id>[^/]+)/forwarding_rules", change_forwarding_rules),
]
