"""Terraform output for GCE clusters: upstream's ``google`` provider, locals and outputs, written offline (no GCE
endpoint, no credentials); with a ``gs://`` state store, the boot files as ``google_storage_bucket_object``
resources holding what kops stores, and never a private key."""

from __future__ import annotations

import base64
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from kops.engine import Context
from kops.engine.targets.terraform import TerraformTarget
from kops.model import BootstrapFile
from kops.testing import cli, upstream
from kops_gce.model.storage import StorageBuilder
from kops_gce.tasks.storage_object import StorageObject

CASE = "minimal_gce"
#: Upstream's GCE cases, each with the provider, locals and outputs its project and region give.
GCE_CASES = ("minimal_gce", "minimal_gce_private", "minimal_gce_longclustername")
_BLOCK = re.compile(r"^(\S[^\n]*\{\n.*?^\}\n)", re.M | re.S)


def blocks(text: str) -> dict[str, str]:
    """The top-level blocks of a ``kubernetes.tf`` by their header (``provider "google"``, ``output "region"``);
    a second block with the same header (an aliased provider) gets `` #2``."""
    found: dict[str, str] = {}
    for block in _BLOCK.findall(text):
        header = block.split("{", 1)[0].strip()
        found[header if header not in found else header + " #2"] = block
    return found


def case_input(case: str) -> tuple[Path, str]:
    """An upstream case's folder and its cluster's name."""
    folder = upstream.require() / "update_cluster" / case
    docs = [d for d in yaml.safe_load_all((folder / "in-v1alpha2.yaml").read_text()) if d]
    return folder, next(d["metadata"]["name"] for d in docs if d["kind"] == "Cluster")


@pytest.fixture
def user(tmp_path):
    """A fresh machine without Google credentials, gcloud configuration, metadata server or GCE endpoint: any call
    to Compute would fail the command."""
    env = cli.isolated_env(tmp_path)
    (tmp_path / "gcloud").mkdir()
    env.update(CLOUDSDK_CONFIG=str(tmp_path / "gcloud"), NO_GCE_CHECK="true")
    return env


def terraform_for(run, case: str, out: Path) -> str:
    """``kops create -f`` the case's input (and its SSH key), then write its Terraform to ``out``; the
    configuration's text."""
    folder, name = case_input(case)
    steps = [("create", "-f", str(folder / "in-v1alpha2.yaml"))]
    if (folder / "id_rsa.pub").exists():
        steps.append(("create", "sshpublickey", name, "-i", str(folder / "id_rsa.pub")))
    steps.append(("update", "cluster", name, "--target", "terraform", "--out", str(out), "--yes"))
    for args in steps:
        result = run(*args)
        assert result.returncode == 0, f"kops {' '.join(args[:2])}: {result.stderr}"
    return (out / "kubernetes.tf").read_text()


# --- provider, locals and outputs, as upstream writes them -------------------------------------------------

@pytest.mark.parametrize("case", GCE_CASES)
def test_provider_locals_and_outputs_are_upstreams_and_need_no_api(user, tmp_path, case):
    written = blocks(terraform_for(cli.runner(user), case, tmp_path / "out"))
    expected = blocks((upstream.require() / "update_cluster" / case / "kubernetes.tf").read_text())
    for header in ("locals", 'output "cluster_name"', 'output "project"', 'output "region"', 'provider "google"'):
        assert written[header] == expected[header], header
    assert 'provider "google" #2' not in written  # the files provider is for a gs:// store only
    assert "google_storage_bucket_object" not in "".join(written)
    google = re.search(r"^    google = \{\n.*?^    \}\n", written["terraform"], re.M | re.S)
    assert google and google.group(0) == re.search(r"^    google = \{\n.*?^    \}\n", expected["terraform"],
                                                    re.M | re.S).group(0)


def test_provider_extra_configuration_is_added_to_the_providers(user, tmp_path):
    folder, name = case_input(CASE)
    docs = [d for d in yaml.safe_load_all((folder / "in-v1alpha2.yaml").read_text()) if d]
    cluster = next(d for d in docs if d["kind"] == "Cluster")
    cluster["spec"]["target"] = {"terraform": {"providerExtraConfig": {"request_timeout": "60s",
                                                                       "region": "us-test2"}}}
    manifest = tmp_path / "cluster.yaml"
    manifest.write_text(yaml.safe_dump_all(docs))
    run = cli.runner(user)
    assert run("create", "-f", str(manifest)).returncode == 0
    assert run("create", "sshpublickey", name, "-i", str(folder / "id_rsa.pub")).returncode == 0
    result = run("update", "cluster", name, "--target", "terraform", "--out", str(tmp_path / "out"), "--yes")
    assert result.returncode == 0, result.stderr
    provider = blocks((tmp_path / "out" / "kubernetes.tf").read_text())['provider "google"']
    assert provider == ('provider "google" {\n  project         = "testproject"\n  region          = "us-test2"\n'
                        '  request_timeout = "60s"\n}\n')


