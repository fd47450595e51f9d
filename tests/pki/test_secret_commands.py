"""kops create secret encryptionconfig|dockerconfig and kops get secrets."""

from __future__ import annotations

import base64
import json
import stat

import pytest

from .conftest import snapshot

AES_KEY = base64.b64encode(b"k" * 32).decode()
ENCRYPTION_CONFIG = f"""\
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: {AES_KEY}
      - identity: {{}}
"""
DOCKER_AUTH = base64.b64encode(b"robot:s3cr3t-token").decode()
DOCKER_CONFIG = json.dumps({"auths": {"registry.example.com": {"auth": DOCKER_AUTH}}})


def test_secrets_are_stored_as_upstream_does_and_owner_only(kops, cluster, tmp_path, store_root):
    (tmp_path / "enc.yaml").write_text(ENCRYPTION_CONFIG)
    r = kops("create", "secret", "encryptionconfig", "-f", str(tmp_path / "enc.yaml"), "--name", cluster)
    assert r.code == 0, r.err
    r = kops("create", "secret", "dockerconfig", cluster, "-f", "-", input=DOCKER_CONFIG)
    assert r.code == 0, r.err
    for name, content in (("encryptionconfig", ENCRYPTION_CONFIG), ("dockerconfig", DOCKER_CONFIG)):
        stored = store_root / cluster / "secrets" / name
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert json.loads(stored.read_bytes()) == {"Data": base64.b64encode(content.encode()).decode()}


def test_get_secrets_shows_names_and_types_never_values(kops, cluster, tmp_path):
    (tmp_path / "enc.yaml").write_text(ENCRYPTION_CONFIG)
    (tmp_path / "docker.json").write_text(DOCKER_CONFIG)
    assert kops("create", "secret", "encryptionconfig", "-f", str(tmp_path / "enc.yaml"), "--name", cluster).code == 0
    assert kops("create", "secret", "dockerconfig", "-f", str(tmp_path / "docker.json"), "--name", cluster).code == 0
    table = kops("get", "secrets", "--name", cluster)
    assert table.code == 0, table.err
    assert [line.split() for line in table.out.splitlines()] == \
        [["NAME", "TYPE"], ["dockerconfig", "DockerConfig"], ["encryptionconfig", "EncryptionConfiguration"]]
    as_json = kops("get", "secrets", "--name", cluster, "-o", "json")
    assert json.loads(as_json.out) == [{"name": "dockerconfig", "type": "DockerConfig"},
                                       {"name": "encryptionconfig", "type": "EncryptionConfiguration"}]
    every_output = table.out + as_json.out + kops("get", "secrets", "--name", cluster, "-o", "yaml").out
    for value in (AES_KEY, DOCKER_AUTH, "s3cr3t-token", base64.b64encode(ENCRYPTION_CONFIG.encode()).decode()[:40]):
        assert value not in every_output


def test_existing_secret_needs_force(kops, cluster, tmp_path, store_root):
    (tmp_path / "a.json").write_text(DOCKER_CONFIG)
    (tmp_path / "b.json").write_text(json.dumps({"auths": {"other.example.com": {}}}))
    assert kops("create", "secret", "dockerconfig", "-f", str(tmp_path / "a.json"), "--name", cluster).code == 0
    before = snapshot(store_root)
    again = kops("create", "secret", "dockerconfig", "-f", str(tmp_path / "b.json"), "--name", cluster)
    assert again.code == 1 and "already exists" in again.err and "--force" in again.err
    assert snapshot(store_root) == before
    forced = kops("create", "secret", "dockerconfig", "-f", str(tmp_path / "b.json"), "--force=true", "--name", cluster)
    assert forced.code == 0, forced.err
    stored = json.loads((store_root / cluster / "secrets" / "dockerconfig").read_bytes())
    assert b"other.example.com" in base64.b64decode(stored["Data"])


@pytest.mark.parametrize("kind, content, message", [
    ("encryptionconfig", "key: [unclosed", "not valid YAML"),
    ("encryptionconfig", ENCRYPTION_CONFIG.replace("kind: EncryptionConfiguration", "kind: Secret"),
     "kind: must be EncryptionConfiguration"),
    ("encryptionconfig", ENCRYPTION_CONFIG.replace("apiserver.config.k8s.io/v1", "v1"), "apiVersion: must be"),
    ("encryptionconfig", ENCRYPTION_CONFIG.replace(AES_KEY, "not*base64"),
     "resources[0].providers[0].aescbc.keys[0].secret: not valid base64"),
    ("encryptionconfig", ENCRYPTION_CONFIG.replace(AES_KEY, base64.b64encode(b"short").decode()),
     "resources[0].providers[0].aescbc.keys[0].secret: aescbc keys are 16 or 24 or 32 bytes long, this one is 5"),
    ("encryptionconfig", ENCRYPTION_CONFIG.replace("      - identity: {}\n", "      - rot13: {}\n"),
     "resources[0].providers[1]: expected exactly one of"),
    ("encryptionconfig", "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n",
     "resources: required"),
    ("dockerconfig", "{not json", "not valid JSON"),
    ("dockerconfig", json.dumps({"credsStore": "desktop"}), "auths: required"),
    ("dockerconfig", json.dumps({"auths": {"r.example.com": {"auth": "@@@"}}}),
     'auths["r.example.com"].auth: not valid base64'),
    ("dockerconfig", json.dumps({"auths": {"r.example.com": {"auth": base64.b64encode(b"nocolon").decode()}}}),
     "must be base64 of USERNAME:PASSWORD"),
])
def test_invalid_files_are_refused_naming_the_field(kops, cluster, tmp_path, store_root, kind, content, message):
    path = tmp_path / "input"
    path.write_text(content)
    before = snapshot(store_root)
    r = kops("create", "secret", kind, "-f", str(path), "--name", cluster)
    assert r.code == 1, r.out
    assert f"-f {path}: " in r.err and message in r.err, r.err
    assert "Traceback" not in r.err
    assert len([line for line in r.err.splitlines() if not line.startswith("WARNING ")]) == 1  # one line
    for value in (AES_KEY, "not*base64", "@@@"):
        assert value not in r.err
    assert snapshot(store_root) == before


def test_secret_commands_need_an_existing_cluster(kops, tmp_path):
    (tmp_path / "docker.json").write_text(DOCKER_CONFIG)
    r = kops("create", "secret", "dockerconfig", "-f", str(tmp_path / "docker.json"), "--name", "nope.example.com")
    assert r.code == 1 and "cluster 'nope.example.com' not found" in r.err
    assert kops("get", "secrets", "--name", "nope.example.com").code == 1
    missing_flag = kops("create", "secret", "dockerconfig", "--name", "nope.example.com")
    assert missing_flag.code == 1 and "'-f'" in missing_flag.err
