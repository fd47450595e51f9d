"""How a Droplet proves who it is to the node credential service: the machine key kops tags each Droplet with when
it makes it, read on the Droplet from its metadata service (here a stand-in serving ``/metadata/v1.json`` built
from the fake API's Droplet) and by the service from the DO API, on a cluster ``kops update cluster --yes`` made."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import digitalocean
import pytest
import requests
import yaml
from kops.cloud import NodeIdentityRefused
from kops.nodeup import machinekey
from kops_digitalocean.cloud import DigitalOceanCloud
from kops_digitalocean.identity import METADATA_URL_VARIABLE, SCHEME

CLOUD = DigitalOceanCloud()
BODY = b'{"apiVersion":"bootstrap.kops.k8s.io/v1alpha1"}'


def ok(result: Any) -> Any:
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result


def _droplets(env: dict[str, str]) -> list[dict[str, Any]]:
    api = digitalocean.Manager(token=env["DIGITALOCEAN_ACCESS_TOKEN"], end_point=env["DIGITALOCEAN_END_POINT"])
    return api.get_data("droplets")["droplets"]


def _key(droplet: dict[str, Any]) -> str:
    return next(t.split(":", 1)[1] for t in droplet["tags"] if t.startswith("kops-machine-key:"))


class _Metadata:
    """A Droplet's metadata service: ``droplet_id`` and ``tags`` of the Droplet it stands in for."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                found = self.path == "/metadata/v1.json"
                data = json.dumps(outer.document).encode()
                self.send_response(200 if found else 404)
                self.end_headers()
                self.wfile.write(data if found else b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/metadata/v1.json"

    def be(self, droplet: dict[str, Any]) -> None:
        self.document = {"droplet_id": droplet["id"], "hostname": droplet["name"], "tags": droplet["tags"]}


@pytest.fixture
def made(cloud_kops, cloud_env, cluster_name, monkeypatch):
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "digitalocean", "--zones", "nyc1",
                  "--node-count", "1", "--networking", "cni"))
    printed = [ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout]
    applied = ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    printed += [applied.stdout, applied.stderr]
    cluster = json.loads(ok(cloud_kops("get", "cluster", cluster_name, "-o", "json")).stdout)
    groups = {g["metadata"]["name"]: g for g in json.loads(
        ok(cloud_kops("get", "instancegroups", "--name", cluster_name, "-o", "json")).stdout)}
    for name in ("DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_END_POINT"):
        monkeypatch.setenv(name, cloud_env[name])
    metadata = _Metadata()
    monkeypatch.setenv(METADATA_URL_VARIABLE, metadata.url)
    yield {"cluster": cluster, "groups": groups, "printed": printed, "metadata": metadata}
    metadata.server.shutdown()
    if cloud_kops("get", "cluster", cluster_name).returncode == 0:  # the testbed is shared: leave nothing on it
        ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))


def _group_of(droplet: dict[str, Any]) -> str:
    return next(t.split(":", 1)[1] for t in droplet["tags"] if t.startswith("kops-instancegroup:"))


def test_a_droplet_kops_made_proves_who_it_is(made, cloud_kops, cloud_env, cluster_name):
    droplets = _droplets(cloud_env)
    node = next(d for d in droplets if _group_of(d).startswith("nodes"))
    made["metadata"].be(node)
    proof = CLOUD.node_identity_proof(BODY)
    assert proof.startswith(f"{SCHEME} {node['id']} ")
    identity = CLOUD.verify_node_identity(made["cluster"], made["groups"], proof, BODY, _group_of(node))
    private = next(n["ip_address"] for n in node["networks"]["v4"] if n["type"] == "private")
    public = next(n["ip_address"] for n in node["networks"]["v4"] if n["type"] == "public")
    assert (identity.instance_id, identity.instance_group, identity.node_name) == (str(node["id"]),
                                                                                 _group_of(node), private)
    assert public in identity.addresses and private in identity.addresses
    found = CLOUD.identify_node(made["cluster"], f"digitalocean://{node['id']}")
    assert found is not None and found.instance_group == _group_of(node)
    assert CLOUD.identify_node(made["cluster"], "digitalocean://999999999") is None

    # Refused: another body, a stale proof, a wrong key, a group it is not in.
    refusals = {
        "another body": (proof, b"{}", _group_of(node)),
        "stale": (machinekey.sign(SCHEME, str(node["id"]), _key(node), BODY, now=time.time() - 600), BODY,
                  _group_of(node)),
        "wrong key": (machinekey.sign(SCHEME, str(node["id"]), machinekey.new_key(), BODY), BODY, _group_of(node)),
        "other group": (proof, BODY, next(g for g in made["groups"] if g != _group_of(node))),
    }
    for why, (authorization, body, group) in refusals.items():
        with pytest.raises(NodeIdentityRefused):
            CLOUD.verify_node_identity(made["cluster"], made["groups"], authorization, body, group)
            pytest.fail(why)

    # Refused: a Droplet of another cluster (it carries no tag of this one).
    other = {**made["cluster"], "metadata": {**made["cluster"]["metadata"], "name": "other.example.com"}}
    with pytest.raises(NodeIdentityRefused, match="does not belong"):
        CLOUD.verify_node_identity(other, made["groups"], proof, BODY, _group_of(node))

    # The key is in no plan, no output, no user data, no state store object.
    keys = [_key(d) for d in droplets]
    assert len(set(keys)) == len(droplets)
    replan = ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout
    assert json.loads(replan)["changes"] == []
    user_data = [requests.get(cloud_env["DIGITALOCEAN_END_POINT"].replace("/v2/", f"/fake-api/droplets/{d['id']}/user_data"),
                              timeout=10).text for d in droplets]
    assert all(len(u) > 100 for u in user_data)
    for text in [*made["printed"], replan, *user_data]:
        assert not any(k in text for k in keys)
    state = ok(cloud_kops("get", "cluster", cluster_name, "--full", "-o", "yaml")).stdout
    assert not any(k in state for k in keys)

    # A Droplet deleted by delete instance is refused, and its key tag goes with it; delete cluster leaves no key tag.
    api = digitalocean.Manager(token=cloud_env["DIGITALOCEAN_ACCESS_TOKEN"],
                               end_point=cloud_env["DIGITALOCEAN_END_POINT"])

    def key_tags() -> set[str]:
        return {t["name"] for t in api.get_data("tags")["tags"] if t["name"].startswith("kops-machine-key:")}

    assert key_tags() == {f"kops-machine-key:{k}" for k in keys}
    ok(cloud_kops("delete", "instance", str(node["id"]), "--name", cluster_name, "--yes", "--cloudonly",
                  "--surge=false"))
    with pytest.raises(NodeIdentityRefused, match="does not exist"):
        CLOUD.verify_node_identity(made["cluster"], made["groups"], CLOUD.node_identity_proof(BODY), BODY,
                                   _group_of(node))
    assert f"kops-machine-key:{_key(node)}" not in key_tags() and len(key_tags()) == len(droplets)
    ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert key_tags() == set()


