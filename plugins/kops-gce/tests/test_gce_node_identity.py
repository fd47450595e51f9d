"""How a GCE instance proves who it is to the node credential service: an identity token from its metadata server
whose audience binds the request's body, checked against Google's keys and then against Compute (here the Compute
fake and a stand-in metadata server signing with a test key)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from google.cloud import compute_v1
from kops.cloud import NodeIdentity, NodeIdentityRefused
from kops.errors import KopsError
from kops_gce.clients import compute_client
from kops_gce.cloud import GCECloud
from kops_gce.testing.fakegce import FakeGCE
from kops_gce.testing.metadata import FakeMetadata

P, ZONE, CLUSTER = "kops-test", "us-test1-a", "a.example.com"
IMAGE = "projects/ubuntu-os-cloud/global/images/ubuntu-2404-noble-amd64-v20260615"
WORKERS, OTHER_WORKERS, CONTROL_PLANE, BASTIONS = ("nodes-us-test1-a", "nodes-us-test1-b", "control-plane-us-test1-a",
                                                   "bastions")
CLUSTER_TREE = {"metadata": {"name": CLUSTER},
                "spec": {"project": P, "subnets": [{"name": "us-test1", "region": "us-test1", "type": "Private"}]}}
GROUPS = {WORKERS: {"spec": {"role": "Node"}}, OTHER_WORKERS: {"spec": {"role": "Node"}},
          CONTROL_PLANE: {"spec": {"role": "ControlPlane"}}, BASTIONS: {"spec": {"role": "Bastion"}}}
CLOUD = GCECloud()


def _labels(group: str, *roles: str, cluster: str = "a-example-com") -> dict[str, str]:
    return {"k8s-io-cluster-name": cluster, "k8s-io-instance-group": group, **{f"k8s-io-role-{r}": r for r in roles}}


@pytest.fixture(scope="module")
def gce():
    """The Compute fake with the cluster's instances: name -> the instance as Compute gives it."""
    with FakeGCE([P]) as fake, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", f"{fake.url}/compute/v1/")
        mp.setenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true")
        client = compute_client
        client(compute_v1.NetworksClient).insert(project=P, network_resource=compute_v1.Network(
            name="net", auto_create_subnetworks=False)).result()
        client(compute_v1.SubnetworksClient).insert(project=P, region="us-test1", subnetwork_resource=compute_v1.
                                                    Subnetwork(name="sub", network="global/networks/net",
                                                               ip_cidr_range="10.0.16.0/20")).result()
        instances = client(compute_v1.InstancesClient)
        made = {}
        for name, labels in {"nodes-us-test1-a-w1": _labels(WORKERS, "node"),
                             "control-plane-us-test1-a-c1": _labels(CONTROL_PLANE, "control-plane", "master"),
                             "nodes-b-example-com-x1": _labels(WORKERS, "node", cluster="b-example-com"),
                             "nodes-us-test1-a-stopped": _labels(WORKERS, "node")}.items():
            instances.insert(project=P, zone=ZONE, instance_resource=compute_v1.Instance(
                name=name, machine_type=f"zones/{ZONE}/machineTypes/e2-medium", labels=labels,
                disks=[compute_v1.AttachedDisk(boot=True, auto_delete=True, initialize_params=compute_v1.
                                               AttachedDiskInitializeParams(source_image=IMAGE))],
                network_interfaces=[compute_v1.NetworkInterface(subnetwork="regions/us-test1/subnetworks/sub")],
            )).result()
        instances.stop(project=P, zone=ZONE, instance="nodes-us-test1-a-stopped").result()
        for name in ("nodes-us-test1-a-w1", "control-plane-us-test1-a-c1", "nodes-b-example-com-x1",
                     "nodes-us-test1-a-stopped"):
            made[name] = instances.get(project=P, zone=ZONE, instance=name)
        yield made


@pytest.fixture(scope="module")
def google():
    """Google's token signer: the metadata server of the cluster's instances and the keys the service trusts."""
    with FakeMetadata() as signer:
        yield signer


