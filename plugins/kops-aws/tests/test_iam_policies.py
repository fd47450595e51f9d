"""The instance roles' policies: upstream's text for upstream's cases, and least privilege by construction."""

from __future__ import annotations

import json

import pytest
from kops_aws.iampolicy import assume_role_policy, partition
from kops_aws.model import AWSModel
from kops_aws.model.iam import BUILDER
from kops_aws.tasks.iam_instance_profile import IAMInstanceProfile
from kops_aws.tasks.iam_role import IAMRole
from kops_aws.tasks.iam_role_policy import IAMRolePolicy
from kops_aws.tasks.iam_role_policy_attachment import IAMRolePolicyAttachments
from upstream_cases import case_dir, model_for

# Cases whose instance-role policies upstream wrote, across networking providers, IPv6, warm pools, GPUs,
# external policies, the load balancer controller and shared VPCs (service accounts' roles: see
# test_service_account_model).
CASES = [
    "minimal-1.35", "complex", "privatecalico", "privatecilium-eni", "privatekindnet", "minimal-ipv6-calico",
    "minimal-warmpool", "nvidia", "externalpolicies", "many-addons", "apiservernodes", "shared_vpc",
    "minimal-dns-none", "containerd-custom", "nth-imds-processor",
]


def build(case: str, **kwargs):
    state = "memfs://clusters.example.com" if "clusters.example.com" in (
        case_dir(case) / "data" / "aws_s3_object_cluster-completed.spec_content").read_text() else "memfs://tests"
    return BUILDER.build(AWSModel(model_for(case, state_url=state, **kwargs)))


@pytest.mark.parametrize("case", CASES)
def test_policies_are_upstreams(case: str) -> None:
    # Upstream looked the DNS zone's ID up in its mock cloud; name it the same where it did.
    written = "".join(p.read_text() for p in (case_dir(case) / "data").glob("aws_iam_role_policy_*"))
    tasks = build(case, dns_zone="Z1AFAKE1ZON3YO" if "hostedzone/" in written else None)
    policies = {t.name: t.policy_document for t in tasks if isinstance(t, IAMRolePolicy) and t.policy_document}
    upstream = {p.name.removeprefix("aws_iam_role_policy_").removesuffix("_policy"): p.read_text()
                for p in (case_dir(case) / "data").glob("aws_iam_role_policy_*_policy") if ".sa." not in p.name}
    assert sorted(policies) == sorted(upstream)
    for name, text in policies.items():
        # Upstream's tests run in a made-up partition; the documents are otherwise the same text.
        assert text.replace("arn:aws:", "arn:aws-test:") + "\n" == upstream[name], name


def test_roles_profiles_and_trust_policy() -> None:
    tasks = build("minimal-1.35")
    roles = {t.name: t for t in tasks if isinstance(t, IAMRole)}
    assert sorted(roles) == ["masters.minimal.example.com", "nodes.minimal.example.com"]
    assert roles["masters.minimal.example.com"].export_name == "masters"
    assert roles["nodes.minimal.example.com"].assume_role_policy + "\n" == (
        case_dir("minimal-1.35") / "data" / "aws_iam_role_nodes.minimal.example.com_policy").read_text()
    profiles = {t.name: t for t in tasks if isinstance(t, IAMInstanceProfile)}
    assert profiles["nodes.minimal.example.com"].role is roles["nodes.minimal.example.com"]
    assert profiles["nodes.minimal.example.com"].tags == {
        "Name": "nodes.minimal.example.com", "KubernetesCluster": "minimal.example.com",
        "kubernetes.io/cluster/minimal.example.com": "owned"}


def statements(tasks, name: str) -> list[dict]:
    doc = next(t.policy_document for t in tasks if isinstance(t, IAMRolePolicy) and t.name == name)
    return json.loads(doc)["Statement"] if doc else []


def actions(stmt: dict) -> list[str]:
    return [stmt["Action"]] if isinstance(stmt["Action"], str) else stmt["Action"]


