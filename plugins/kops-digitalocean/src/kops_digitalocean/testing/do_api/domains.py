"""Domains and their records: create (with the SOA and ``ns1``-``ns3.digitalocean.com`` NS records a new
domain gets, and an apex A record for ``ip_address``), list, get, delete; records created, listed
(``type`` and ``name`` filters, ``name`` being the full name, paginated), read, updated (PUT and PATCH)
and deleted.

Record data is checked by type as the real API checks it: A and AAAA addresses, MX and SRV fields,
CAA flags and tags, no CNAME beside other records of its name, a TTL of at least 30 seconds.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from kops_digitalocean.testing.do_api.account import Account
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_RECORD_NAME = re.compile(r"^(@|\*|(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_\-.]{0,251}[A-Za-z0-9_])?)$")
_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "SRV", "TXT")
_FIELDS = ("type", "name", "data", "priority", "port", "ttl", "weight", "flags", "tag")
DEFAULT_TTL = 1800
NAMESERVERS = ("ns1.digitalocean.com", "ns2.digitalocean.com", "ns3.digitalocean.com")


@dataclass
class Domain:
    name: str
    ttl: int = DEFAULT_TTL
    records: dict[int, dict[str, Any]] = field(default_factory=dict)


def _zone_file(domain: Domain) -> str:
    lines = [f"$ORIGIN {domain.name}.", f"$TTL {domain.ttl}"]
    for record in sorted(domain.records.values(), key=lambda r: r["id"]):
        data = record["data"]
        if record["type"] in ("MX", "SRV"):
            data = f"{record['priority']} " + (f"{record['weight']} {record['port']} " if record["type"] == "SRV"
                                                else "") + data
        elif record["type"] == "TXT":
            data = f'"{data}"'
        elif record["type"] == "CAA":
            data = f'{record["flags"]} {record["tag"]} "{data}"'
        lines.append(f"{record['name']} {record['ttl']} IN {record['type']} {data}")
    return "\n".join(lines) + "\n"


def render(domain: Domain) -> dict[str, Any]:
    return {"name": domain.name, "ttl": domain.ttl, "zone_file": _zone_file(domain)}


def get(account: Account, name: str) -> Domain:
    found = account.domains.get(name.lower().rstrip("."))
    if found is None:
        raise not_found()
    return found


def _add(account: Account, domain: Domain, **fields: Any) -> dict[str, Any]:
    record = {"id": account.next_id(), **{k: None for k in _FIELDS}, **fields}
    domain.records[record["id"]] = record
    return record


def create(account: Account, req: Request) -> Reply:
    name = req.body.get("name")
    if not isinstance(name, str) or not _DOMAIN.match(name.rstrip(".")):
        raise unprocessable("Name Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)")
    name = name.lower().rstrip(".")
    if name in account.domains:
        raise unprocessable("Name already exists")
    domain = Domain(name=name)
    ip_address = req.body.get("ip_address")
    if ip_address:
        _check_address(ip_address, 4)
    account.domains[name] = domain
    _add(account, domain, type="SOA", name="@", data="1800", ttl=DEFAULT_TTL)
    for server in NAMESERVERS:
        _add(account, domain, type="NS", name="@", data=server, ttl=DEFAULT_TTL)
    if ip_address:
        _add(account, domain, type="A", name="@", data=ip_address, ttl=DEFAULT_TTL)
    return Reply(201, {"domain": {"name": domain.name, "ttl": domain.ttl, "zone_file": None}})


def list_domains(account: Account, req: Request) -> Reply:
    return Reply(200, paginate(req, "domains", sorted(account.domains.values(), key=lambda d: d.name), render))


def show(account: Account, req: Request, name: str) -> Reply:
    return Reply(200, {"domain": render(get(account, name))})


def delete(account: Account, req: Request, name: str) -> Reply:
    del account.domains[get(account, name).name]
    return NO_CONTENT


# --- records -----------------------------------------------------------------------------------------------

def _check_address(data: Any, version: int) -> None:
    try:
        if ipaddress.ip_address(data).version == version:
            return
    except ValueError:
        pass
    raise unprocessable(f"Data needs to be a valid IPv{version} address")


def _whole(record: dict[str, Any], key: str, low: int, high: int) -> None:
    value = record.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise unprocessable(f"{key.capitalize()} must be a number between {low} and {high}")


def _check(domain: Domain, record: dict[str, Any]) -> dict[str, Any]:
    """A record's fields, checked by type; defaults filled in."""
    kind = record.get("type")
    if kind not in _TYPES:
        raise unprocessable("Type is not a valid record type")
    name = record.get("name")
    if not isinstance(name, str) or not _RECORD_NAME.match(name):
        raise unprocessable("Name Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)")
    data = record.get("data")
    if not isinstance(data, str) or not data:
        raise unprocessable("Data can't be blank")
    record["ttl"] = record.get("ttl") or DEFAULT_TTL
    _whole(record, "ttl", 30, 2**31 - 1)
    if kind == "A":
        _check_address(data, 4)
    elif kind == "AAAA":
        _check_address(data, 6)
    elif kind == "MX":
        _whole(record, "priority", 0, 65535)
    elif kind == "SRV":
        for key in ("priority", "port", "weight"):
            _whole(record, key, 0, 65535)
    elif kind == "CAA":
        _whole(record, "flags", 0, 255)
        if record.get("tag") not in ("issue", "issuewild", "iodef"):
            raise unprocessable("Tag must be one of issue, issuewild or iodef")
    others = [r for r in domain.records.values() if r["name"] == name and r["id"] != record.get("id")]
    if kind == "CNAME" and (name == "@" or others):
        raise unprocessable("CNAME records cannot share a name with other records.")
    if any(r["type"] == "CNAME" for r in others):
        raise unprocessable("CNAME records cannot share a name with other records.")
    return record


