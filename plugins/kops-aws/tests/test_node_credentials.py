"""The node credential service on the emulator: after ``update --yes``, ``kops controller serve`` issues a worker's
credentials to its instance's signed proof, and refuses (saying why in its log) every proof that does not hold.
Nothing published for machines holds a private key of the cluster's CAs."""

from __future__ import annotations

import base64
import datetime
import json
import re
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from node_kit import Service, client, role_session, update_cluster

WORKERS, CONTROL_PLANE = "nodes-us-east-1a", "control-plane-us-east-1a"
#: A PEM private key with its material (not the words alone, which kops' own source holds).
PEM_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s+[A-Za-z0-9+/=]{40}")


@pytest.fixture(scope="module")
def joined(moto_server, tmp_path_factory):
    cluster = update_cluster(moto_server, tmp_path_factory.mktemp("home"))
    service = Service(cluster)
    yield cluster
    service.stop()


def _machine(monkeypatch, moto_server, role: str, session: str) -> None:
    """Make this process the machine whose instance role's session is ``role``/``session``."""
    for name, value in {**moto_server.environ(), **role_session(moto_server, role, session)}.items():
        monkeypatch.setenv(name, value)


def _config(joined, group: str) -> dict:
    bucket, _, key = joined.config_url(group)[len("s3://"):].partition("/")
    return yaml.safe_load(client_s3(joined).get_object(Bucket=bucket, Key=key)["Body"].read())


def client_s3(joined):
    import boto3

    return boto3.client("s3", endpoint_url=joined.env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _ask(joined, group: str, *, signed_at: datetime.datetime | None = None, tamper: bool = False) -> tuple[int, str]:
    """A bootstrap request as nodeup makes it, signed by this process's credentials: (HTTP status, answer)."""
    from kops.nodeup import openssl
    from kops_aws.nodeidentity import proof

    body = json.dumps({"apiVersion": "bootstrap.kops.k8s.io/v1alpha1", "instanceGroup": group,
                       "certs": {"kubelet": openssl.public_key(openssl.generate_key()).decode()}}).encode()
    authorization = proof(body, now=signed_at)
    if tamper:  # the same proof with another key in the body: someone else's request
        body = body.replace(b'"kubelet": "', b'"kubelet": "' + b" ", 1)
    context = ssl.create_default_context(cadata=_config(joined, WORKERS)["CAs"]["kubernetes-ca"])
    request = urllib.request.Request(f"{joined.service_url}/bootstrap", data=body, method="POST",
                                     headers={"Authorization": authorization, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _pem_of(kubeconfig: Path, field: str) -> bytes:
    return base64.b64decode(yaml.safe_load(kubeconfig.read_text())["users"][0]["user"][field])


def test_a_workers_nodeup_gets_its_credentials_signed_by_the_cluster_ca(joined, moto_server, tmp_path):
    instance = joined.instances[WORKERS]
    machine = {**moto_server.environ(), **role_session(moto_server, f"nodes.{joined.name}", instance)}
    r = joined.kops("nodeup", "--config", joined.config_url(WORKERS), "--root", str(tmp_path / "root"),
                    "--bootstrap-server", joined.service_url, "--arch", "amd64", env=machine)
    assert "carry no credentials" not in r.stderr
    (tmp_path / "ca.crt").write_text(_config(joined, WORKERS)["CAs"]["kubernetes-ca"])
    for kubeconfig, subject in (("var/lib/kubelet/kubeconfig", f"O = system:nodes, CN = system:node:{instance}"),
                                ("var/lib/kube-proxy/kubeconfig", "CN = system:kube-proxy")):
        path = tmp_path / "root" / kubeconfig
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        cert = tmp_path / "client.crt"
        cert.write_bytes(_pem_of(path, "client-certificate-data"))
        verified = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "ca.crt"), str(cert)],
                                  capture_output=True, text=True)
        assert verified.returncode == 0 and verified.stdout.strip().endswith(": OK"), verified.stderr
        shown = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-subject", "-ext", "extendedKeyUsage"],
                               capture_output=True, text=True, check=True).stdout
        assert f"subject={subject}" in shown and "TLS Web Client Authentication" in shown
        key = tmp_path / "client.key"
        key.write_bytes(_pem_of(path, "client-key-data"))
        moduli = {subprocess.run(["openssl", kind, "-in", str(f), "-noout", "-modulus"], capture_output=True,
                                 text=True, check=True).stdout for kind, f in (("x509", cert), ("rsa", key))}
        assert len(moduli) == 1  # the key nodeup made is the one certified
    # The kubelet registers under the name its certificate is issued for.
    assert f"--hostname-override={instance}" in (tmp_path / "root/etc/sysconfig/kubelet").read_text()
    assert f"issued kube-proxy, kubelet for node {instance} (instance {instance}, instance group {WORKERS})" in \
        joined.logged(f"for node {instance}")


def _refused(joined, status_and_answer: tuple[int, str], reason: str) -> None:
    status, answer = status_and_answer
    assert (status, answer) == (403, "failed to verify token")  # the machine learns nothing
    assert "refused: " in joined.logged(reason)


def test_another_clusters_instance_is_refused(joined, moto_server, monkeypatch):
    ec2 = client(moto_server, "ec2")
    image = ec2.describe_images(Owners=["self"])["Images"][0]["ImageId"]
    tags = {"kubernetes.io/cluster/other.example.com": "owned", "kops.k8s.io/instancegroup": WORKERS}
    other = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}])["Instances"][0]
    _machine(monkeypatch, moto_server, f"nodes.{joined.name}", other["InstanceId"])
    _refused(joined, _ask(joined, WORKERS), f"instance {other['InstanceId']} does not belong to cluster {joined.name}")


