"""IAM roles for service accounts in the AWS model, without AWS: upstream's roles, trust policies, inline policies
and OIDC provider for upstream's cases, and the Terraform an IRSA cluster with an S3 discovery store gets."""

from __future__ import annotations

import json

import pytest
from kops_aws.account import ACCOUNT_PLACEHOLDER
from kops_aws.model import AWSModel, build_all
from kops_aws.model.iam import BUILDER
from kops_aws.tasks.iam_oidc_provider import IAMOIDCProvider
from kops_aws.tasks.iam_role import IAMRole
from kops_aws.tasks.iam_role_policy import IAMRolePolicy
from kops_aws.tasks.iam_role_policy_attachment import IAMRolePolicyAttachments
from test_firewall_rules import unquoted
from upstream_cases import case_dir, model_for, resources, terraform_files

CASES = ["aws-lb-controller", "digit", "external_dns_irsa", "karpenter", "many-addons-ccm-irsa",
         "public-jwks-apiserver"]
#: Service accounts of add-ons this project does not build, whose roles upstream's cases hold.
NOT_BUILT = ("karpenter.kube-system.", "external-dns.kube-system.")
#: The account upstream's tests run in, and the zone its mock cloud had.
UPSTREAM_ACCOUNT = "123456789012"
UPSTREAM_ZONE = "Z1AFAKE1ZON3YO"


def upstream_text(text: str) -> str:
    """A document of ours as upstream's tests write it: their partition, account and zone."""
    return text.replace("arn:aws:", "arn:aws-test:").replace(ACCOUNT_PLACEHOLDER, UPSTREAM_ACCOUNT) + "\n"


def built(case: str) -> list:
    state = "memfs://clusters.example.com"
    model = model_for(case, state_url=state, dns_zone=UPSTREAM_ZONE)
    aws = AWSModel(model)
    from kops_aws.model.issuer import BUILDER as ISSUER

    issuer = ISSUER.build(aws)
    aws.add(issuer)
    return issuer + BUILDER.build(aws)


@pytest.mark.parametrize("case", CASES)
def test_service_account_roles_are_upstreams(case: str) -> None:
    tasks = built(case)
    data = case_dir(case) / "data"
    roles = {t.name: t for t in tasks if isinstance(t, IAMRole) and ".sa." in t.name}
    upstream_roles = {p.name.removeprefix("aws_iam_role_").removesuffix("_policy"): p.read_text()
                      for p in data.glob("aws_iam_role_*.sa.*_policy") if not p.name.startswith("aws_iam_role_policy_")}
    assert sorted(roles) == sorted(n for n in upstream_roles if not n.startswith(NOT_BUILT))
    for name, role in roles.items():
        assert upstream_text(role.assume_role_policy) == upstream_roles[name], name
        assert role.tags["service-account.kops.k8s.io/namespace"] == name.split(".")[1].replace("*", "wildcard")
        provider = next(t for t in tasks if isinstance(t, IAMOIDCProvider))
        assert provider in role.depends_on  # a trust policy may name only a provider that exists
    policies = {t.name: t.policy_document for t in tasks
                if isinstance(t, IAMRolePolicy) and ".sa." in t.name and t.policy_document}
    upstream_policies = {p.name.removeprefix("aws_iam_role_policy_").removesuffix("_policy"): p.read_text()
                         for p in data.glob("aws_iam_role_policy_*.sa.*_policy")}
    assert sorted(policies) == sorted(n for n in upstream_policies if not n.startswith(NOT_BUILT))
    for name, text in policies.items():
        assert upstream_text(text) == upstream_policies[name], name


@pytest.mark.parametrize("case", CASES)
def test_the_oidc_provider_is_upstreams(case: str) -> None:
    (provider,) = [t for t in built(case) if isinstance(t, IAMOIDCProvider)]
    (upstream,) = [unquoted(attrs) for (type_, _), attrs in
                   resources((case_dir(case) / "kubernetes.tf").read_text()).items()
                   if type_ == "aws_iam_openid_connect_provider"]
    assert provider.url == upstream["url"]
    assert provider.thumbprints == upstream["thumbprint_list"]
    assert provider.client_ids == upstream["client_id_list"]
    assert provider.tags == upstream["tags"]


def test_users_service_accounts_get_roles_without_the_addons_getting_theirs() -> None:
    tasks = built("digit")
    names = sorted(t.name for t in tasks if isinstance(t, IAMRole) and ".sa." in t.name)
    assert names == ["myotherserviceaccount.myapp.sa.123.example.com", "myserviceaccount.default.sa.123.example.com"]
    attachments = {t.name: t.policy_arns for t in tasks if isinstance(t, IAMRolePolicyAttachments)}
    assert attachments["external-myserviceaccount.default.sa.123.example.com"] == [
        "arn:aws-test:iam::123456789012:policy/UsersManageOwnCredentials"]
    # Only an inline policy makes an inline policy; one without is made sure not to exist.
    inline = {t.name: t.policy_document for t in tasks if isinstance(t, IAMRolePolicy)}
    assert inline["myserviceaccount.default.sa.123.example.com"] == ""


