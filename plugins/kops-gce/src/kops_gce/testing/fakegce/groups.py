"""Managed instance groups (zonal ``instanceGroupManagers``) and the instance groups they make.

A group keeps ``targetSize`` instances named ``<baseInstanceName>-<4 random letters or digits>``, each made from
the template the group had when it was made; ``setInstanceTemplate`` changes what later instances are made
from (existing ones keep theirs, reported by ``listManagedInstances`` as ``version.instanceTemplate``) unless the
update policy is ``PROACTIVE``. ``resize`` adds or removes instances, ``deleteInstances`` deletes and
``abandonInstances`` releases instances (both lower ``targetSize``), ``recreateInstances`` remakes instances
under the same names from the group's current template, and a managed instance deleted directly is remade.
Instances join and leave the group's target pools.
"""

from __future__ import annotations

import copy
import secrets
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kops_gce.testing.fakegce import pages
from kops_gce.testing.fakegce.errors import invalid, invalid_field, required
from kops_gce.testing.fakegce.instances import build_instance
from kops_gce.testing.fakegce.kinds import Body, Kind, check_fingerprint, resolve
from kops_gce.testing.fakegce.store import Ref, fingerprint, link, parse_ref

if TYPE_CHECKING:
    from kops_gce.testing.fakegce.compute import Compute

_SUFFIX = string.ascii_lowercase + string.digits


def _members(api: Compute, ref: Ref) -> list[Body]:
    return sorted((r for r in api.state.table(ref.project, ref.scope, "instances").values()
                   if r.get("_igm") == ref.link), key=lambda r: r["name"])


def _new_name(api: Compute, ref: Ref, base: str) -> str:
    while True:
        name = f"{base}-{''.join(secrets.choice(_SUFFIX) for _ in range(4))}"
        if api.state.find(Ref(ref.project, ref.scope, "instances", name)) is None:
            return name


def _make_instance(api: Compute, group_ref: Ref, group: Body, name: str) -> Body:
    """An instance from the group's current template, as the group makes it."""
    template = api.state.get(parse_ref(group["instanceTemplate"], group_ref.project))  # type: ignore[arg-type]
    ref = Ref(group_ref.project, group_ref.scope, "instances", name)
    res = copy.deepcopy(template["properties"])
    res.pop("reservationAffinity", None)
    res["metadata"] = copy.deepcopy(res.get("metadata") or {})
    # The group marks what it made, naming its project by number as Google does.
    number = api.state.project(group_ref.project).number
    res["metadata"]["items"] = [
        *(res["metadata"].get("items") or []),
        {"key": "instance-template", "value": f"projects/{number}/global/instanceTemplates/{template['name']}"},
        {"key": "created-by", "value": f"projects/{number}/{group_ref.scope}/instanceGroupManagers/{group_ref.name}"}]
    api.state.stamp(ref, res, "compute#instance")
    build_instance(api, ref, res, field="resource.properties")
    res["_igm"] = group_ref.link
    res["_template"] = template["selfLink"]
    api.state.put(ref, res)
    for pool in group.get("targetPools") or []:
        _pool_members(api, group_ref, pool, add=[ref.link])
    return res


def _remove_instance(api: Compute, group_ref: Ref, group: Body, inst: Body, delete: bool) -> None:
    ref = Ref(group_ref.project, group_ref.scope, "instances", inst["name"])
    for pool in group.get("targetPools") or []:
        _pool_members(api, group_ref, pool, remove=[ref.link])
    if delete:
        api.kinds["instances"].deleting(api, ref, inst)
        api.state.remove(ref)
    else:
        inst.pop("_igm", None)
        inst.pop("_template", None)


