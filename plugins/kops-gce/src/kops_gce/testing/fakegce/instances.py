"""Instances, their disks, instance templates and images."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kops_gce.testing.fakegce import catalog
from kops_gce.testing.fakegce.errors import (
    ApiError,
    bad_reference,
    condition_not_met,
    in_use,
    invalid,
    invalid_field,
    not_found,
    required,
)
from kops_gce.testing.fakegce.kinds import Body, Kind, resolve
from kops_gce.testing.fakegce.networking import allocate_external_ip, allocate_ip, in_subnet
from kops_gce.testing.fakegce.store import Ref, fingerprint, link, now, parse_ref
from kops_gce.testing.fakegce.validation import check_labels

if TYPE_CHECKING:
    from kops_gce.testing.fakegce.compute import Compute

_FAMILY = re.compile(r"(?:^|/)projects/(?P<project>[^/]+)/global/images/family/(?P<family>[^/]+)$")


def find_image(api: Compute, project: str, value: Any, field: str, template: bool) -> Body:
    """The image a ``sourceImage`` names (an image or ``.../family/F``); a template answers 400 for a missing
    one, an instance or disk 404, as the API does."""
    m = _FAMILY.search(value) if isinstance(value, str) else None
    try:
        if m:
            return api.image_from_family(m.group("project"), m.group("family"))
        ref = parse_ref(value, project, "global", "images")
        if ref is None or ref.collection != "images":
            raise bad_reference(field, value, "image")
        found = api.state.find(ref)
        if found is None:
            raise not_found(ref.path)
        return found
    except ApiError as exc:
        if template or exc.code != 404:
            raise bad_reference(field, value, "image") from None
        raise


def machine_type(value: Any, field: str, zone: str | None) -> str:
    """The machine type's name, checked against the catalogue (and against the instance's zone for a link)."""
    name = value.rsplit("/", 1)[-1] if isinstance(value, str) else ""
    if not name:
        raise required(field)
    where = f" in zone '{zone}'" if zone else ""
    if name not in catalog.MACHINE_TYPES_BY_NAME:
        raise invalid_field(field, value, f"Machine type with name '{name}' does not exist{where}.")
    m = re.search(r"zones/([^/]+)/machineTypes/", value)
    if m and zone and m.group(1) != zone:
        raise invalid_field(field, value, f"Machine type zone '{m.group(1)}' does not match the instance's "
                            f"zone '{zone}'.")
    return name


def _metadata(meta: Any) -> Body:
    items = (meta or {}).get("items") or []
    keys = [i.get("key") for i in items]
    if len(set(keys)) != len(keys):
        raise invalid("Metadata has duplicate keys.", reason="duplicateKeys")
    return {"kind": "compute#metadata", "fingerprint": fingerprint(), **({"items": items} if items else {})}


def _check_template_interfaces(api: Compute, ref: Ref, props: Body) -> None:
    for i, nic in enumerate(props.get("networkInterfaces") or []):
        field = f"resource.properties.networkInterfaces[{i}]"
        if nic.get("network"):
            nic["network"] = resolve(api, ref, nic["network"], f"{field}.network", "networks", "network",
                                     "global").link
        if nic.get("subnetwork"):
            nic["subnetwork"] = resolve(api, ref, nic["subnetwork"], f"{field}.subnetwork", "subnetworks",
                                        "subnetwork", scope="").link


def build_instance(api: Compute, ref: Ref, res: Body, field: str = "resource") -> None:
    """Complete a new instance (from an insert, or from a group's template) as Compute does: machine type link,
    boot and other disks made from their ``initializeParams``, interfaces with addresses, metadata, tags and
    labels with fingerprints, status RUNNING."""
    zone = ref.scope.split("/", 1)[1]
    region = zone.rsplit("-", 1)[0]
    res["machineType"] = link(ref.project, ref.scope, "machineTypes",
                              machine_type(res.get("machineType"), f"{field}.machineType", zone))
    disks = res.get("disks") or []
    if not any(d.get("boot") for d in disks):
        raise invalid_field(f"{field}.disks", "", "Boot disk must be specified.")
    if not res.get("networkInterfaces"):
        raise invalid_field(f"{field}.networkInterfaces", "", "At least one network interface is required.")
    nics = []
    for i, nic in enumerate(res["networkInterfaces"]):
        nics.append(_interface(api, ref, region, dict(nic), i, f"{field}.networkInterfaces[{i}]"))
    made: list[Ref] = []
    attached = []
    try:
        for i, disk in enumerate(disks):
            attached.append(_attach(api, ref, dict(disk), i, f"{field}.disks[{i}]", made))
    except ApiError:
        for disk_ref in made:
            api.state.remove(disk_ref)
        raise
    res["disks"], res["networkInterfaces"] = attached, nics
    res["metadata"] = _metadata(res.get("metadata"))
    res["tags"] = {**({"items": res["tags"]["items"]} if (res.get("tags") or {}).get("items") else {}),
                   "fingerprint": fingerprint()}
    res["labels"] = check_labels(res.get("labels"), f"{field}.labels")
    res["labelFingerprint"] = fingerprint()
    res.setdefault("canIpForward", False)
    res.setdefault("deletionProtection", False)
    res.setdefault("scheduling", {})
    res["scheduling"] = {"onHostMaintenance": "MIGRATE", "automaticRestart": True, "preemptible": False,
                         "provisioningModel": "STANDARD", **res["scheduling"]}
    res.update(status="RUNNING", cpuPlatform="Intel Broadwell", startRestricted=False, fingerprint=fingerprint(),
               lastStartTimestamp=now())


def _interface(api: Compute, ref: Ref, region: str, nic: Body, i: int, field: str) -> Body:
    network = None
    if nic.get("network"):
        network = resolve(api, ref, nic["network"], f"{field}.network", "networks", "network", "global")
    sub = None
    if nic.get("subnetwork"):
        sub = resolve(api, ref, nic["subnetwork"], f"{field}.subnetwork", "subnetworks", "subnetwork",
                      f"regions/{region}")
        if sub.scope != f"regions/{region}":
            raise invalid_field(f"{field}.subnetwork", nic["subnetwork"], "The subnetwork must be in the "
                                "instance's region.")
        sub_network = api.state.get(sub)["network"]
        if network is not None and network.link != sub_network:
            raise invalid_field(f"{field}.network", nic["network"], "The subnetwork is not in this network.")
        nic["network"] = sub_network
    else:
        if network is None:
            network = resolve(api, ref, "global/networks/default", f"{field}.network", "networks", "network")
        net = api.state.get(network)
        if not net.get("autoCreateSubnetworks"):
            raise invalid_field(field, "", "Subnetwork should be specified for custom subnetmode network")
        sub = Ref(ref.project, f"regions/{region}", "subnetworks", net["name"])
        nic["network"] = network.link
    nic["subnetwork"] = sub.link
    if nic.get("networkIP"):
        if not in_subnet(api, ref.project, sub.link, nic["networkIP"]):
            raise invalid_field(f"{field}.networkIP", nic["networkIP"], "The address is not in the subnetwork.")
    else:
        nic["networkIP"] = allocate_ip(api, ref.project, sub.link)
    configs = []
    for config in nic.get("accessConfigs") or []:
        config = {"kind": "compute#accessConfig", "type": "ONE_TO_ONE_NAT", "name": "External NAT",
                  "networkTier": "PREMIUM", **config}
        config.setdefault("natIP", allocate_external_ip(api, ref.project))
        configs.append(config)
    if configs:
        nic["accessConfigs"] = configs
    nic.update(kind="compute#networkInterface", name=f"nic{i}", fingerprint=fingerprint())
    nic.setdefault("stackType", "IPV4_ONLY")
    return nic


def _attach(api: Compute, ref: Ref, disk: Body, i: int, field: str, made: list[Ref]) -> Body:
    disk.setdefault("deviceName", disk.get("deviceName") or f"persistent-disk-{i}")
    params = disk.pop("initializeParams", None)
    if params is not None:
        name = params.get("diskName") or (ref.name if disk.get("boot") else f"{ref.name}-{disk['deviceName']}")
        disk_ref = Ref(ref.project, ref.scope, "disks", name)
        if api.state.find(disk_ref) is not None:
            raise invalid_field(f"{field}.initializeParams.diskName", name, "The disk already exists.")
        new: Body = {"sizeGb": str(params["diskSizeGb"]) if params.get("diskSizeGb") else None,
                     "type": params.get("diskType"), "sourceImage": params.get("sourceImage"),
                     "labels": params.get("labels") or {}}
        Disks().fill(api, disk_ref, {k: v for k, v in new.items() if v is not None},
                     f"{field}.initializeParams", template=False)
        made.append(disk_ref)
        disk["source"] = disk_ref.link
        disk.setdefault("autoDelete", True)
    elif disk.get("source"):
        disk_ref = resolve(api, ref, disk["source"], f"{field}.source", "disks", "disk", ref.scope)
        users = Disks().users(api, disk_ref, api.state.get(disk_ref))
        if users:
            raise in_use("disk", disk_ref.path, users[0].split("/compute/v1/")[-1])
        disk["source"] = disk_ref.link
        disk.setdefault("autoDelete", False)
    else:
        raise invalid_field(field, "", "A disk needs a source or initializeParams.")
    size = api.state.get(parse_ref(disk["source"], ref.project))["sizeGb"]  # type: ignore[arg-type]
    return {"kind": "compute#attachedDisk", "type": "PERSISTENT", "mode": "READ_WRITE", "index": i,
            "boot": False, "interface": "SCSI", **disk, "diskSizeGb": size}


class Instances(Kind):
    collection = "instances"
    scopes = ("zones",)
    kind = "compute#instance"
    word = "instance"
    labels = True
    output_only = ("status", "cpuPlatform", "fingerprint")
    methods = {"setMetadata": "set_metadata", "setTags": "set_tags", "stop": "stop",
               "start": "start", "reset": "reset", "attachDisk": "attach_disk", "detachDisk": "detach_disk"}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        build_instance(api, ref, res)

    def deleting(self, api: Compute, ref: Ref, res: Body) -> None:
        for disk in res.get("disks") or []:
            if disk.get("autoDelete"):
                disk_ref = parse_ref(disk["source"], ref.project)
                if disk_ref and api.state.find(disk_ref) is not None:
                    api.state.remove(disk_ref)

    def deleted(self, api: Compute, ref: Ref, res: Body) -> None:
        # A managed instance deleted behind its group's back is recreated by the group, under the same name.
        if res.get("_igm"):
            from kops_gce.testing.fakegce.groups import replace_lost_instance

            replace_lost_instance(api, ref, res)

    def set_metadata(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        if body.get("fingerprint") != res["metadata"].get("fingerprint"):
            raise condition_not_met("Supplied fingerprint does not match current metadata fingerprint.")
        res["metadata"] = _metadata(body)
        return api.operation(ref, "setMetadata", res)

    def set_tags(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        if body.get("fingerprint") != res["tags"].get("fingerprint"):
            raise condition_not_met("Supplied fingerprint does not match current tags fingerprint.")
        res["tags"] = {**({"items": body["items"]} if body.get("items") else {}), "fingerprint": fingerprint()}
        return api.operation(ref, "setTags", res)

    def stop(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        res["status"] = "TERMINATED"
        res["lastStopTimestamp"] = now()
        return api.operation(ref, "stop", res)

    def start(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        res["status"] = "RUNNING"
        res["lastStartTimestamp"] = now()
        return api.operation(ref, "start", res)

    def reset(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        if res["status"] != "RUNNING":
            raise invalid(f"The resource '{ref.path}' is not ready", reason="resourceNotReady")
        return api.operation(ref, "reset", res)

    def attach_disk(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        index = len(res.get("disks") or [])
        res.setdefault("disks", []).append(_attach(api, ref, dict(body), index, "resource", []))
        return api.operation(ref, "attachDisk", res)

    def detach_disk(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        device = query.get("deviceName", "")
        kept = [d for d in res.get("disks") or [] if d.get("deviceName") != device]
        if len(kept) == len(res.get("disks") or []):
            raise invalid_field("deviceName", device, "No attached disk has this device name.")
        res["disks"] = kept
        return api.operation(ref, "detachDisk", res)


class Disks(Kind):
    collection = "disks"
    scopes = ("zones",)
    kind = "compute#disk"
    word = "disk"
    labels = True
    output_only = ("users", "status")
    methods = {"resize": "resize"}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        self.fill(api, ref, res, "resource", template=False, store=False)

    def fill(self, api: Compute, ref: Ref, res: Body, field: str, template: bool, store: bool = True) -> None:
        """Complete a disk (inserted, or made for an instance and then stored)."""
        if store:
            api.state.stamp(ref, res, self.kind)
            res["labels"] = check_labels(res.get("labels"), f"{field}.labels")
            res["labelFingerprint"] = fingerprint()
        size = 10
        if res.get("sourceImage"):
            image = find_image(api, ref.project, res["sourceImage"], f"{field}.sourceImage", template)
            res.update(sourceImage=image["selfLink"], sourceImageId=image["id"])
            res.setdefault("architecture", image.get("architecture", "X86_64"))
            size = int(image.get("diskSizeGb", 10))
        res["sizeGb"] = str(res.get("sizeGb") or size)
        if int(res["sizeGb"]) < size:
            raise invalid_field(f"{field}.sizeGb", res["sizeGb"], f"Requested disk size cannot be smaller than "
                                f"the image size ({size} GB)")
        disk_type = (res.get("type") or "pd-standard").rsplit("/", 1)[-1]
        res["type"] = link(ref.project, ref.scope, "diskTypes", disk_type)
        res.update(status="READY", physicalBlockSizeBytes="4096")
        if store:
            api.state.put(ref, res)

    def users(self, api: Compute, ref: Ref, res: Body) -> list[str]:
        return [i["selfLink"] for _, i in api.state.each(ref.project, "instances")
                if any(d.get("source") == ref.link for d in i.get("disks") or [])]

    def view(self, api: Compute, res: Body) -> Body:
        ref = parse_ref(res["selfLink"], "")
        users = self.users(api, ref, res) if ref else []
        if users:
            res["users"] = users
        return res

    def resize(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        size = int(body.get("sizeGb") or 0)
        if size <= int(res["sizeGb"]):
            raise invalid_field("sizeGb", body.get("sizeGb"), "Disks can only grow.")
        res["sizeGb"] = str(size)
        return api.operation(ref, "resizeDisk", res)


class Images(Kind):
    collection = "images"
    kind = "compute#image"
    word = "image"
    labels = True

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        if not any(res.get(k) for k in ("rawDisk", "sourceDisk", "sourceImage", "sourceSnapshot", "_seeded")):
            raise invalid("An image needs a source: rawDisk, sourceDisk, sourceImage or sourceSnapshot.")
        res.pop("_seeded", None)
        res.setdefault("status", "READY")
        res.setdefault("sourceType", "RAW")
        res.setdefault("diskSizeGb", "10")
        res.setdefault("architecture", "X86_64")


class InstanceTemplates(Kind):
    collection = "instanceTemplates"
    scopes = ("global",)
    kind = "compute#instanceTemplate"
    word = "instance_template"
    blockers = ("instanceGroupManagers",)

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        props = res.get("properties")
        if not props:
            raise required("resource.properties")
        machine_type(props.get("machineType"), "resource.properties.machineType", None)
        disks = props.get("disks") or []
        if not any(d.get("boot") for d in disks):
            raise invalid_field("resource.properties.disks", "", "Boot disk must be specified.")
        for i, disk in enumerate(disks):
            params = disk.get("initializeParams") or {}
            if params.get("sourceImage"):
                find_image(api, ref.project, params["sourceImage"],
                           f"resource.properties.disks[{i}].initializeParams.sourceImage", template=True)
            elif not disk.get("source"):
                raise invalid_field(f"resource.properties.disks[{i}]", "", "A disk needs a source or an image.")
        if not props.get("networkInterfaces"):
            raise invalid_field("resource.properties.networkInterfaces", "",
                                "At least one network interface is required.")
        _check_template_interfaces(api, ref, props)
        props["labels"] = check_labels(props.get("labels"), "resource.properties.labels")
        if not props["labels"]:
            del props["labels"]
        items = (props.get("metadata") or {}).get("items") or []
        if len({i.get("key") for i in items}) != len(items):
            raise invalid("Metadata has duplicate keys.", reason="duplicateKeys")


def kinds() -> list[Kind]:
    return [Instances(), Disks(), Images(), InstanceTemplates()]
