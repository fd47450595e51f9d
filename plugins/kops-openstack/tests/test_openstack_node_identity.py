"""How an OpenStack server proves who it is to the node credential service: a server kops made signs with the
machine key in its metadata, read from its metadata service (here a stand-in serving what Nova holds of the server,
as Nova's metadata API would); the service checks the proof against the real Nova of the openstack testbed."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kops.cloud import NodeIdentityRefused
from kops_openstack import identity
from kops_openstack.cloud import OpenstackCloud
from kops_openstack.labels import MACHINE_KEY
from kops_openstack.testing import seed
from kops_openstack.testing.leftovers import leftovers
from test_openstack_ha_cluster import connect, ok

BODY = json.dumps({"apiVersion": "bootstrap.kops.k8s.io/v1alpha1", "certs": {"kubelet": "..."}}).encode()


@pytest.fixture
def metadata_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A metadata service answering ``meta_data.json`` with the document put in the yielded dict."""
    document: dict[str, Any] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = json.dumps(document).encode()
            self.send_response(200 if self.path == "/openstack/latest/meta_data.json" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(identity.METADATA_URL_VARIABLE,
                       f"http://127.0.0.1:{server.server_port}/openstack/latest/meta_data.json")
    yield document
    server.shutdown()


def test_a_server_kops_made_proves_who_it_is(cloud_kops: Any, cloud_env: dict[str, str], cluster_name: str,
                                             metadata_service: dict[str, Any]) -> None:
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "openstack", "--zones", "zone-1",
                  "--network-cidr", "10.0.0.0/16", "--image", seed.IMAGE, "--control-plane-size", seed.FLAVOR,
                  "--node-size", seed.FLAVOR, "--os-ext-net", seed.EXTERNAL_NETWORK, "--networking", "calico"))
    plan = ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    try:
        conn = connect(cloud_env)
        servers = {s.metadata["KopsInstanceGroup"]: s for s in conn.compute.servers(details=True)
                   if (s.metadata or {}).get("KubernetesCluster") == cluster_name}
        node, control_plane = servers["nodes-zone-1"], servers["control-plane-zone-1"]
        key = node.metadata[MACHINE_KEY]
        assert key != control_plane.metadata[MACHINE_KEY]
        cluster = json.loads(ok(cloud_kops("get", "cluster", cluster_name, "-o", "json")).stdout)
        groups = {g["metadata"]["name"]: g for g in json.loads(
            ok(cloud_kops("get", "instancegroups", "--name", cluster_name, "-o", "json")).stdout)}
        nova = identity.Nova(cloud_env)

        # The machine's side: its ID and key from the metadata service.
        metadata_service.update(uuid=node.id, name=node.name, meta=node.metadata)
        proof = OpenstackCloud().node_identity_proof(BODY)
        assert key not in proof
        who = identity.verify(cluster, groups, proof, BODY, "nodes-zone-1", client=nova)
        assert (who.instance_id, who.instance_group, who.node_name) == (node.id, "nodes-zone-1", node.name)
        assert node.name in who.addresses and len(who.addresses) >= 2
        assert identity.identify(cluster, f"openstack:///{node.id}", client=nova) == who
        assert identity.identify(cluster, "openstack:///00000000-0000-0000-0000-000000000000", client=nova) is None

        refusals = {
            "for another body": (proof, b"{}", "nodes-zone-1", None),
            "stale": (proof, BODY, "nodes-zone-1", time.time() + 400),
            "signed with another key": (identity.machinekey.sign(identity.SCHEME, node.id, "0" * 64, BODY), BODY,
                                        "nodes-zone-1", None),
            "asking for another group": (proof, BODY, "control-plane-zone-1", None),
            "naming another server": (identity.machinekey.sign(identity.SCHEME, control_plane.id, key, BODY), BODY,
                                      "control-plane-zone-1", None),
            "naming no server": (identity.machinekey.sign(identity.SCHEME, "00000000-0000-0000-0000-000000000000", key,
                                                          BODY), BODY, "nodes-zone-1", None),
        }
        reasons = {}
        for case, (header, body, group, now) in refusals.items():
            with pytest.raises(NodeIdentityRefused) as refused:
                identity.verify(cluster, groups, header, body, group, client=nova, now=now)
            reasons[case] = str(refused.value)
        assert "not for this request's body" in reasons["for another body"]
        assert "outside the five minutes" in reasons["stale"]
        assert "not signed with its key" in reasons["signed with another key"]
        assert "is in instance group nodes-zone-1, not control-plane-zone-1" in reasons["asking for another group"]
        assert "not signed with its key" in reasons["naming another server"]
        assert "does not exist" in reasons["naming no server"]
        other = {**cluster, "metadata": {**cluster["metadata"], "name": "other.example.com"}}
        with pytest.raises(NodeIdentityRefused, match="does not belong to cluster other.example.com"):
            identity.verify(other, groups, proof, BODY, "nodes-zone-1", client=nova)

        # The keys are nowhere but in Nova: not in the plan, a re-plan or the state store.
        replan = cloud_kops("update", "cluster", cluster_name, "-o", "json", "--detailed-exitcode")
        assert replan.returncode == 0, replan.stdout + replan.stderr
        container = cloud_env["KOPS_STATE_STORE"].removeprefix("swift://").split("/")[0]
        stored = b"".join(conn.object_store.download_object(o, container=container)
                          for o in conn.object_store.objects(container, prefix=f"{cluster_name}/"))
        for secret in (key, control_plane.metadata[MACHINE_KEY]):
            assert secret not in plan and secret not in replan.stdout and secret.encode() not in stored
    finally:
        ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert leftovers(cloud_env, cluster_name) == []
    with pytest.raises(NodeIdentityRefused, match="does not exist"):
        identity.verify(cluster, groups, proof, BODY, "nodes-zone-1", client=nova)
