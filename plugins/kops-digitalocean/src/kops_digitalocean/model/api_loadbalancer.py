"""The API's load balancer, where the cluster reaches its API through one (upstream's
``APILoadBalancerModelBuilder``): see :mod:`kops_digitalocean.tasks.load_balancer`."""

from __future__ import annotations

from typing import Any

from kops.model import CONTROL_PLANE, ModelContext

from kops_digitalocean.model.network import vpc_of
from kops_digitalocean.tags import load_balancer_name, role_tag
from kops_digitalocean.tasks.load_balancer import LoadBalancer

API_PORT = 443
#: kops-controller's port, which nodes reach through the load balancer without DNS.
KOPS_CONTROLLER_PORT = 3988
FORWARDING_RULES = [
    {"entry_protocol": "https", "entry_port": API_PORT, "target_protocol": "https", "target_port": API_PORT,
     "tls_passthrough": True},
    {"entry_protocol": "http", "entry_port": 80, "target_protocol": "http", "target_port": 80,
     "tls_passthrough": False},
    {"entry_protocol": "https", "entry_port": KOPS_CONTROLLER_PORT, "target_protocol": "https",
     "target_port": KOPS_CONTROLLER_PORT, "tls_passthrough": True},
]
HEALTH_CHECK = {"protocol": "tcp", "port": API_PORT, "check_interval_seconds": 60, "response_timeout_seconds": 5,
                "unhealthy_threshold": 3, "healthy_threshold": 5}


def uses_load_balancer(model: ModelContext) -> bool:
    api = model.cluster.spec.api
    return api is not None and api.loadBalancer is not None


class APILoadBalancerBuilder:
    def build(self, model: ModelContext) -> list[Any]:
        if not uses_load_balancer(model):
            return []
        return [LoadBalancer(name=load_balancer_name(model.cluster_name), region=model.region,
                             droplet_tag=role_tag(model.cluster_name, CONTROL_PLANE), vpc=vpc_of(model),
                             forwarding_rules=[dict(r) for r in FORWARDING_RULES], health_check=dict(HEALTH_CHECK))]
