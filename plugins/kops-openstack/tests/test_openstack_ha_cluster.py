"""An HA cluster on the openstack testbed's real services, through the installed ``kops`` only, kept in Swift
(``swift://``): three control-plane servers behind an Octavia API load balancer and two nodes are planned, applied
and re-planned to no changes, listed, rolled after a flavor change (and a control-plane server replaced by force),
and deleted leaving nothing of the cluster. The kubeconfig reaches the API at the load balancer's floating IP."""

from __future__ import annotations

import json
from typing import Any

import yaml
from kops_openstack.testing import seed
from kops_openstack.testing.leftovers import leftovers


def ok(result: Any) -> Any:
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result


def connect(env: dict[str, str]) -> Any:
    import openstack

    return openstack.connect(auth_url=env["OS_AUTH_URL"], username=env["OS_USERNAME"], password=env["OS_PASSWORD"],
                             project_name=env["OS_PROJECT_NAME"], user_domain_name=env["OS_USER_DOMAIN_NAME"],
                             project_domain_name=env["OS_PROJECT_DOMAIN_NAME"], region_name=env["OS_REGION_NAME"])


def instances(cloud_kops: Any, name: str) -> list[dict[str, Any]]:
    return json.loads(ok(cloud_kops("get", "instances", name, "-o", "json")).stdout)


def api_balancer(conn: Any, cluster_name: str) -> dict[str, Any]:
    """What Octavia holds of the API load balancer: its VIP port, listeners, pools with their members and monitor."""
    (balancer,) = [b for b in conn.load_balancer.load_balancers() if b.name == f"api.{cluster_name}"]
    pools = [conn.load_balancer.get_pool(p["id"]) for p in balancer.pools]
    return {"status": balancer.provisioning_status, "vip_port": balancer.vip_port_id,
            "listeners": [(x.protocol, x.protocol_port, sorted(x.allowed_cidrs or []))
                          for x in (conn.load_balancer.get_listener(li["id"]) for li in balancer.listeners)],
            "pools": [(p.name, p.protocol, p.lb_algorithm) for p in pools],
            "monitors": [(m.type, m.delay, m.timeout, m.max_retries)
                         for m in (conn.load_balancer.get_health_monitor(p.health_monitor_id) for p in pools)],
            "members": sorted((m.name, m.address, m.protocol_port) for p in pools for m in conn.load_balancer.members(p))}


def test_ha_cluster_behind_octavia(cloud_kops: Any, cloud_env: dict[str, str], cluster_name: str,
                                   tmp_path: Any) -> None:
    assert cloud_env["KOPS_STATE_STORE"].startswith("swift://")
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "openstack", "--zones", "zone-1,zone-2",
                  "--control-plane-count", "3", "--node-count", "2", "--network-cidr", "10.0.0.0/16",
                  "--image", seed.IMAGE, "--control-plane-size", seed.FLAVOR, "--node-size", seed.FLAVOR,
                  "--os-ext-net", seed.EXTERNAL_NETWORK, "--networking", "calico",
                  "--api-loadbalancer-type", "public", "--os-octavia"))
    planned = json.loads(ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout)["changes"]
    assert {"LoadBalancer", "LBListener", "LBPool", "LBMonitor", "LBMember"} <= {c["type"] for c in planned}
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    replan = cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr

    conn = connect(cloud_env)
    servers = {s.name: s for s in conn.compute.servers(details=True)
               if (s.metadata or {}).get("KubernetesCluster") == cluster_name}
    ports = {p.name: p for p in conn.network.ports(tags=f"KubernetesCluster={cluster_name}")}
    control_plane = sorted(n for n, s in servers.items() if s.metadata.get("KopsRole") == "ControlPlane")
    assert len(control_plane) == 3
    slots = sorted(servers[n].metadata["KopsName"] for n in control_plane)
    expected_members = sorted((slot, ports[f"port-{slot}"].fixed_ips[0]["ip_address"], 443) for slot in slots)
    balancer = api_balancer(conn, cluster_name)
    assert balancer == {
        "status": "ACTIVE", "vip_port": ports[f"port-api.{cluster_name}"].id,
        "listeners": [("TCP", 443, ["0.0.0.0/0"])], "pools": [(f"api.{cluster_name}-https", "TCP", "ROUND_ROBIN")],
        "monitors": [("TCP", 10, 5, 3)], "members": expected_members}
    (floating,) = [f for f in conn.network.ips(tags=f"KubernetesCluster={cluster_name}")
                   if f.description == f"fip-api.{cluster_name}"]
    assert floating.port_id == ports[f"port-api.{cluster_name}"].id

    kubeconfig = tmp_path / "kubeconfig"
    ok(cloud_kops("export", "kubeconfig", cluster_name, "--admin", "--kubeconfig", str(kubeconfig)))
    (entry,) = yaml.safe_load(kubeconfig.read_text())["clusters"]
    assert entry["cluster"]["server"] == f"https://{floating.floating_ip_address}"

    listed = instances(cloud_kops, cluster_name)
    assert sorted(i["role"] for i in listed) == ["control-plane"] * 3 + ["node"] * 2
    assert {i["status"] for i in listed} == {"UpToDate"}
    for group in ("nodes-zone-1", "nodes-zone-2"):
        ok(cloud_kops("edit", "instancegroup", group, "--name", cluster_name, "--set",
                      f"spec.machineType={seed.FLAVOR_ALT}"))
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    stale = {i["id"] for i in instances(cloud_kops, cluster_name) if i["status"] == "NeedsUpdate"}
    assert stale == {i["id"] for i in listed if i["role"] == "node"}
    ok(cloud_kops("rolling-update", "cluster", cluster_name, "--cloudonly", "--yes"))
    nodes = [i for i in instances(cloud_kops, cluster_name) if i["role"] == "node"]
    assert len(nodes) == 2 and not {i["id"] for i in nodes} & stale
    assert {(i["status"], i["machineType"]) for i in nodes} == {("UpToDate", seed.FLAVOR_ALT)}

    # A control-plane server replaced keeps its port, so the load balancer sends to the new one unchanged.
    first = sorted((i for i in instances(cloud_kops, cluster_name) if i["role"] == "control-plane"),
                   key=lambda i: i["instanceGroup"])
    group = first[0]["instanceGroup"]
    ok(cloud_kops("rolling-update", "cluster", cluster_name, "--cloudonly", "--yes", "--force",
                  "--instance-group", group))
    after = {i["id"] for i in instances(cloud_kops, cluster_name) if i["instanceGroup"] == group}
    assert after and not after & {i["id"] for i in first if i["instanceGroup"] == group}
    assert api_balancer(conn, cluster_name)["members"] == expected_members
    replan = cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr

    ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert leftovers(cloud_env, cluster_name) == []
    assert not [b for b in conn.load_balancer.load_balancers() if b.name == f"api.{cluster_name}"]