def test_both_sides_run_from_the_node_bundle_with_the_standard_library_alone(made, cloud_env, tmp_path):
    """The proof and its check run on machines from the node bundle, which holds no SDK: neither imports
    python-digitalocean or requests."""
    from kops.nodeup.bundle import node_bundle

    lib = tmp_path / "lib"
    for path, text in json.loads(node_bundle("kops_digitalocean.cloud").archive)["files"].items():
        (lib / path).parent.mkdir(parents=True, exist_ok=True)
        (lib / path).write_text(text)
    node = next(d for d in _droplets(cloud_env) if _group_of(d).startswith("nodes"))
    made["metadata"].be(node)
    script = (f"import json, sys; sys.path.insert(0, {str(lib)!r})\n"
              "from kops_digitalocean.cloud import DigitalOceanCloud\n"
              "cluster, groups, group, body = json.loads(sys.stdin.read()); body = body.encode()\n"
              "cloud = DigitalOceanCloud()\n"
              "i = cloud.verify_node_identity(cluster, groups, cloud.node_identity_proof(body), body, group)\n"
              "print(json.dumps([i.instance_id, sorted({m.split('.')[0] for m in sys.modules} & "
              "{'digitalocean', 'requests', 'urllib3', 'pydantic'})]))\n")
    done = subprocess.run([sys._base_executable, "-S", "-c", script], capture_output=True, text=True, timeout=60,
                          input=json.dumps([made["cluster"], made["groups"], _group_of(node), BODY.decode()]))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [str(node["id"]), []]


def test_a_workers_nodeup_gets_its_kubelet_credentials_over_https(made, cloud_env, cluster_name, tmp_path):
    """``kops controller serve`` issues a worker Droplet's kubelet certificate, for its private address (the Node's
    name), to ``kops nodeup`` signing with the Droplet's machine key."""
    kops = str(Path(sys.executable).parent / "kops")
    env = {**cloud_env, METADATA_URL_VARIABLE: made["metadata"].url}
    service = subprocess.Popen([kops, "controller", "serve", cluster_name, "--listen", "127.0.0.1:0",
                                "--label-interval", "0"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        while port is None:
            line = service.stderr.readline()
            assert line, "the service stopped before it listened"
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = found and found.group(1)
        node = next(d for d in _droplets(cloud_env) if _group_of(d).startswith("nodes"))
        made["metadata"].be(node)
        config = f"{env['KOPS_STATE_STORE']}/{cluster_name}/igconfig/node/{_group_of(node)}/nodeupconfig.yaml"
        done = subprocess.run([kops, "nodeup", "--config", config, "--root", str(tmp_path), "--arch", "amd64",
                               "--bootstrap-server", f"https://127.0.0.1:{port}"], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        kubeconfig = yaml.safe_load((tmp_path / "var/lib/kubelet/kubeconfig").read_text())
        cert = tmp_path / "kubelet.crt"
        cert.write_bytes(base64.b64decode(kubeconfig["users"][0]["user"]["client-certificate-data"]))
        subject = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-subject"], capture_output=True,
                                 text=True, check=True).stdout
        private = next(n["ip_address"] for n in node["networks"]["v4"] if n["type"] == "private")
        assert subject.strip() == f"subject=O = system:nodes, CN = system:node:{private}"
    finally:
        service.terminate()
        service.wait(timeout=30)
