"""InstanceGroupManager: a zonal managed instance group, which keeps ``target_size`` machines made from its
instance template running in one zone; an instance group spread over zones has one per zone.

Pointing a group at a new template (``setInstanceTemplate``) changes only what later machines are made from: with
upstream's ``OPPORTUNISTIC`` update policy GCE replaces none of the running ones, which a rolling update does
(:mod:`kops_gce.cloudgroups` tells which are on an older template). A template no group uses any more is deleted
then. The control plane's groups also put their machines in the API load balancer's target pools.

The size is kops's floor, not a setting it holds: a group made with its share of the instance group's
``minSize`` is raised back to it when smaller (a cut-short replacement of a machine), never lowered, so what
the cluster autoscaler or a user added stays; Terraform ignores it after creation, as upstream writes it.
The zone and the machines' base name cannot change.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_gce.api import status
from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, last
from kops_gce.tasks.instance_template import InstanceTemplate

#: Upstream's update policy: new templates reach only new machines; a machine is replaced, never restarted.
UPDATE_POLICY = {"type": "OPPORTUNISTIC", "minimal_action": "REPLACE"}


class InstanceGroupManager(GCETask):
    zone: str | None = None
    #: Machines are named ``<base>-<4 characters>``.
    base_instance_name: str | None = None
    instance_template: Any = None
    target_size: int | None = None
    #: ``{"type": ..., "minimal_action": ...}``.
    update_policy: dict[str, str] | None = None
    list_managed_instances_results: str | None = None
    #: Target pool tasks whose members the group's machines are (the API load balancer's, on the control plane).
    target_pools: list[Any] | None = None
    description: str | None = None
    self_link: str | None = None

    api_kind = "instanceGroupManagers"
    scope = "zone"
    immutable_fields = {"zone", "base_instance_name"}
    immutable_advice = ("a managed instance group's zone and machine names cannot change: restore the instance "
                        "group's name and zones, or make a new instance group and delete this one")
    terraform_type = "google_compute_instance_group_manager"
    terraform_id_attr = "self_link"

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "target_size":
            return actual is not None and int(actual) >= int(desired)
        return super().field_equal(field, desired, actual)

    def find(self, ctx: Context) -> InstanceGroupManager | None:
        if self.self_link:
            raw = ctx.snapshot.first(self.api_kind, lambda r: r.get("self_link") == self.self_link)
        else:
            raw = self.listed(ctx)
        if raw is None:
            return None
        policy = raw.get("update_policy") or {}
        return InstanceGroupManager(
            name=self.name, lifecycle=self.lifecycle, zone=last(raw.get("zone")),
            base_instance_name=raw.get("base_instance_name"), instance_template=raw.get("instance_template") or None,
            target_size=raw.get("target_size"),
            update_policy={"type": policy.get("type_") or policy.get("type", ""), "minimal_action": policy.get("minimal_action", "")},
            list_managed_instances_results=raw.get("list_managed_instances_results") or None,
            target_pools=list(raw.get("target_pools") or []), description=raw.get("description"),
            self_link=raw.get("self_link"))

    def render_direct(self, ctx: Context, actual: InstanceGroupManager | None, changes: Changes) -> None:
        from google.cloud import compute_v1

        client = ctx.cloud.compute("InstanceGroupManagers")
        where = {"project": ctx.cloud.project, "zone": self.zone}
        template = _link(self.instance_template)
        pools = [_link(p) for p in self.target_pools or []]
        if actual is None:
            body: dict[str, Any] = {"name": self.name, "zone": self.zone, "base_instance_name": self.base_instance_name,
                                    "instance_template": template, "target_size": int(self.target_size or 0),
                                    "description": self.description or "", "target_pools": pools}
            if self.update_policy:
                body["update_policy"] = compute_v1.InstanceGroupManagerUpdatePolicy(**self.update_policy)
            if self.list_managed_instances_results:
                body["list_managed_instances_results"] = self.list_managed_instances_results
            try:
                ctx.cloud.wait(client.insert(**where, instance_group_manager_resource=(
                    compute_v1.InstanceGroupManager(**body))))
            except Exception as exc:  # noqa: BLE001 - only "already exists" is expected here
                if status(exc) != 409:  # a try cut short after GCE made it, with these settings
                    raise
            self.self_link = client.get(**where, instance_group_manager=self.name).self_link
            return
        name = {**where, "instance_group_manager": self.name}
        if "target_pools" in changes:
            ctx.cloud.wait(client.set_target_pools(
                **name, instance_group_managers_set_target_pools_request_resource=(
                    compute_v1.InstanceGroupManagersSetTargetPoolsRequest(target_pools=pools))))
        if "instance_template" in changes:
            ctx.cloud.wait(client.set_instance_template(
                **name, instance_group_managers_set_instance_template_request_resource=(
                    compute_v1.InstanceGroupManagersSetInstanceTemplateRequest(instance_template=template))))
            _delete_if_unused(ctx, actual.instance_template)
        if "target_size" in changes:
            ctx.cloud.wait(client.resize(**name, size=int(self.target_size or 0)))
        patch: dict[str, Any] = {}
        if "update_policy" in changes:
            patch["update_policy"] = compute_v1.InstanceGroupManagerUpdatePolicy(**(self.update_policy or {}))
        if "list_managed_instances_results" in changes:
            patch["list_managed_instances_results"] = self.list_managed_instances_results
        if "description" in changes:
            patch["description"] = self.description or ""
        if patch:
            ctx.cloud.wait(client.patch(**name, instance_group_manager_resource=compute_v1.InstanceGroupManager(
                **patch)))

    def delete_direct(self, ctx: Context) -> None:
        """Deleting a group deletes its machines with it."""
        client = ctx.cloud.compute("InstanceGroupManagers")
        zone = self.zone or _zone_of(self.self_link)
        delete_quietly(ctx, lambda: client.delete(project=ctx.cloud.project, zone=zone,
                                                  instance_group_manager=self.name))

    def render_terraform(self, ctx: Context, tf: Any) -> None:
        """Upstream's resource; what Terraform makes is Terraform's, so it carries no owner description."""
        from kops.engine.hcl import Block, Expr

        template = self.instance_template
        tf.add_resource(self.terraform_type, self.name, {
            "base_instance_name": self.base_instance_name,
            "lifecycle": Block(ignore_changes=[Expr("target_size")]),
            "list_managed_instances_results": self.list_managed_instances_results,
            "name": self.name,
            "target_pools": list(self.target_pools or []),
            "target_size": self.target_size,
            "update_policy": Block(self.update_policy) if self.update_policy else None,
            "version": Block(instance_template=template.terraform_ref("self_link")
                             if isinstance(template, InstanceTemplate) else template),
            "zone": self.zone,
        })


def _link(task: Any) -> str:
    if isinstance(task, str):
        return task
    link = getattr(task, "self_link", None)
    if not link:
        from kops.errors import KopsError

        raise KopsError(f"{task} has no link yet")
    return str(link)


def _zone_of(link: str | None) -> str:
    """The zone in a zonal resource's link."""
    parts = str(link or "").split("/")
    return parts[parts.index("zones") + 1] if "zones" in parts else ""


