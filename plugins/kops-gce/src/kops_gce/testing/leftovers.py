"""What a GCE project still holds of a cluster, for tests that delete one: every Compute resource labelled for
it, described as its own, or named with its name, and its service accounts; as ``collection/name`` strings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kops_gce.clients import compute_client
from kops_gce.labels import owned
from kops_gce.names import safe_cluster_name

#: The Compute collections a cluster may have resources in: (client, whether it is zonal or regional).
COLLECTIONS = (
    ("Networks", False), ("Firewalls", False), ("InstanceTemplates", False),
    ("Subnetworks", True), ("Routers", True), ("Addresses", True), ("ForwardingRules", True),
    ("TargetPools", True), ("BackendServices", True), ("HealthChecks", True), ("Disks", True),
    ("Instances", True), ("InstanceGroupManagers", True),
)


def leftovers(env: Mapping[str, str], cluster_name: str) -> list[str]:
    from google.cloud import compute_v1

    from kops_gce.api import as_dict

    project = env["GOOGLE_CLOUD_PROJECT"]
    safe = safe_cluster_name(cluster_name)
    found = []
    for name, scoped in COLLECTIONS:
        client = compute_client(getattr(compute_v1, name + "Client"), env)
        items: list[Any] = []
        if scoped:
            for _, page in client.aggregated_list(project=project):
                items += [item for field in type(page).meta.fields if field != "warning"
                          for item in getattr(page, field)]
        else:
            items = list(client.list(project=project))
        for item in items:
            res = as_dict(item)
            if owned(res, cluster_name) or res.get("name", "").endswith(safe) or safe in res.get("name", ""):
                found.append(f"{name}/{res['name']}")
    # google-cloud-compute has no client for the legacy HTTP health checks: plain REST.
    for res in _http_health_checks(env, project):
        if owned(res, cluster_name) or res.get("name", "").endswith(safe) or safe in res.get("name", ""):
            found.append(f"HttpHealthChecks/{res['name']}")
    found += [f"serviceAccounts/{a}" for a in _service_accounts(env, project) if safe[:9] in a]
    return sorted(found)


def _http_health_checks(env: Mapping[str, str], project: str) -> list[dict[str, Any]]:
    import json
    import urllib.request

    base = env.get("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", "https://compute.googleapis.com/compute/v1/")
    with urllib.request.urlopen(f"{base.rstrip('/')}/projects/{project}/global/httpHealthChecks",
                                timeout=30) as response:
        return json.loads(response.read()).get("items") or []


def _service_accounts(env: Mapping[str, str], project: str) -> list[str]:
    import json
    import urllib.request

    base = env.get("CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM", "https://iam.googleapis.com/").rstrip("/")
    with urllib.request.urlopen(f"{base}/v1/projects/{project}/serviceAccounts", timeout=30) as response:
        accounts = json.loads(response.read()).get("accounts") or []
    return [a["email"] for a in accounts]
