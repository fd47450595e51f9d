"""The AWS calls kops makes on machines, signed by :mod:`kops_aws.nodeaws` (the standard library, no SDK).

- S3, for the ``s3://`` state store on a machine (:class:`NodeS3Client` answers what
  :class:`kops_aws.s3store.S3StateStore` asks of boto3): nodeup reads its configuration and, on the control
  plane, the keysets; the node credential service reads the cluster.
- STS: a signed ``GetCallerIdentity`` is how a machine proves who it is (:mod:`kops_aws.nodeidentity`).
- EC2: the node credential service looks up the instance that asks.
"""

from __future__ import annotations

import datetime
import io
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any

from kops_aws import nodeaws

#: The STS request a machine signs to prove who it is (upstream's well-known body).
GET_CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"
EC2_VERSION = "2016-11-15"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _text(element: ET.Element | None, name: str) -> str:
    found = element.find(f"{{*}}{name}") if element is not None else None
    if found is None and element is not None:
        found = element.find(name)
    return (found.text or "") if found is not None else ""


# --- S3 ---------------------------------------------------------------------------------------------------------

def s3_list(bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Every object under ``prefix`` (``Key``, ``Size``, ``ETag``), as ``ListObjectsV2`` pages give them."""
    out: list[dict[str, Any]] = []
    token = ""
    while True:
        query = {"list-type": "2", "prefix": prefix, **({"continuation-token": token} if token else {})}
        _, data = nodeaws.s3_call(bucket, "GET", "", "&".join(f"{nodeaws.quote(k)}={nodeaws.quote(v)}"
                                                              for k, v in sorted(query.items())))
        root = ET.fromstring(data)
        for item in root.findall("{*}Contents") or root.findall("Contents"):
            out.append({"Key": _text(item, "Key"), "Size": int(_text(item, "Size") or 0), "ETag": _text(item, "ETag")})
        token = _text(root, "NextContinuationToken")
        if _text(root, "IsTruncated") != "true" or not token:
            return out


class NodeS3Client:
    """The boto3 S3 client calls :class:`kops_aws.s3store.S3StateStore` makes, for a machine without boto3."""

    def __init__(self, bucket: str):
        self.bucket = bucket

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        data, etag = nodeaws.s3_get(Bucket, Key)
        return {"Body": io.BytesIO(data), "ETag": etag}

    def put_object(self, Bucket: str, Key: str, Body: bytes, **options: Any) -> dict[str, Any]:  # noqa: N803
        names = {"IfNoneMatch": "If-None-Match", "IfMatch": "If-Match",
                 "ServerSideEncryption": "X-Amz-Server-Side-Encryption"}
        headers, _ = nodeaws.s3_call(Bucket, "PUT", Key, body=Body,
                                     headers={names[k]: str(v) for k, v in options.items() if k in names})
        return {"ETag": headers.get("etag", "")}

    def delete_object(self, Bucket: str, Key: str, **options: Any) -> dict[str, Any]:  # noqa: N803
        nodeaws.s3_call(Bucket, "DELETE", Key, headers={"If-Match": str(options["IfMatch"])} if "IfMatch" in options
                        else {})
        return {}

    def get_paginator(self, operation: str) -> Any:
        """``list_objects_v2`` only: all pages as one."""
        class Pages:
            def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:  # noqa: N803
                return [{"Contents": s3_list(Bucket, Prefix)}]

        return Pages()


# --- STS and EC2 ------------------------------------------------------------------------------------------------

def caller_identity_headers(extra: dict[str, str], region_name: str | None = None,
                            now: datetime.datetime | None = None) -> dict[str, str]:
    """The headers of an STS ``GetCallerIdentity`` POST signed with this machine's credentials (at ``now``, by
    default the present), ``extra`` headers signed in: a proof of who the machine is, for someone else to send to
    STS."""
    region_name = region_name or nodeaws.region()
    return nodeaws.sign("POST", nodeaws.endpoint("sts", region_name) + "/", {**FORM, **extra}, GET_CALLER_IDENTITY,
                        "sts", region_name, nodeaws.credentials(), now)


def get_caller_identity(headers: dict[str, str], region_name: str) -> dict[str, str]:
    """Send a signed ``GetCallerIdentity`` (its ``headers``) to the region's STS: the signer's Arn, Account and
    UserId. A refusal raises :class:`kops_aws.nodeaws.AWSError` with STS's code."""
    status, response_headers, data = nodeaws.send("POST", nodeaws.endpoint("sts", region_name) + "/", headers,
                                                  GET_CALLER_IDENTITY)
    if status != 200:
        raise nodeaws.error(status, response_headers, data)
    result = ET.fromstring(data).find("{*}GetCallerIdentityResult")
    return {name: _text(result, name) for name in ("Arn", "Account", "UserId")}


def my_identity(region_name: str) -> dict[str, str]:
    """This process's own identity (Arn, Account)."""
    return get_caller_identity(caller_identity_headers({}, region_name), region_name)


def describe_instance(instance_id: str, region_name: str) -> dict[str, Any] | None:
    """One EC2 instance (``InstanceId``, ``State``, ``PrivateDnsName``, ``PrivateIpAddress``, ``Tags``), or None
    when EC2 does not know the ID."""
    form = urllib.parse.urlencode({"Action": "DescribeInstances", "Version": EC2_VERSION,
                                   "InstanceId.1": instance_id}).encode()
    try:
        _, data = nodeaws.call("ec2", "POST", nodeaws.endpoint("ec2", region_name) + "/", form, FORM, region_name)
    except nodeaws.AWSError as exc:
        if exc.code in ("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"):
            return None
        raise
    for item in ET.fromstring(data).iter():
        if item.tag.rsplit("}", 1)[-1] != "item" or not _text(item, "instanceId"):
            continue
        tag_set = item.find("{*}tagSet")
        return {"InstanceId": _text(item, "instanceId"), "State": _text(item.find("{*}instanceState"), "name"),
                "PrivateDnsName": _text(item, "privateDnsName"), "PrivateIpAddress": _text(item, "privateIpAddress"),
                "Tags": {_text(t, "key"): _text(t, "value") for t in (tag_set if tag_set is not None else [])}}
    return None
