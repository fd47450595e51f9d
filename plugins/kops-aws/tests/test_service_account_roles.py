"""IAM roles for service accounts through the ``kops`` command line, against the AWS emulator over HTTP: a cluster
created with ``--discovery-store`` gets the issuer's documents in S3, an IAM OIDC provider and a role per
controller, whose manifests name their roles; the control-plane role loses the controllers' permissions; the
re-plan is empty; ``kops delete cluster`` removes the provider and the roles."""

from __future__ import annotations

import json

import pytest
import yaml
from cli_kit import create, kops
from kops_aws.serviceaccounts import role_name

CONTROLLERS = ("aws-cloud-controller-manager", "aws-node-termination-handler", "dns-controller",
               "ebs-csi-controller-sa")


@pytest.fixture
def clients(lab):
    import boto3

    session = boto3.session.Session(region_name="us-east-1")
    return {name: session.client(name) for name in ("iam", "s3", "sts", "route53")}


def stored_manifest(store, cluster: str, addon: str) -> list[dict]:
    found = sorted((store / cluster / "addons" / addon).glob("*.yaml"))
    assert len(found) == 1, found
    return [d for d in yaml.safe_load_all(found[0].read_text()) if d]


def pod_spec(docs: list[dict], kind: str, name: str) -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)["spec"]["template"]["spec"]


def env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env") or []}


def test_a_cluster_with_a_discovery_store_gets_roles_for_its_controllers(lab, clients, s3_bucket, tmp_path):
    iam, s3 = clients["iam"], clients["s3"]
    clients["route53"].create_hosted_zone(Name="example.com", CallerReference=lab["name"])
    name = lab["name"]
    create(lab, "--discovery-store", f"s3://{s3_bucket}/oidc", "--dns", "public")
    kops(lab, "update", "cluster", name, "--yes")
    account = clients["sts"].get_caller_identity()["Account"]

    # The issuer's documents, public, at the bucket's address.
    issuer = f"https://{s3_bucket}.s3.us-east-1.amazonaws.com/oidc/{name}"
    discovery = json.loads(s3.get_object(Bucket=s3_bucket, Key=f"oidc/{name}/.well-known/openid-configuration")[
        "Body"].read())
    assert discovery["issuer"] == issuer and discovery["jwks_uri"] == issuer + "/openid/v1/jwks"
    keys = json.loads(s3.get_object(Bucket=s3_bucket, Key=f"oidc/{name}/openid/v1/jwks")["Body"].read())["keys"]
    assert len(keys) == 1 and {"kid", "n", "e"} <= set(keys[0]) and keys[0]["alg"] == "RS256"
    assert not {"d", "p", "q"} & set(keys[0])  # a public key only
    grants = s3.get_object_acl(Bucket=s3_bucket, Key=f"oidc/{name}/openid/v1/jwks")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") and g["Permission"] == "READ" for g in grants)

    # The provider trusts that issuer for the amazonaws.com audience.
    host = issuer.removeprefix("https://")
    provider_arn = f"arn:aws:iam::{account}:oidc-provider/{host}"
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)
    assert provider["ClientIDList"] == ["amazonaws.com"]
    assert {t["Key"]: t["Value"] for t in provider["Tags"]}[f"kubernetes.io/cluster/{name}"] == "owned"

    # A role per controller, which only that service account may assume through the provider.
    for account_name in CONTROLLERS:
        role = iam.get_role(RoleName=role_name("kube-system", account_name, name))["Role"]
        (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Federated": provider_arn}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Condition"] == {"StringEquals": {f"{host}:sub": f"system:serviceaccount:kube-system:"
                                                                          f"{account_name}"}}
    dns_role = role_name("kube-system", "dns-controller", name)
    dns = iam.get_role_policy(RoleName=dns_role, PolicyName=dns_role)["PolicyDocument"]
    assert any("route53:ChangeResourceRecordSets" in s["Action"] for s in dns["Statement"])

    # The control-plane role no longer carries what the controllers do.
    masters = json.dumps(iam.get_role_policy(RoleName=f"masters.{name}", PolicyName=f"masters.{name}")[
        "PolicyDocument"])
    for action in ("route53:ChangeResourceRecordSets", "elasticloadbalancing:CreateLoadBalancer", "ec2:CreateVolume",
                   "sqs:ReceiveMessage", "autoscaling:SetDesiredCapacity"):
        assert action not in masters, action

    # The controllers' manifests name their roles, with the account STS gave.
    store = tmp_path / "state"
    dns_pod = pod_spec(stored_manifest(store, name, "dns-controller.addons.k8s.io"), "Deployment", "dns-controller")
    assert env(dns_pod["containers"][0])["AWS_ROLE_ARN"] == f"arn:aws:iam::{account}:role/{dns_role}"
    assert env(dns_pod["containers"][0])["AWS_WEB_IDENTITY_TOKEN_FILE"] == "/var/run/secrets/amazonaws.com/token"
    token = next(v for v in dns_pod["volumes"] if v["name"] == "token-amazonaws-com")
    assert token["projected"]["sources"][0]["serviceAccountToken"]["audience"] == "amazonaws.com"
    nth = pod_spec(stored_manifest(store, name, "node-termination-handler.aws"), "Deployment",
                   "aws-node-termination-handler")
    assert "hostNetwork" not in nth and "tolerations" not in nth  # any node will do, with the pod network
    assert env(nth["containers"][0])["AWS_ROLE_ARN"] == \
        f"arn:aws:iam::{account}:role/{role_name('kube-system', 'aws-node-termination-handler', name)}"

    replan = kops(lab, "update", "cluster", name, "--detailed-exitcode", check=False)
    assert replan.returncode == 0, replan.stdout

    kops(lab, "delete", "cluster", name, "--yes")
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert not [r["RoleName"] for r in iam.list_roles()["Roles"] if ".sa." in r["RoleName"]]


