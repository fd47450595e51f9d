"""How a Droplet proves who it is to the node credential service, and how the service checks it.

DigitalOcean signs nothing for a Droplet; upstream trusts the Droplet ID a request names and checks its address.
kops signs instead (:mod:`kops.nodeup.machinekey`): when it makes a Droplet it tags it ``kops-machine-key:<key>``
(a random key made at creation, never planned or stored). The Droplet reads its ID and tags from its metadata
service (``/metadata/v1.json``; ``KOPS_DIGITALOCEAN_METADATA_URL`` moves it) and signs the request with the key.
The service reads the Droplet the proof names from the DO API: it must exist, be ``active``, carry the cluster's
``KubernetesCluster:<safe>`` tag, a key that checks the signature and the ``kops-instancegroup`` tag of the group
it asks for. The Node's name is upstream's: the Droplet's first private IPv4, else its name.

Both sides run on machines from the node bundle, which holds no SDK: the metadata service and the API are read
over REST with the standard library (token ``DIGITALOCEAN_ACCESS_TOKEN``, endpoint ``DIGITALOCEAN_END_POINT``).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from kops.cloud import NodeIdentity, NodeIdentityRefused
from kops.errors import KopsError
from kops.nodeup import machinekey

from kops_digitalocean.api import TOKEN_VARIABLE, endpoint
from kops_digitalocean.tags import INSTANCE_GROUP, MACHINE_KEY, cluster_tag, value

SCHEME = "x-digitalocean-key"
METADATA_URL_VARIABLE = "KOPS_DIGITALOCEAN_METADATA_URL"
METADATA_URL = "http://169.254.169.254/metadata/v1.json"
PROVIDER_PREFIX = "digitalocean://"
TIMEOUT = 15


def _get_json(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - URLs from the operator
        return json.loads(response.read() or b"{}")


def proof(body: bytes) -> str:
    """On a Droplet of the cluster: the ``Authorization`` value for ``body``, signed with the Droplet's key."""
    url = os.environ.get(METADATA_URL_VARIABLE) or METADATA_URL
    try:
        document = _get_json(url)
    except (OSError, ValueError) as exc:
        raise KopsError(f"cannot read this Droplet's metadata at {url}: {exc}") from None
    key = value(document.get("tags") or [], MACHINE_KEY)
    if not document.get("droplet_id") or not key:
        raise KopsError(f"this Droplet's metadata ({url}) has no droplet_id or no {MACHINE_KEY} tag: it was not "
                        "made by kops")
    return machinekey.sign(SCHEME, str(document["droplet_id"]), key, body)


def droplet(droplet_id: str) -> dict[str, Any] | None:
    """The Droplet with that ID from the DO API, or None when there is none."""
    if not droplet_id.isdigit():
        return None
    url = endpoint().rstrip("/") + f"/droplets/{droplet_id}"
    try:
        return _get_json(url, {"Authorization": f"Bearer {os.environ.get(TOKEN_VARIABLE, '')}"}).get("droplet")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise NodeIdentityRefused(f"the DigitalOcean API could not show Droplet {droplet_id} (HTTP {exc.code})") \
            from None
    except (OSError, ValueError) as exc:
        raise NodeIdentityRefused(f"the DigitalOcean API could not show Droplet {droplet_id} ({exc})") from None


def _running_droplet(droplet_id: str, cluster_name: str) -> dict[str, Any]:
    found = droplet(droplet_id)
    if found is None:
        raise NodeIdentityRefused(f"Droplet {droplet_id} does not exist")
    if found.get("status") != "active":
        raise NodeIdentityRefused(f"Droplet {droplet_id} is {found.get('status')}, not active")
    if cluster_tag(cluster_name) not in (found.get("tags") or []):
        raise NodeIdentityRefused(f"Droplet {droplet_id} does not belong to cluster {cluster_name} (it lacks the "
                                  f"{cluster_tag(cluster_name)} tag)")
    return found


def _identity(found: dict[str, Any], group: str) -> NodeIdentity:
    v4 = (found.get("networks") or {}).get("v4") or []
    private = [n["ip_address"] for n in v4 if n.get("type") == "private" and n.get("ip_address")]
    public = [n["ip_address"] for n in v4 if n.get("type") == "public" and n.get("ip_address")]
    node_name = private[0] if private else found["name"]
    return NodeIdentity(instance_id=str(found["id"]), instance_group=group, node_name=node_name,
                        addresses=tuple(dict.fromkeys([node_name, *private, *public])))


def verify(cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str, body: bytes,
           instance_group: str, now: float | None = None) -> NodeIdentity:
    """See :meth:`kops.cloud.CloudProvider.verify_node_identity`."""
    name = cluster["metadata"]["name"]
    claim = machinekey.parse(SCHEME, authorization)
    found = _running_droplet(claim.machine_id, name)
    tags = found.get("tags") or []
    machinekey.check(claim, value(tags, MACHINE_KEY), body, now=now)
    machinekey.check_group(name, groups, claim.machine_id, instance_group, value(tags, INSTANCE_GROUP) or "")
    return _identity(found, instance_group)


def identify(cluster: dict[str, Any], provider_id: str) -> NodeIdentity | None:
    """See :meth:`kops.cloud.CloudProvider.identify_node`: ``digitalocean://<Droplet ID>``."""
    if not provider_id.startswith(PROVIDER_PREFIX):
        return None
    try:
        found = _running_droplet(provider_id[len(PROVIDER_PREFIX):].strip("/"), cluster["metadata"]["name"])
    except NodeIdentityRefused:
        return None
    group = value(found.get("tags") or [], INSTANCE_GROUP)
    return _identity(found, group) if group else None
