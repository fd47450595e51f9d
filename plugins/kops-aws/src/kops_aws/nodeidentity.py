"""How an EC2 instance proves who it is to the node credential service, and how the service checks it.

The proof is upstream's (``x-aws-sts`` tokens): the instance signs an STS ``GetCallerIdentity`` request with its
instance role's credentials, with the SHA-256 of the bootstrap request's body in a signed ``X-Kops-Request-Sha``
header, and sends the signed headers (Go's ``http.Header`` as JSON, base64) as the ``Authorization`` header.
The instance role's session is named after the instance ID, so STS's answer names the instance.

The service sends the signed request to STS itself (to its own region's endpoint, never to one the token names),
so only AWS can vouch for it, then asks EC2 about the instance. Everything here uses :mod:`kops_aws.nodeaws`
(the standard library): it runs on machines without an SDK.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
import json
from typing import Any

from kops.cloud import NodeIdentity, NodeIdentityRefused
from kops.errors import KopsError
from kops.model import BASTION, CONTROL_PLANE, INSTANCE_GROUP_LABEL, role_of

from kops_aws import nodeaws, nodecalls
from kops_aws.instancegroups import iam_role_name

#: Upstream's prefix of a version 1 token (signed headers of a POST).
TOKEN_PREFIX = "x-aws-sts "
#: The header binding the bootstrap request's body into the signature.
BODY_HEADER = "X-Kops-Request-Sha"
#: A proof older (or newer, by a wrong clock) than this is refused: five minutes.
MAX_AGE = datetime.timedelta(minutes=5)


def body_digest(body: bytes) -> str:
    """The body's SHA-256 as upstream puts it in the header: base64 without padding."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode().rstrip("=")


def proof(body: bytes, now: datetime.datetime | None = None) -> str:
    """The ``Authorization`` header of a bootstrap request with ``body``, signed with this machine's credentials
    (at ``now``, by default the present)."""
    try:
        headers = nodecalls.caller_identity_headers({BODY_HEADER: body_digest(body)}, now=now)
    except nodeaws.AWSError as exc:
        raise KopsError(f"cannot prove who this machine is to the node credential service: {exc}") from None
    return TOKEN_PREFIX + base64.b64encode(json.dumps({k: [v] for k, v in headers.items()}).encode()).decode()


def _signed_headers(authorization: str) -> dict[str, str]:
    """The signed headers a token holds, as the machine sent them."""
    if not authorization.startswith(TOKEN_PREFIX):
        raise NodeIdentityRefused("the Authorization header is not an x-aws-sts proof")
    try:
        decoded = json.loads(base64.b64decode(authorization[len(TOKEN_PREFIX):], validate=True))
    except (binascii.Error, ValueError):
        raise NodeIdentityRefused("the x-aws-sts proof is not base64-encoded JSON") from None
    if not isinstance(decoded, dict) or not all(isinstance(v, list) and v and isinstance(v[0], str)
                                                for v in decoded.values()):
        raise NodeIdentityRefused("the x-aws-sts proof is not a set of signed headers")
    return {str(k): v[0] for k, v in decoded.items()}


