"""What an OpenStack cloud still holds of a cluster, for tests: every resource tagged or with metadata for it,
load balancers, server groups named for it, and its key pairs."""

from __future__ import annotations

import os
from typing import Any


def leftovers(env: dict[str, str], cluster_name: str) -> list[str]:
    import openstack

    from kops_openstack.labels import cluster_tag, owned_metadata

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        conn: Any = openstack.connect()
        tag = cluster_tag(cluster_name)
        net = conn.network
        found = [f"{kind} {r.name or r.id}" for kind, listing in (
            ("network", net.networks), ("subnet", net.subnets), ("router", net.routers), ("port", net.ports),
            ("security group", net.security_groups), ("floating IP", net.ips)) for r in listing(tags=tag)]
        found += [f"load balancer {b.name}" for b in conn.load_balancer.load_balancers()
                  if tag in (b.tags or []) or b.name == f"api.{cluster_name}"]
        found += [f"server {s.name}" for s in conn.compute.servers(details=True) if owned_metadata(s.metadata,
                                                                                                 cluster_name)]
        found += [f"volume {v.name}" for v in conn.block_storage.volumes(details=True)
                  if owned_metadata(v.metadata, cluster_name)]
        found += [f"server group {g.name}" for g in conn.compute.server_groups()
                  if g.name.startswith(f"{cluster_name}-")]
        prefix = f"kubernetes-{cluster_name.replace('.', '-')}-"
        found += [f"key pair {k.name}" for k in conn.compute.keypairs() if k.name.startswith(prefix)]
        return sorted(found)
    finally:
        os.environ.clear()
        os.environ.update(saved)
