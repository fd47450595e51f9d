"""Boot files in an s3:// state store: written directly or as Terraform objects; private ones stay secret."""

from __future__ import annotations

import pytest
from kops.engine import Executor
from kops.engine.plan import Action
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.model import BootstrapFile
from kops_aws.model import AWSModel
from kops_aws.model.storage import BUILDER
from upstream_cases import fresh_account, model_for, resources, run_context, terraform_files

PRIVATE_KEY = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAv3SECRETSECRET\n-----END RSA PRIVATE KEY-----\n"
PRIVATE_PATH = "pki/private/kubernetes-ca/keyset.yaml"


def with_private_file(model):
    model.bootstrap_files.append(BootstrapFile(PRIVATE_PATH, PRIVATE_KEY, private=True))
    return model


def executor() -> Executor:
    return Executor(4, sleep=lambda _: None)


def test_terraform_writes_public_files_and_never_private_ones() -> None:
    model = with_private_file(model_for("minimal-1.35", target="terraform", state_url="s3://kops-state/prod"))
    files = terraform_files(model)
    objects = {name: attrs for (type_, name), attrs in resources(files["kubernetes.tf"].decode()).items()
               if type_ == "aws_s3_object"}
    assert sorted(objects) == ["cluster-completed-spec", "igconfig--control-plane--master-us-test-1a--nodeupconfig-yaml",
                               "igconfig--node--nodes--nodeupconfig-yaml", "kops-version-txt"]
    spec = objects["cluster-completed-spec"]
    assert spec["bucket"] == '"kops-state"' and spec["key"] == '"prod/minimal.example.com/cluster-completed.spec"'
    assert spec["provider"] == "${aws.files}" and spec["server_side_encryption"] == '"AES256"'
    assert files["data/aws_s3_object_cluster-completed.spec_content"] == model.bootstrap_files[0].content
    for data in files.values():
        assert b"PRIVATE KEY" not in data and b"SECRETSECRET" not in data


def test_no_objects_for_a_store_that_is_not_s3() -> None:
    model = model_for("minimal-1.35", target="terraform", state_url="file:///tmp/state")
    assert BUILDER.build(AWSModel(model)) == []


@pytest.fixture
def s3(aws):
    return fresh_account(aws).client("s3")


def managed_files_context(model):
    """A run's context with the s3:// state store, as ``kops update cluster`` makes it."""
    from kops.state import open_store
    from kops.tasks import managed_file

    ctx = run_context(model)
    ctx.store = open_store(model.state_url)
    ctx.snapshot.register(managed_file.KIND, managed_file.lister(ctx.store, model.cluster_name))
    return ctx


def test_direct_writes_files_encrypts_private_ones_and_plans_hide_them(s3) -> None:
    """The files in an s3:// store are core's ManagedFile tasks; the S3 store encrypts private ones."""
    from kops.bootstrap import BootFilesBuilder

    model = with_private_file(model_for("minimal-1.35", region="us-east-1", state_url="s3://kops-state/prod"))
    tasks = BootFilesBuilder().build(model)
    assert BUILDER.build(AWSModel(model)) == []  # no S3 objects of its own outside Terraform output
    plan = DryRunTarget(executor()).run(managed_files_context(model), tasks)
    private = next(c for c in plan.changes if c.name == PRIVATE_PATH)
    assert private.action == Action.CREATE and private.fields["content"] == (None, "(sensitive)")
    assert "SECRETSECRET" not in plan.render_text() and "SECRETSECRET" not in plan.to_json()

    DirectTarget(executor()).run(managed_files_context(model), tasks)
    key = f"prod/minimal.example.com/{PRIVATE_PATH}"
    stored = s3.get_object(Bucket="kops-state", Key=key)
    assert stored["Body"].read() == PRIVATE_KEY and stored["ServerSideEncryption"] == "AES256"
    assert not DryRunTarget(executor()).run(managed_files_context(model), BootFilesBuilder().build(model)).has_changes

    model.bootstrap_files[1] = BootstrapFile("kops-version.txt", b"1.36.0")
    plan = DryRunTarget(executor()).run(managed_files_context(model), BootFilesBuilder().build(model))
    assert [c.label for c in plan.changes if c.action != Action.NONE] == ["ManagedFile/kops-version.txt"]