def _check_signature_fields(headers: dict[str, str], body: bytes, now: datetime.datetime) -> None:
    if headers.get(BODY_HEADER.lower()) != body_digest(body):
        raise NodeIdentityRefused("the request's body is not the one the proof was signed for (tampered with, or "
                                  "the proof belongs to another request)")
    authorization = headers.get("authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        raise NodeIdentityRefused("the proof is not signed with AWS Signature Version 4")
    fields = dict(part.split("=", 1) for part in authorization[len("AWS4-HMAC-SHA256 "):].split(", ") if "=" in part)
    signed = set(fields.get("SignedHeaders", "").split(";"))
    if not {BODY_HEADER.lower(), "x-amz-date"} <= signed or not fields.get("Signature"):
        raise NodeIdentityRefused(f"the proof's signature does not cover {BODY_HEADER} and X-Amz-Date")
    if fields.get("Credential", "").split("/")[3:4] != ["sts"]:
        raise NodeIdentityRefused("the proof is not signed for STS")
    try:
        signed_at = datetime.datetime.strptime(headers.get("x-amz-date", ""), "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC)
    except ValueError:
        raise NodeIdentityRefused("the proof carries no valid X-Amz-Date") from None
    age = now - signed_at
    if abs(age) > MAX_AGE:
        when = f"{int(age.total_seconds())}s ago" if age > datetime.timedelta(0) else \
            f"{int(-age.total_seconds())}s in the future"
        raise NodeIdentityRefused(f"the proof was signed {when}, outside the five minutes a proof is good for "
                                  "(replayed, or the machine's clock is wrong)")


@functools.cache
def _own_account(region: str) -> str:
    return nodecalls.my_identity(region)["Account"]


def machine_roles(cluster: dict[str, Any], groups: dict[str, dict[str, Any]]) -> dict[str, str]:
    """IAM role name -> the group role it is made for, for every role kops makes for the cluster's machines
    (bastions excluded: they are not nodes). A group with its own instance profile adds none."""
    name = cluster["metadata"]["name"]
    return {iam_role_name(role_of(g), name): role_of(g) for g in groups.values()
            if role_of(g) != BASTION and not (g["spec"].get("iam") or {}).get("profile")}


def verify(cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str, body: bytes,
           instance_group: str, region: str, now: datetime.datetime | None = None) -> NodeIdentity:
    """See :meth:`kops.cloud.CloudProvider.verify_node_identity`."""
    name = cluster["metadata"]["name"]
    signed = _signed_headers(authorization)
    _check_signature_fields({k.lower(): v for k, v in signed.items()}, body, now or datetime.datetime.now(datetime.UTC))
    try:
        identity = nodecalls.get_caller_identity({k: v for k, v in signed.items() if k.lower() != "host"}, region)
    except nodeaws.AWSError as exc:
        raise NodeIdentityRefused(f"STS refused the proof ({exc})") from None
    arn, account = identity.get("Arn", ""), identity.get("Account", "")
    if account != _own_account(region):
        raise NodeIdentityRefused(f"the proof was signed in account {account}, not this cluster's")
    parts = arn.split(":")
    resource = parts[5].split("/") if len(parts) == 6 else []
    if len(resource) != 3 or resource[0] != "assumed-role":
        raise NodeIdentityRefused(f"{arn} is not an instance role's session")
    role_name, instance_id = resource[1], resource[2]
    roles = machine_roles(cluster, groups)
    if role_name not in roles:
        raise NodeIdentityRefused(f"{arn}: role {role_name} is not one of cluster {name}'s machine roles "
                                  f"({', '.join(sorted(roles)) or 'none'})")
    group = groups.get(instance_group)
    if group is None:
        raise NodeIdentityRefused(f"{instance_id} asks for instance group {instance_group!r}, which cluster {name} "
                                  "does not have")
    if role_of(group) != roles[role_name]:
        raise NodeIdentityRefused(f"{instance_id} signed as a {_role_word(roles[role_name])} (role {role_name}) and "
                                  f"may not ask for instance group {instance_group}, a {_role_word(role_of(group))} "
                                  "group")
    instance = _instance(instance_id, region, name)
    tagged = instance["Tags"].get(INSTANCE_GROUP_LABEL, "")  # type: ignore[union-attr]
    if tagged != instance_group:
        raise NodeIdentityRefused(f"instance {instance_id} is in instance group {tagged or '(none)'}, not "
                                  f"{instance_group}")
    return _identity(instance, instance_group)


def _role_word(role: str) -> str:
    return "control-plane machine" if role == CONTROL_PLANE else f"{role} machine"


def _instance(instance_id: str, region: str, cluster_name: str) -> dict[str, Any]:
    """The running instance of the cluster with that ID, else refused with the reason."""
    try:
        instance = nodecalls.describe_instance(instance_id, region)
    except nodeaws.AWSError as exc:
        raise NodeIdentityRefused(f"EC2 could not describe instance {instance_id} ({exc})") from None
    if instance is None:
        raise NodeIdentityRefused(f"instance {instance_id} does not exist")
    if instance["State"] != "running":
        raise NodeIdentityRefused(f"instance {instance_id} is {instance['State']}, not running")
    if instance["Tags"].get(f"kubernetes.io/cluster/{cluster_name}") != "owned":  # type: ignore[union-attr]
        raise NodeIdentityRefused(f"instance {instance_id} does not belong to cluster {cluster_name} (it has no "
                                  f"kubernetes.io/cluster/{cluster_name}=owned tag)")
    return instance


def _identity(instance: dict[str, Any], group: str) -> NodeIdentity:
    addresses = tuple(a for a in (instance["InstanceId"], instance["PrivateDnsName"], instance["PrivateIpAddress"])
                      if a)
    return NodeIdentity(instance_id=instance["InstanceId"], instance_group=group, node_name=instance["InstanceId"],
                        addresses=addresses)


def identify(cluster: dict[str, Any], provider_id: str, region: str) -> NodeIdentity | None:
    """See :meth:`kops.cloud.CloudProvider.identify_node`: ``aws:///<zone>/<instance-id>``."""
    if not provider_id.startswith("aws://"):
        return None
    instance_id = provider_id.rstrip("/").rsplit("/", 1)[-1]
    try:
        instance = _instance(instance_id, region, cluster["metadata"]["name"])
    except NodeIdentityRefused:
        return None
    group = instance["Tags"].get(INSTANCE_GROUP_LABEL, "")
    return _identity(instance, group) if group else None