# --- boot files in a gs:// state store ---------------------------------------------------------------------

@pytest.fixture
def gs_user(user, gcs_server, monkeypatch):
    """The user with a ``gs://`` state store in fake-gcs-server (and no GCE endpoint); this process reads the same
    store."""
    bucket = f"kops-state-{uuid.uuid4().hex[:12]}"
    gcs_server.create_bucket(bucket, "kops-terraform-tests")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server.url)
    return {**user, "STORAGE_EMULATOR_HOST": gcs_server.url, "KOPS_STATE_STORE": f"gs://{bucket}/clusters"}


def private_keys(store, cluster: str) -> list[bytes]:
    """Every private key of the cluster's keysets, as stored and as PEM lines."""
    found = []
    for path in store.list(f"{cluster}/pki/private/"):
        keyset = yaml.safe_load(store.read(path).data)
        for key in keyset["spec"]["keys"]:
            material = key["privateMaterial"]
            found.append(material.encode())
            found += [line for line in base64.b64decode(material).splitlines() if len(line) > 40]
    return found


def test_a_gs_store_gets_the_boot_files_as_storage_objects_without_private_keys(gs_user, tmp_path):
    from kops.state import open_store

    out = tmp_path / "out"
    text = terraform_for(cli.runner(gs_user), CASE, out)
    _, name = case_input(CASE)
    url = gs_user["KOPS_STATE_STORE"]
    bucket = url.removeprefix("gs://").split("/")[0]
    written = blocks(text)
    assert written['provider "google" #2'] == 'provider "google" {\n  alias = "files"\n}\n'
    assert '"configuration_aliases" = [google.files]' in written["terraform"]

    objects = {header.split('"')[3]: body for header, body in written.items()
               if header.startswith('resource "google_storage_bucket_object"')}
    store = open_store(url)
    stored = {p.removeprefix(f"{name}/") for p in store.list(f"{name}/")}
    assert {"cluster-completed-spec", "kops-version-txt", "igconfig--node--nodes--nodeupconfig-yaml"} <= set(objects)
    spec = objects["cluster-completed-spec"]
    assert f'bucket   = "{bucket}"' in spec
    assert f'name     = "clusters/{name}/cluster-completed.spec"' in spec
    assert "provider = google.files" in spec
    source = 'source   = "${path.module}/data/google_storage_bucket_object_cluster-completed.spec_content"'
    assert source in spec
    # Each object holds what kops stored under its name.
    for body in objects.values():
        object_name = re.search(r'^  name += "clusters/[^/]+/(.*)"$', body, re.M).group(1)
        data_file = re.search(r'source += "\$\{path\.module\}/(.*)"', body).group(1)
        assert object_name in stored and not object_name.startswith(("pki/", "secrets/"))
        assert (out / data_file).read_bytes() == store.read(f"{name}/{object_name}").data, object_name

    keys = private_keys(store, name)
    assert keys  # the cluster's CAs exist, and none of their keys reached Terraform's files
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [k for k in keys if k in data], path


# --- the builder and the task -------------------------------------------------------------------------------

def model(state_url: str, target: str = "terraform") -> SimpleNamespace:
    return SimpleNamespace(target=target, state_url=state_url, cluster_name="minimal.example.com", bootstrap_files=[
        BootstrapFile("cluster-completed.spec", b"kind: Cluster\n"),
        BootstrapFile("pki/private/kubernetes-ca/keyset.yaml", b"-----BEGIN RSA PRIVATE KEY-----\nMIIsecret\n",
                      private=True),
    ])


def test_private_files_and_other_stores_make_no_storage_objects():
    (spec,) = StorageBuilder().build(model("gs://bucket/some/prefix"))
    assert (spec.name, spec.bucket, spec.object_name) == (
        "cluster-completed.spec", "bucket", "some/prefix/minimal.example.com/cluster-completed.spec")
    assert StorageBuilder().build(model("gs://bucket"))[0].object_name == "minimal.example.com/cluster-completed.spec"
    assert StorageBuilder().build(model("file:///tmp/state")) == []
    assert StorageBuilder().build(model("s3://bucket")) == []
    assert StorageBuilder().build(model("gs://bucket", target="direct")) == []


def test_a_storage_object_is_written_as_upstream_writes_it():
    task = StorageObject(name="bar", bucket="foo", object_name="bar", content=b"hello world")
    files = TerraformTarget().run(Context("minimal.example.com"), [task])
    assert files["data/google_storage_bucket_object_bar_content"] == b"hello world"
    assert blocks(files["kubernetes.tf"].decode())['resource "google_storage_bucket_object" "bar"'] == (
        'resource "google_storage_bucket_object" "bar" {\n  bucket   = "foo"\n  name     = "bar"\n'
        '  provider = google.files\n'
        '  source   = "${path.module}/data/google_storage_bucket_object_bar_content"\n}\n')
