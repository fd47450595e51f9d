"""kops export kubeconfig: merged as kubectl merges, owner-only, with an admin credential OpenSSL accepts."""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ..conftest import KOPS
from .conftest import make_openssl_ca, openssl

UNRELATED = {
    "apiVersion": "v1", "kind": "Config", "current-context": "other",
    "clusters": [{"name": "other", "cluster": {"server": "https://other.example.org"}}],
    "users": [{"name": "other-user", "user": {"token": "abc"}}, {"name": "oidc", "user": {"token": "xyz"}}],
    "contexts": [{"name": "other", "context": {"cluster": "other", "user": "other-user"}}],
}


def _entry(config: dict, section: str, name: str) -> dict:
    return next(e for e in config[section] if e["name"] == name)


def _admin_cert(config: dict, cluster: str) -> x509.Certificate:
    data = _entry(config, "users", cluster)["user"]["client-certificate-data"]
    return x509.load_pem_x509_certificate(base64.b64decode(data))


@pytest.fixture
def kubeconfig(kops_env) -> Path:
    path = Path(kops_env["HOME"]) / ".kube" / "config"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(UNRELATED))
    path.chmod(0o644)
    return path


def test_admin_export_merges_keeps_others_and_is_owner_only(kops, cluster, kubeconfig, tmp_path):
    r = kops("export", "kubeconfig", cluster, "--admin", env={"LOGNAME": "alice"})
    assert r.code == 0, r.err
    assert f"kops has set your kubectl context to {cluster}" in r.out
    assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o600
    config = yaml.safe_load(kubeconfig.read_text())
    assert (config["apiVersion"], config["kind"], config["current-context"]) == ("v1", "Config", cluster)
    assert _entry(config, "contexts", "other") == UNRELATED["contexts"][0]
    assert _entry(config, "clusters", "other") == UNRELATED["clusters"][0]
    assert _entry(config, "users", "other-user") == UNRELATED["users"][0]
    assert _entry(config, "contexts", cluster)["context"] == {"cluster": cluster, "user": cluster}
    exported = _entry(config, "clusters", cluster)["cluster"]
    assert exported["server"] == f"https://api.{cluster}"
    assert exported["tls-server-name"] == f"api.internal.{cluster}"
    assert "PRIVATE KEY" not in r.out + r.err

    cert = _admin_cert(config, cluster)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kubecfg-alice"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:masters"
    assert abs(cert.not_valid_after_utc - datetime.now(UTC) - timedelta(hours=18)) < timedelta(minutes=5)
    (tmp_path / "ca.pem").write_bytes(base64.b64decode(exported["certificate-authority-data"]))
    (tmp_path / "admin.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    verified = openssl("verify", "-CAfile", "ca.pem", "admin.pem", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr


def test_kubernetes_client_loads_the_exported_context(kops, cluster, kubeconfig):
    from kubernetes import client, config

    assert kops("export", "kubeconfig", cluster, "--admin=2h").code == 0
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), context=cluster, client_configuration=cfg)
    assert cfg.host == f"https://api.{cluster}"
    assert Path(cfg.ssl_ca_cert).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    cert = x509.load_pem_x509_certificate(Path(cfg.cert_file).read_bytes())
    assert abs(cert.not_valid_after_utc - datetime.now(UTC) - timedelta(hours=2)) < timedelta(minutes=5)
    assert b"PRIVATE KEY" in Path(cfg.key_file).read_bytes()


