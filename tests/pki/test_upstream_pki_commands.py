"""The PKI and access commands upstream has beside the rotation: ``trust keypair``, ``delete secret``,
``create secret ciliumpassword``, ``delete sshpublickey`` and ``export kubeconfig --all``."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .conftest import CLUSTER

CILIUM_KEYS = 'keys: "3+ rfc4106(gcm(aes)) 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 128"\n'


def _states(kops, keyset="kubernetes-ca"):
    r = kops("get", "keypairs", keyset, "--distrusted", "--name", CLUSTER, "-o", "json")
    assert r.code == 0, r.err
    return {k["id"]: k["state"] for k in json.loads(r.out)}


def test_trust_takes_a_distrusted_keypair_back(kops, cluster, store):
    from kops.pki import Keystore

    [old_id] = _states(kops)
    new_id = kops("create", "keypair", "kubernetes-ca", "--name", cluster).out.split()[-1]
    kops("promote", "keypair", "kubernetes-ca", "--name", cluster)
    kops("distrust", "keypair", "kubernetes-ca", "--name", cluster)
    assert _states(kops) == {old_id: "distrusted", new_id: "primary"}

    r = kops("trust", "keypair", "kubernetes-ca", old_id, "--name", cluster)
    assert r.code == 0, r.err
    assert r.out == f"Trusted kubernetes-ca {old_id}\n"
    assert _states(kops) == {old_id: "secondary", new_id: "primary"}
    bundle = Keystore(store, cluster).get("kubernetes-ca").trusted_certificates()
    assert sorted(str(c.serial_number) for c in bundle) == sorted([old_id, new_id])
    # Trusting a trusted keypair changes nothing; an unknown ID or keyset is an error that changes nothing.
    assert kops("trust", "keypair", "kubernetes-ca", old_id, "--name", cluster).out == \
        f"kubernetes-ca {old_id}: already trusted\n"
    bad = kops("trust", "keypair", "kubernetes-ca", "12345", "--name", cluster)
    assert bad.code == 1 and "keypair 12345 not found" in bad.err
    assert "keyset 'nosuch-ca' not found" in kops("trust", "keypair", "nosuch-ca", "1", "--name", cluster).err
    missing_id = kops("trust", "keypair", "kubernetes-ca", "--name", cluster)
    assert missing_id.code == 1 and "ID" in missing_id.err


def test_delete_secret(kops, cluster, tmp_path):
    config = tmp_path / "docker.json"
    config.write_text('{"auths": {"registry.example.com": {"auth": "dXNlcjpwYXNz"}}}')
    assert kops("create", "secret", "dockerconfig", "-f", str(config), "--name", cluster).code == 0
    r = kops("delete", "secret", "dockerconfig", "--name", cluster)
    assert r.code == 0, r.err
    assert "dockerconfig" in r.out
    assert "no secrets found" in kops("get", "secrets", "--name", cluster).err
    again = kops("delete", "secret", "dockerconfig", "--name", cluster)
    assert again.code == 1 and "secret 'dockerconfig' not found in cluster" in again.err


def test_create_secret_ciliumpassword(kops, cluster, store, tmp_path):
    from kops.pki import secrets

    r = kops("create", "secret", "ciliumpassword", "--name", cluster, "-f", "-", input=CILIUM_KEYS)
    assert r.code == 0, r.err
    assert secrets.find_secret(store, cluster, "ciliumpassword") == CILIUM_KEYS.encode()
    listed = kops("get", "secrets", "--name", cluster).out.split()
    assert listed[listed.index("ciliumpassword") + 1] == "CiliumIPsecKeys"
    # A second one needs --force; a file that is not Cilium's key configuration is refused without its value.
    assert "--force" in kops("create", "secret", "ciliumpassword", "--name", cluster, "-f", "-",
                             input=CILIUM_KEYS).err
    assert kops("create", "secret", "ciliumpassword", "--name", cluster, "-f", "-", "--force",
                input=CILIUM_KEYS.replace("3+", "4+")).code == 0
    bad = tmp_path / "ipsec.yaml"
    bad.write_text("password: s3cr3t-value\n")
    r = kops("create", "secret", "ciliumpassword", "--name", cluster, "-f", str(bad), "--force")
    assert r.code == 1 and "keys: required" in r.err and "s3cr3t" not in r.err
    assert secrets.find_secret(store, cluster, "ciliumpassword").startswith(b'keys: "4+')


def test_delete_sshpublickey(kops, cluster, tmp_path):
    key = tmp_path / "id.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxHHZtXaQsXz/ml1k2q5vQYqzCR5qF6pVbOdQvJQq7N me@host\n")
    assert kops("create", "sshpublickey", cluster, "-i", str(key)).code == 0
    assert kops("get", "sshpublickeys", "--name", cluster).out.count("admin") == 1
    r = kops("delete", "sshpublickey", cluster)
    assert r.code == 0, r.err
    assert kops("get", "sshpublickeys", "--name", cluster).out.count("admin") == 0
    assert "has no SSH public key" in kops("delete", "sshpublickey", cluster).out
    # Upstream's older spelling.
    assert kops("create", "sshpublickey", cluster, "-i", str(key)).code == 0
    assert kops("delete", "secret", "sshpublickey", "--name", cluster).code == 0
    assert kops("get", "sshpublickeys", "--name", cluster).out.count("admin") == 0
    assert "not found" in kops("delete", "sshpublickey", "nosuch.example.com").err


def test_export_kubeconfig_all(kops, cluster, store, kops_env):
    from kops.pki import ensure_cluster_pki

    other = "other.example.com"
    assert kops("create", "cluster", other, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni",
                "--dns-zone", "example.com").code == 0
    ensure_cluster_pki(store, other)
    r = kops("export", "kubeconfig", "--all", "--admin")
    assert r.code == 0, r.err
    assert r.out.count("kops has set your kubectl context to") == 2
    config = yaml.safe_load((Path(kops_env["HOME"]) / ".kube" / "config").read_text())
    assert sorted(c["name"] for c in config["contexts"]) == [cluster, other]
    assert sorted(c["name"] for c in config["clusters"]) == [cluster, other]
    assert sorted(u["name"] for u in config["users"]) == [cluster, other]
    assert config["current-context"] == other  # the last one exported, as upstream
    both = kops("export", "kubeconfig", cluster, "--all")
    assert both.code == 1 and "--all" in both.err
