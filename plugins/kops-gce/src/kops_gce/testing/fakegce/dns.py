"""Cloud DNS (``dns/v1``): managed zones (list, create, get, delete), their record sets (list) and changes
(create, get), as a cluster's deletion sweep and DNS records need them. A zone starts with its SOA and NS
records; a zone holding other records cannot be deleted; a deletion must match the record exactly and an
addition must not exist, each answered as Cloud DNS does."""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from kops_gce.testing.fakegce import pages
from kops_gce.testing.fakegce.errors import ApiError, invalid_field, not_found, required
from kops_gce.testing.fakegce.store import State, now
from kops_gce.testing.fakegce.validation import check_name

Body = dict[str, Any]


class DNS:
    def __init__(self, state: State):
        self.state = state
        #: project -> zone name -> {"zone": ..., "records": {(name, type): rrset}, "changes": [...]}
        self.zones: dict[str, dict[str, Body]] = {}

    def handle(self, method: str, project: str, rest: list[str], query: dict[str, str], body: Body) -> Body:
        with self.state.lock:
            self.state.project(project)
            zones = self.zones.setdefault(project, {})
            if rest == ["managedZones"]:
                if method == "GET":
                    return self._list_zones(zones, query)
                if method == "POST":
                    return self._create_zone(project, zones, body)
            if len(rest) >= 2 and rest[0] == "managedZones":
                entry = zones.get(rest[1]) or next((z for z in zones.values() if z["zone"]["id"] == rest[1]), None)
                if entry is None:
                    raise not_found(f"projects/{project}/managedZones/{rest[1]}")
                if len(rest) == 2 and method == "GET":
                    return copy.deepcopy(entry["zone"])
                if len(rest) == 2 and method == "DELETE":
                    if any(t not in ("SOA", "NS") for _, t in entry["records"]):
                        raise ApiError(400, "containerNotEmpty", f"The resource named '{rest[1]}' cannot be "
                                       "deleted because it is not empty")
                    del zones[entry["zone"]["name"]]
                    return {}
                if rest[2:] == ["rrsets"] and method == "GET":
                    return self._list_records(entry, query)
                if rest[2:] == ["changes"] and method == "POST":
                    return self._change(entry, body)
                if len(rest) == 4 and rest[2] == "changes" and method == "GET":
                    for change in entry["changes"]:
                        if change["id"] == rest[3]:
                            return copy.deepcopy(change)
                    raise not_found(f"projects/{project}/managedZones/{rest[1]}/changes/{rest[3]}")
            raise ApiError(404, "notFound", f"The fake Cloud DNS API has no method {method} .../{'/'.join(rest)}")

    def _list_zones(self, zones: dict[str, Body], query: dict[str, str]) -> Body:
        items = [copy.deepcopy(z["zone"]) for z in sorted(zones.values(), key=lambda z: z["zone"]["name"])]
        if query.get("dnsName"):
            items = [z for z in items if z["dnsName"] == query["dnsName"]]
        chunk, token = pages.page(items, query)
        return {"kind": "dns#managedZonesListResponse", "managedZones": chunk,
                **({"nextPageToken": token} if token else {})}

    def _create_zone(self, project: str, zones: dict[str, Body], body: Body) -> Body:
        name = check_name(body.get("name"), "entity.managedZone.name")
        dns_name = body.get("dnsName") or ""
        if not dns_name:
            raise required("entity.managedZone.dnsName")
        if not dns_name.endswith(".") or not re.fullmatch(r"([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+", dns_name):
            raise invalid_field("entity.managedZone.dnsName", dns_name, "Invalid DNS name.")
        if name in zones:
            raise ApiError(409, "alreadyExists", f"The resource 'entity.managedZone' named '{name}' already exists")
        servers = [f"ns-cloud-a{i}.googledomains.com." for i in range(1, 5)]
        zone = {"kind": "dns#managedZone", "name": name, "dnsName": dns_name,
                "description": body.get("description", ""), "id": str(secrets.randbelow(10**18)),
                "nameServers": servers, "creationTime": now(), "visibility": body.get("visibility", "public"),
                **({"privateVisibilityConfig": body["privateVisibilityConfig"]}
                   if body.get("privateVisibilityConfig") else {}),
                **({"labels": body["labels"]} if body.get("labels") else {})}
        records = {
            (dns_name, "SOA"): {"kind": "dns#resourceRecordSet", "name": dns_name, "type": "SOA", "ttl": 21600,
                                "rrdatas": [f"{servers[0]} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"]},
            (dns_name, "NS"): {"kind": "dns#resourceRecordSet", "name": dns_name, "type": "NS", "ttl": 21600,
                               "rrdatas": servers},
        }
        zones[name] = {"zone": zone, "records": records, "changes": []}
        return copy.deepcopy(zone)

    def _list_records(self, entry: Body, query: dict[str, str]) -> Body:
        items = [copy.deepcopy(r) for _, r in sorted(entry["records"].items())]
        if query.get("name"):
            items = [r for r in items if r["name"] == query["name"]]
        if query.get("type"):
            items = [r for r in items if r["type"] == query["type"]]
        chunk, token = pages.page(items, query)
        return {"kind": "dns#resourceRecordSetsListResponse", "rrsets": chunk,
                **({"nextPageToken": token} if token else {})}

    def _change(self, entry: Body, body: Body) -> Body:
        records = dict(entry["records"])
        zone_name = entry["zone"]["dnsName"]
        for i, record in enumerate(body.get("deletions") or []):
            key = (record.get("name"), record.get("type"))
            if records.get(key) is None or records[key].get("rrdatas") != record.get("rrdatas") or \
                    records[key].get("ttl") != record.get("ttl"):
                raise ApiError(412 if key in records else 404, "conditionNotMet" if key in records else "notFound",
                               f"The resource 'entity.change.deletions[{i}]' named '{key[0]} ({key[1]})' does "
                               "not exist." if key not in records else
                               f"Precondition not met for 'entity.change.deletions[{i}]'")
            del records[key]
        for i, record in enumerate(body.get("additions") or []):
            key = (record.get("name"), record.get("type"))
            if not key[0] or not key[1]:
                raise required(f"entity.change.additions[{i}].name")
            if not (key[0] == zone_name or key[0].endswith("." + zone_name)):
                raise invalid_field(f"entity.change.additions[{i}].name", key[0],
                                    f"The record is not in the zone '{zone_name}'.")
            if key in records:
                raise ApiError(409, "alreadyExists", f"The resource 'entity.change.additions[{i}]' named "
                               f"'{key[0]} ({key[1]})' already exists")
            records[key] = {"kind": "dns#resourceRecordSet", **copy.deepcopy(record)}
        entry["records"] = records
        change = {"kind": "dns#change", "id": str(len(entry["changes"]) + 1), "startTime": now(),
                  "status": "done", "additions": body.get("additions") or [],
                  "deletions": body.get("deletions") or []}
        entry["changes"].append(change)
        return copy.deepcopy(change)