def test_imported_ca_signs_the_admin_credential(kops, cluster, kubeconfig, tmp_path):
    ca_cert, ca_key = make_openssl_ca(tmp_path)
    r = kops("create", "keypair", "kubernetes-ca", "--cert", str(ca_cert), "--key", str(ca_key), "--primary",
             "--name", cluster)
    assert r.code == 0, r.err
    assert kops("export", "kubeconfig", cluster, "--admin").code == 0
    config = yaml.safe_load(kubeconfig.read_text())
    (tmp_path / "admin.pem").write_bytes(base64.b64decode(
        _entry(config, "users", cluster)["user"]["client-certificate-data"]))
    verified = openssl("verify", "-CAfile", str(ca_cert), "admin.pem", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr


def test_ca_bundle_follows_rotation(kops, cluster, kubeconfig):
    def bundle() -> list[x509.Certificate]:
        assert kops("export", "kubeconfig", cluster, "--admin").code == 0
        data = _entry(yaml.safe_load(kubeconfig.read_text()), "clusters", cluster)["cluster"]
        return x509.load_pem_x509_certificates(base64.b64decode(data["certificate-authority-data"]))

    [first] = bundle()
    assert kops("create", "keypair", "kubernetes-ca", "--name", cluster).code == 0
    assert [c.serial_number for c in bundle()][0] == first.serial_number and len(bundle()) == 2
    assert kops("promote", "keypair", "kubernetes-ca", "--name", cluster).code == 0
    assert kops("distrust", "keypair", "kubernetes-ca", "--name", cluster).code == 0
    [only] = bundle()
    assert only.serial_number != first.serial_number


def test_user_flag_and_plain_reexport(kops, cluster, kubeconfig):
    missing = kops("export", "kubeconfig", cluster)
    assert missing.code == 1 and "--admin" in missing.err and "--user" in missing.err
    assert yaml.safe_load(kubeconfig.read_text()) == UNRELATED
    unknown = kops("export", "kubeconfig", cluster, "--user", "nobody")
    assert unknown.code == 1 and "--user nobody: no such user" in unknown.err
    assert kops("export", "kubeconfig", cluster, "--user", "oidc").code == 0
    config = yaml.safe_load(kubeconfig.read_text())
    assert _entry(config, "contexts", cluster)["context"]["user"] == "oidc"
    assert cluster not in [u["name"] for u in config["users"]]
    # with the context in place, a plain export refreshes the cluster and keeps the user
    assert kops("export", "kubeconfig", cluster).code == 0
    assert _entry(yaml.safe_load(kubeconfig.read_text()), "contexts", cluster)["context"]["user"] == "oidc"
    both = kops("export", "kubeconfig", cluster, "--admin", "--user", "oidc")
    assert both.code == 1 and "cannot be used together" in both.err


def test_kubeconfig_location(kops, cluster, kops_env, tmp_path):
    first, second = tmp_path / "first" / "config", tmp_path / "second"
    r = kops("export", "kubeconfig", cluster, "--admin", env={"KUBECONFIG": f"{first}:{second}"})
    assert r.code == 0, r.err
    assert yaml.safe_load(first.read_text())["current-context"] == cluster and not second.exists()
    explicit = tmp_path / "explicit.yaml"
    assert kops("export", "kubecfg", cluster, "--admin", "--kubeconfig", str(explicit)).code == 0
    assert stat.S_IMODE(explicit.stat().st_mode) == 0o600
    assert not (Path(kops_env["HOME"]) / ".kube").exists()


def test_server_for_internal_override_and_gossip(kops, store, tmp_path):
    from kops.pki import ensure_cluster_pki

    assert kops("create", "cluster", "dev.k8s.local", "--cloud", "aws", "--zones", "us-east-1a",
                "--networking", "cni").code == 0
    ensure_cluster_pki(store, "dev.k8s.local")
    path = tmp_path / "kc"

    def server(*args: str) -> tuple[str, str]:
        r = kops("export", "kubeconfig", "dev.k8s.local", "--admin", "--kubeconfig", str(path), *args)
        assert r.code == 0, r.err
        return _entry(yaml.safe_load(path.read_text()), "clusters", "dev.k8s.local")["cluster"]["server"], r.err

    url, err = server()
    assert url == "https://api.dev.k8s.local" and "Warning:" in err and "--api-server" in err
    assert server("--internal") == ("https://api.internal.dev.k8s.local", "")
    assert server("--api-server", "https://203.0.113.7") == ("https://203.0.113.7", "")


def test_bad_input_writes_nothing(kops, cluster, kubeconfig, tmp_path):
    before = kubeconfig.read_bytes()
    bad_duration = kops("export", "kubeconfig", cluster, "--admin=soon")
    assert bad_duration.code == 1 and "--admin" in bad_duration.err and "Traceback" not in bad_duration.err
    nope = kops("export", "kubeconfig", "nope.example.com", "--admin")
    assert nope.code == 1 and "cluster 'nope.example.com' not found" in nope.err
    assert kubeconfig.read_bytes() == before
    broken = tmp_path / "broken"
    broken.write_text("clusters: [unclosed")
    r = kops("export", "kubeconfig", cluster, "--admin", "--kubeconfig", str(broken))
    assert r.code == 1 and f"kubeconfig {broken}: not valid YAML" in r.err
    assert broken.read_text() == "clusters: [unclosed"


def test_cluster_without_ca_is_an_error(kops, bare_cluster, kubeconfig):
    r = kops("export", "kubeconfig", bare_cluster, "--admin")
    assert r.code == 1 and "no kubernetes-ca keyset yet" in r.err
    assert yaml.safe_load(kubeconfig.read_text()) == UNRELATED


def test_load_balancer_address_is_used_once_known(store, cluster):
    from kops.api.access import LoadBalancerAccessSpec
    from kops.pki.kubeconfig import api_server_url
    from kops.registry import Registry

    spec = Registry(store).get(cluster).cluster
    assert api_server_url(spec, api_endpoint="lb-1.elb.example.com") == (f"https://api.{cluster}", [])
    spec.spec.api.loadBalancer = LoadBalancerAccessSpec(type="Public")
    assert api_server_url(spec, api_endpoint="lb-1.elb.example.com") == ("https://lb-1.elb.example.com", [])
    assert api_server_url(spec, api_endpoint="2001:db8::1")[0] == "https://[2001:db8::1]"


def test_help_imports_neither_cryptography_nor_kubernetes(kops_env):
    p = subprocess.run([sys.executable, "-X", "importtime", KOPS, "--help"], env=kops_env, capture_output=True,
                       text=True)
    assert p.returncode == 0 and "export" in p.stdout and "promote" in p.stdout and "distrust" in p.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in p.stderr.splitlines()
                if line.startswith("import time:")}
    assert not imported & {"cryptography", "kubernetes"}
