"""Networks, subnetworks, firewalls, routers (with Cloud NAT), routes and addresses."""

from __future__ import annotations

import ipaddress
import secrets
from typing import TYPE_CHECKING

from kops_gce.testing.fakegce import catalog
from kops_gce.testing.fakegce.errors import invalid, invalid_field, required
from kops_gce.testing.fakegce.kinds import Body, Kind, resolve, resolve_field
from kops_gce.testing.fakegce.store import Ref, fingerprint, parse_ref

if TYPE_CHECKING:
    from kops_gce.testing.fakegce.compute import Compute

#: Where the API hands out ephemeral and reserved external addresses (documentation addresses: never routed).
EXTERNAL_POOL = ipaddress.ip_network("203.0.113.0/24")


def network_of(api: Compute, ref: Ref, res: Body, field: str = "resource.network") -> Ref:
    target = resolve_field(api, ref, res, "network", field, "networks", "network", scope="global")
    if target is None:
        raise required(field)
    return target


class Networks(Kind):
    collection = "networks"
    kind = "compute#network"
    word = "network"
    # Subnetworks, firewall rules, routers, routes, instances and load balancers all keep a network in use;
    # Google refuses inside the delete operation rather than at once.
    blockers = ("subnetworks", "firewalls", "routers", "routes", "instances", "forwardingRules",
                "backendServices")
    in_use_fails_operation = True
    mutable = ("patch",)
    output_only = ("subnetworks", "gatewayIPv4", "peerings")

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        if "IPv4Range" in res:
            raise invalid_field("resource.IPv4Range", res["IPv4Range"], "Legacy networks are not supported.")
        res.setdefault("autoCreateSubnetworks", False)
        res.setdefault("routingConfig", {"routingMode": "REGIONAL"})
        res.setdefault("mtu", 1460)
        res.setdefault("networkFirewallPolicyEnforcementOrder", "AFTER_CLASSIC_FIREWALL")

    def created(self, api: Compute, ref: Ref, res: Body) -> None:
        # Every network gets its route to the internet, which goes with it.
        route = Ref(ref.project, "global", "routes", f"default-route-{secrets.token_hex(8)}")
        api.state.put(route, api.state.stamp(route, {
            "description": "Default route to the Internet.", "network": ref.link, "destRange": "0.0.0.0/0",
            "priority": 1000, "nextHopGateway": f"{ref.link.rsplit('/global/', 1)[0]}/global/gateways/"
            "default-internet-gateway", "_system": True}, "compute#route"))
        if res.get("autoCreateSubnetworks"):
            for i, region in enumerate(catalog.REGIONS):
                sub = Ref(ref.project, f"regions/{region}", "subnetworks", ref.name)
                cidr = ipaddress.ip_network("10.128.0.0/9").subnets(new_prefix=20)
                body = api.state.stamp(sub, {"network": ref.link, "ipCidrRange": str(next(
                    n for j, n in enumerate(cidr) if j == i * 4))}, "compute#subnetwork")
                Subnetworks().prepare(api, sub, body)
                api.state.put(sub, body)

    def deleting(self, api: Compute, ref: Ref, res: Body) -> None:
        for scope, other in api.state.each(ref.project, "routes"):
            if other.get("_system") and other.get("network") == ref.link:
                api.state.remove(Ref(ref.project, scope, "routes", other["name"]))
        if res.get("autoCreateSubnetworks"):
            for scope, sub in api.state.each(ref.project, "subnetworks"):
                if sub.get("network") == ref.link:
                    api.state.remove(Ref(ref.project, scope, "subnetworks", sub["name"]))

    def updated(self, api: Compute, ref: Ref, res: Body, before: Body) -> None:
        if res.get("autoCreateSubnetworks") != before.get("autoCreateSubnetworks"):
            raise invalid_field("resource.autoCreateSubnetworks", res.get("autoCreateSubnetworks"),
                                "Use switchToCustomMode to change the network's mode.")

    def view(self, api: Compute, res: Body) -> Body:
        subs = sorted(s["selfLink"] for _, s in api.state.each(res["selfLink"].split("/")[6], "subnetworks")
                      if s.get("network") == res["selfLink"])
        if subs:
            res["subnetworks"] = subs
        return res