def test_an_unknown_instance_is_refused(joined, moto_server, monkeypatch):
    _machine(monkeypatch, moto_server, f"nodes.{joined.name}", "i-0123456789abcdef0")
    _refused(joined, _ask(joined, WORKERS), "instance i-0123456789abcdef0 does not exist")


def test_a_terminated_instance_is_refused(joined, moto_server, monkeypatch):
    ec2 = client(moto_server, "ec2")
    image = ec2.describe_images(Owners=["self"])["Images"][0]["ImageId"]
    tags = {f"kubernetes.io/cluster/{joined.name}": "owned", "kops.k8s.io/instancegroup": WORKERS}
    gone = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}])["Instances"][0]
    _machine(monkeypatch, moto_server, f"nodes.{joined.name}", gone["InstanceId"])
    assert _ask(joined, WORKERS)[0] == 200  # while it runs, it is one of the cluster's workers
    ec2.terminate_instances(InstanceIds=[gone["InstanceId"]])
    _refused(joined, _ask(joined, WORKERS), f"instance {gone['InstanceId']} is terminated, not running")


def test_a_control_plane_identity_asking_for_a_worker_group_is_refused(joined, moto_server, monkeypatch):
    instance = joined.instances[CONTROL_PLANE]
    _machine(monkeypatch, moto_server, f"masters.{joined.name}", instance)
    _refused(joined, _ask(joined, WORKERS), f"{instance} signed as a control-plane machine (role masters."
                                            f"{joined.name}) and may not ask for instance group {WORKERS}")


def test_a_worker_claiming_another_group_or_signing_with_a_foreign_role_is_refused(joined, moto_server, monkeypatch):
    instance = joined.instances[WORKERS]
    _machine(monkeypatch, moto_server, f"nodes.{joined.name}", instance)
    _refused(joined, _ask(joined, "nodes-elsewhere"), "asks for instance group 'nodes-elsewhere', which cluster")
    client(moto_server, "iam").create_role(RoleName=f"intruder-{joined.name}", AssumeRolePolicyDocument="{}")
    _machine(monkeypatch, moto_server, f"intruder-{joined.name}", instance)
    _refused(joined, _ask(joined, WORKERS), f"role intruder-{joined.name} is not one of cluster {joined.name}'s")


def test_a_replayed_proof_is_refused(joined, moto_server, monkeypatch):
    _machine(monkeypatch, moto_server, f"nodes.{joined.name}", joined.instances[WORKERS])
    six_minutes_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=6)
    _refused(joined, _ask(joined, WORKERS, signed_at=six_minutes_ago), "outside the five minutes a proof is good for")


def test_a_tampered_request_is_refused(joined, moto_server, monkeypatch):
    _machine(monkeypatch, moto_server, f"nodes.{joined.name}", joined.instances[WORKERS])
    _refused(joined, _ask(joined, WORKERS, tamper=True), "the request's body is not the one the proof was signed for")


def test_nothing_published_for_machines_holds_a_private_key(joined, aws):
    """Every object of the cluster outside its keystore and secrets (the nodeup configurations, the boot files,
    the node bundle's files) and every launch template's user data: no PEM private key, and none of the CAs'."""
    from kops.nodeup.keysets import read_keyset
    from kops.state import open_store

    store = open_store(joined.store)
    ca_keys = [item.private_key for name in ("kubernetes-ca", "etcd-clients-ca", "service-account")
               for item in read_keyset(store, joined.name, name).keypairs.values() if item.private_key]
    assert ca_keys
    fingerprints = [key.decode().splitlines()[2] for key in ca_keys]  # a line of each key's own material
    texts: dict[str, str] = {}
    for path in store.list(joined.name + "/"):
        if path.startswith((f"{joined.name}/pki/", f"{joined.name}/secrets/")):
            continue
        data = store.read(path).data.decode()
        texts[path] = data
        if path.endswith("/files.json"):  # the node bundle: each of its files
            texts.update({f"{path}:{name}": text for name, text in json.loads(data)["files"].items()})
    assert any(p.endswith("nodeupconfig.yaml") for p in texts) and any(p.endswith("/manifest.json") for p in texts)
    ec2 = client(aws, "ec2")
    owned = [{"Name": f"tag:kubernetes.io/cluster/{joined.name}", "Values": ["owned"]}]
    for template in ec2.describe_launch_templates(Filters=owned)["LaunchTemplates"]:
        version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                        Versions=["$Latest"])["LaunchTemplateVersions"][0]
        texts[template["LaunchTemplateName"]] = base64.b64decode(version["LaunchTemplateData"]["UserData"]).decode()
    assert sum(t.startswith("#!/bin/bash") for t in texts.values()) == 2
    for where, text in texts.items():
        assert not PEM_PRIVATE_KEY.search(text), where
        assert not any(f in text for f in fingerprints), where


def test_the_published_bundle_is_the_one_the_user_data_pins(joined, aws):
    """What machines install is stored byte for byte: the manifest has the sha256 the user data names, the
    archive the one the manifest names (account facts filled into other boot files never touch them)."""
    import hashlib

    from kops.state import open_store

    store = open_store(joined.store)
    for group in (WORKERS, CONTROL_PLANE):
        pinned = dict(re.findall(r"^(KOPS_BUNDLE\w*)=(.*)$", joined.user_data(group), re.MULTILINE))
        key = pinned["KOPS_BUNDLE"][len(joined.store) + 1:]
        manifest = store.read(key).data
        assert hashlib.sha256(manifest).hexdigest() == pinned["KOPS_BUNDLE_SHA256"]
        archive = store.read(key.replace("manifest.json", "files.json")).data
        assert hashlib.sha256(archive).hexdigest() == json.loads(manifest)["archive"]["sha256"]
        assert b"${aws_account_id}" in archive  # kops' own code, as written
