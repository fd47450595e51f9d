"""kops create/get/promote/distrust keypair, run as a user runs them."""

from __future__ import annotations

import json

import pytest
import yaml

from .conftest import PRIVATE_KEY_B64, make_openssl_ca, snapshot


def _keypairs(kops, cluster, *args):
    r = kops("get", "keypairs", *args, "--name", cluster, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def _states(kops, cluster, keyset="kubernetes-ca"):
    return {k["id"]: k["state"] for k in _keypairs(kops, cluster, keyset, "--distrusted")}


def test_rotation_create_promote_distrust(kops, cluster, store):
    from kops.pki import Keystore

    [(old_id, _)] = _states(kops, cluster).items()
    r = kops("create", "keypair", "kubernetes-ca", "--name", cluster)
    assert r.code == 0, r.err
    new_id = r.out.split()[-1]
    assert r.out.strip() == f"Created kubernetes-ca {new_id}"
    assert _states(kops, cluster) == {old_id: "primary", new_id: "staged"}
    assert len(Keystore(store, cluster).get("kubernetes-ca").trusted_certificates()) == 2

    r = kops("promote", "keypair", "kubernetes-ca", "--name", cluster)
    assert r.code == 0 and f"Promoted kubernetes-ca {new_id}" in r.out
    assert _states(kops, cluster) == {old_id: "secondary", new_id: "primary"}

    r = kops("distrust", "keypair", "kubernetes-ca", "--name", cluster)
    assert r.code == 0 and f"Distrusted kubernetes-ca {old_id}" in r.out
    assert _states(kops, cluster) == {old_id: "distrusted", new_id: "primary"}
    keyset = Keystore(store, cluster).get("kubernetes-ca")
    assert [str(c.serial_number) for c in keyset.trusted_certificates()] == [new_id]
    # distrusted keypairs are hidden unless asked for, as upstream
    assert [k["id"] for k in _keypairs(kops, cluster, "kubernetes-ca")] == [new_id]


def test_promote_and_distrust_with_no_keyset_apply_to_all(kops, cluster):
    r = kops("create", "keypair", "all", "--name", cluster)
    assert r.code == 0, r.err
    assert r.out.count("Created ") == 8
    assert kops("promote", "keypair", "--name", cluster).out.count("Promoted ") == 8
    assert kops("distrust", "keypair", "--name", cluster).out.count("Distrusted ") == 8
    states = [k["state"] for k in _keypairs(kops, cluster, "--distrusted")]
    assert sorted(states) == ["distrusted"] * 8 + ["primary"] * 8


def test_imported_ca_becomes_primary_with_primary_equals_true(kops, cluster, tmp_path):
    cert, key = make_openssl_ca(tmp_path)
    r = kops("create", "keypair", "kubernetes-ca", "--cert", str(cert), "--key", str(key), "--primary=true",
             "--name", cluster)
    assert r.code == 0, r.err
    [primary] = [k for k in _keypairs(kops, cluster, "kubernetes-ca") if k["isPrimary"]]
    assert primary["subject"] == "CN=my-own-ca"


def test_listings_never_show_private_keys(kops, cluster):
    for output in ("table", "yaml", "json"):
        r = kops("get", "keypairs", "--name", cluster, "--distrusted", "-o", output)
        assert r.code == 0, r.err
        assert "kubernetes-ca" in r.out
        assert "PRIVATE KEY" not in r.out + r.err and PRIVATE_KEY_B64 not in r.out + r.err
    table = kops("get", "keypairs", "service-account", "--name", cluster).out.splitlines()
    assert table[0].split() == ["KEYSET", "ID", "ISSUED", "EXPIRES", "STATE", "HASPRIVATE"]
    assert table[1].split()[0] == "service-account" and table[1].split()[4] == "primary"
    assert yaml.safe_load(kops("get", "keypairs", "--name", cluster, "-o", "yaml").out)[0]["keyLength"] == 2048


@pytest.mark.parametrize("args, message", [
    (["create", "keypair", "kubernetes-ca", "--name", "nope.example.com"], "cluster 'nope.example.com' not found"),
    (["create", "keypair", "kubernetes-ca"], "no cluster name"),
    (["create", "keypair", "kube-proxy", "--name", "dev.example.com"], "'kube-proxy' is not supported"),
    (["create", "keypair", "all", "--primary", "--name", "dev.example.com"], "--primary cannot be used with \"all\""),
    (["create", "keypair", "brand-new-ca", "--name", "dev.example.com"], "must be primary: add --primary"),
    (["create", "keypair", "kubernetes-ca", "--cert", "missing.pem", "--name", "dev.example.com"],
     "--cert missing.pem: cannot read it"),
    (["promote", "keypair", "kubernetes-ca", "12345", "--name", "dev.example.com"], "keypair 12345 not found"),
    (["promote", "keypair", "all", "12345", "--name", "dev.example.com"], "only be given with a single KEYSET"),
    (["distrust", "keypair", "no-such-ca", "--name", "dev.example.com"], "keyset 'no-such-ca' not found"),
    (["get", "keypairs", "no-such-ca", "--name", "dev.example.com"], "keyset 'no-such-ca' not found"),
])
def test_bad_input_is_one_line_exit_1_and_changes_nothing(kops, cluster, store_root, args, message):
    before = snapshot(store_root)
    r = kops(*args)
    assert r.code == 1, r.out
    assert message in r.err and "Traceback" not in r.err
    assert snapshot(store_root) == before


def test_distrusting_the_primary_is_refused_and_nothing_changes(kops, cluster, store_root):
    [primary] = [k["id"] for k in _keypairs(kops, cluster, "kubernetes-ca")]
    kops("create", "keypair", "kubernetes-ca", "--name", cluster)
    staged = [k["id"] for k in _keypairs(kops, cluster, "kubernetes-ca") if not k["isPrimary"]]
    before = snapshot(store_root)
    # the valid staged ID is listed first: it must not be distrusted when the primary after it is refused
    r = kops("distrust", "keypair", "kubernetes-ca", *staged, primary, "--name", cluster)
    assert r.code == 1 and "is the primary and cannot be distrusted" in r.err
    assert snapshot(store_root) == before


def test_imported_certificate_checks(kops, cluster, tmp_path, store_root):
    cert, key = make_openssl_ca(tmp_path)
    other_cert, other_key = make_openssl_ca(tmp_path, "other")
    leaf = tmp_path / "leaf.pem"
    from .conftest import openssl

    assert openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf-key.pem", "-out", "leaf.pem",
                   "-days", "1", "-subj", "/CN=leaf", "-addext", "basicConstraints=CA:FALSE",
                   cwd=tmp_path).returncode == 0
    before = snapshot(store_root)
    mismatch = kops("create", "keypair", "kubernetes-ca", "--cert", str(cert), "--key", str(other_key),
                    "--name", cluster)
    assert mismatch.code == 1 and "does not match the public key of --cert" in mismatch.err
    not_ca = kops("create", "keypair", "kubernetes-ca", "--cert", str(leaf), "--name", cluster)
    assert not_ca.code == 1 and "not a CA certificate" in not_ca.err
    garbage = kops("create", "keypair", "kubernetes-ca", "--key", str(cert), "--name", cluster)
    assert garbage.code == 1 and f"--key {cert}: not a PEM private key" in garbage.err
    assert "PRIVATE KEY" not in mismatch.err + not_ca.err + garbage.err
    assert snapshot(store_root) == before

    cert_only = kops("create", "keypair", "kubernetes-ca", "--cert", str(other_cert), "--name", cluster)
    assert cert_only.code == 0, cert_only.err
    item = [k for k in _keypairs(kops, cluster, "kubernetes-ca") if k["subject"] == "CN=other"][0]
    assert item["hasPrivateKey"] is False and item["state"] == "secondary"
    refused = kops("promote", "keypair", "kubernetes-ca", item["id"], "--name", cluster)
    assert refused.code == 1 and "has no private key" in refused.err
