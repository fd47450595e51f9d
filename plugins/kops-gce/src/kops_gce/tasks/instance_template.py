"""InstanceTemplate: what an instance group's machines are made from (machine type, boot disk, network interface,
service account and scopes, tags, labels, metadata with the user data, scheduling).

GCE never changes a template: a group whose machines should boot differently needs a new template, and its
managed instance groups are pointed at it (:mod:`kops_gce.tasks.instance_group_manager`), which leaves the
machines made from the old one running until a rolling update replaces them. So a template's GCE name is its
prefix (upstream's, at most 32 characters) and a digest of everything it holds: the same spec always names the
same template, and a changed one names a new one. A plan reads the group's newest template back and shows the
fields that change as an update; applying makes the new template (the old one stays until no group uses it). The
task's own name (and its Terraform name) is the group's object name, as upstream's; Terraform gives the template a
``name_prefix`` and makes the new one before the old one goes.

Templates take no labels of their own (their instances do): each carries the cluster's owner description, and
deleting the cluster deletes every template it owns, after the groups that use them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.hcl import Block
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_gce.api import status
from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, last

#: The longest prefix of a template's name (upstream's, as Terraform's ``name_prefix`` allows).
NAME_PREFIX_MAX = 32
#: How many hex digits of the digest end a template's name.
DIGEST_LENGTH = 12
#: Where public images are, and the Compute API's base URL for a resource's link.
COMPUTE_URL = "https://www.googleapis.com/compute/v1/"
#: Upstream's short names of OAuth scopes.
SCOPES = {
    "storage-ro": "https://www.googleapis.com/auth/devstorage.read_only",
    "storage-rw": "https://www.googleapis.com/auth/devstorage.read_write",
    "compute-ro": "https://www.googleapis.com/auth/compute.read_only",
    "compute-rw": "https://www.googleapis.com/auth/compute",
    "monitoring": "https://www.googleapis.com/auth/monitoring",
    "monitoring-write": "https://www.googleapis.com/auth/monitoring.write",
    "logging-write": "https://www.googleapis.com/auth/logging.write",
    "cloud-platform": "https://www.googleapis.com/auth/cloud-platform",
}
#: Machine families with GPUs attached, which GCE cannot migrate live.
NO_MIGRATION_FAMILIES = frozenset({"a4x", "a4", "a3", "a2", "g2", "g4"})


def scope_url(scope: str) -> str:
    return SCOPES.get(scope, scope)


def image_url(project: str, image: str, field: str = "spec.image") -> str:
    """The link of the image a group names, as upstream reads it: ``NAME`` (in the cluster's project) or
    ``PROJECT/NAME``; a full link or ``projects/P/global/images/...`` is taken as it is."""
    if image.startswith(("https://", "http://")):
        return image
    if image.startswith("projects/"):
        return COMPUTE_URL + image
    parts = image.split("/")
    if len(parts) == 1 and parts[0]:
        return f"{COMPUTE_URL}projects/{project}/global/images/{parts[0]}"
    if len(parts) == 2 and all(parts):
        return f"{COMPUTE_URL}projects/{parts[0]}/global/images/{parts[1]}"
    raise KopsError(f"{field}: {image!r} is not an image GCE can name (NAME or PROJECT/NAME)")


def scheduling(machine_type: str, preemptible: bool, provisioning_model: str | None,
               accelerators: bool) -> dict[str, Any]:
    """Upstream's scheduling: spot and preemptible machines stop on host maintenance and do not restart; others
    migrate, unless the machine has accelerators, which cannot."""
    if preemptible:
        policy = {"automatic_restart": False, "on_host_maintenance": "TERMINATE",
                  "provisioning_model": provisioning_model or "", "preemptible": True}
    else:
        policy = {"automatic_restart": True, "on_host_maintenance": "MIGRATE", "provisioning_model": "STANDARD",
                  "preemptible": False}
    if accelerators or machine_type.split("-", 1)[0] in NO_MIGRATION_FAMILIES:
        policy["on_host_maintenance"] = "TERMINATE"
    return policy


def short_image(project: str, link: Any) -> str | None:
    """An image's link as a spec names it: ``NAME`` in the cluster's project, else ``PROJECT/NAME``."""
    parts = str(link or "").split("/")
    if "images" not in parts or "projects" not in parts:
        return str(link) if link else None
    image_project, name = parts[parts.index("projects") + 1], parts[-1]
    return name if image_project == project else f"{image_project}/{name}"


def _plain(value: Any) -> Any:
    """A value as the digest sees it: a reference by its task's key, anything else as it is."""
    if isinstance(value, Task):
        return f"{value.type_name}/{value.name}"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class InstanceTemplate(GCETask):
    #: The start of the GCE name (upstream's prefix); the rest is the digest of the template.
    name_prefix: str | None = None
    description: str | None = None
    #: The network and subnetwork tasks the interface is on.
    network: Any = None
    subnetwork: Any = None
    machine_type: str | None = None
    #: The image as the group names it (``PROJECT/NAME``).
    image: str | None = None
    boot_disk_type: str | None = None
    boot_disk_size_gb: int | None = None
    boot_disk_iops: int | None = None
    boot_disk_throughput: int | None = None
    can_ip_forward: bool | None = None
    #: Whether the interface has a one-to-one NAT (a public address).
    external_ip: bool | None = None
    stack_type: str | None = None
    #: Secondary range name -> the size the instance takes of it (``/24``), for IP-alias networking.
    alias_ip_ranges: dict[str, str] | None = None
    #: The service account task, or an email (``default``).
    service_account: Any = None
    scopes: list[str] | None = None
    tags: list[str] | None = None
    #: The labels of the instances (the template itself has none).
    labels: dict[str, str] | None = None
    metadata: dict[str, str] | None = None
    preemptible: bool | None = None
    provisioning_model: str | None = None
    #: ``{"type": ..., "count": ...}`` per accelerator.
    guest_accelerators: list[dict[str, Any]] | None = None
    #: The template's name in GCE (``<prefix>-<digest>``).
    template_name: str | None = None
    self_link: str | None = None

    api_kind = "instanceTemplates"
    output_fields = {"self_link", "template_name"}
    terraform_type = "google_compute_instance_template"
    terraform_id_attr = "self_link"

    # --- the name -----------------------------------------------------------------------------------------

    def gce_name(self) -> str:
        """``<prefix>-<digest of every compared field>``: a template's content names it."""
        spec = {f: _plain(getattr(self, f)) for f in self.field_spec().compared if getattr(self, f) is not None}
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:DIGEST_LENGTH]
        return f"{self.name_prefix or self.name}-{digest}"

    # --- the engine's side ------------------------------------------------------------------------------

    def find(self, ctx: Context) -> InstanceTemplate | None:
        """The template of this content (its name says so); else the group's newest one of the same prefix, read
        back, so a plan shows what changed. That one is never changed: applying makes the new template."""
        if self.self_link:
            raw = ctx.snapshot.first(self.api_kind, lambda r: r.get("self_link") == self.self_link)
        else:
            wanted = self.gce_name()
            raw = ctx.snapshot.first(self.api_kind, lambda r: r["name"] == wanted)
        if raw is not None:
            # Its name is its content's digest, and GCE never changes a template: found is as wanted.
            return dataclasses.replace(self, depends_on=[], template_name=raw["name"], self_link=raw["self_link"],
                                       description=raw.get("description"))
        mine = re.compile(re.escape(self.name_prefix or self.name) + r"-[a-z0-9]+")
        older = sorted((r for r in ctx.snapshot.get(self.api_kind) if mine.fullmatch(str(r["name"]))),
                       key=lambda r: (str(r.get("creation_timestamp") or ""), r["name"]))
        if not older:
            return None
        actual = self._read(ctx, older[-1])
        if not self.diff(actual):
            return actual  # the same template under another name: the groups may keep it
        # Not this template: its link must not stand for the one to make.
        return dataclasses.replace(actual, self_link=None, template_name=None)

    def _read(self, ctx: Context, raw: dict[str, Any]) -> InstanceTemplate:
        """A listed template as this task's fields (short image and scope names, as the spec gives them)."""
        props = raw.get("properties") or {}
        disk = (props.get("disks") or [{}])[0]
        params = disk.get("initialize_params") or {}
        nic = (props.get("network_interfaces") or [{}])[0]
        accounts = props.get("service_accounts") or [{}]
        policy = props.get("scheduling") or {}
        short_scopes = {url: short for short, url in SCOPES.items()}
        aliases = {r["subnetwork_range_name"]: r["ip_cidr_range"] for r in nic.get("alias_ip_ranges") or []}
        return InstanceTemplate(
            name=self.name, lifecycle=self.lifecycle, name_prefix=self.name_prefix, description=raw.get("description"),
            network=nic.get("network") or None, subnetwork=nic.get("subnetwork") or None,
            machine_type=last(props.get("machine_type")) or None, image=short_image(ctx.cloud.project,
                                                                                 params.get("source_image")),
            boot_disk_type=last(params.get("disk_type")) or None, boot_disk_size_gb=int(params.get("disk_size_gb") or 0),
            boot_disk_iops=int(params.get("provisioned_iops") or 0) or None,
            boot_disk_throughput=int(params.get("provisioned_throughput") or 0) or None,
            can_ip_forward=bool(props.get("can_ip_forward")), external_ip=bool(nic.get("access_configs")),
            stack_type=nic.get("stack_type") or None, alias_ip_ranges=aliases or None,
            service_account=accounts[0].get("email") or None,
            scopes=[short_scopes.get(s, s) for s in accounts[0].get("scopes") or []],
            tags=list((props.get("tags") or {}).get("items") or []), labels=dict(props.get("labels") or {}),
            metadata={i["key"]: i.get("value", "") for i in (props.get("metadata") or {}).get("items") or []},
            preemptible=bool(policy.get("preemptible")), provisioning_model=policy.get("provisioning_model") or None,
            guest_accelerators=[{"type": a.get("accelerator_type"), "count": a.get("accelerator_count")}
                                for a in props.get("guest_accelerators") or []] or None,
            template_name=raw["name"], self_link=raw["self_link"])

    def render_direct(self, ctx: Context, actual: InstanceTemplate | None, changes: Changes) -> None:
        """Make the template; GCE changes none, so a changed one is made anew, and the groups move to it."""
        if actual is not None and actual.self_link and actual.template_name == self.gce_name():
            return  # this very template: only its description could differ, and GCE cannot change it
        from google.cloud import compute_v1

        name = self.gce_name()
        client = ctx.cloud.compute("InstanceTemplates")
        try:
            ctx.cloud.wait(client.insert(project=ctx.cloud.project, instance_template_resource=(
                compute_v1.InstanceTemplate(name=name, description=self.description or "",
                                            properties=self._properties(ctx)))))
        except Exception as exc:  # noqa: BLE001 - only "already exists" is expected here
            # A try cut short after GCE made it: the name is the content's digest, so it is this template.
            if status(exc) != 409:
                raise
        self.template_name = name
        self.self_link = client.get(project=ctx.cloud.project, instance_template=name).self_link

    def delete_direct(self, ctx: Context) -> None:
        client = ctx.cloud.compute("InstanceTemplates")
        name = self.template_name or last(self.self_link)
        delete_quietly(ctx, lambda: client.delete(project=ctx.cloud.project, instance_template=name))

    def _properties(self, ctx: Context) -> Any:
        from google.cloud import compute_v1

        project = ctx.cloud.project
        self._check()
        params: dict[str, Any] = {"source_image": image_url(project, str(self.image)),
                                  "disk_size_gb": int(self.boot_disk_size_gb or 0),
                                  "disk_type": str(self.boot_disk_type)}
        if self.boot_disk_iops:
            params["provisioned_iops"] = self.boot_disk_iops
        if self.boot_disk_throughput:
            params["provisioned_throughput"] = self.boot_disk_throughput
        disk = compute_v1.AttachedDisk(boot=True, auto_delete=True, device_name="persistent-disks-0", index=0,
                                       mode="READ_WRITE", type_="PERSISTENT",
                                       initialize_params=compute_v1.AttachedDiskInitializeParams(**params))
        interface: dict[str, Any] = {"network": _link(self.network, "network"),
                                     "stack_type": self.stack_type or "IPV4_ONLY"}
        if self.subnetwork is not None:
            interface["subnetwork"] = _link(self.subnetwork, "subnetwork")
        if self.external_ip:
            interface["access_configs"] = [compute_v1.AccessConfig(type_="ONE_TO_ONE_NAT", network_tier="PREMIUM")]
        if self.alias_ip_ranges:
            interface["alias_ip_ranges"] = [compute_v1.AliasIpRange(subnetwork_range_name=k, ip_cidr_range=v)
                                            for k, v in sorted(self.alias_ip_ranges.items())]
        policy = self._scheduling()
        return compute_v1.InstanceProperties(
            machine_type=self.machine_type, can_ip_forward=bool(self.can_ip_forward), disks=[disk],
            network_interfaces=[compute_v1.NetworkInterface(**interface)],
            service_accounts=[compute_v1.ServiceAccount(email=self._email(), scopes=self._scope_urls())],
            tags=compute_v1.Tags(items=list(self.tags or [])), labels=dict(self.labels or {}),
            metadata=compute_v1.Metadata(items=[compute_v1.Items(key=k, value=v)
                                                for k, v in sorted((self.metadata or {}).items())]),
            scheduling=compute_v1.Scheduling(**{k: v for k, v in policy.items() if v != ""}),
            guest_accelerators=[compute_v1.AcceleratorConfig(accelerator_type=a["type"],
                                                             accelerator_count=int(a["count"]))
                                for a in self.guest_accelerators or []])

    def _check(self) -> None:
        for field in ("machine_type", "image", "boot_disk_type", "boot_disk_size_gb"):
            if not getattr(self, field):
                raise KopsError(f"InstanceTemplate/{self.name}: {field} is required")

    def _scheduling(self) -> dict[str, Any]:
        return scheduling(str(self.machine_type), bool(self.preemptible), self.provisioning_model,
                          bool(self.guest_accelerators))

    def _scope_urls(self) -> list[str]:
        return [scope_url(s) for s in self.scopes or []]

    def _email(self) -> str:
        account = self.service_account
        if isinstance(account, Task):
            email = getattr(account, "email", None)
            if not email:
                raise KopsError(f"InstanceTemplate/{self.name}: the email of {account} is not known yet")
            return str(email)
        return str(account or "default")

    # --- Terraform --------------------------------------------------------------------------------------

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Upstream's resource; what Terraform makes is Terraform's, so it carries no owner description."""
        self._check()
        project = ctx.cloud.project
        metadata: dict[str, Any] = {}
        for key, value in sorted((self.metadata or {}).items()):
            metadata[key] = (tf.file_ref(self.terraform_type, self.name, f"metadata_{key}", value)
                             if "\n" in value else value)
        disk = Block(auto_delete=True, boot=True, device_name="persistent-disks-0", disk_name="",
                     disk_size_gb=int(self.boot_disk_size_gb or 0), disk_type=self.boot_disk_type, interface="",
                     mode="READ_WRITE", provisioned_iops=int(self.boot_disk_iops or 0),
                     provisioned_throughput=int(self.boot_disk_throughput or 0), source="",
                     source_image=image_url(project, str(self.image)), type="PERSISTENT")
        interface = Block(network=_tf_ref(self.network, "name"), stack_type=self.stack_type or "IPV4_ONLY",
                          subnetwork=_tf_ref(self.subnetwork, "name") if self.subnetwork is not None else None)
        if self.external_ip:
            interface["access_config"] = Block()
        if self.alias_ip_ranges:
            interface["alias_ip_range"] = [Block(ip_cidr_range=v, subnetwork_range_name=k)
                                           for k, v in sorted(self.alias_ip_ranges.items())]
        account = self.service_account
        email = account.terraform_ref("email") if isinstance(account, Task) else str(account or "default")
        tf.add_resource(self.terraform_type, self.name, {
            "can_ip_forward": bool(self.can_ip_forward),
            "disk": disk,
            "guest_accelerator": [Block(count=int(a["count"]), type=a["type"]) for a in self.guest_accelerators or []],
            "labels": self.labels,
            "lifecycle": Block(create_before_destroy=True),
            "machine_type": self.machine_type,
            "metadata": metadata,
            "name_prefix": f"{self.name_prefix or self.name}-",
            "network_interface": interface,
            "scheduling": Block(self._scheduling()),
            "service_account": Block(email=email, scopes=self._scope_urls()),
            "tags": list(self.tags or []),
        })


def _link(task: Any, what: str) -> str:
    """The ``self_link`` of a network or subnetwork task (or a link given as it is)."""
    if isinstance(task, str):
        return task
    link = getattr(task, "self_link", None)
    if not link:
        raise KopsError(f"the {what} {task} has no link yet")
    return str(link)


def _tf_ref(task: Any, attr: str) -> Any:
    if isinstance(task, str):
        return task
    return task.terraform_ref(attr) if task is not None else None


@DISCOVERY.register("instanceTemplates")
def list_instance_templates(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    from kops_gce.labels import owned

    return [t for t in api.list("InstanceTemplates") if owned(t, cluster_name)]


@DISCOVERY.register_deletions("instanceTemplates")
def delete_instance_templates(snapshot: Snapshot, cluster_name: str) -> list[InstanceTemplate]:
    """Every template the cluster owns, the older ones a group has moved on from included."""
    return [InstanceTemplate(name=r["name"], template_name=r["name"], self_link=r["self_link"])
            for r in owned_in(snapshot, "instanceTemplates", cluster_name)]

