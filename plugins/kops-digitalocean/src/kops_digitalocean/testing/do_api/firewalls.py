"""Cloud firewalls: create, list, get, update (PUT replaces the firewall), delete, and add or remove
Droplets, tags and rules.

Inbound rules take ``sources`` and outbound rules ``destinations`` (addresses, Droplet ids, load balancer
ids, tags). Ports are a port, a range (``8000-9000``), or ``all``/``0`` for every port, shown as ``"0"``,
as ICMP's always are. A firewall answers ``waiting`` with its pending changes until it settles, then
``succeeded``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from kops_digitalocean.testing.do_api import droplets
from kops_digitalocean.testing.do_api.account import Account, Progress, now
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,254}$")
_TARGET_KEYS = ("addresses", "droplet_ids", "load_balancer_uids", "kubernetes_ids", "tags")


@dataclass
class Firewall:
    id: str
    name: str
    created_at: str
    progress: Progress
    inbound_rules: list[dict[str, Any]] = field(default_factory=list)
    outbound_rules: list[dict[str, Any]] = field(default_factory=list)
    droplet_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def get(account: Account, firewall_id: str) -> Firewall:
    found = account.firewalls.get(firewall_id)
    if found is None:
        raise not_found()
    return found


def render(account: Account, firewall: Firewall, read: bool | None = True) -> dict[str, Any]:
    """As the API shows it. ``read``: this look counts as a read; ``None``: the answer to a change."""
    settled = read is not None and (firewall.progress.read() if read else firewall.progress.done())
    covered = sorted(set(firewall.droplet_ids) | {d.id for d in account.droplets.values()
                                                  if set(d.tags) & set(firewall.tags)})
    return {"id": firewall.id, "name": firewall.name, "status": "succeeded" if settled else "waiting",
            "inbound_rules": [dict(r) for r in firewall.inbound_rules],
            "outbound_rules": [dict(r) for r in firewall.outbound_rules], "created_at": firewall.created_at,
            "droplet_ids": list(firewall.droplet_ids), "tags": list(firewall.tags),
            "pending_changes": [] if settled else [{"droplet_id": i, "removing": False, "status": "waiting"}
                                                   for i in covered]}


def _ports(protocol: str, ports: Any) -> str:
    if protocol == "icmp":
        return "0"
    text = str(ports) if isinstance(ports, (str, int)) and not isinstance(ports, bool) else ""
    if text in ("all", "0"):
        return "0"
    bounds = text.split("-")
    if 1 <= len(bounds) <= 2 and all(b.isdigit() and 1 <= int(b) <= 65535 for b in bounds) \
            and int(bounds[0]) <= int(bounds[-1]):
        return text
    raise unprocessable("ports must be a port, a range of ports (8000-9000) or all")


def _targets(account: Account, given: Any, key: str) -> dict[str, Any]:
    if not isinstance(given, dict) or not any(given.get(k) for k in _TARGET_KEYS):
        raise unprocessable(f"each rule needs {key}: addresses, droplet_ids, load_balancer_uids or tags")
    targets = {k: list(given[k]) for k in _TARGET_KEYS if given.get(k)}
    for droplet_id in targets.get("droplet_ids", []):
        droplets.get(account, droplet_id)
    for lb_id in targets.get("load_balancer_uids", []):
        if lb_id not in account.load_balancers:
            raise not_found()
    account.ensure_tags(targets.get("tags", []))
    return targets


def _rules(account: Account, rules: Any, key: str) -> list[dict[str, Any]]:
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise unprocessable("rules must be an array")
    checked = []
    for rule in rules:
        protocol = rule.get("protocol") if isinstance(rule, dict) else None
        if protocol not in ("tcp", "udp", "icmp"):
            raise unprocessable("protocol must be tcp, udp or icmp")
        checked.append({"protocol": protocol, "ports": _ports(protocol, rule.get("ports")),
                        key: _targets(account, rule.get(key), key)})
    return checked


def _droplet_ids(account: Account, ids: Any) -> list[int]:
    return sorted({droplets.get(account, i).id for i in (ids or [])})


def _configure(account: Account, req: Request, firewall: Firewall) -> None:
    name = req.body.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise unprocessable("name must begin with a letter or digit and contain only letters, digits, "
                            "periods and dashes")
    inbound = _rules(account, req.body.get("inbound_rules"), "sources")
    outbound = _rules(account, req.body.get("outbound_rules"), "destinations")
    droplet_ids = _droplet_ids(account, req.body.get("droplet_ids"))
    tags = req.strings("tags")
    account.ensure_tags(tags)
    firewall.name, firewall.inbound_rules, firewall.outbound_rules = name, inbound, outbound
    firewall.droplet_ids, firewall.tags = droplet_ids, tags
    firewall.progress = account.progress()


def create(account: Account, req: Request) -> Reply:
    firewall = Firewall(id=str(uuid.uuid4()), name="", created_at=now(), progress=account.progress())
    _configure(account, req, firewall)
    account.firewalls[firewall.id] = firewall
    return Reply(202, {"firewall": render(account, firewall, read=None)})


def list_firewalls(account: Account, req: Request) -> Reply:
    found = sorted(account.firewalls.values(), key=lambda f: (f.created_at, f.name))
    return Reply(200, paginate(req, "firewalls", found, lambda f: render(account, f)))


def show(account: Account, req: Request, firewall_id: str) -> Reply:
    return Reply(200, {"firewall": render(account, get(account, firewall_id))})


def update(account: Account, req: Request, firewall_id: str) -> Reply:
    firewall = get(account, firewall_id)
    _configure(account, req, firewall)
    return Reply(200, {"firewall": render(account, firewall, read=None)})


def delete(account: Account, req: Request, firewall_id: str) -> Reply:
    del account.firewalls[get(account, firewall_id).id]
    return NO_CONTENT


def change_droplets(account: Account, req: Request, firewall_id: str) -> Reply:
    firewall = get(account, firewall_id)
    ids = _droplet_ids(account, req.body.get("droplet_ids"))
    if not ids:
        raise unprocessable("droplet_ids is required")
    keep = [i for i in firewall.droplet_ids if i not in ids]
    firewall.droplet_ids = sorted(keep + ids) if req.method == "POST" else keep
    firewall.progress = account.progress()
    return NO_CONTENT


def change_tags(account: Account, req: Request, firewall_id: str) -> Reply:
    firewall = get(account, firewall_id)
    tags = req.strings("tags")
    if not tags:
        raise unprocessable("tags is required")
    account.ensure_tags(tags)
    keep = [t for t in firewall.tags if t not in tags]
    firewall.tags = keep + tags if req.method == "POST" else keep
    firewall.progress = account.progress()
    return NO_CONTENT


def change_rules(account: Account, req: Request, firewall_id: str) -> Reply:
    firewall = get(account, firewall_id)
    inbound = _rules(account, req.body.get("inbound_rules"), "sources")
    outbound = _rules(account, req.body.get("outbound_rules"), "destinations")
    if not inbound and not outbound:
        raise unprocessable("inbound_rules or outbound_rules is required")
    if req.method == "POST":
        firewall.inbound_rules += [r for r in inbound if r not in firewall.inbound_rules]
        firewall.outbound_rules += [r for r in outbound if r not in firewall.outbound_rules]
    else:
        firewall.inbound_rules = [r for r in firewall.inbound_rules if r not in inbound]
        firewall.outbound_rules = [r for r in firewall.outbound_rules if r not in outbound]
    firewall.progress = account.progress()
    return NO_CONTENT


ROUTES = [
    ("GET", r"firewalls", list_firewalls),
    ("POST", r"firewalls", create),
    ("GET", r"firewalls/(?P<firewall_id>[^/]+)", show),
    ("PUT", r"firewalls/(?P<firewall_id>[^/]+)", update),
    ("DELETE", r"firewalls/(?P<firewall_id>[^/]+)", delete),
    ("POST", r"firewalls/(?P<firewall_id>[^/]+)/droplets", change_droplets),
    ("DELETE", r"firewalls/(?P<firewall_id>[^/]+)/droplets", change_droplets),
    ("POST", r"firewalls/(?P<firewall_id>[^/]+)/tags", change_tags),
    ("DELETE", r"firewalls/(?P<firewall_id>[^/]+)/tags", change_tags),
    ("POST", r"firewalls/(?P<firewall_id>[^/]+)/rules", change_rules),
    ("DELETE", r"firewalls/(?P<firewall_id>[^/]+)/rules", change_rules),
]