@pytest.fixture
def machine(gce, google, monkeypatch):
    """Be the metadata server of an instance (by name): returns the signer."""
    monkeypatch.setenv("GCE_METADATA_HOST", google.host)
    monkeypatch.setenv("KOPS_GCE_ID_TOKEN_CERTS_URL", google.certs_url)

    def be(name: str, project: str = P, zone: str = ZONE, instance_id: str | None = None,
           signer: FakeMetadata = google) -> FakeMetadata:
        monkeypatch.setenv("GCE_METADATA_HOST", signer.host)
        return signer.be(project, zone, name, instance_id or gce[name].id if name in gce else instance_id or "1")

    return be


def _body(group: str = WORKERS) -> bytes:
    return json.dumps({"apiVersion": "bootstrap.kops.k8s.io/v1alpha1", "instanceGroup": group,
                       "certs": {"kubelet": "-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n"}},
                      sort_keys=True).encode()


def _ask(group: str = WORKERS, body: bytes | None = None, proof_body: bytes | None = None) -> NodeIdentity:
    """Prove, as the current machine, a bootstrap request for ``group`` (its proof made for ``proof_body``), and
    check it as the service does."""
    body = body or _body(group)
    authorization = CLOUD.node_identity_proof(proof_body or body)
    return CLOUD.verify_node_identity(CLUSTER_TREE, GROUPS, authorization, body, group)


def _refused(reason: str, **ask) -> None:
    with pytest.raises(NodeIdentityRefused, match=reason):
        _ask(**ask)


def test_a_workers_proof_verifies_and_names_its_instance_and_group(gce, google, machine):
    worker = gce["nodes-us-test1-a-w1"]
    machine(worker.name)
    identity = _ask()
    assert identity == NodeIdentity(
        instance_id=str(worker.id), instance_group=WORKERS, node_name="nodes-us-test1-a-w1",
        addresses=("nodes-us-test1-a-w1", f"nodes-us-test1-a-w1.{ZONE}.c.{P}.internal",
                   worker.network_interfaces[0].network_i_p))
    # The token was asked for the body's SHA-256, with the instance's claims.
    assert google.requests[-1] == (f"kops-controller/{hashlib.sha256(_body()).hexdigest()}", "full")
    assert CLOUD.node_identity_proof(b"{}").startswith("x-gce-id-token ey")
    # The control plane's own machine proves itself for its own group.
    machine("control-plane-us-test1-a-c1")
    assert _ask(CONTROL_PLANE).node_name == "control-plane-us-test1-a-c1"


def test_a_registered_node_is_identified_by_its_provider_id(gce, machine):
    worker = gce["nodes-us-test1-a-w1"]
    identity = CLOUD.identify_node(CLUSTER_TREE, f"gce://{P}/{ZONE}/{worker.name}")
    assert (identity.instance_group, identity.node_name, identity.instance_id) == (WORKERS, worker.name, str(worker.id))
    for provider_id in (f"gce://{P}/{ZONE}/nodes-b-example-com-x1",  # another cluster's
                        f"gce://{P}/{ZONE}/nodes-us-test1-a-stopped",  # not running
                        f"gce://{P}/{ZONE}/nodes-us-test1-a-gone",  # unknown
                        f"gce://other-project/{ZONE}/{worker.name}",  # not the cluster's project
                        "aws:///us-east-1a/i-0123456789abcdef0", "gce://nonsense"):
        assert CLOUD.identify_node(CLUSTER_TREE, provider_id) is None, provider_id


def test_a_proof_made_for_another_body_is_refused(machine):
    machine("nodes-us-test1-a-w1")
    other = _body().replace(b"MIIB", b"MIIC")
    _refused("the request's body is not the one the identity token was made for", body=other, proof_body=_body())


@pytest.mark.parametrize(("ago", "reason"), [(400, "issued 400s ago, outside the five minutes"),
                                             (4000, "the identity token expired 400s ago")])