def test_a_wildcard_namespace_matches_with_string_like() -> None:
    model = model_for("digit", state_url="memfs://clusters.example.com", edits={"namespace: myapp": "namespace: app-*"})
    tasks = BUILDER.build(AWSModel(model))
    role = next(t for t in tasks if isinstance(t, IAMRole) and t.name.startswith("myotherserviceaccount."))
    assert role.name == "myotherserviceaccount.app-wildcard.sa.123.example.com"
    condition = json.loads(role.assume_role_policy)["Statement"][0]["Condition"]
    assert condition == {"StringLike": {"discovery.example.com/123.example.com:sub":
                                        "system:serviceaccount:app-*:myotherserviceaccount"}}


def test_long_names_are_cut_as_upstream_cuts_them() -> None:
    model = model_for("aws-lb-controller", state_url="memfs://clusters.example.com",
                      edits={"minimal.example.com": "nthimdsprocessor.longclustername.example.com"})
    names = sorted(t.name for t in BUILDER.build(AWSModel(model)) if isinstance(t, IAMRole) and ".sa." in t.name)
    # Upstream's nth-imds-processor-irsa case names these roles for the same cluster.
    assert "aws-cloud-controller-manager.kube-system.sa.nthimdsproces-25s838" in names
    assert "dns-controller.kube-system.sa.nthimdsprocessor.longcluste-e6uuer" in names
    assert "ebs-csi-controller-sa.kube-system.sa.nthimdsprocessor.lon-kfj86l" in names
    assert all(len(n) <= 64 for n in names)


def test_without_service_account_roles_the_control_plane_keeps_the_controllers_permissions() -> None:
    model = model_for("aws-lb-controller", state_url="memfs://clusters.example.com",
                      edits={"useServiceAccountExternalPermissions: true": "useServiceAccountExternalPermissions: false"})
    tasks = BUILDER.build(AWSModel(model))
    assert not [t for t in tasks if isinstance(t, IAMRole) and ".sa." in t.name]
    masters = next(t.policy_document for t in tasks if t.name == "masters.minimal.example.com"
                   and isinstance(t, IAMRolePolicy))
    for action in ("route53:ChangeResourceRecordSets", "elasticloadbalancing:CreateRule", "sqs:ReceiveMessage"):
        assert action in masters


S3_DISCOVERY = {"memfs://discovery.example.com/minimal.example.com": "s3://oidc-discovery/minimal.example.com"}


def test_terraform_for_an_s3_discovery_store(tmp_path) -> None:
    from kops.pki import Keystore, new_ca_keyset
    from kops.state import open_store

    state = f"memfs://irsa-terraform-{tmp_path.name}"
    keyset = new_ca_keyset("service-account")
    Keystore(open_store(state), "minimal.example.com").save(keyset)
    model = model_for("many-addons-ccm-irsa", state_url=state, target="terraform", edits=S3_DISCOVERY)
    issuer = "https://oidc-discovery.s3.us-test-1.amazonaws.com/minimal.example.com"
    assert model.cluster.spec.kubeAPIServer.serviceAccountIssuer == issuer
    assert model.cluster.spec.kubeAPIServer.serviceAccountJWKSURI == issuer + "/openid/v1/jwks"
    files = terraform_files(model)
    text = files["kubernetes.tf"].decode()
    found = unquoted(resources(text))

    provider = found["aws_iam_openid_connect_provider", "minimal-example-com"]
    assert provider["url"] == issuer and provider["client_id_list"] == ["amazonaws.com"]
    for name in ("discovery-json", "keys-json"):
        obj = found["aws_s3_object", name]
        assert obj["acl"] == "public-read" and obj["bucket"] == "oidc-discovery"
        assert obj["provider"] == "${aws.files}"
    assert found["aws_s3_object", "discovery-json"]["key"] == "minimal.example.com/.well-known/openid-configuration"
    assert found["aws_s3_object", "keys-json"]["key"] == "minimal.example.com/openid/v1/jwks"
    discovery = json.loads(files["data/aws_s3_object_discovery.json_content"])
    assert discovery["issuer"] == issuer
    keys = json.loads(files["data/aws_s3_object_keys.json_content"])["keys"]
    public = keyset.primary.certificate.public_key().public_numbers()
    assert len(keys) == 1 and set(keys[0]) == {"use", "kty", "kid", "alg", "n", "e"} and keys[0]["e"] == "AQAB"
    assert int.from_bytes(__import__("base64").urlsafe_b64decode(keys[0]["n"] + "=="), "big") == public.n

    roles = {name for (type_, name) in found if type_ == "aws_iam_role" and "-sa-" in name}
    assert roles == {f"{sa}-kube-system-sa-minimal-example-com" for sa in (
        "aws-cloud-controller-manager", "aws-load-balancer-controller", "aws-node-termination-handler",
        "cluster-autoscaler", "dns-controller", "ebs-csi-controller-sa")}
    trust = found["aws_iam_role", "dns-controller-kube-system-sa-minimal-example-com"]["assume_role_policy"]
    assert trust.startswith("${templatefile(") and "data.aws_caller_identity.current.account_id" in trust
    assert 'data "aws_caller_identity" "current"' in text
    assert "kube-system-dns-controller_role_arn" in text and "iam_openid_connect_provider_issuer" in text
    # No private key anywhere in what Terraform is given.
    assert not any(b"PRIVATE KEY" in content for content in files.values())


def test_direct_and_terraform_leave_discovery_in_other_stores_alone() -> None:
    tasks = build_all(model_for("aws-lb-controller", state_url="memfs://clusters.example.com"))
    assert not [t for t in tasks if t.name in ("discovery.json", "keys.json")]