def _ranges(sub: Body) -> list[tuple[str, ipaddress.IPv4Network]]:
    found = [(sub["name"], ipaddress.ip_network(sub["ipCidrRange"]))] if sub.get("ipCidrRange") else []
    for r in sub.get("secondaryIpRanges") or []:
        found.append((r.get("rangeName", ""), ipaddress.ip_network(r["ipCidrRange"])))
    return found


class Subnetworks(Kind):
    collection = "subnetworks"
    scopes = ("regions",)
    kind = "compute#subnetwork"
    word = "subnetwork"
    blockers = ("instances", "addresses", "forwardingRules", "routers")
    mutable = ("patch",)
    fingerprint_required = True
    output_only = ("gatewayAddress", "fingerprint")
    methods = {"expandIpCidrRange": "expand_ip_cidr_range"}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        network = network_of(api, ref, res)
        if not res.get("ipCidrRange"):
            raise required("resource.ipCidrRange")
        mine = []
        for i, r in enumerate([{"ipCidrRange": res["ipCidrRange"]}, *(res.get("secondaryIpRanges") or [])]):
            field = "resource.ipCidrRange" if i == 0 else f"resource.secondaryIpRanges[{i - 1}].ipCidrRange"
            try:
                net = ipaddress.ip_network(r.get("ipCidrRange", ""))
            except ValueError:
                raise invalid_field(field, r.get("ipCidrRange"), "Invalid IPCidrRange.") from None
            if net.version != 4 or not 8 <= net.prefixlen <= 29:
                raise invalid_field(field, r.get("ipCidrRange"), "The IP range must be an IPv4 range with a "
                                    "prefix length between /8 and /29.")
            if i and not r.get("rangeName"):
                raise required(f"resource.secondaryIpRanges[{i - 1}].rangeName")
            mine.append((field, net))
        for i, (_, net) in enumerate(mine):
            for other_field, other in mine[:i]:
                if net.overlaps(other):
                    raise invalid(f"Invalid IPCidrRange: {net} conflicts with {other} ({other_field}).")
        for scope, sub in api.state.each(ref.project, "subnetworks"):
            if sub.get("network") != network.link or sub["name"] == ref.name and scope == ref.scope:
                continue
            for _, net in mine:
                for _, other in _ranges(sub):
                    if net.overlaps(other):
                        raise invalid(f"Invalid IPCidrRange: {net} conflicts with existing subnetwork "
                                      f"'{sub['name']}' in region '{scope.split('/')[1]}'.")
        res["gatewayAddress"] = str(next(ipaddress.ip_network(res["ipCidrRange"]).hosts()))
        res["fingerprint"] = fingerprint()
        res.setdefault("privateIpGoogleAccess", False)
        res.setdefault("purpose", "PRIVATE")
        res.setdefault("stackType", "IPV4_ONLY")
        res.setdefault("secondaryIpRanges", [])
        if not res["secondaryIpRanges"]:
            del res["secondaryIpRanges"]

    def updated(self, api: Compute, ref: Ref, res: Body, before: Body) -> None:
        if res.get("network") and parse_ref(res["network"], ref.project) != parse_ref(before["network"], ref.project):
            raise invalid_field("resource.network", res["network"], "The network of a subnetwork cannot change.")
        if res.get("ipCidrRange", before["ipCidrRange"]) != before["ipCidrRange"]:
            raise invalid_field("resource.ipCidrRange", res["ipCidrRange"], "The primary IP range of a subnetwork "
                                "cannot be patched; use expandIpCidrRange to expand it.")
        res["ipCidrRange"] = before["ipCidrRange"]
        self.prepare(api, ref, res)

    def expand_ip_cidr_range(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        """The primary range made larger; it must hold the current one and overlap no other range."""
        given = body.get("ipCidrRange")
        if not given:
            raise required("ipCidrRange")
        try:
            old, new = ipaddress.ip_network(res["ipCidrRange"]), ipaddress.ip_network(given)
        except ValueError:
            raise invalid_field("ipCidrRange", given, "Invalid IPCidrRange.") from None
        if new.version != old.version or new.prefixlen >= old.prefixlen or not old.subnet_of(new):
            raise invalid_field("ipCidrRange", given, f"The new range must be larger than {old} and contain it.")
        before = dict(res)
        res["ipCidrRange"] = given
        try:
            self.prepare(api, ref, res)
        except Exception:
            res.clear()
            res.update(before)
            raise
        return api.operation(ref, "expandIpCidrRange", res)


def allocate_ip(api: Compute, project: str, subnet_link: str) -> str:
    """The next free internal address of a subnetwork (its first two and last two are Google's)."""
    sub = api.state.get(parse_ref(subnet_link, project))  # type: ignore[arg-type]
    taken = set()
    for _, inst in api.state.each(project, "instances"):
        taken.update(n.get("networkIP") for n in inst.get("networkInterfaces") or [])
    for coll, key in (("addresses", "address"), ("forwardingRules", "IPAddress")):
        taken.update(r.get(key) for _, r in api.state.each(project, coll))
    net = ipaddress.ip_network(sub["ipCidrRange"])
    hosts = list(net.hosts())
    for ip in hosts[1:-1] if len(hosts) > 3 else hosts:
        if str(ip) not in taken:
            return str(ip)
    raise invalid(f"IP space of '{sub['selfLink']}' is exhausted.", reason="ipSpaceExhausted")


def allocate_external_ip(api: Compute, project: str) -> str:
    taken = {r.get("address") for _, r in api.state.each(project, "addresses")}
    for _, inst in api.state.each(project, "instances"):
        for nic in inst.get("networkInterfaces") or []:
            taken.update(ac.get("natIP") for ac in nic.get("accessConfigs") or [])
    taken.update(r.get("IPAddress") for _, r in api.state.each(project, "forwardingRules"))
    for ip in list(EXTERNAL_POOL.hosts()):
        if str(ip) not in taken:
            return str(ip)
    raise invalid("No external addresses are left.", reason="ipSpaceExhausted")


def in_subnet(api: Compute, project: str, subnet_link: str, ip: str) -> bool:
    sub = api.state.get(parse_ref(subnet_link, project))  # type: ignore[arg-type]
    return ipaddress.ip_address(ip) in ipaddress.ip_network(sub["ipCidrRange"])


class Firewalls(Kind):
    collection = "firewalls"
    kind = "compute#firewall"
    word = "firewall"
    mutable = ("patch", "update")

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        resolve_field(api, ref, res, "network", "resource.network", "networks", "network", "global",
                      default="global/networks/default")
        res.setdefault("direction", "INGRESS")
        res.setdefault("priority", 1000)
        if res["direction"] not in ("INGRESS", "EGRESS"):
            raise invalid_field("resource.direction", res["direction"], "Must be INGRESS or EGRESS.")
        if not res.get("allowed") and not res.get("denied"):
            raise invalid_field("resource.allowed", "", "A firewall rule must allow or deny something.")
        if res.get("allowed") and res.get("denied"):
            raise invalid("A firewall rule cannot both allow and deny traffic.")
        for rule in (res.get("allowed") or []) + (res.get("denied") or []):
            if not rule.get("IPProtocol"):
                raise required("resource.allowed[0].IPProtocol")
        for key in ("sourceRanges", "destinationRanges"):
            for cidr in res.get(key) or []:
                try:
                    ipaddress.ip_network(cidr, strict=False)
                except ValueError:
                    raise invalid_field(f"resource.{key}", cidr, "Invalid IP CIDR range.") from None
        if res["direction"] == "INGRESS" and not any(res.get(k) for k in ("sourceRanges", "sourceTags",
                                                                           "sourceServiceAccounts")):
            res["sourceRanges"] = ["0.0.0.0/0"]
        if res["direction"] == "EGRESS" and not res.get("destinationRanges"):
            res["destinationRanges"] = ["0.0.0.0/0"]
        res.setdefault("disabled", False)
        res.setdefault("logConfig", {"enable": False})


class Routers(Kind):
    collection = "routers"
    scopes = ("regions",)
    kind = "compute#router"
    word = "router"
    mutable = ("patch", "update")

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        network_of(api, ref, res)
        names = set()
        for i, nat in enumerate(res.get("nats") or []):
            if not nat.get("name"):
                raise required(f"resource.nats[{i}].name")
            if nat["name"] in names:
                raise invalid_field(f"resource.nats[{i}].name", nat["name"], "NAT names must be unique.")
            names.add(nat["name"])
            if not nat.get("natIpAllocateOption"):
                raise required(f"resource.nats[{i}].natIpAllocateOption")
            if not nat.get("sourceSubnetworkIpRangesToNat"):
                raise required(f"resource.nats[{i}].sourceSubnetworkIpRangesToNat")
            for j, sub in enumerate(nat.get("subnetworks") or []):
                resolve_field(api, ref, sub, "name", f"resource.nats[{i}].subnetworks[{j}].name", "subnetworks",
                              "subnetwork")
            for j, ip in enumerate(nat.get("natIps") or []):
                nat["natIps"][j] = resolve(api, ref, ip, f"resource.nats[{i}].natIps[{j}]", "addresses",
                                           "address").link
            nat.setdefault("enableEndpointIndependentMapping", False)
            nat.setdefault("endpointTypes", ["ENDPOINT_TYPE_VM"])
        res.setdefault("encryptedInterconnectRouter", False)


class Routes(Kind):
    collection = "routes"
    kind = "compute#route"
    word = "route"

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        network_of(api, ref, res)
        if not res.get("destRange"):
            raise required("resource.destRange")
        hops = [k for k in ("nextHopInstance", "nextHopIp", "nextHopGateway", "nextHopVpnTunnel", "nextHopIlb")
                if res.get(k)]
        if len(hops) != 1:
            raise invalid("A route must have exactly one next hop.")
        if res.get("nextHopInstance"):
            resolve_field(api, ref, res, "nextHopInstance", "resource.nextHopInstance", "instances", "instance")
        res.setdefault("priority", 1000)


class Addresses(Kind):
    collection = "addresses"
    scopes = ("global", "regions")
    kind = "compute#address"
    word = "address"
    labels = True
    output_only = ("users", "status")

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        res.setdefault("addressType", "EXTERNAL")
        if ref.scope == "global":
            res.setdefault("ipVersion", "IPV4")
        if res["addressType"] == "INTERNAL":
            sub = resolve_field(api, ref, res, "subnetwork", "resource.subnetwork", "subnetworks", "subnetwork")
            if ref.scope == "global" and res.get("purpose") == "VPC_PEERING":
                network_of(api, ref, res)
                res.setdefault("prefixLength", 16)
                res.setdefault("address", "10.200.0.0")
                return
            if sub is None:
                raise required("resource.subnetwork")
            if res.get("address"):
                if not in_subnet(api, ref.project, sub.link, res["address"]):
                    raise invalid_field("resource.address", res["address"], "The address is not in the "
                                        "subnetwork's range.")
                if any(r.get("address") == res["address"] for _, r in api.state.each(ref.project, "addresses")):
                    raise invalid(f"IP '{res['address']}' is already being used by another resource.",
                                  reason="ipInUseByAnotherResource")
            else:
                res["address"] = allocate_ip(api, ref.project, sub.link)
            res.setdefault("purpose", "GCE_ENDPOINT")
        elif res["addressType"] == "EXTERNAL":
            res.setdefault("networkTier", "PREMIUM")
            if not res.get("address"):
                res["address"] = allocate_external_ip(api, ref.project)
        else:
            raise invalid_field("resource.addressType", res["addressType"], "Must be INTERNAL or EXTERNAL.")

    def users(self, api: Compute, ref: Ref, res: Body) -> list[str]:
        ip = res.get("address")
        found = [r["selfLink"] for _, r in api.state.each(ref.project, "forwardingRules")
                 if r.get("IPAddress") in (ip, ref.link)]
        for _, inst in api.state.each(ref.project, "instances"):
            for nic in inst.get("networkInterfaces") or []:
                if res.get("addressType") == "EXTERNAL" and any(ac.get("natIP") == ip
                                                                 for ac in nic.get("accessConfigs") or []):
                    found.append(inst["selfLink"])
                elif res.get("addressType") == "INTERNAL" and nic.get("networkIP") == ip:
                    found.append(inst["selfLink"])
        for _, router in api.state.each(ref.project, "routers"):
            if any(ref.link in (nat.get("natIps") or []) for nat in router.get("nats") or []):
                found.append(router["selfLink"])
        return found

    def view(self, api: Compute, res: Body) -> Body:
        ref = parse_ref(res["selfLink"], "")
        users = self.users(api, ref, res) if ref else []  # type: ignore[arg-type]
        res["status"] = "IN_USE" if users else "RESERVED"
        if users:
            res["users"] = users
        return res


def kinds() -> list[Kind]:
    return [Networks(), Subnetworks(), Firewalls(), Routers(), Routes(), Addresses()]