def test_an_old_proof_is_refused(machine, google, monkeypatch, ago, reason):
    monkeypatch.setattr(google, "clock", lambda: time.time() - ago)
    machine("nodes-us-test1-a-w1")
    _refused(reason)


def test_a_proof_signed_by_another_key_is_refused(machine, google):
    with FakeMetadata(kid=google.kid) as forger:  # posing as Google's key
        machine("nodes-us-test1-a-w1", signer=forger)
        _refused(f"signature does not verify with Google's key {google.kid}")
    with FakeMetadata() as stranger:
        machine("nodes-us-test1-a-w1", signer=stranger)
        _refused(f"signed with key '{stranger.kid}', which Google does not publish")


def test_an_instance_of_another_project_or_region_is_refused(machine):
    machine("nodes-us-test1-a-w1", project="other-project")
    _refused(f"is in project other-project, not cluster {CLUSTER}'s project {P}")
    machine("nodes-us-test1-a-w1", zone="europe-west9-a")
    _refused(f"is in zone europe-west9-a, outside cluster {CLUSTER}'s region us-test1")


def test_an_instance_of_another_cluster_is_refused(machine):
    machine("nodes-b-example-com-x1")
    _refused(f"nodes-b-example-com-x1 .* does not belong to cluster {CLUSTER} .*k8s-io-cluster-name=a-example-com")


def test_a_stopped_unknown_or_replaced_instance_is_refused(machine):
    machine("nodes-us-test1-a-stopped")
    _refused("instance nodes-us-test1-a-stopped .* is TERMINATED, not RUNNING")
    machine("nodes-us-test1-a-gone", instance_id="42")
    _refused("instance nodes-us-test1-a-gone .* does not exist")
    machine("nodes-us-test1-a-w1", instance_id="42")  # a token made by an earlier instance of that name
    _refused("has ID .*, not the token's 42")


def test_a_group_the_instance_is_not_in_is_refused(machine):
    machine("nodes-us-test1-a-w1")
    _refused(f"is in instance group {WORKERS}, not {OTHER_WORKERS}", group=OTHER_WORKERS)
    _refused("asks for instance group 'nodes-elsewhere', which cluster a.example.com does not have",
             group="nodes-elsewhere")
    _refused("bastions, a bastion group, whose machines are not nodes", group=BASTIONS)


def test_a_control_plane_machine_asking_as_a_worker_is_refused(machine):
    machine("control-plane-us-test1-a-c1")
    _refused(f"labelled a control-plane machine and may not ask for instance group {WORKERS}, a Node machine group")
    machine("nodes-us-test1-a-w1")
    _refused(f"labelled a Node machine and may not ask for instance group {CONTROL_PLANE}, a control-plane",
             group=CONTROL_PLANE)


def test_what_is_not_a_gce_identity_token_is_refused(machine, google):
    machine("nodes-us-test1-a-w1")
    for authorization, reason in (("x-aws-sts e30=", "not an x-gce-id-token proof"),
                                  ("x-gce-id-token not-a-jwt", "not a JSON Web Token"),
                                  ("x-gce-id-token " + google.token("kops-controller/x", full=False).replace(
                                      ".", "!", 1), "not a JSON Web Token")):
        with pytest.raises(NodeIdentityRefused, match=reason):
            CLOUD.verify_node_identity(CLUSTER_TREE, GROUPS, authorization, _body(), WORKERS)
    # A token without the instance's claims (asked without format=full) names no instance.
    body = _body()
    audience = f"kops-controller/{hashlib.sha256(body).hexdigest()}"
    with pytest.raises(NodeIdentityRefused, match="names no Compute Engine instance"):
        CLOUD.verify_node_identity(CLUSTER_TREE, GROUPS, "x-gce-id-token " + google.token(audience, full=False),
                                   body, WORKERS)
    with pytest.raises(NodeIdentityRefused, match="issued by 'https://evil.example.com'"):
        CLOUD.verify_node_identity(CLUSTER_TREE, GROUPS, "x-gce-id-token " + google.token(
            audience, iss="https://evil.example.com"), body, WORKERS)