def test_the_provider_follows_the_issuer_and_its_audiences(aws) -> None:
    """Against the emulator, task by task: created, unchanged on a re-plan, its thumbprints brought back when
    changed by hand, replaced when the issuer moves, and found by ``kops delete cluster`` only when owned."""
    from kops.engine import Executor
    from kops.engine.plan import Action
    from kops.engine.targets.direct import DirectTarget
    from kops.engine.targets.dryrun import DryRunTarget
    from kops_aws.model import AWSModel
    from kops_aws.model.issuer import BUILDER as ISSUER
    from upstream_cases import fresh_account, model_for, run_context

    iam = fresh_account(aws).client("iam")
    model = model_for("public-jwks-apiserver", region="us-east-1", state_url="memfs://clusters.example.com")

    def run(target):
        return target(Executor(4, sleep=lambda _: None)).run(run_context(model), ISSUER.build(AWSModel(model)))

    run(DirectTarget)
    (listed,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert listed["Arn"].endswith(":oidc-provider/discovery.example.com/minimal.example.com")
    assert not run(DryRunTarget).has_changes

    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=listed["Arn"], ThumbprintList=["0" * 40])
    plan = run(DryRunTarget)
    assert {c.label: c.action for c in plan.changes if c.action != Action.NONE} == {
        "IAMOIDCProvider/minimal.example.com": Action.UPDATE}
    run(DirectTarget)
    assert len(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=listed["Arn"])["ThumbprintList"]) == 2

    model.cluster.spec.kubeAPIServer.serviceAccountIssuer = "https://elsewhere.example.com/minimal.example.com"
    plan = run(DryRunTarget)
    assert {c.label: c.action for c in plan.changes if c.action != Action.NONE} == {
        "IAMOIDCProvider/minimal.example.com": Action.REPLACE}
    run(DirectTarget)
    (moved,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert moved["Arn"].endswith(":oidc-provider/elsewhere.example.com/minimal.example.com")

    someone_elses = iam.create_open_id_connect_provider(Url="https://other.example.com", ClientIDList=["sts"],
                                                       ThumbprintList=["1" * 40])["OpenIDConnectProviderArn"]
    doomed = [t for t in model.cloud.owned_resources(run_context(model), model) if t.type_name == "IAMOIDCProvider"]
    assert [t.arn for t in doomed] == [moved["Arn"]]
    DirectTarget(Executor(4, sleep=lambda _: None)).run(run_context(model), [], doomed)
    assert [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]] == [someone_elses]
