"""The ``compute/v1`` API: routing, the calls every resource type shares (insert, get, list with filter and
pages, aggregatedList, delete, patch, update, setLabels), operations, and the read-only catalogue (regions,
zones, machine types, disk types, images, the project).
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from kops_gce.testing.fakegce import catalog, pages
from kops_gce.testing.fakegce.errors import (
    ApiError,
    OperationFailure,
    already_exists,
    in_use,
    in_use_message,
    not_found,
)
from kops_gce.testing.fakegce.filters import compile_filter
from kops_gce.testing.fakegce.kinds import Body, Kind, check_fingerprint, set_labels
from kops_gce.testing.fakegce.store import BASE, Ref, State, fingerprint, link, public, scope_link
from kops_gce.testing.fakegce.validation import check_labels, check_name, check_path_name

#: Kinds whose aggregatedList a deletion sweep needs; the API's key for each in a scope's entry.
AGGREGATED = ("instances", "disks", "addresses", "forwardingRules", "instanceGroupManagers", "subnetworks",
              "targetPools", "backendServices", "healthChecks", "routers", "instanceGroups", "machineTypes")
_DISK_TYPES = ("pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced")


def stable_id(*parts: str) -> str:
    """A fixed numeric ID for catalogue entries (regions, zones, machine types), as Google's never change."""
    return str(int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:15], 16))


