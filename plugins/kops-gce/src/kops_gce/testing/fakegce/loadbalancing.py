"""Load balancing: forwarding rules, target pools, backend services, health checks (regional and global) and
the legacy HTTP health checks target pools use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kops_gce.testing.fakegce.errors import invalid, invalid_field, required
from kops_gce.testing.fakegce.kinds import Body, Kind, resolve, resolve_field
from kops_gce.testing.fakegce.networking import allocate_external_ip, allocate_ip, network_of
from kops_gce.testing.fakegce.store import Ref, fingerprint

if TYPE_CHECKING:
    from kops_gce.testing.fakegce.compute import Compute

_SCHEMES = ("EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED")
#: The most ports an internal passthrough forwarding rule lists.
_MAX_PORTS = 5
#: The purpose an internal address must have for several forwarding rules to share it.
SHARED_VIP = "SHARED_LOADBALANCER_VIP"


class ForwardingRules(Kind):
    collection = "forwardingRules"
    scopes = ("regions", "global")
    kind = "compute#forwardingRule"
    word = "forwarding_rule"
    labels = True
    methods = {"setTarget": "set_target"}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        res.setdefault("IPProtocol", "TCP")
        res.setdefault("loadBalancingScheme", "EXTERNAL")
        if res["loadBalancingScheme"] not in _SCHEMES:
            raise invalid_field("resource.loadBalancingScheme", res["loadBalancingScheme"], "Unknown scheme.")
        self._target(api, ref, res)
        internal = res["loadBalancingScheme"].startswith("INTERNAL")
        sub = None
        if internal:
            sub = resolve_field(api, ref, res, "subnetwork", "resource.subnetwork", "subnetworks", "subnetwork")
            if sub is None:
                raise required("resource.subnetwork")
            res["network"] = api.state.get(sub)["network"]
        ip = res.get("IPAddress")
        if ip and "/" in ip:
            address = resolve(api, ref, ip, "resource.IPAddress", "addresses", "address")
            res["IPAddress"] = api.state.get(address)["address"]
        elif not ip:
            res["IPAddress"] = allocate_ip(api, ref.project, sub.link) if sub else \
                allocate_external_ip(api, ref.project)
        if not internal:
            res.setdefault("networkTier", "PREMIUM")
        if res.get("ports") and res.get("portRange"):
            raise invalid("A forwarding rule cannot have both ports and portRange.")
        if internal:
            if len(res.get("ports") or []) > _MAX_PORTS:
                raise invalid_field("resource.ports", ",".join(res["ports"]),
                                    f"A forwarding rule can have at most {_MAX_PORTS} ports.")
            self._shared_ip(api, ref, res)
        if res.get("portRange") and "-" not in res["portRange"]:
            res["portRange"] = f"{res['portRange']}-{res['portRange']}"
        res["fingerprint"] = fingerprint()

    @staticmethod
    def _shared_ip(api: Compute, ref: Ref, res: Body) -> None:
        """Internal rules share an IP only when it is reserved as a shared VIP, and never on a port (or all of
        them) another rule of the same protocol has."""
        ip = res["IPAddress"]
        others = [r for _, r in api.state.each(ref.project, "forwardingRules")
                  if r.get("IPAddress") == ip and r.get("selfLink") != res.get("selfLink")
                  and str(r.get("loadBalancingScheme", "")).startswith("INTERNAL")]
        if not others:
            return
        if not any(a.get("address") == ip and a.get("purpose") == SHARED_VIP
                   for _, a in api.state.each(ref.project, "addresses")):
            raise invalid(f"IP '{ip}' is already being used by another resource.", reason="ipInUseByAnotherResource")
        mine = set(res.get("ports") or [])
        for other in others:
            if other.get("IPProtocol") == res["IPProtocol"] and (
                    res.get("allPorts") or other.get("allPorts") or mine & set(other.get("ports") or [])):
                raise invalid_field("resource.IPAddress", ip, f"The forwarding rule '{other['name']}' already "
                                    "uses this IP address, protocol and port.")

    def _target(self, api: Compute, ref: Ref, res: Body) -> None:
        if res.get("target"):
            resolve_field(api, ref, res, "target", "resource.target", "targetPools", "target pool")
        elif res.get("backendService"):
            resolve_field(api, ref, res, "backendService", "resource.backendService", "backendServices",
                          "backend service")
        else:
            raise invalid("A forwarding rule needs a target or a backend service.")

    def set_target(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        res["target"] = body.get("target")
        self._target(api, ref, res)
        return api.operation(ref, "SetTarget", res)


class TargetPools(Kind):
    collection = "targetPools"
    scopes = ("regions",)
    kind = "compute#targetPool"
    word = "target_pool"
    blockers = ("forwardingRules", "instanceGroupManagers")
    methods = {"addInstance": "add_instance", "removeInstance": "remove_instance",
               "addHealthCheck": "add_health_check", "removeHealthCheck": "remove_health_check"}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        res["instances"] = [self._instance(api, ref, v, f"resource.instances[{i}]")
                            for i, v in enumerate(res.get("instances") or [])]
        if not res["instances"]:
            del res["instances"]
        res["healthChecks"] = [resolve(api, ref, v, f"resource.healthChecks[{i}]", "httpHealthChecks",
                                       "http health check", "global").link
                               for i, v in enumerate(res.get("healthChecks") or [])]
        if len(res["healthChecks"]) > 1:
            raise invalid("A target pool can have at most one health check.")
        if not res["healthChecks"]:
            del res["healthChecks"]
        res.setdefault("sessionAffinity", "NONE")

    @staticmethod
    def _instance(api: Compute, ref: Ref, value: str, field: str) -> str:
        target = resolve(api, ref, value, field, "instances", "instance", scope="")
        if target.scope.split("/")[1].rsplit("-", 1)[0] != ref.scope.split("/")[1]:
            raise invalid_field(field, value, "The instance is not in the target pool's region.")
        return target.link

    def add_instance(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        links = [self._instance(api, ref, i.get("instance", ""), f"request.instances[{n}]")
                 for n, i in enumerate(body.get("instances") or [])]
        res["instances"] = list(dict.fromkeys([*(res.get("instances") or []), *links]))
        return api.operation(ref, "addInstance", res)

    def remove_instance(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        drop = {i.get("instance", "").split("/compute/v1/")[-1] for i in body.get("instances") or []}
        res["instances"] = [i for i in res.get("instances") or [] if i.split("/compute/v1/")[-1] not in drop]
        return api.operation(ref, "removeInstance", res)

    def add_health_check(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        links = [resolve(api, ref, h.get("healthCheck", ""), f"request.healthChecks[{n}]", "httpHealthChecks",
                         "http health check", "global").link for n, h in enumerate(body.get("healthChecks") or [])]
        merged = list(dict.fromkeys([*(res.get("healthChecks") or []), *links]))
        if len(merged) > 1:
            raise invalid("A target pool can have at most one health check.")
        res["healthChecks"] = merged
        return api.operation(ref, "addHealthCheck", res)

    def remove_health_check(self, api: Compute, ref: Ref, res: Body, body: Body, query: dict[str, str]) -> Body:
        drop = {h.get("healthCheck", "").split("/compute/v1/")[-1] for h in body.get("healthChecks") or []}
        res["healthChecks"] = [h for h in res.get("healthChecks") or []
                               if h.split("/compute/v1/")[-1] not in drop]
        return api.operation(ref, "removeHealthCheck", res)


class BackendServices(Kind):
    collection = "backendServices"
    scopes = ("global", "regions")
    kind = "compute#backendService"
    word = "backend_service"
    blockers = ("forwardingRules",)
    mutable = ("patch", "update")
    output_only = ("fingerprint",)

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        res.setdefault("loadBalancingScheme", "EXTERNAL")
        res.setdefault("protocol", "TCP" if ref.scope != "global" else "HTTP")
        res.setdefault("sessionAffinity", "NONE")
        res.setdefault("timeoutSec", 30)
        for i, backend in enumerate(res.get("backends") or []):
            group = resolve(api, ref, backend.get("group", ""), f"resource.backends[{i}].group", "instanceGroups",
                            "instance group", scope="")
            backend["group"] = group.link
            backend.setdefault("balancingMode", "CONNECTION" if res["protocol"] in ("TCP", "UDP") else
                               "UTILIZATION")
        for i, hc in enumerate(res.get("healthChecks") or []):
            res["healthChecks"][i] = resolve(api, ref, hc, f"resource.healthChecks[{i}]", "healthChecks",
                                             "health check").link
        if res["loadBalancingScheme"] == "INTERNAL":
            # An internal passthrough load balancer balances connections by count.
            for i, backend in enumerate(res.get("backends") or []):
                if backend["balancingMode"] != "CONNECTION":
                    raise invalid_field(f"resource.backends[{i}].balancingMode", backend["balancingMode"],
                                        "Balancing mode must be CONNECTION for an INTERNAL backend service.")
        if res.get("network"):
            network_of(api, ref, res)
        res["fingerprint"] = fingerprint()


class HealthChecks(Kind):
    collection = "healthChecks"
    scopes = ("global", "regions")
    kind = "compute#healthCheck"
    word = "health_check"
    blockers = ("backendServices",)
    mutable = ("patch", "update")

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        kinds = {"TCP": "tcpHealthCheck", "SSL": "sslHealthCheck", "HTTP": "httpHealthCheck",
                 "HTTPS": "httpsHealthCheck", "HTTP2": "http2HealthCheck", "GRPC": "grpcHealthCheck"}
        if res.get("type") not in kinds:
            raise invalid_field("resource.type", res.get("type", ""), "Unknown health check type.")
        res.setdefault(kinds[res["type"]], {})
        res[kinds[res["type"]]].setdefault("port", 80 if res["type"] != "HTTPS" else 443)
        res[kinds[res["type"]]].setdefault("proxyHeader", "NONE")
        for key, default in (("checkIntervalSec", 5), ("timeoutSec", 5), ("healthyThreshold", 2),
                             ("unhealthyThreshold", 2)):
            res.setdefault(key, default)
        if res["timeoutSec"] > res["checkIntervalSec"]:
            raise invalid("timeoutSec must be less than or equal to checkIntervalSec.")


class HttpHealthChecks(Kind):
    collection = "httpHealthChecks"
    kind = "compute#httpHealthCheck"
    word = "http_health_check"
    blockers = ("targetPools",)
    mutable = ("patch", "update")

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        for key, default in (("port", 80), ("requestPath", "/"), ("checkIntervalSec", 5), ("timeoutSec", 5),
                             ("healthyThreshold", 2), ("unhealthyThreshold", 2)):
            res.setdefault(key, default)


def kinds() -> list[Kind]:
    return [ForwardingRules(), TargetPools(), BackendServices(), HealthChecks(), HttpHealthChecks()]
