"""Keysets in the state store: upstream's layout and format, created once, private, rotatable."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kops import api
from kops.errors import KopsError
from kops.pki import Keyset, Keystore, cluster_ca_keysets, ensure_cluster_pki, issue_certificate, new_ca_keyset

from .conftest import make_openssl_ca, openssl, snapshot

UPSTREAM_CAS = ["apiserver-aggregator-ca", "etcd-clients-ca", "etcd-manager-ca-events", "etcd-manager-ca-main",
                "etcd-peers-ca-events", "etcd-peers-ca-main", "kubernetes-ca", "service-account"]


def test_cluster_pki_is_created_once_at_upstreams_paths(bare_cluster, store, store_root):
    created = ensure_cluster_pki(store, bare_cluster)
    assert sorted(created) == UPSTREAM_CAS
    assert sorted(p for p in store.list(f"{bare_cluster}/pki/")) == \
        [f"{bare_cluster}/pki/private/{name}/keyset.yaml" for name in UPSTREAM_CAS]
    before = snapshot(store_root)
    assert ensure_cluster_pki(store, bare_cluster) == []
    assert snapshot(store_root) == before


def test_keyset_files_are_owner_only(cluster, store_root):
    files = sorted((store_root / cluster / "pki").rglob("keyset.yaml"))
    assert len(files) == len(UPSTREAM_CAS)
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_stored_keyset_is_upstreams_keyset_object(cluster, store):
    raw = store.read(f"{cluster}/pki/private/kubernetes-ca/keyset.yaml").data
    doc = yaml.safe_load(raw)
    assert (doc["apiVersion"], doc["kind"], doc["metadata"]) == ("kops.k8s.io/v1alpha2", "Keyset",
                                                                 {"name": "kubernetes-ca"})
    assert doc["spec"]["type"] == "Keypair"
    [key] = doc["spec"]["keys"]
    assert doc["spec"]["primaryId"] == key["id"]
    assert b'primaryId: "' in raw  # IDs are strings, quoted as upstream writes them
    assert base64.b64decode(key["privateMaterial"]).startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    cert = x509.load_pem_x509_certificate(base64.b64decode(key["publicMaterial"]))
    assert str(cert.serial_number) == key["id"]
    assert cert.subject.rfc4514_string() == "CN=kubernetes-ca"
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(cert.public_key(), rsa.RSAPublicKey) and cert.public_key().key_size == 2048
    now = datetime.now(UTC)
    assert now - timedelta(hours=49) < cert.not_valid_before_utc < now - timedelta(hours=47)
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days in range(3650, 3653)


def test_reads_a_keyset_written_in_upstreams_format(tmp_path, store, bare_cluster):
    cert, key = make_openssl_ca(tmp_path, "kubernetes-ca")
    old_cert, _ = make_openssl_ca(tmp_path, "old-ca")
    doc = ("apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  name: kubernetes-ca\nspec:\n  keys:\n"
           f'  - distrustTimestamp: "2024-05-06T07:08:09Z"\n    id: "5"\n'
           f"    publicMaterial: {base64.b64encode(old_cert.read_bytes()).decode()}\n"
           f'  - id: "6"\n    privateMaterial: {base64.b64encode(key.read_bytes()).decode()}\n'
           f"    publicMaterial: {base64.b64encode(cert.read_bytes()).decode()}\n"
           '  primaryId: "6"\n  type: Keypair\n')
    store.write(f"{bare_cluster}/pki/private/kubernetes-ca/keyset.yaml", doc.encode(), private=True)
    keyset = Keystore(store, bare_cluster).get("kubernetes-ca")
    assert keyset.primary.id == "6" and keyset.primary.private_key is not None
    assert keyset.items["5"].distrust_timestamp == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert keyset.trust_bundle() == cert.read_bytes()
    # and it round-trips to the same document, distrust time and quoting included
    assert Keyset.from_yaml(keyset.to_yaml(), "again").to_yaml() == keyset.to_yaml()
    assert b'distrustTimestamp: "2024-05-06T07:08:09Z"' in keyset.to_yaml()


def test_etcd_and_discovery_cas_follow_the_spec():
    cluster = api.from_dict({
        "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "c.example.com"},
        "spec": {"etcdClusters": [{"name": "main"}, {"name": "cilium"}],
                 "serviceAccountIssuerDiscovery": {"discoveryService": {"url": "https://discovery.example.com"}}}})
    names = cluster_ca_keysets(cluster)
    assert {"etcd-manager-ca-main", "etcd-peers-ca-cilium", "etcd-clients-ca", "etcd-clients-ca-cilium",
            "discovery-ca"} <= set(names)
    assert "etcd-manager-ca-events" not in names


def test_rotation_changes_primary_and_trust_bundle():
    keyset = new_ca_keyset("kubernetes-ca")
    old = keyset.primary
    staged = keyset.add(*_ca("kubernetes-ca"), primary=False)
    assert keyset.state(staged) == "staged" and keyset.primary is old
    assert keyset.trusted_certificates() == [old.certificate, staged.certificate]

    assert keyset.promote() == staged.id
    assert keyset.primary is staged and keyset.state(old) == "secondary"
    assert keyset.promote() is None  # nothing newer left
    assert keyset.trusted_certificates() == [old.certificate, staged.certificate]

    assert keyset.distrust() == [old.id]
    assert keyset.state(old) == "distrusted"
    assert keyset.trusted_certificates() == [staged.certificate]
    with pytest.raises(KopsError, match="distrusted"):
        keyset.promote(old.id)
    with pytest.raises(KopsError, match="primary"):
        keyset.distrust([staged.id])


def test_certificate_without_key_sorts_before_the_primary_and_cannot_sign():
    keyset = new_ca_keyset("kubernetes-ca")
    cert, _ = _ca("other")
    item = keyset.add(cert, None, primary=False)
    assert keyset.state(item) == "secondary"
    assert keyset.promote() is None
    with pytest.raises(KopsError, match="no private key"):
        keyset.promote(item.id)


def test_issuing_uses_the_primary_and_openssl_verifies_it(tmp_path):
    from kops.pki import certs

    keyset = new_ca_keyset("kubernetes-ca")
    keyset.add(*_ca("kubernetes-ca"), primary=True)
    issued = issue_certificate(keyset, "cn=kubecfg-alice,o=system:masters", "client", sans=["10.0.0.1", "a.local"],
                               lifetime=timedelta(hours=1))
    cert = issued.certificate
    assert cert.issuer == keyset.primary.certificate.subject
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:masters"
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    (tmp_path / "ca.pem").write_bytes(certs.certificate_pem(keyset.primary.certificate))  # the new CA only
    (tmp_path / "cert.pem").write_bytes(issued.certificate_pem)
    r = openssl("verify", "-CAfile", "ca.pem", "cert.pem", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_imported_ca_signs_what_is_issued(tmp_path):
    from kops.pki import certs

    cert_file, key_file = make_openssl_ca(tmp_path)
    keyset = Keyset("kubernetes-ca")
    keyset.add(certs.load_certificate(cert_file.read_bytes(), "cert"),
               certs.load_private_key(key_file.read_bytes(), "key"), primary=True)
    (tmp_path / "leaf.pem").write_bytes(issue_certificate(keyset, "cn=leaf", "server", sans=["x.local"])
                                        .certificate_pem)
    r = openssl("verify", "-CAfile", str(cert_file), "leaf.pem", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_a_keyset_that_is_not_upstreams_format_is_named_in_the_error(store, bare_cluster):
    store.write(f"{bare_cluster}/pki/private/kubernetes-ca/keyset.yaml",
                b"apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nspec:\n  keys:\n  - id: '1'\n"
                b"    publicMaterial: not-base64!\n", private=True)
    with pytest.raises(KopsError, match=r"kubernetes-ca/keyset.yaml: spec.keys\[0\].publicMaterial"):
        Keystore(store, bare_cluster).get("kubernetes-ca")


def _ca(name: str):
    from kops.pki import certs

    return certs.self_signed_ca(f"cn={name}")


def test_create_cluster_makes_the_cas(kops, store):
    assert kops("create", "cluster", "new.example.com", "--cloud", "aws", "--zones", "us-east-1a",
                "--networking", "cni").code == 0
    assert sorted(p.split("/")[3] for p in store.list("new.example.com/pki/private/")) == UPSTREAM_CAS
    assert ensure_cluster_pki(store, "new.example.com") == []
