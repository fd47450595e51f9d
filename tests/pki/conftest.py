"""Clusters with and without PKI in the file:// store the ``kops`` fixture uses, and an OpenSSL helper."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from kops.pki import ensure_cluster_pki
from kops.state import open_store

CLUSTER = "dev.example.com"
#: base64 of "-----BEGIN RSA PRIVATE KEY": how a private key shows up inside a keyset file.
PRIVATE_KEY_B64 = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk"


@pytest.fixture
def store(kops_env):
    return open_store(kops_env["KOPS_STATE_STORE"])


@pytest.fixture
def store_root(kops_env) -> Path:
    return Path(kops_env["KOPS_STATE_STORE"].removeprefix("file://"))


@pytest.fixture
def bare_cluster(kops, store):
    """dev.example.com in public DNS, stored without keysets (as a cluster from a store written by upstream,
    which creates them at the first update)."""
    r = kops("create", "cluster", CLUSTER, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni",
             "--dns-zone", "example.com")
    assert r.code == 0, r.err
    store.delete_tree(f"{CLUSTER}/pki/")
    return CLUSTER


@pytest.fixture
def cluster(bare_cluster, store):
    """dev.example.com with its CA keysets, as after the first kops update cluster."""
    ensure_cluster_pki(store, bare_cluster)
    return bare_cluster


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def make_openssl_ca(directory: Path, name: str = "my-own-ca") -> tuple[Path, Path]:
    """A CA certificate and key made by OpenSSL, as a user bringing their own CA would have them."""
    key, cert = directory / f"{name}-key.pem", directory / f"{name}.pem"
    r = openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                "-days", "30", "-subj", f"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    assert r.returncode == 0, r.stderr
    return cert, key