class Compute:
    def __init__(self, state: State, kinds: list[Kind]):
        self.state = state
        self.kinds = {k.collection: k for k in kinds}

    # --- routing ---

    def handle(self, method: str, project: str, segs: list[str], query: dict[str, str], body: Body) -> Any:
        with self.state.lock:
            self.state.project(project)
            if not segs:
                if method == "GET":
                    return self.project_view(project)
                raise _no_route(method, segs)
            head = segs[0]
            if head == "aggregated" and len(segs) == 2 and method == "GET":
                return self.aggregated(project, segs[1], query)
            if head == "global":
                scope, rest = "global", segs[1:]
            elif head in ("regions", "zones"):
                if len(segs) <= 2 and method == "GET":
                    return self.places(project, head, segs[1] if len(segs) == 2 else None, query)
                if len(segs) < 3:
                    raise _no_route(method, segs)
                scope, rest = f"{head}/{segs[1]}", segs[2:]
                self.place(project, scope)
            else:
                raise _no_route(method, segs)
            collection = rest[0] if rest else ""
            if collection == "operations":
                return self.operations(method, project, scope, rest[1:], query)
            if collection in ("machineTypes", "diskTypes") and scope.startswith("zones/") and method == "GET":
                return self.zone_catalogue(project, scope, collection, rest[1] if len(rest) > 1 else None, query)
            if collection == "images" and len(rest) == 3 and rest[1] == "family" and method == "GET":
                return self.image_from_family(project, rest[2])
            kind = self.kinds.get(collection)
            if kind is None or scope.split("/")[0] not in kind.scopes:
                raise _no_route(method, segs)
            if len(rest) == 1:
                if method == "GET":
                    return self.list(kind, project, scope, query)
                if method == "POST":
                    return self.insert(kind, Ref(project, scope, collection, str(body.get("name") or "")), body)
            elif len(rest) in (2, 3):
                check_path_name(rest[1])
                ref = Ref(project, scope, collection, rest[1])
                if len(rest) == 3 and method == "POST":
                    return self.call(kind, ref, rest[2], body, query)
                if len(rest) == 2:
                    if method == "GET":
                        return kind.view(self, public(self.state.get(ref)))
                    if method == "DELETE":
                        return self.delete(kind, ref)
                    if method in ("PATCH", "PUT") and ("patch" if method == "PATCH" else "update") in kind.mutable:
                        return self.modify(kind, ref, body, replace=method == "PUT")
            raise _no_route(method, segs)

    def place(self, project: str, scope: str) -> None:
        """A region or zone in a path must exist."""
        kind, name = scope.split("/", 1)
        known = catalog.REGIONS if kind == "regions" else {f"{r}-{z}" for r, zs in catalog.REGIONS.items()
                                                            for z in zs}
        if name not in known:
            raise not_found(f"projects/{project}/{scope}")

    # --- shared calls ---

    def insert(self, kind: Kind, ref: Ref, body: Body) -> Body:
        check_name(body.get("name"))
        if self.state.find(ref) is not None:
            raise already_exists(ref.path)
        res = copy.deepcopy(body)
        for key in kind.output_only:
            res.pop(key, None)
        if kind.labels:
            res["labels"] = check_labels(res.get("labels"))
            res["labelFingerprint"] = fingerprint()
        self.state.stamp(ref, res, kind.kind)
        kind.prepare(self, ref, res)
        self.state.put(ref, res)
        try:
            kind.created(self, ref, res)
        except ApiError:
            # What the new resource would bring (a group's instances) failed: the insert did not happen.
            kind.deleting(self, ref, res)
            self.state.remove(ref)
            raise
        return self.operation(ref, "insert", res)

    def delete(self, kind: Kind, ref: Ref) -> Body:
        res = self.state.get(ref)
        ref = Ref(ref.project, ref.scope, ref.collection, res["name"])
        users = kind.users(self, ref, res)
        if users:
            word, subject = kind.in_use_subject(ref)
            if kind.in_use_fails_operation:
                failure = OperationFailure(400, "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE",
                                           in_use_message(word, subject, _path_of(users[0])))
                return self.operation(ref, "delete", res, failure=failure)
            raise in_use(word, subject, _path_of(users[0]))
        kind.deleting(self, ref, res)
        self.state.remove(ref)
        op = self.operation(ref, "delete", res)
        kind.deleted(self, ref, res)
        return op

    def modify(self, kind: Kind, ref: Ref, body: Body, replace: bool) -> Body:
        res = self.state.get(ref)
        check_fingerprint(kind, res, body)
        before = copy.deepcopy(res)
        fixed = {k: res[k] for k in ("kind", "id", "creationTimestamp", "name", "selfLink", "zone", "region",
                                     "labels", "labelFingerprint") if k in res}
        if replace:
            res.clear()
            res.update(copy.deepcopy(body))
        else:
            res.update(copy.deepcopy(body))
        for key in kind.output_only:
            if key in before:
                res[key] = before[key]
            else:
                res.pop(key, None)
        res.update(fixed)
        try:
            kind.updated(self, ref, res, before)
        except ApiError:
            res.clear()
            res.update(before)
            raise
        if "fingerprint" in before:
            res["fingerprint"] = fingerprint()
        return self.operation(ref, "update" if replace else "patch", res)

    def call(self, kind: Kind, ref: Ref, method: str, body: Body, query: dict[str, str]) -> Body:
        res = self.state.get(ref)
        ref = Ref(ref.project, ref.scope, ref.collection, res["name"])
        if method == "setLabels" and kind.labels:
            set_labels(res, body)
            return self.operation(ref, "setLabels", res)
        handler = kind.methods.get(method)
        if handler is None:
            raise _no_route("POST", [ref.scope, ref.collection, ref.name, method])
        return getattr(kind, handler)(self, ref, res, body, query)

    def list(self, kind: Kind, project: str, scope: str, query: dict[str, str]) -> Body:
        table = self.state.table(project, scope, kind.collection)
        items = self.select([kind.view(self, public(r)) for r in table.values()], query)
        return _listing(kind.kind + "List", f"projects/{project}/{scope}/{kind.collection}",
                        f"{scope_link(project, scope)}/{kind.collection}", *pages.page(items, query))

    def select(self, items: list[Body], query: dict[str, str]) -> list[Body]:
        predicate = compile_filter(query.get("filter"))
        return pages.order([r for r in items if predicate(r)], query)

    def aggregated(self, project: str, collection: str, query: dict[str, str]) -> Body:
        """``aggregatedList``: every scope of the project, each with its items or the API's no-results warning;
        ``maxResults`` counts items across scopes."""
        kind = self.kinds.get(collection)
        if collection not in AGGREGATED or (kind is None and collection != "machineTypes"):
            raise _no_route("GET", ["aggregated", collection])
        kinds_of_scope = kind.scopes if kind is not None else ("zones",)
        scopes = ["global"] if "global" in kinds_of_scope else []
        if "regions" in kinds_of_scope:
            scopes += [f"regions/{r}" for r in catalog.REGIONS]
        if "zones" in kinds_of_scope:
            scopes += [f"zones/{r}-{z}" for r, zs in catalog.REGIONS.items() for z in zs]
        flat: list[tuple[str, Body]] = []
        for scope in scopes:
            if kind is None:
                found = self.zone_catalogue(project, scope, "machineTypes", None, {}).get("items", [])
            else:
                found = [kind.view(self, public(r)) for r in self.state.table(project, scope, collection).values()]
            flat.extend((scope, r) for r in self.select(found, query))
        chunk, token = pages.page(flat, query)
        items: Body = {}
        for scope in scopes:
            mine = [r for s, r in chunk if s == scope]
            if mine:
                items[scope] = {collection: mine}
            else:
                items[scope] = {"warning": {
                    "code": "NO_RESULTS_ON_PAGE", "message": f"There are no results for scope '{scope}' on this page.",
                    "data": [{"key": "scope", "value": scope}]}}
        kind_name = kind.kind if kind else "compute#machineType"
        out: Body = {"kind": kind_name + "AggregatedList", "id": f"projects/{project}/aggregated/{collection}",
                     "items": items, "selfLink": f"{BASE}projects/{project}/aggregated/{collection}"}
        if token:
            out["nextPageToken"] = token
        return out

    def operation(self, ref: Ref, op_type: str, res: Body | None = None,
                  failure: OperationFailure | None = None, scope: str | None = None) -> Body:
        return self.state.operation(ref.project, scope or ref.scope, op_type, ref,
                                    res.get("id") if res else None, failure.fields() if failure else None)

    # --- operations ---

    def operations(self, method: str, project: str, scope: str, rest: list[str], query: dict[str, str]) -> Any:
        ops = self.state.project(project).operations.setdefault(scope, {})
        if not rest and method == "GET":
            items = self.select([self.state.view_operation(op, polled=False) for op in ops.values()], query)
            return _listing("compute#operationList", f"projects/{project}/{scope}/operations",
                            f"{scope_link(project, scope)}/operations", *pages.page(items, query))
        if not rest:
            raise _no_route(method, [scope, "operations"])
        name = rest[0]
        op = ops.get(name) or next((o for o in ops.values() if o["id"] == name), None)
        if op is None:
            raise not_found(f"projects/{project}/{scope}/operations/{name}")
        if len(rest) == 1 and method == "GET":
            return self.state.view_operation(op, polled=True)
        if len(rest) == 1 and method == "DELETE":
            del ops[op["name"]]
            return {}
        if len(rest) == 2 and rest[1] == "wait" and method == "POST":
            op.pop("_polls_left", None)
            return self.state.view_operation(op, polled=True)
        raise _no_route(method, [scope, "operations", *rest])

    # --- the catalogue ---

    def project_view(self, project: str) -> Body:
        p = self.state.project(project)
        meta = self.state.table(project, "global", "_commonInstanceMetadata").setdefault(
            "metadata", {"kind": "compute#metadata", "fingerprint": fingerprint(), "items": []})
        return {
            "kind": "compute#project", "id": stable_id("project", project), "creationTimestamp": p.created,
            "name": project, "commonInstanceMetadata": public(meta),
            "quotas": [{"metric": "NETWORKS", "limit": 15.0, "usage": float(len(self.state.table(
                project, "global", "networks")))}, {"metric": "FIREWALLS", "limit": 200.0, "usage": float(len(
                    self.state.table(project, "global", "firewalls")))}],
            "selfLink": f"{BASE}projects/{project}",
            "defaultServiceAccount": f"{p.number}-compute@developer.gserviceaccount.com",
            "xpnProjectStatus": "UNSPECIFIED_XPN_PROJECT_STATUS", "defaultNetworkTier": "PREMIUM",
            "vmDnsSetting": "ZONAL_ONLY",
        }

    def region_view(self, project: str, region: str) -> Body:
        return {"kind": "compute#region", "id": stable_id("region", region), "creationTimestamp":
                "1969-12-31T16:00:00.000-08:00", "name": region, "description": region, "status": "UP",
                "zones": [scope_link(project, f"zones/{region}-{z}") for z in catalog.REGIONS[region]],
                "quotas": [{"metric": "CPUS", "limit": 2400.0, "usage": 0.0}],
                "selfLink": scope_link(project, f"regions/{region}"), "supportsPzs": False}

    def zone_view(self, project: str, zone: str) -> Body:
        region = zone.rsplit("-", 1)[0]
        return {"kind": "compute#zone", "id": stable_id("zone", zone), "creationTimestamp":
                "1969-12-31T16:00:00.000-08:00", "name": zone, "description": zone, "status": "UP",
                "region": scope_link(project, f"regions/{region}"), "selfLink": scope_link(project, f"zones/{zone}"),
                "availableCpuPlatforms": ["Intel Broadwell", "Intel Cascade Lake", "AMD Milan", "Ampere Altra"],
                "supportsPzs": False}

    def places(self, project: str, kind: str, name: str | None, query: dict[str, str]) -> Body:
        if name is not None:
            self.place(project, f"{kind}/{name}")
            return self.region_view(project, name) if kind == "regions" else self.zone_view(project, name)
        if kind == "regions":
            items = [self.region_view(project, r) for r in catalog.REGIONS]
        else:
            items = [self.zone_view(project, f"{r}-{z}") for r, zs in catalog.REGIONS.items() for z in zs]
        return _listing(f"compute#{kind[:-1]}List", f"projects/{project}/{kind}", f"{BASE}projects/{project}/{kind}",
                        *pages.page(self.select(items, query), query))

    def machine_type_view(self, project: str, zone: str, m: catalog.MachineType) -> Body:
        return {"kind": "compute#machineType", "id": stable_id("machineType", m.name), "creationTimestamp":
                "1969-12-31T16:00:00.000-08:00", "name": m.name, "description": m.description,
                "guestCpus": m.cpus, "memoryMb": m.memory_mb, "imageSpaceGb": 0,
                "maximumPersistentDisks": 16 if m.shared else 128, "maximumPersistentDisksSizeGb": "263168",
                "zone": zone.rsplit("/", 1)[-1], "isSharedCpu": m.shared,
                "architecture": "ARM64" if m.arm else "X86_64",
                "selfLink": link(project, zone, "machineTypes", m.name)}

    def zone_catalogue(self, project: str, scope: str, collection: str, name: str | None,
                       query: dict[str, str]) -> Body:
        if collection == "machineTypes":
            views = {m.name: self.machine_type_view(project, scope, m) for m in catalog.MACHINE_TYPES}
            kind = "compute#machineType"
        else:
            views = {d: {"kind": "compute#diskType", "id": stable_id("diskType", d), "name": d,
                         "description": d, "validDiskSize": "10GB-65536GB", "defaultDiskSizeGb": "10",
                         "zone": scope_link(project, scope), "selfLink": link(project, scope, "diskTypes", d)}
                     for d in _DISK_TYPES}
            kind = "compute#diskType"
        if name is not None:
            check_path_name(name)
            if name not in views:
                raise not_found(f"projects/{project}/{scope}/{collection}/{name}")
            return views[name]
        return _listing(kind + "List", f"projects/{project}/{scope}/{collection}",
                        f"{scope_link(project, scope)}/{collection}",
                        *pages.page(self.select(list(views.values()), query), query))

    def image_from_family(self, project: str, family: str) -> Body:
        """``images.getFromFamily``: the newest image of the family that is not deprecated."""
        check_path_name(family)
        candidates = [r for r in self.state.table(project, "global", "images").values()
                      if r.get("family") == family and (r.get("deprecated") or {}).get("state") in (None, "ACTIVE")]
        if not candidates:
            raise not_found(f"projects/{project}/global/images/family/{family}")
        newest = max(candidates, key=lambda r: r.get("creationTimestamp", ""))
        return public(newest)


def _listing(kind: str, list_id: str, self_link: str, items: list[Body], token: str | None) -> Body:
    """A list call's answer; like Google, it leaves out ``items`` when there are none."""
    out: Body = {"kind": kind, "id": list_id, "selfLink": self_link}
    if items:
        out["items"] = items
    if token:
        out["nextPageToken"] = token
    return out


def _path_of(link_or_path: str) -> str:
    return link_or_path[len(BASE):] if link_or_path.startswith(BASE) else link_or_path


def _no_route(method: str, segs: list[str]) -> ApiError:
    """A method or path the fake does not serve: a 404 naming it (Google answers unknown paths with a 404)."""
    return ApiError(404, "notFound", f"The fake Compute API has no method {method} .../{'/'.join(segs)}")

