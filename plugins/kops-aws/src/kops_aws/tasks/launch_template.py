"""LaunchTemplate: how an instance group's instances are launched (image, type, disks, network, user data).

A change makes a new version and makes it the default; the Auto Scaling group launches ``$Latest``, so
instances started afterwards get it (replacing running ones is a rolling update's job). Instances must
use IMDSv2 unless the group says otherwise, and root volumes are encrypted by default, as upstream does.
"""

from __future__ import annotations

import base64
from typing import Any

from kops.engine import Block, Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws import images
from kops_aws.discovery import ec2_tagged, paginate, register, register_deletions
from kops_aws.tags import aws_tags
from kops_aws.tasks.common import delete_quietly, matching_tags, owned, ref_id, tag_specifications, update_tags
from kops_aws.tasks.iam_instance_profile import IAMInstanceProfile
from kops_aws.tasks.key_pair import KeyPair

#: The resource types an instance's tags are copied to at launch.
TAGGED_AT_LAUNCH = ("instance", "volume", "network-interface")

#: Fields that are the template's own, not its launch data: changing them makes no new version.
_NOT_LAUNCH_DATA = {"tags"}


class LaunchTemplate(Task):
    #: An AMI ID, ``owner/name`` or a name (see :mod:`kops_aws.images`).
    image: str | None = None
    instance_type: str | None = None
    instance_profile: IAMInstanceProfile | None = None
    key_pair: KeyPair | None = None
    #: SecurityGroup tasks, or IDs of groups the user made.
    security_groups: list[Any] | None = None
    associate_public_ip: bool | None = None
    ipv6_address_count: int | None = None
    root_volume_size: int | None = None
    root_volume_type: str | None = None
    root_volume_iops: int | None = None
    root_volume_throughput: int | None = None
    root_volume_encrypted: bool | None = None
    #: A KMS key for the root volume (``""``: the account's default EBS key).
    root_volume_kms_key: str | None = None
    ebs_optimized: bool | None = None
    #: Further EBS volumes: ``{"device", "size", "type", "iops", "throughput", "encrypted", "kms_key",
    #: "delete_on_termination"}`` each, by device name.
    volumes: list[dict[str, Any]] | None = None
    #: ``required`` (IMDSv2 only) or ``optional``.
    http_tokens: str | None = None
    http_put_response_hop_limit: int | None = None
    #: ``enabled`` when the instances have IPv6 addresses.
    http_protocol_ipv6: str | None = None
    monitoring: bool | None = None
    #: ``standard`` or ``unlimited`` for burstable types; ``""`` for the type's default.
    cpu_credits: str | None = None
    tenancy: str | None = None
    #: The spot price limit; ``""`` launches on-demand instances.
    spot_price: str | None = None
    spot_duration_minutes: int | None = None
    instance_interruption_behavior: str | None = None
    user_data: str | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    output_fields = {"id"}
    terraform_type = "aws_launch_template"

    # --- find and compare ---------------------------------------------------------------------------

    def find(self, ctx: Context) -> LaunchTemplate | None:
        raw = ctx.snapshot.first("launch_template", lambda t: t["LaunchTemplateId"] == self.id if self.id
                                 else t["LaunchTemplateName"] == self.name)
        if raw is None:
            return None
        data = raw.get("LatestData") or {}
        actual = LaunchTemplate(name=self.name, lifecycle=self.lifecycle, id=raw["LaunchTemplateId"],
                                tags=matching_tags(raw, self.tags))
        if self.image is None:  # a deletion: nothing to compare
            return actual
        image = images.resolve(ctx, self.image)
        actual.image = self.image if data.get("ImageId") == image["ImageId"] else data.get("ImageId")
        actual.instance_type = data.get("InstanceType")
        profile = data.get("IamInstanceProfile") or {}
        profile_name = profile.get("Name") or (profile.get("Arn") or "").rsplit("/", 1)[-1]
        actual.instance_profile = IAMInstanceProfile(name=profile_name) if profile_name else None
        key_name = data.get("KeyName")
        actual.key_pair = KeyPair(name=key_name.replace(":", ""), key_name=key_name) if key_name else None
        nic = (data.get("NetworkInterfaces") or [{}])[0]
        actual.security_groups = sorted(nic.get("Groups") or data.get("SecurityGroupIds") or [])
        actual.associate_public_ip = bool(nic.get("AssociatePublicIpAddress"))
        actual.ipv6_address_count = nic.get("Ipv6AddressCount", 0)
        actual.volumes = []
        for mapping in data.get("BlockDeviceMappings") or []:
            ebs = mapping.get("Ebs")
            if ebs is None:
                continue
            volume = _volume_from_api(mapping["DeviceName"], ebs)
            if mapping["DeviceName"] == image.get("RootDeviceName"):
                actual.root_volume_size, actual.root_volume_type = volume["size"], volume["type"]
                actual.root_volume_iops, actual.root_volume_throughput = volume["iops"], volume["throughput"]
                actual.root_volume_encrypted, actual.root_volume_kms_key = volume["encrypted"], volume["kms_key"]
            else:
                actual.volumes.append(volume)
        actual.ebs_optimized = data.get("EbsOptimized")
        metadata = data.get("MetadataOptions") or {}
        actual.http_tokens = metadata.get("HttpTokens")
        actual.http_put_response_hop_limit = metadata.get("HttpPutResponseHopLimit")
        actual.http_protocol_ipv6 = metadata.get("HttpProtocolIpv6")
        actual.monitoring = bool((data.get("Monitoring") or {}).get("Enabled"))
        actual.cpu_credits = (data.get("CreditSpecification") or {}).get("CpuCredits") or ""
        actual.tenancy = (data.get("Placement") or {}).get("Tenancy")
        spot = ((data.get("InstanceMarketOptions") or {}).get("SpotOptions")) or {}
        actual.spot_price = spot.get("MaxPrice") or ""
        actual.spot_duration_minutes = spot.get("BlockDurationMinutes")
        actual.instance_interruption_behavior = spot.get("InstanceInterruptionBehavior")
        encoded = data.get("UserData")
        actual.user_data = base64.b64decode(encoded).decode() if encoded else None
        return actual

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "security_groups":
            wanted = [ref_id(g) for g in desired]
            return None not in wanted and sorted(wanted) == sorted(actual or [])
        if field == "volumes":
            return _by_device(desired) == _by_device(actual or [])
        if field == "root_volume_kms_key":
            return (desired or "") == (actual or "")
        return super().field_equal(field, desired, actual)

    # --- direct -------------------------------------------------------------------------------------

    def render_direct(self, ctx: Context, actual: LaunchTemplate | None, changes: Changes) -> None:
        ec2 = ctx.cloud.ec2
        if actual is None:
            created = ec2.create_launch_template(
                LaunchTemplateName=self.name, LaunchTemplateData=self._launch_data(ctx),
                TagSpecifications=tag_specifications("launch-template", self.tags))["LaunchTemplate"]
            self.id = created["LaunchTemplateId"]
            return
        if set(changes) - _NOT_LAUNCH_DATA:
            version = ec2.create_launch_template_version(
                LaunchTemplateId=self.id, LaunchTemplateData=self._launch_data(ctx))["LaunchTemplateVersion"]
            ec2.modify_launch_template(LaunchTemplateId=self.id, DefaultVersion=str(version["VersionNumber"]))
        update_tags(ctx, self.id, changes)

    def _launch_data(self, ctx: Context) -> dict[str, Any]:
        image = images.resolve(ctx, self.image or "")
        root = {"DeviceName": image["RootDeviceName"], "Ebs": _volume_to_api(self._root_volume())}
        data: dict[str, Any] = {
            "ImageId": image["ImageId"],
            "InstanceType": self.instance_type,
            "DisableApiTermination": False,
            "BlockDeviceMappings": [root, *({"DeviceName": v["device"], "Ebs": _volume_to_api(v)}
                                            for v in self.volumes or [])],
            "NetworkInterfaces": [{
                "DeviceIndex": 0, "DeleteOnTermination": True,
                "AssociatePublicIpAddress": bool(self.associate_public_ip),
                "Ipv6AddressCount": self.ipv6_address_count or 0,
                "Groups": [ref_id(g) for g in self.security_groups or []],
            }],
            "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": self.http_tokens,
                                "HttpPutResponseHopLimit": self.http_put_response_hop_limit,
                                "HttpProtocolIpv6": self.http_protocol_ipv6},
            "Monitoring": {"Enabled": bool(self.monitoring)},
            "TagSpecifications": [{"ResourceType": t, "Tags": aws_tags(self.tags)} for t in TAGGED_AT_LAUNCH]
            if self.tags else None,
        }
        if self.instance_profile is not None:
            data["IamInstanceProfile"] = {"Name": self.instance_profile.name}
        if self.key_pair is not None:
            data["KeyName"] = self.key_pair.key_name
        if self.ebs_optimized is not None:
            data["EbsOptimized"] = self.ebs_optimized
        if self.user_data:
            data["UserData"] = base64.b64encode(self.user_data.encode()).decode()
        if self.cpu_credits:
            data["CreditSpecification"] = {"CpuCredits": self.cpu_credits}
        if self.tenancy:
            data["Placement"] = {"Tenancy": self.tenancy}
        if self.spot_price:
            spot: dict[str, Any] = {"MaxPrice": self.spot_price}
            if self.spot_duration_minutes:
                spot["BlockDurationMinutes"] = self.spot_duration_minutes
            if self.instance_interruption_behavior:
                spot["InstanceInterruptionBehavior"] = self.instance_interruption_behavior
            data["InstanceMarketOptions"] = {"MarketType": "spot", "SpotOptions": spot}
        return {k: v for k, v in data.items() if v is not None}

    def _root_volume(self) -> dict[str, Any]:
        return {"size": self.root_volume_size, "type": self.root_volume_type, "iops": self.root_volume_iops,
                "throughput": self.root_volume_throughput, "encrypted": self.root_volume_encrypted,
                "kms_key": self.root_volume_kms_key or None, "delete_on_termination": True}

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.ec2.delete_launch_template(LaunchTemplateId=self.id))

    # --- terraform ----------------------------------------------------------------------------------

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        image_id, root_device = images.terraform_image(tf, self.image or "")
        devices = [Block(device_name=root_device, ebs=_volume_block(self._root_volume()))]
        devices += [Block(device_name=v["device"], ebs=_volume_block(v)) for v in _by_device(self.volumes or [])]
        attrs: dict[str, Any] = {
            "name": self.name,
            "lifecycle": Block(create_before_destroy=True),
            "block_device_mappings": devices,
            "ebs_optimized": self.ebs_optimized,
            "iam_instance_profile": Block(name=self.instance_profile.launch_template_ref())
            if self.instance_profile else None,
            "image_id": image_id,
            "instance_type": self.instance_type,
            "key_name": self.key_pair.launch_template_ref() if self.key_pair else None,
            "metadata_options": Block(http_endpoint="enabled", http_tokens=self.http_tokens,
                                      http_put_response_hop_limit=self.http_put_response_hop_limit,
                                      http_protocol_ipv6=self.http_protocol_ipv6),
            "monitoring": Block(enabled=bool(self.monitoring)),
            "network_interfaces": Block(
                associate_public_ip_address=bool(self.associate_public_ip), delete_on_termination=True,
                ipv6_address_count=self.ipv6_address_count or 0,
                security_groups=[g if isinstance(g, str) else g.terraform_ref() for g in self.security_groups or []]),
            "tag_specifications": [Block(resource_type=t, tags=self.tags) for t in TAGGED_AT_LAUNCH]
            if self.tags else None,
            "tags": self.tags,
        }
        if self.cpu_credits:
            attrs["credit_specification"] = Block(cpu_credits=self.cpu_credits)
        if self.tenancy:
            attrs["placement"] = Block(tenancy=self.tenancy)
        if self.spot_price:
            attrs["instance_market_options"] = Block(market_type="spot", spot_options=Block(
                max_price=self.spot_price, block_duration_minutes=self.spot_duration_minutes,
                instance_interruption_behavior=self.instance_interruption_behavior))
        if self.user_data:
            attrs["user_data"] = tf.file_ref("aws_launch_template", self.name, "user_data", self.user_data,
                                             base64=True)
        tf.add_resource("aws_launch_template", self.name, attrs)