def _delete_if_unused(ctx: Context, old: Any) -> None:
    """Delete a template a group has moved on from, when the cluster owns it and no other group uses it (GCE refuses
    while one does, and the last group to move on deletes it)."""
    old_link = old if isinstance(old, str) else getattr(old, "self_link", None)
    if not old_link or ctx.snapshot.first("instanceTemplates", lambda r: r.get("self_link") == old_link) is None:
        return
    client = ctx.cloud.compute("InstanceTemplates")
    try:
        delete_quietly(ctx, lambda: client.delete(project=ctx.cloud.project, instance_template=last(old_link)))
    except Exception as exc:  # noqa: BLE001 - only "still in use" is expected here
        if status(exc) != 400:
            raise


@DISCOVERY.register("instanceGroupManagers")
def list_instance_group_managers(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    from kops_gce.labels import owned

    return [m for m in api.aggregated("InstanceGroupManagers") if owned(m, cluster_name)]


@DISCOVERY.register_deletions("instanceGroupManagers")
def delete_instance_group_managers(snapshot: Snapshot, cluster_name: str) -> list[InstanceGroupManager]:
    """Each group the cluster owns, after its template is no longer needed by it. The group's machines go with it;
    machines of the cluster left in its zone (taken out of a group) are deleted after it."""
    from kops_gce.tasks.instance import Instance

    machines = owned_in(snapshot, "instances", cluster_name)
    tasks = []
    for r in owned_in(snapshot, "instanceGroupManagers", cluster_name):
        zone = last(r.get("zone"))
        template = r.get("instance_template")
        tasks.append(InstanceGroupManager(
            name=r["name"], zone=zone, self_link=r["self_link"],
            instance_template=InstanceTemplate(name=last(template), self_link=template) if template else None,
            depends_on=[Instance(name=m["name"], self_link=m["self_link"]) for m in machines
                        if last(m.get("zone")) == zone]))
    return tasks