def test_trouble_on_either_side_is_an_error_not_a_refusal(machine, monkeypatch):
    """Without a metadata server a machine says so in one line; without Google's keys the service fails (the machine
    tries again) rather than refusing."""
    machine("nodes-us-test1-a-w1")
    proof = CLOUD.node_identity_proof(_body())
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    with pytest.raises(KopsError, match=r"metadata server at 127.0.0.1:9 did not answer .*is this a GCE instance\?"):
        CLOUD.node_identity_proof(_body())
    monkeypatch.setenv("KOPS_GCE_ID_TOKEN_CERTS_URL", "http://127.0.0.1:9/oauth2/v3/certs")
    with pytest.raises(KopsError, match="cannot fetch Google's token-signing keys from http://127.0.0.1:9") as caught:
        CLOUD.verify_node_identity(CLUSTER_TREE, GROUPS, proof, _body(), WORKERS)
    assert not isinstance(caught.value, NodeIdentityRefused) and "\n" not in str(caught.value)


# --- both sides as machines run them ----------------------------------------------------------------------


def test_both_sides_run_on_the_standard_library_alone(gce, google, machine, monkeypatch, tmp_path):
    """From the node bundle, on a Python with nothing installed: the proof, and the service's check (Google's
    signature, then Compute with the machine's access token from its metadata server)."""
    from kops.nodeup.bundle import node_bundle

    lib = tmp_path / "lib"
    for path, text in json.loads(node_bundle("kops_gce.cloud").archive)["files"].items():
        (lib / path).parent.mkdir(parents=True, exist_ok=True)
        (lib / path).write_text(text)
    machine("nodes-us-test1-a-w1")
    monkeypatch.delenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS")
    script = (f"import json, sys; sys.path.insert(0, {str(lib)!r})\n"
              "from kops_gce.cloud import GCECloud\n"
              "cluster, groups, body = json.loads(sys.stdin.read()); body = body.encode(); cloud = GCECloud()\n"
              f"i = cloud.verify_node_identity(cluster, groups, cloud.node_identity_proof(body), body, {WORKERS!r})\n"
              "print(json.dumps([i.node_name, i.instance_group, sorted({m.split('.')[0] for m in sys.modules} & "
              "{'cryptography', 'google', 'pydantic', 'requests', 'urllib3'})]))\n")
    done = subprocess.run([sys._base_executable, "-S", "-c", script], capture_output=True, text=True, timeout=60,
                          input=json.dumps([CLUSTER_TREE, GROUPS, _body().decode()]))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["nodes-us-test1-a-w1", WORKERS, []]
    assert ("access token", "") in google.requests


class Service:
    """``kops controller serve`` in a child process on a free port of 127.0.0.1, its log collected."""

    def __init__(self, env: dict[str, str]):
        self.log: list[str] = []
        self.process = subprocess.Popen([KOPS, "controller", "serve", CLUSTER, "--listen", "127.0.0.1:0",
                                         "--label-interval", "0"], env=env, stderr=subprocess.PIPE, text=True)
        found = None
        while found is None:
            line = self.process.stderr.readline()
            assert line, "".join(self.log) + "the service stopped before it listened"
            self.log.append(line)
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        self.url = f"https://127.0.0.1:{found.group(1)}"
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()

    def logged(self, text: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in list(self.log) if text in line]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"the service logged no line with {text!r}:\n" + "".join(self.log))


KOPS = str(Path(sys.executable).parent / "kops")


