"""The cluster's network, as upstream's GCE model lays it out:

- a custom-mode network named after the cluster (:func:`kops_gce.names.truncated_cluster_name`), or the user's
  network named by ``spec.networkID`` (``name`` or ``project/name``), only looked up;
- a subnetwork per ``spec.subnets`` entry in the cluster's region, named ``<subnet>-<cluster>``, or the user's
  subnetwork named by the entry's ``id``, only looked up; with IP aliases (``networking: gce``, kindnet) each
  holds the pods' (``podCIDR``) and services' (``serviceClusterIPRange``) secondary ranges, named
  ``pods-<cluster>`` and ``services-<cluster>``; an IPv6-only cluster's subnetworks are dual-stack;
- where private (or dual-stack) subnets kops makes send their traffic out through it (``egress`` unset or
  ``NatGateway``), a router ``nat-<cluster>`` with a Cloud NAT serving them; ``egress: External`` leaves their
  egress to the user, as does a subnet given by ``id``.

Other builders find these tasks with :func:`network_of` and :func:`subnetwork_of`.
"""

from __future__ import annotations

from typing import Any

from kops.addons.facts import ipv6_only
from kops.engine import Lifecycle, Task
from kops.errors import KopsError

from kops_gce import names
from kops_gce.labels import owner_description
from kops_gce.network import uses_ip_aliases
from kops_gce.tasks.network import Network
from kops_gce.tasks.router import AUTO_ONLY, LIST_OF_SUBNETWORKS, Router
from kops_gce.tasks.subnetwork import Subnetwork

#: What a shared network or subnetwork's tasks do: look it up, and refuse to go on when it is missing.
SHARED = Lifecycle.EXISTS_AND_VALIDATES
#: Subnet types whose machines have no external address, so reach out through the NAT.
PRIVATE_TYPES = ("Private", "DualStack")


def parse_network_id(network_id: str) -> tuple[str, str | None]:
    """``spec.networkID`` as (name, project): ``name`` or ``project/name``; anything else is an error."""
    parts = network_id.split("/")
    if len(parts) == 1:
        return network_id, None
    if len(parts) == 2 and all(parts):
        return parts[1], parts[0]
    raise KopsError(f"spec.networkID: {network_id!r} is neither NAME nor PROJECT/NAME")


def network_name(model: Any) -> str:
    """The network's task (and GCE) name."""
    network_id = model.cluster.spec.networkID
    return parse_network_id(network_id)[0] if network_id else names.truncated_cluster_name(model.cluster_name)


def subnetwork_name(model: Any, subnet: Any) -> str:
    """A subnet's subnetwork task (and GCE) name: its ``id`` when shared, else ``<subnet>-<cluster>``."""
    return subnet.id or names.suffixed(subnet.name, model.cluster_name)


def network_of(model: Any) -> Network:
    """The cluster's network task, made by this module's builder."""
    return model.get("Network", network_name(model))


def subnetwork_of(model: Any, subnet_name: str) -> Subnetwork:
    """The subnetwork task of the ``spec.subnets`` entry named ``subnet_name``."""
    subnet = next((s for s in model.subnets if s.name == subnet_name), None)
    if subnet is None:
        raise KopsError(f"spec.subnets: no subnet named {subnet_name!r}")
    return model.get("Subnetwork", subnetwork_name(model, subnet))


def secondary_range_names(model: Any) -> tuple[str, str]:
    """The names of the pods' and the services' secondary ranges (IP aliases)."""
    return names.suffixed("pods", model.cluster_name), names.suffixed("services", model.cluster_name)


class NetworkBuilder:
    def build(self, model: Any) -> list[Task]:
        spec = model.cluster.spec
        description = owner_description(model)
        if spec.networkID:
            name, project = parse_network_id(spec.networkID)
            network = Network(name=name, lifecycle=SHARED, project=project)
        else:
            network = Network(name=network_name(model), mode="custom", description=description)
        tasks: list[Task] = [network]
        subnets: dict[str, Subnetwork] = {}
        aliases = uses_ip_aliases(model.cluster.to_dict()["spec"].get("networking"))
        dual_stack = ipv6_only(model.cluster)
        pods, services = secondary_range_names(model)
        for subnet in model.subnets:
            ranges: dict[str, str] = {}
            if aliases:
                for field, range_name, cidr in (("podCIDR", pods, spec.podCIDR),
                                                ("serviceClusterIPRange", services, spec.serviceClusterIPRange)):
                    if not cidr:
                        raise KopsError(f"spec.{field}: required for the subnetworks' secondary ranges with IP "
                                        "aliases (networking: gce)")
                    ranges[range_name] = cidr
            task = Subnetwork(name=subnetwork_name(model, subnet), network=network, region=model.region,
                              cidr=subnet.cidr or None, secondary_ranges=ranges)
            if subnet.id:
                task.lifecycle, task.project = SHARED, network.project
                task.secondary_ranges = ranges or None  # a shared subnetwork's other ranges are its owner's
            else:
                if not subnet.cidr:
                    raise KopsError(f"spec.subnets[{subnet.name}].cidr: required for a subnet kops makes")
                task.description = description
                task.stack_type = "IPV4_IPV6" if dual_stack else "IPV4_ONLY"
                task.ipv6_access_type = "EXTERNAL" if dual_stack else None
            subnets[subnet.name] = task
            tasks.append(task)
        natted = [subnets[s.name] for s in model.subnets if self._natted(s)]
        if natted:
            tasks.append(Router(name=names.suffixed("nat", model.cluster_name), network=network, region=model.region,
                                nat_ip_allocate_option=AUTO_ONLY, source_subnetwork_ip_ranges_to_nat=LIST_OF_SUBNETWORKS,
                                subnetworks=natted, description=description))
        return tasks

    @staticmethod
    def _natted(subnet: Any) -> bool:
        """Whether the NAT serves a subnet: a private one kops makes, unless its egress is the user's."""
        if subnet.type not in PRIVATE_TYPES or subnet.id:
            return False
        egress = subnet.egress or ""
        if egress == "External":
            return False
        if egress not in ("", "NatGateway"):
            raise KopsError(f"spec.subnets[{subnet.name}].egress: {egress!r} is not supported on GCE "
                            "(NatGateway or External)")
        return True


BUILDERS = [NetworkBuilder()]
