"""Cilium IPsec encryption through the installed ``kops``: the keys ``kops create secret ciliumpassword`` stores reach
the cluster as the ``cilium-ipsec-keys`` Secret the agent mounts, in a manifest stored privately and never shown;
without the keys ``kops update cluster`` refuses, as upstream does."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from pathlib import Path

import pytest
import yaml
from kops.testing import cli

NAME = "net.example.com"
MANIFEST = "addons/networking.cilium.io/k8s-1.35.yaml"
CHANNEL = "addons/bootstrap-channel.yaml"


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def key_file(folder: Path) -> tuple[Path, str]:
    """A ``ciliumpassword`` file as the documentation has users make it, and the key it holds (random, so that finding
    it anywhere means it leaked)."""
    key = secrets.token_hex(20)
    path = folder / f"ipsec-{key[:6]}.yaml"
    path.write_text(f'keys: "3+ rfc4106(gcm(aes)) {key} 128"\n')
    return path, key


def objects(data: bytes) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(data) if d}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def cluster(kops, tmp_path):
    """``cluster(*settings)``: a Cilium cluster on AWS in a file:// store, ``spec.networking.cilium`` settings set."""

    def create(*settings: str) -> str:
        ok(kops("create", "cluster", NAME, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cilium"))
        for setting in settings:
            ok(kops("edit", "cluster", NAME, "--set", f"spec.networking.cilium.{setting}"))
        return NAME

    return create


@pytest.fixture
def terraform(kops, tmp_path):
    """``terraform()``: ``kops update cluster --target terraform`` (nothing reaches a cloud); the run and its output
    folder."""

    def run():
        out = tmp_path / "tf"
        return kops("update", "cluster", NAME, "--target", "terraform", "--out", str(out)), out

    return run


def stored_files(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in store.rglob("*") if p.is_file()}


def files_containing(folder: Path, text: str) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes())


def test_ipsec_keys_reach_the_agent_in_a_private_manifest(kops, cluster, terraform, store, tmp_path):
    cluster("enableEncryption=true")
    keys, key = key_file(tmp_path)
    ok(kops("create", "secret", "ciliumpassword", "--name", NAME, "-f", str(keys)))
    result, out = terraform()
    ok(result)

    manifest = store / NAME / MANIFEST
    found = objects(manifest.read_bytes())
    secret = found["Secret", "cilium-ipsec-keys"]
    assert secret["metadata"]["namespace"] == "kube-system"
    assert secret["stringData"] == {"keys": f"3+ rfc4106(gcm(aes)) {key} 128"}
    agent = found["DaemonSet", "cilium"]["spec"]["template"]["spec"]
    assert {"name": "cilium-ipsec-secrets", "secret": {"secretName": "cilium-ipsec-keys"}} in agent["volumes"]
    mounts = next(c for c in agent["containers"] if c["name"] == "cilium-agent")["volumeMounts"]
    assert any(m["name"] == "cilium-ipsec-secrets" and m["mountPath"] == "/etc/ipsec" for m in mounts)
    config = found["ConfigMap", "cilium-config"]["data"]
    assert (config["enable-ipsec"], config["ipsec-key-file"]) == ("true", "/etc/ipsec/keys")

    # Stored privately; the channel names it by path and hash only; no other file, and no output, holds the key.
    assert manifest.stat().st_mode & 0o777 == 0o600
    assert (store / NAME / CHANNEL).stat().st_mode & 0o777 == 0o644
    entry = next(a for a in yaml.safe_load((store / NAME / CHANNEL).read_bytes())["spec"]["addons"]
                 if a["name"] == "networking.cilium.io")
    assert entry["manifestHash"] == hashlib.sha256(manifest.read_bytes()).hexdigest()
    assert files_containing(store / NAME, key) == [str(manifest)]  # the stored secret is encoded
    assert files_containing(out, key) == []
    assert key not in result.stdout + result.stderr


def test_a_replaced_key_replaces_the_secret(kops, cluster, terraform, store, tmp_path):
    cluster("enableEncryption=true", "encryptionType=ipsec")
    first, old = key_file(tmp_path)
    ok(kops("create", "secret", "ciliumpassword", "--name", NAME, "-f", str(first)))
    ok(terraform()[0])
    before = yaml.safe_load((store / NAME / CHANNEL).read_bytes())
    second, new = key_file(tmp_path)
    ok(kops("create", "secret", "ciliumpassword", "--name", NAME, "-f", str(second), "--force"))
    ok(terraform()[0])
    data = (store / NAME / MANIFEST).read_bytes()
    assert objects(data)["Secret", "cilium-ipsec-keys"]["stringData"]["keys"].split()[2] == new
    assert old.encode() not in data
    after = yaml.safe_load((store / NAME / CHANNEL).read_bytes())
    hashes = [{a["name"]: a["manifestHash"] for a in c["spec"]["addons"]}["networking.cilium.io"]
              for c in (before, after)]
    assert hashes[0] != hashes[1]  # so the channel applies the new key


def test_update_refuses_ipsec_without_the_keys_and_writes_nothing(kops, cluster, terraform, store):
    cluster("enableEncryption=true")
    stored = stored_files(store)
    result, out = terraform()
    error = cli.one_line_error(result)
    assert "ciliumpassword" in error and "kops create secret ciliumpassword" in error
    assert stored_files(store) == stored
    assert not (store / NAME / "addons").exists() and not (store / NAME / "cluster-completed.spec").exists()
    assert not out.exists()
    # Listing the add-ons reads no secret, so it works all the same.
    listed = json.loads(ok(kops("toolbox", "addons", "list", NAME, "-o", "json")).stdout)
    assert "networking.cilium.io" in {a["name"] for a in listed}


@pytest.mark.parametrize("settings", [(), ("enableEncryption=true", "encryptionType=wireguard")],
                         ids=["no encryption", "wireguard"])
def test_without_ipsec_there_is_no_secret_even_when_keys_are_stored(kops, cluster, terraform, store, tmp_path,
                                                                     settings):
    cluster(*settings)
    keys, key = key_file(tmp_path)
    ok(kops("create", "secret", "ciliumpassword", "--name", NAME, "-f", str(keys)))
    ok(terraform()[0])
    manifest = store / NAME / MANIFEST
    data = manifest.read_bytes()
    assert key.encode() not in data
    found = objects(data)
    assert not [k for k in found if k[0] == "Secret"]
    agent = found["DaemonSet", "cilium"]["spec"]["template"]["spec"]
    assert "cilium-ipsec-secrets" not in {v["name"] for v in agent["volumes"]}
    assert "enable-ipsec" not in found["ConfigMap", "cilium-config"]["data"]
    assert manifest.stat().st_mode & 0o777 == 0o644


# --- On the AWS testbed: plans and applies --------------------------------------------------------------------------

@pytest.fixture
def lab(tmp_path):
    """``kops`` pointed at the AWS testbed, with a file:// state store of its own, and a cluster name no other test
    uses (the testbed is shared)."""
    from kops.testing.testbed import environment

    env = cli.isolated_env(tmp_path)
    env.update(environment("aws"))
    env["KOPS_STATE_STORE"] = (tmp_path / "store").as_uri()
    return cli.runner(env, timeout=900), f"c{uuid.uuid4().hex[:8]}.example.com"


def test_plans_and_applies_never_show_the_keys(lab, store, tmp_path):
    kops, name = lab
    ok(kops("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cilium"))
    ok(kops("edit", "cluster", name, "--set", "spec.networking.cilium.enableEncryption=true"))
    refused = cli.one_line_error(kops("update", "cluster", name))
    assert "kops create secret ciliumpassword" in refused
    assert not (store / name / "addons").exists()

    keys, key = key_file(tmp_path)
    ok(kops("create", "secret", "ciliumpassword", "--name", name, "-f", str(keys)))
    saved = tmp_path / "plan.json"
    plan = ok(kops("update", "cluster", name, "--plan-out", str(saved)))
    assert "addons/networking.cilium.io/k8s-1.35.yaml" in plan.stdout
    assert key not in saved.read_text()
    as_json = ok(kops("update", "cluster", name, "-o", "json"))
    assert [c for c in json.loads(as_json.stdout)["changes"] if "networking.cilium.io" in json.dumps(c)]
    applied = ok(kops("update", "cluster", name, "--yes"))
    try:
        for run in (plan, as_json, applied):
            assert key not in run.stdout + run.stderr
        manifest = store / name / MANIFEST
        assert manifest.stat().st_mode & 0o777 == 0o600
        assert objects(manifest.read_bytes())["Secret", "cilium-ipsec-keys"]["stringData"]["keys"].split()[2] == key
        assert key not in ok(kops("update", "cluster", name)).stdout  # nothing to do, and still nothing shown
    finally:
        ok(kops("delete", "cluster", name, "--yes"))


def test_terraform_on_an_s3_store_holds_no_key(tmp_path):
    """On an ``s3://`` store Terraform manages the boot files as objects: all but the private manifest, which kops
    stores itself, encrypted."""
    boto3 = pytest.importorskip("boto3")
    from kops.testing.testbed import environment

    env = {**cli.isolated_env(tmp_path), **environment("aws")}
    # A bucket of its own: other tests sharing the emulator may empty or remove the testbed's.
    bucket = f"kops-ipsec-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                 aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket=bucket)
    env["KOPS_STATE_STORE"] = f"s3://{bucket}"
    kops, name = cli.runner(env, timeout=900), f"c{uuid.uuid4().hex[:8]}.example.com"
    ok(kops("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cilium"))
    ok(kops("edit", "cluster", name, "--set", "spec.networking.cilium.enableEncryption=true"))
    keys, key = key_file(tmp_path)
    ok(kops("create", "secret", "ciliumpassword", "--name", name, "-f", str(keys)))
    out = tmp_path / "tf"
    result = ok(kops("update", "cluster", name, "--target", "terraform", "--out", str(out)))
    assert key not in result.stdout + result.stderr
    assert files_containing(out, key) == []
    written = "".join(p.read_text() for p in out.rglob("*.tf"))
    assert f"{name}/addons/coredns.addons.k8s.io/" in written  # public boot files are Terraform's objects
    assert f"{name}/{MANIFEST}" not in written

    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    stored = s3.get_object(Bucket=bucket, Key=f"{name}/{MANIFEST}")
    assert stored.get("ServerSideEncryption") == "AES256"
    assert objects(stored["Body"].read())["Secret", "cilium-ipsec-keys"]["stringData"]["keys"].split()[2] == key