@pytest.fixture(scope="module")
def serving(gce, google, tmp_path_factory):
    """Cluster a.example.com in a file:// store, updated (Terraform output: the store gets its completed spec, CA
    and nodeup configurations), and its node credential service trusting the stand-in's keys."""
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "HOME": str(home), "KOPS_STATE_STORE": (home / "store").as_uri(),
           "KOPS_GCE_ID_TOKEN_CERTS_URL": google.certs_url}
    for args in (("create", "cluster", CLUSTER, "--cloud", "gce", "--zones", ZONE, "--project", P),
                 ("update", "cluster", CLUSTER, "--target", "terraform", "--out", str(home / "tf"), "--yes")):
        done = subprocess.run([KOPS, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    service = Service(env)
    yield env, service
    service.process.terminate()
    service.process.wait(timeout=30)


def _nodeup(serving, group: str, root: Path) -> subprocess.CompletedProcess:
    env, service = serving
    config = f"{env['KOPS_STATE_STORE']}/{CLUSTER}/igconfig/{'node' if group == WORKERS else 'control-plane'}/" \
             f"{group}/nodeupconfig.yaml"
    return subprocess.run([KOPS, "nodeup", "--config", config, "--root", str(root), "--arch", "amd64",
                           "--bootstrap-server", service.url], env={**env, "GCE_METADATA_HOST": os.environ[
                               "GCE_METADATA_HOST"]}, capture_output=True, text=True, timeout=300)


def test_a_workers_nodeup_gets_its_kubelet_credentials_for_its_instance_name(serving, gce, machine, tmp_path):
    worker = gce["nodes-us-test1-a-w1"]
    machine(worker.name)
    done = _nodeup(serving, WORKERS, tmp_path)
    assert done.returncode == 0, done.stderr
    kubeconfig = yaml.safe_load((tmp_path / "var/lib/kubelet/kubeconfig").read_text())
    cert = tmp_path / "kubelet.crt"
    cert.write_bytes(base64.b64decode(kubeconfig["users"][0]["user"]["client-certificate-data"]))
    subject = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-subject"], capture_output=True,
                             text=True, check=True).stdout
    assert subject.strip() == f"subject=O = system:nodes, CN = system:node:{worker.name}"
    assert f"--hostname-override={worker.name}" in (tmp_path / "etc/sysconfig/kubelet").read_text()
    serving[1].logged(f"kubelet for node {worker.name} (instance {worker.id}, instance group {WORKERS})")


def test_a_control_plane_machines_nodeup_as_a_worker_is_refused_and_the_service_says_why(serving, machine, tmp_path):
    machine("control-plane-us-test1-a-c1")
    done = _nodeup(serving, WORKERS, tmp_path)
    # (Under --root a refusal is a warning, and the kubeconfigs are written without credentials.)
    assert "carry no credentials" in done.stderr
    assert "refused this machine (failed to verify token" in done.stderr  # the machine learns nothing more
    user = yaml.safe_load((tmp_path / "var/lib/kubelet/kubeconfig").read_text())["users"][0]["user"]
    assert "client-certificate-data" not in user
    reason = serving[1].logged("labelled a control-plane machine")
    assert "refused: instance control-plane-us-test1-a-c1" in reason and "x-gce-id-token" not in reason


def test_where_google_auth_is_installed_the_service_asks_compute_with_application_default_credentials(
        gce, google, machine, monkeypatch, tmp_path):
    """(Here the machine's: no key file, no gcloud login, so Google's library finds the metadata server.)"""
    machine("nodes-us-test1-a-w1")
    monkeypatch.delenv("CLOUDSDK_AUTH_DISABLE_CREDENTIALS")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    env = {**os.environ, "GCE_METADATA_IP": google.host, "CLOUDSDK_CONFIG": str(tmp_path), "HOME": str(tmp_path)}
    script = ("import json, sys\n"
              "from kops_gce.cloud import GCECloud\n"
              "cluster, groups, body = json.loads(sys.stdin.read()); body = body.encode(); cloud = GCECloud()\n"
              f"i = cloud.verify_node_identity(cluster, groups, cloud.node_identity_proof(body), body, {WORKERS!r})\n"
              "print(i.node_name)\n")
    before = len(google.requests)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env,
                          input=json.dumps([CLUSTER_TREE, GROUPS, _body().decode()]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "nodes-us-test1-a-w1"
    assert ("access token", "") in google.requests[before:]