def test_least_privilege_on_an_s3_state_store() -> None:
    model = model_for("privatecalico", state_url="s3://kops-state/prefix")
    tasks = BUILDER.build(AWSModel(model))
    node = statements(tasks, "nodes.privatecalico.example.com")
    assert not any(a.startswith(("iam:", "route53:", "elasticloadbalancing:")) for s in node for a in actions(s))
    # A worker reads what it boots from (its configuration, the node bundle), never the keystore.
    assert [(actions(s), s["Resource"]) for s in node if any(a.startswith("s3:") for a in actions(s))] == [
        (["s3:GetObject"], ["arn:aws:s3:::kops-state/prefix/privatecalico.example.com/igconfig/node/*",
                            "arn:aws:s3:::kops-state/prefix/privatecalico.example.com/nodeup/bundle/*"])]
    assert statements(tasks, "bastions.privatecalico.example.com") == []
    master = statements(tasks, "masters.privatecalico.example.com")
    writes = [s for s in master if "s3:PutObject" in actions(s)]
    assert [w["Resource"] for w in writes] == [
        "arn:aws:s3:::kops-state/prefix/privatecalico.example.com/backups/etcd/main/*",
        "arn:aws:s3:::kops-state/prefix/privatecalico.example.com/backups/etcd/events/*"]
    reads = [s for s in master if actions(s) == ["s3:Get*"]]
    assert [r["Resource"] for r in reads] == ["arn:aws:s3:::kops-state/prefix/privatecalico.example.com/*"]
    # Every mutating EC2/ELB/ASG action is limited to resources tagged for this cluster.
    unlimited = [a for s in master if s["Resource"] in ("*", ["*"]) and "Condition" not in s for a in actions(s)]
    mutating = [a for a in unlimited if not a.split(":")[1].startswith(
        ("Describe", "Get", "List", "BatchCheck", "BatchGet"))]
    # Calico turns off source/destination checks on the instances' interfaces (upstream grants that
    # unconditionally); the rest cannot be limited by tag.
    assert mutating == ["ec2:ModifyNetworkInterfaceAttribute", "iam:CreateServiceLinkedRole",
                        "sqs:DeleteMessage", "sqs:ReceiveMessage"]
    # dns-controller may change records in the cluster's zone only (its ID is filled in when it is found).
    route53 = [s for s in master if "route53:ChangeResourceRecordSets" in actions(s)]
    assert [s["Resource"] for s in route53] == [["arn:aws:route53:::hostedzone/${hosted_zone_id}"]]


def test_additional_and_external_policies() -> None:
    model = model_for("externalpolicies")
    model.cluster.spec.additionalPolicies = {
        "node": json.dumps([{"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": ["*"]}])}
    tasks = BUILDER.build(AWSModel(model))
    attachments = {t.name: t.policy_arns for t in tasks if isinstance(t, IAMRolePolicyAttachments)}
    assert attachments == {"master-policyoverride": ["arn:aws-test:iam::123456789000:policy/test-policy"],
                           "node-policyoverride": ["arn:aws-test:iam::123456789000:policy/test-policy"]}
    extra = {t.name: t.policy_document for t in tasks if isinstance(t, IAMRolePolicy) and t.name.startswith("add")}
    assert extra["additional.masters.externalpolicies.example.com"] == ""
    assert json.loads(extra["additional.nodes.externalpolicies.example.com"]) == {
        "Statement": [{"Action": ["dynamodb:GetItem"], "Effect": "Allow", "Resource": ["*"]}],
        "Version": "2012-10-17"}


def test_partitions() -> None:
    assert partition("us-east-1") == "aws"
    assert partition("cn-north-1") == "aws-cn"
    assert partition("us-gov-west-1") == "aws-us-gov"
    assert '"ec2.amazonaws.com.cn"' in assume_role_policy("cn-north-1")