def _volume_to_api(v: dict[str, Any]) -> dict[str, Any]:
    ebs = {"VolumeSize": v.get("size"), "VolumeType": v.get("type"), "Iops": v.get("iops"),
           "Throughput": v.get("throughput"), "Encrypted": v.get("encrypted"), "KmsKeyId": v.get("kms_key"),
           "DeleteOnTermination": v.get("delete_on_termination", True)}
    return {k: val for k, val in ebs.items() if val is not None}


def _volume_from_api(device: str, ebs: dict[str, Any]) -> dict[str, Any]:
    return {"device": device, "size": ebs.get("VolumeSize"), "type": ebs.get("VolumeType"), "iops": ebs.get("Iops"),
            "throughput": ebs.get("Throughput"), "encrypted": bool(ebs.get("Encrypted")),
            "kms_key": ebs.get("KmsKeyId"), "delete_on_termination": ebs.get("DeleteOnTermination", True)}


def _volume_block(v: dict[str, Any]) -> Block:
    return Block(volume_size=v.get("size"), volume_type=v.get("type"), iops=v.get("iops"),
                 throughput=v.get("throughput"), encrypted=v.get("encrypted"), kms_key_id=v.get("kms_key"),
                 delete_on_termination=v.get("delete_on_termination", True))


def _by_device(volumes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(volumes, key=lambda v: v["device"])


@register("launch_template")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The cluster's launch templates, each with the data of its latest version (``LatestData``).

    The latest versions of all the account's templates come in one listing (EC2 describes them together
    when no template is named), so the calls do not grow with the number of instance groups.
    """
    pages = {"PaginationConfig": {"PageSize": 200}}
    templates = ec2_tagged(api, cluster_name, "describe_launch_templates", "LaunchTemplates", **pages)
    if not templates:
        return []
    latest = {v["LaunchTemplateId"]: v["LaunchTemplateData"] for v in paginate(
        api.ec2, "describe_launch_template_versions", "LaunchTemplateVersions", Versions=["$Latest"], **pages)}
    return [{**t, "LatestData": latest.get(t["LaunchTemplateId"], {})} for t in templates]


@register_deletions("launch_template")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [LaunchTemplate(name=t["LaunchTemplateName"], id=t["LaunchTemplateId"])
            for t in owned(snapshot.get("launch_template"), cluster_name)]
