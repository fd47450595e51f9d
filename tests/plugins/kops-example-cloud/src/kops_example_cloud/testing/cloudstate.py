"""The example cloud itself: its resources in memory, and the rules its API enforces.

- Every resource has an ID given by the cloud, a ``name`` unique within its kind, and ``labels`` (any strings).
- Networks (``cidr``) hold firewall rules, pools and instances; a network still holding any cannot be deleted.
- A pool keeps ``size`` instances running, spread over its ``zones``. Its ``launch`` (``machineType``, ``image``,
  ``userData``) has a ``launchVersion`` that grows whenever it changes; an instance records the version it was
  launched from, so one launched before the change is out of date. A pool does not replace its running instances
  when its launch changes (a rolling update does), but replaces any that is deleted or detached.
- Instances are launched by pools only; each gets its pool's labels and an address in the network.
- Volumes (``zone``, ``sizeGb``) stand alone.
- Only what :data:`SCHEMAS` names mutable may change; anything else is refused as the field it is.
"""

from __future__ import annotations

import copy
import ipaddress
import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ZONE = re.compile(r"^zone-[a-z]$")
PROTOCOLS = ("tcp", "udp", "all")


class CloudError(Exception):
    """An error the API answers with: an HTTP status, a code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def invalid(message: str) -> CloudError:
    return CloudError(400, "InvalidArgument", message)


@dataclass(frozen=True)
class Schema:
    #: The prefix of its IDs (``net-1``).
    prefix: str
    #: Fields a create must give (``labels`` is always optional).
    required: tuple[str, ...]
    #: Fields a create may give.
    optional: tuple[str, ...] = ()
    #: Fields an update may change.
    mutable: tuple[str, ...] = ("labels",)
    #: Whether the API creates them (instances are launched by pools only).
    creatable: bool = True


SCHEMAS = {
    "networks": Schema("net", ("name", "cidr")),
    "firewallRules": Schema("fw", ("name", "network", "protocol", "targetRole"), ("ports", "sourceRole", "sourceCidr")),
    "pools": Schema("pool", ("name", "network", "zones", "size", "launch"), mutable=("size", "launch", "labels")),
    "instances": Schema("i", (), creatable=False),
    "volumes": Schema("vol", ("name", "zone", "sizeGb")),
}


class CloudState:
    """Every resource of the cloud, by kind and ID; each method is one API call, atomic under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.resources: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in SCHEMAS}
        self._ids = itertools.count(1)

    # --- the API's calls --------------------------------------------------------------------------------

    def listing(self, kind: str, labels: list[str]) -> list[dict[str, Any]]:
        """Every resource of ``kind`` carrying each of ``labels`` (``KEY`` or ``KEY=VALUE``)."""
        with self.lock:
            return [copy.deepcopy(r) for r in self._kind(kind).values() if all(_has(r, want) for want in labels)]

    def get(self, kind: str, resource_id: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self._find(kind, resource_id))

    def create(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        schema = _schema(kind)
        if not schema.creatable:
            raise CloudError(405, "MethodNotAllowed", f"{kind} are launched by pools, not created")
        missing = [f for f in schema.required if body.get(f) is None]
        unknown = sorted(set(body) - {*schema.required, *schema.optional, "labels"})
        if missing or unknown:
            raise invalid(f"a {kind[:-1]} needs {', '.join(missing)}" if missing else f"unknown fields {unknown}")
        with self.lock:
            if any(r["name"] == body["name"] for r in self._kind(kind).values()):
                raise CloudError(409, "AlreadyExists", f"a {kind[:-1]} named {body['name']!r} already exists")
            resource = {**copy.deepcopy(body), "labels": _labels(body.get("labels"))}
            _CHECKS[kind](self, resource)
            resource["id"] = f"{schema.prefix}-{next(self._ids)}"
            if kind == "pools":
                resource["launchVersion"] = 1
            self.resources[kind][resource["id"]] = resource
            if kind == "pools":
                self._keep_size(resource)
            return copy.deepcopy(resource)

    def update(self, kind: str, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        schema = _schema(kind)
        with self.lock:
            resource = self._find(kind, resource_id)
            for field, value in body.items():
                if field not in schema.mutable and resource.get(field) != value:
                    raise CloudError(400, "FieldImmutable", f"{field} of {kind[:-1]} {resource_id} cannot change")
            changed = {**copy.deepcopy(resource), **copy.deepcopy(body)}
            changed["labels"] = _labels(changed.get("labels"))
            _CHECKS[kind](self, changed)
            if kind == "pools" and changed["launch"] != resource["launch"]:
                changed["launchVersion"] = resource["launchVersion"] + 1
            resource.update(changed)
            if kind == "pools":
                self._keep_size(resource)
            return copy.deepcopy(resource)

    def delete(self, kind: str, resource_id: str) -> None:
        with self.lock:
            resource = self._find(kind, resource_id)
            if kind == "networks":
                users = sorted(r["id"] for k in ("firewallRules", "pools", "instances")
                               for r in self.resources[k].values() if r.get("network") == resource_id)
                if users:
                    raise CloudError(409, "ResourceInUse", f"network {resource_id} is used by {', '.join(users)}")
            del self.resources[kind][resource_id]
            if kind == "pools":
                for instance in self._members(resource_id):
                    del self.resources["instances"][instance["id"]]
            elif kind == "instances" and resource.get("pool"):
                self._keep_size(self.resources["pools"][resource["pool"]])

    def detach(self, instance_id: str) -> dict[str, Any]:
        with self.lock:
            instance = self._find("instances", instance_id)
            pool = instance.get("pool")
            if not pool:
                raise CloudError(409, "NotInPool", f"instance {instance_id} is in no pool")
            instance["pool"] = None
            self._keep_size(self.resources["pools"][pool])
            return copy.deepcopy(instance)

    # --- pools launching instances ---------------------------------------------------------------------

    def _members(self, pool_id: str) -> list[dict[str, Any]]:
        return [i for i in self.resources["instances"].values() if i.get("pool") == pool_id]

    def _keep_size(self, pool: dict[str, Any]) -> None:
        """Launch instances (in the zone with fewest) or end them (out-of-date ones first) until the pool has its
        size."""
        members = self._members(pool["id"])
        while len(members) < pool["size"]:
            zone = min(pool["zones"], key=lambda z: (sum(i["zone"] == z for i in members), z))
            members.append(self._launch(pool, zone))
        surplus = sorted(members, key=lambda i: (i["launchVersion"] == pool["launchVersion"], i["id"]))
        for instance in surplus[:len(members) - pool["size"]]:
            del self.resources["instances"][instance["id"]]

    def _launch(self, pool: dict[str, Any], zone: str) -> dict[str, Any]:
        instance_id = f"i-{next(self._ids)}"
        instance = {
            "id": instance_id, "name": f"{pool['name']}-{instance_id}", "pool": pool["id"], "network": pool["network"],
            "zone": zone, "privateIp": self._free_address(pool["network"]), "state": "running",
            "launchVersion": pool["launchVersion"], "machineType": pool["launch"]["machineType"],
            "image": pool["launch"]["image"], "labels": dict(pool["labels"]),
        }
        self.resources["instances"][instance_id] = instance
        return instance

    def _free_address(self, network_id: str) -> str:
        used = {i["privateIp"] for i in self.resources["instances"].values() if i["network"] == network_id}
        hosts = ipaddress.ip_network(self.resources["networks"][network_id]["cidr"]).hosts()
        address = next((str(a) for a in itertools.islice(hosts, 3, None) if str(a) not in used), None)
        if address is None:
            raise CloudError(409, "AddressesExhausted", f"network {network_id} has no free address")
        return address

    # --- lookups and checks ----------------------------------------------------------------------------

    def _kind(self, kind: str) -> dict[str, dict[str, Any]]:
        _schema(kind)
        return self.resources[kind]

    def _find(self, kind: str, resource_id: str) -> dict[str, Any]:
        resource = self._kind(kind).get(resource_id)
        if resource is None:
            raise CloudError(404, "NotFound", f"{kind[:-1]} {resource_id} not found")
        return resource


def _schema(kind: str) -> Schema:
    if kind not in SCHEMAS:
        raise CloudError(404, "NotFound", f"no such kind of resource: {kind}")
    return SCHEMAS[kind]


def _labels(labels: Any) -> dict[str, str]:
    if labels is None:
        return {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise invalid("labels must map strings to strings")
    return dict(labels)


def _has(resource: dict[str, Any], want: str) -> bool:
    key, sep, value = want.partition("=")
    labels = resource.get("labels") or {}
    return key in labels and (not sep or labels[key] == value)


def _check_network(state: CloudState, network: dict[str, Any]) -> None:
    try:
        ipaddress.ip_network(network["cidr"])
    except (TypeError, ValueError):
        raise invalid(f"cidr {network['cidr']!r} is not a network") from None


def _check_network_ref(state: CloudState, resource: dict[str, Any]) -> None:
    if resource["network"] not in state.resources["networks"]:
        raise invalid(f"network {resource['network']} not found")


def _check_zone(zone: Any) -> None:
    if not isinstance(zone, str) or not ZONE.match(zone):
        raise invalid(f"zone {zone!r} does not exist (zones are zone-a, zone-b...)")


def _check_firewall_rule(state: CloudState, rule: dict[str, Any]) -> None:
    _check_network_ref(state, rule)
    if rule["protocol"] not in PROTOCOLS:
        raise invalid(f"protocol {rule['protocol']!r} is not one of {', '.join(PROTOCOLS)}")
    ports = rule.get("ports")
    if (rule["protocol"] == "all") != (ports is None):
        raise invalid("ports are given for tcp and udp rules only, and must be")
    if ports is not None and not (isinstance(ports, list) and len(ports) == 2 and 1 <= ports[0] <= ports[1] <= 65535):
        raise invalid(f"ports {ports!r} are not a range [from, to] within 1-65535")
    if (rule.get("sourceRole") is None) == (rule.get("sourceCidr") is None):
        raise invalid("a firewall rule has one source: sourceRole or sourceCidr")


def _check_pool(state: CloudState, pool: dict[str, Any]) -> None:
    _check_network_ref(state, pool)
    if not isinstance(pool["zones"], list) or not pool["zones"]:
        raise invalid("a pool needs at least one zone")
    for zone in pool["zones"]:
        _check_zone(zone)
    if not isinstance(pool["size"], int) or pool["size"] < 0:
        raise invalid(f"size {pool['size']!r} is not a count of instances")
    launch = pool["launch"]
    if not isinstance(launch, dict) or not launch.get("machineType") or not launch.get("image"):
        raise invalid("a pool's launch needs a machineType and an image")


def _check_volume(state: CloudState, volume: dict[str, Any]) -> None:
    _check_zone(volume["zone"])
    if not isinstance(volume["sizeGb"], int) or volume["sizeGb"] < 1:
        raise invalid(f"sizeGb {volume['sizeGb']!r} is not a size")


_CHECKS: dict[str, Callable[[CloudState, dict[str, Any]], None]] = {
    "networks": _check_network, "firewallRules": _check_firewall_rule, "pools": _check_pool,
    "instances": lambda state, instance: None, "volumes": _check_volume,
}
