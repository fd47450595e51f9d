"""Copying images between registries (``kops get assets --copy`` with ``spec.assets.containerRegistry``): every
platform of an index, blobs checked against their digests and not sent twice, tokens where a registry wants them."""

from __future__ import annotations

import hashlib
import json

import pytest
from kops.assets.registry import INDEX_TYPES, MANIFEST_TYPES, Reference, copy, parse
from kops.errors import KopsError
from kops.testing.registry import FakeRegistry


@pytest.fixture
def registries():
    source, target = FakeRegistry(token="pull-token"), FakeRegistry()
    yield source, target
    source.stop()
    target.stop()


def _image(registry: FakeRegistry, repository: str, tag: str, arches=("amd64", "arm64")) -> str:
    children = []
    shared = registry.push_blob(b"a base layer every platform shares")
    for arch in arches:
        config = registry.push_blob(json.dumps({"architecture": arch, "os": "linux"}).encode())
        layer = registry.push_blob(f"the {arch} layer".encode())
        manifest = {"schemaVersion": 2, "mediaType": MANIFEST_TYPES[0], "config": config, "layers": [shared, layer]}
        digest = registry.push_manifest(repository, f"{tag}-{arch}", MANIFEST_TYPES[0], manifest)
        children.append({"mediaType": MANIFEST_TYPES[0], "digest": digest, "size": 1,
                         "platform": {"architecture": arch, "os": "linux"}})
    return registry.push_manifest(repository, tag, INDEX_TYPES[0],
                                  {"schemaVersion": 2, "mediaType": INDEX_TYPES[0], "manifests": children})


def test_references_read_as_registries_name_them():
    assert parse("registry.k8s.io/kube-apiserver:v1.35.7") == Reference("registry.k8s.io", "kube-apiserver", "v1.35.7")
    assert parse("calico/node:v3.31.6") == parse("docker.io/calico/node:v3.31.6") == \
        Reference("registry-1.docker.io", "calico/node", "v3.31.6")
    assert parse("busybox") == Reference("registry-1.docker.io", "library/busybox", "latest")
    assert parse("127.0.0.1:5000/a/b@sha256:" + "0" * 64) == Reference("127.0.0.1:5000", "a/b", "sha256:" + "0" * 64)


def test_an_index_is_copied_with_every_platform_and_each_blob_once(registries):
    source, target = registries
    digest = _image(source, "kube-apiserver", "v1.35.7")
    pushed = copy(f"{source.host}/kube-apiserver:v1.35.7", f"{target.host}/mirror/kube-apiserver:v1.35.7")
    assert pushed == digest
    assert target.manifests[("mirror/kube-apiserver", "v1.35.7")] == source.manifests[("kube-apiserver", "v1.35.7")]
    index = json.loads(target.manifests[("mirror/kube-apiserver", digest)][1])
    for child in index["manifests"]:
        manifest = json.loads(target.manifests[("mirror/kube-apiserver", child["digest"])][1])
        for blob in [manifest["config"], *manifest["layers"]]:
            assert hashlib.sha256(target.blobs[blob["digest"]]).hexdigest() == blob["digest"].split(":")[1]
    uploads = [p for m, p in target.requests if m == "POST"]
    assert len(uploads) == len(target.blobs) == 5  # the shared layer once, a config and a layer per platform
    # Again: every blob is there already, nothing is uploaded.
    copy(f"{source.host}/kube-apiserver:v1.35.7", f"{target.host}/mirror/kube-apiserver:v1.35.7")
    assert len([p for m, p in target.requests if m == "POST"]) == 5


def test_a_blob_that_is_not_its_digest_is_refused(registries):
    source, target = registries
    _image(source, "pause", "3.10.1", arches=("amd64",))
    layer = next(d for d, data in source.blobs.items() if data == b"the amd64 layer")
    source.blobs[layer] = b"something else"
    with pytest.raises(KopsError, match=f"blob {layer} arrived with digest sha256:"):
        copy(f"{source.host}/pause:3.10.1", f"{target.host}/pause:3.10.1")
    assert layer not in target.blobs and not target.manifests


def test_a_missing_image_is_named(registries):
    source, target = registries
    with pytest.raises(KopsError, match=r"copying .*/nothing:v1 to .*: HTTP 404 .*MANIFEST_UNKNOWN"):
        copy(f"{source.host}/nothing:v1", f"{target.host}/nothing:v1")