def _pool_members(api: Compute, group_ref: Ref, pool: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
    found = api.state.find(parse_ref(pool, group_ref.project))  # type: ignore[arg-type]
    if found is None:
        return
    members = [i for i in found.get("instances") or [] if i not in remove]
    members.extend(i for i in add if i not in members)
    found["instances"] = members
    if not members:
        found.pop("instances")


def replace_lost_instance(api: Compute, ref: Ref, res: Body) -> None:
    group_ref = parse_ref(res["_igm"], ref.project)
    group = api.state.find(group_ref) if group_ref else None
    if group is not None:
        _make_instance(api, group_ref, group, ref.name)  # type: ignore[arg-type]


def _resize(api: Compute, ref: Ref, group: Body, size: int) -> None:
    members = _members(api, ref)
    for _ in range(size - len(members)):
        _make_instance(api, ref, group, _new_name(api, ref, group["baseInstanceName"]))
    if size < len(members):
        # Instances from an older template go first, then the newest.
        current = group["instanceTemplate"]
        doomed = sorted(members, key=lambda r: (r.get("_template") == current, r["creationTimestamp"]))
        for inst in sorted(doomed[: len(members) - size], key=lambda r: r["name"]):
            _remove_instance(api, ref, group, inst, delete=True)
    group["targetSize"] = size


def _named_instances(api: Compute, ref: Ref, group: Body, body: Body) -> list[Body]:
    """The group's instances a request names by URL; an instance not in the group is a 400."""
    found = []
    for i, value in enumerate(body.get("instances") or []):
        inst_ref = parse_ref(value, ref.project, ref.scope, "instances")
        inst = api.state.find(inst_ref) if inst_ref and inst_ref.collection == "instances" else None
        if inst is None or inst.get("_igm") != ref.link:
            raise invalid_field(f"request.instances[{i}]", value, f"The instance is not a member of the "
                                f"instance group manager '{ref.path}'.")
        found.append(inst)
    if not found:
        raise required("request.instances")
    return found


class InstanceGroupManagers(Kind):
    collection = "instanceGroupManagers"
    scopes = ("zones",)
    kind = "compute#instanceGroupManager"
    word = "instance_group_manager"
    mutable = ("patch",)
    output_only = ("currentActions", "status", "instanceGroup", "fingerprint")
    methods = {"resize": "resize", "setInstanceTemplate": "set_instance_template",
               "setTargetPools": "set_target_pools", "listManagedInstances": "list_managed_instances",
               "deleteInstances": "delete_instances", "abandonInstances": "abandon_instances",
               "recreateInstances": "recreate_instances"}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        if not res.get("baseInstanceName"):
            raise required("resource.baseInstanceName")
        if len(res["baseInstanceName"]) > 58:
            raise invalid_field("resource.baseInstanceName", res["baseInstanceName"], "Must be at most 58 "
                                "characters long.")
        versions = res.get("versions") or []
        if versions and not res.get("instanceTemplate"):
            res["instanceTemplate"] = versions[0].get("instanceTemplate")
        if not res.get("instanceTemplate"):
            raise required("resource.instanceTemplate")
        res["instanceTemplate"] = resolve(api, ref, res["instanceTemplate"], "resource.instanceTemplate",
                                          "instanceTemplates", "instance template", "global").link
        res["versions"] = [{"name": (versions[0].get("name", "") if versions else ""),
                            "instanceTemplate": res["instanceTemplate"]}]
        size = res.get("targetSize", 0)
        if not isinstance(size, int) or size < 0:
            raise invalid_field("resource.targetSize", size, "Must be greater than or equal to 0")
        res["targetSize"] = size
        res["targetPools"] = [resolve(api, ref, p, f"resource.targetPools[{i}]", "targetPools", "target pool",
                                      f"regions/{ref.scope.split('/')[1].rsplit('-', 1)[0]}").link
                              for i, p in enumerate(res.get("targetPools") or [])]
        if not res["targetPools"]:
            del res["targetPools"]
        policy = {"type": "OPPORTUNISTIC", "minimalAction": "REPLACE", "replacementMethod": "SUBSTITUTE",
                  "maxSurge": {"fixed": 1, "calculated": 1}, "maxUnavailable": {"fixed": 1, "calculated": 1}}
        res["updatePolicy"] = {**policy, **(res.get("updatePolicy") or {})}
        if res["updatePolicy"]["type"] not in ("OPPORTUNISTIC", "PROACTIVE"):
            raise invalid_field("resource.updatePolicy.type", res["updatePolicy"]["type"],
                                "Must be OPPORTUNISTIC or PROACTIVE.")
        res.setdefault("listManagedInstancesResults", "PAGELESS")
        res["instanceGroup"] = link(ref.project, ref.scope, "instanceGroups", ref.name)
        res["fingerprint"] = fingerprint()

    def created(self, api: Compute, ref: Ref, res: Body) -> None:
        group = Ref(ref.project, ref.scope, "instanceGroups", ref.name)
        api.state.put(group, api.state.stamp(group, {
            "description": "This instance group is controlled by Instance Group Manager "
                           f"'{ref.name}'. To modify instances in this group, use the Instance Group Manager "
                           "API: https://cloud.google.com/compute/docs/reference/latest/instanceGroupManagers",
            "_igm": ref.link}, "compute#instanceGroup"))
        _resize(api, ref, res, res["targetSize"])

    def users(self, api: Compute, ref: Ref, res: Body) -> list[str]:
        # A backend service that holds the group's instance group keeps the manager from going.
        group = link(ref.project, ref.scope, "instanceGroups", ref.name)
        return [b["selfLink"] for _, b in api.state.each(ref.project, "backendServices")
                if any(x.get("group") == group for x in b.get("backends") or [])]

    def in_use_subject(self, ref: Ref) -> tuple[str, str]:
        return "instance_group", ref.path.replace("/instanceGroupManagers/", "/instanceGroups/")

    def deleting(self, api: Compute, ref: Ref, res: Body) -> None:
        for inst in _members(api, ref):
            _remove_instance(api, ref, res, inst, delete=True)
        api.state.remove(Ref(ref.project, ref.scope, "instanceGroups", ref.name))

    def updated(self, api: Compute, ref: Ref, res: Body, before: Body) -> None:
        if res.get("versions") != before.get("versions") and res.get("versions"):
            res["instanceTemplate"] = res["versions"][0].get("instanceTemplate")
        for key in ("baseInstanceName",):
            if res.get(key) != before.get(key):
                raise invalid_field(f"resource.{key}", res.get(key), "The field cannot be changed.")
        self.prepare(api, ref, res)
        if res["targetSize"] != before["targetSize"]:
            _resize(api, ref, res, res["targetSize"])
        if res.get("targetPools") != before.get("targetPools"):
            self._move_pools(api, ref, before.get("targetPools") or [], res.get("targetPools") or [])
        if res["instanceTemplate"] != before["instanceTemplate"]:
            self._roll(api, ref, res)

    def view(self, api: Compute, res: Body) -> Body:
        ref = parse_ref(res["selfLink"], "")
        members = _members(api, ref)  # type: ignore[arg-type]
        stale = sum(1 for m in members if m.get("_template") != res["instanceTemplate"])
        res["currentActions"] = {k: 0 for k in ("abandoning", "creating", "creatingWithoutRetries", "deleting",
                                                "recreating", "refreshing", "restarting", "resuming", "starting",
                                                "stopping", "suspending", "verifying")}
        res["currentActions"]["none"] = len(members)
        res["status"] = {"isStable": True, "versionTarget": {"isReached": stale == 0},
                         "stateful": {"hasStatefulConfig": False,
                                      "perInstanceConfigs": {"allEffective": True}}}
        return res

    def _roll(self, api: Compute, ref: Ref, res: Body) -> None:
        """A PROACTIVE group replaces instances made from another template at once."""
        if res["updatePolicy"].get("type") != "PROACTIVE":
            return
        for inst in _members(api, ref):
            if inst.get("_template") != res["instanceTemplate"]:
                self._recreate(api, ref, res, inst)

    def _recreate(self, api: Compute, ref: Ref, res: Body, inst: Body) -> None:
        _remove_instance(api, ref, res, inst, delete=True)
        _make_instance(api, ref, res, inst["name"])

    def _move_pools(self, api: Compute, ref: Ref, old: list[str], new: list[str]) -> None:
        links = [m["selfLink"] for m in _members(api, ref)]
        for pool in old:
            if pool not in new:
                _pool_members(api, ref, pool, remove=links)
        for pool in new:
            _pool_members(api, ref, pool, add=links)

    # --- methods ---

    def resize(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        raw = query.get("size")
        if raw is None:
            raise required("size")
        try:
            size = int(raw)
        except ValueError:
            raise invalid_field("size", raw, "Must be an integer.") from None
        if size < 0:
            raise invalid_field("size", raw, "Must be greater than or equal to 0")
        _resize(api, ref, res, size)
        return api.operation(ref, "compute.instanceGroupManagers.resize", res)

    def set_instance_template(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        template = resolve(api, ref, body.get("instanceTemplate"), "request.instanceTemplate",
                           "instanceTemplates", "instance template", "global")
        res["instanceTemplate"] = template.link
        res["versions"] = [{"name": res["versions"][0].get("name", ""), "instanceTemplate": template.link}]
        res["fingerprint"] = fingerprint()
        self._roll(api, ref, res)
        return api.operation(ref, "compute.instanceGroupManagers.setInstanceTemplate", res)

    def set_target_pools(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        check_fingerprint(self, res, body)
        region = f"regions/{ref.scope.split('/')[1].rsplit('-', 1)[0]}"
        pools = [resolve(api, ref, p, f"request.targetPools[{i}]", "targetPools", "target pool", region).link
                 for i, p in enumerate(body.get("targetPools") or [])]
        self._move_pools(api, ref, res.get("targetPools") or [], pools)
        res["targetPools"] = pools
        if not pools:
            del res["targetPools"]
        res["fingerprint"] = fingerprint()
        return api.operation(ref, "compute.instanceGroupManagers.setTargetPools", res)

    def list_managed_instances(self, api: Compute, ref: Ref, res: Body, body: Body,
                               query: dict[str, str]) -> Body:
        items = [{"instance": m["selfLink"], "id": m["id"], "name": m["name"],
                  "instanceStatus": m["status"], "currentAction": "NONE",
                  "version": {"name": "", "instanceTemplate": m["_template"]}} for m in _members(api, ref)]
        if res.get("listManagedInstancesResults") == "PAGINATED":
            items, token = pages.page(items, query)
            return {"managedInstances": items, **({"nextPageToken": token} if token else {})}
        return {"managedInstances": items}

    def delete_instances(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        for inst in _named_instances(api, ref, res, body):
            _remove_instance(api, ref, res, inst, delete=True)
            res["targetSize"] -= 1
        return api.operation(ref, "compute.instanceGroupManagers.deleteInstances", res)

    def abandon_instances(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        for inst in _named_instances(api, ref, res, body):
            _remove_instance(api, ref, res, inst, delete=False)
            res["targetSize"] -= 1
        return api.operation(ref, "compute.instanceGroupManagers.abandonInstances", res)

    def recreate_instances(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        for inst in _named_instances(api, ref, res, body):
            self._recreate(api, ref, res, inst)
        return api.operation(ref, "compute.instanceGroupManagers.recreateInstances", res)


class InstanceGroups(Kind):
    """The instance group a manager makes (read here; made and removed with its manager)."""

    collection = "instanceGroups"
    scopes = ("zones",)
    kind = "compute#instanceGroup"
    word = "instance_group"
    blockers = ("backendServices",)
    methods = {"listInstances": "list_instances"}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        raise invalid("Unmanaged instance groups are not supported by this fake.")

    def deleting(self, api: Compute, ref: Ref, res: Body) -> None:
        raise invalid(f"The instance group '{ref.path}' is managed by an instance group manager: delete that "
                      "instead.", reason="resourceInUseByAnotherResource")

    def view(self, api: Compute, res: Body) -> Body:
        link = res["selfLink"].replace("/instanceGroups/", "/instanceGroupManagers/")
        manager = parse_ref(link, "")
        if manager is not None:
            igm = api.state.find(manager)
            members = _members(api, manager)
            res["size"] = len(members)
            if igm and igm.get("namedPorts"):
                res["namedPorts"] = igm["namedPorts"]
            if members:
                res["network"] = members[0]["networkInterfaces"][0]["network"]
                res["subnetwork"] = members[0]["networkInterfaces"][0]["subnetwork"]
        return res

    def list_instances(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        manager = parse_ref(res.get("_igm") or "", "")
        items: list[Any] = [{"instance": m["selfLink"], "status": m["status"]}
                            for m in (_members(api, manager) if manager else [])]
        items, token = pages.page(items, query)
        return {"kind": "compute#instanceGroupsListInstances", "items": items,
                **({"nextPageToken": token} if token else {})}


def kinds() -> list[Kind]:
    return [InstanceGroupManagers(), InstanceGroups()]

