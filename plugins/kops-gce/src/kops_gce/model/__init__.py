"""The GCE model: builders that turn the completed cluster (a :class:`kops.model.ModelContext`) into tasks, as
upstream's GCE model builds them. Each module of :data:`MODULES` holds a ``BUILDERS`` list; they run in this
order, and each finds what earlier ones made in the run's registry (``model.get``):

- ``network``: the network, the regional subnetworks (with IP alias ranges), the router and Cloud NAT;
- ``firewall``: core's traffic between roles and what comes from outside (SSH, the API, node ports);
- ``service_accounts``: each role's service account and its project IAM roles;
- ``etcd``: a persistent disk per etcd member;
- ``groups``: an instance template and a managed instance group per instance group and zone;
- ``api_loadbalancer``: the API's address, forwarding rule and target pool (which it adds to the control plane's
  instance groups) or internal backend service (whose backends are those groups);
- ``storage``: for Terraform output with a ``gs://`` state store, the boot files as storage objects.
"""

from __future__ import annotations

import importlib
from typing import Any

MODULES = ("network", "firewall", "service_accounts", "etcd", "groups", "api_loadbalancer", "storage")


def builders() -> list[Any]:
    found: list[Any] = []
    for module in MODULES:
        found += importlib.import_module(f"kops_gce.model.{module}").BUILDERS
    return found


def project(model: Any) -> str:
    """The cluster's project (``spec.project``)."""
    return str(model.cluster.spec.project or "")