def _record(domain: Domain, record_id: str) -> dict[str, Any]:
    found = domain.records.get(int(record_id)) if record_id.isdigit() else None
    if found is None:
        raise not_found()
    return found


def _relative(domain: Domain, name: str) -> str:
    """A full name (``www.example.com``) as the record's own name (``www``; ``@`` for the apex)."""
    name = name.lower().rstrip(".")
    if name == domain.name:
        return "@"
    return name[: -len(domain.name) - 1] if name.endswith("." + domain.name) else name


def create_record(account: Account, req: Request, name: str) -> Reply:
    domain = get(account, name)
    given = {k: req.body.get(k) for k in _FIELDS}
    if given["tag"] is None and isinstance(req.body.get("tags"), str):
        given["tag"] = req.body["tags"]
    record = _check(domain, given)
    return Reply(201, {"domain_record": dict(_add(account, domain, **record))})


def list_records(account: Account, req: Request, name: str) -> Reply:
    domain = get(account, name)
    found = sorted(domain.records.values(), key=lambda r: r["id"])
    if req.query.get("type"):
        found = [r for r in found if r["type"] == req.query["type"].upper()]
    if req.query.get("name"):
        wanted = _relative(domain, req.query["name"])
        found = [r for r in found if r["name"] == wanted]
    return Reply(200, paginate(req, "domain_records", found, dict))


def show_record(account: Account, req: Request, name: str, record_id: str) -> Reply:
    return Reply(200, {"domain_record": dict(_record(get(account, name), record_id))})


def update_record(account: Account, req: Request, name: str, record_id: str) -> Reply:
    """PUT and PATCH change the fields given (a null keeps the field); the record is checked again."""
    domain = get(account, name)
    record = _record(domain, record_id)
    changed = dict(record)
    changed.update({k: req.body[k] for k in _FIELDS if req.body.get(k) is not None})
    if changed["type"] != record["type"]:
        raise unprocessable("Type of a record cannot be changed")
    if record["type"] in ("SOA", "NS") and record["name"] == "@" and changed["name"] != "@":
        raise unprocessable("Name of the zone's own records cannot be changed")
    if record["type"] != "SOA":
        _check(domain, changed)
    record.update(changed)
    return Reply(200, {"domain_record": dict(record)})


def delete_record(account: Account, req: Request, name: str, record_id: str) -> Reply:
    domain = get(account, name)
    record = _record(domain, record_id)
    if record["type"] == "SOA":
        raise unprocessable("The SOA record of a domain cannot be deleted")
    del domain.records[record["id"]]
    return NO_CONTENT


ROUTES = [
    ("GET", r"domains", list_domains),
    ("POST", r"domains", create),
    ("GET", r"domains/(?P<name>[^/]+)", show),
    ("DELETE", r"domains/(?P<name>[^/]+)", delete),
    ("GET", r"domains/(?P<name>[^/]+)/records", list_records),
    ("POST", r"domains/(?P<name>[^/]+)/records", create_record),
    ("GET", r"domains/(?P<name>[^/]+)/records/(?P<record_id>[^/]+)", show_record),
    ("PUT", r"domains/(?P<name>[^/]+)/records/(?P<record_id>[^/]+)", update_record),
    ("PATCH", r"domains/(?P<name>[^/]+)/records/(?P<record_id>[^/]+)", update_record),
    ("DELETE", r"domains/(?P<name>[^/]+)/records/(?P<record_id>[^/]+)", delete_record),
]
