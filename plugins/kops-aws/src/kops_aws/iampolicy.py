"""The inline IAM policies of the cluster's instance roles: what each role's software calls, nothing more.

The facts (which component needs which action, and under which condition) are upstream kOps's
(``pkg/model/iam``): the control plane runs etcd-manager, kops-controller, the cloud controller
manager, the EBS CSI driver, dns-controller and the cluster autoscaler, so it gets their permissions,
mutating ones limited to resources tagged for the cluster; nodes only pull images (and, with some
networking providers, manage their network interfaces); bastions get nothing. Only the control plane
reads the state store, and it may write only the etcd backup folders.

Where service accounts have IAM roles of their own (:mod:`kops_aws.serviceaccounts`), the controllers'
permissions leave the control-plane role for theirs: :data:`SERVICE_ACCOUNT_PERMISSIONS` holds each controller's
set, by the name its add-on asks for.

Documents are rendered as upstream renders them (two-space JSON, statements in the same order, keys
sorted), so a policy made here and one made by upstream for the same cluster are the same text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from kops_aws.instancegroups import API_SERVER, BASTION, CONTROL_PLANE, NODE, nth_queue_mode, role_of

VERSION = "2012-10-17"

#: Stands for the Route 53 zone's ID in a policy made before the zone is looked up (see
#: :class:`kops_aws.tasks.iam_role_policy.IAMRolePolicy`).
HOSTED_ZONE = "${hosted_zone_id}"

_ECR = ("ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
        "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories", "ecr:ListImages", "ecr:BatchGetImage")
_ECR_PULL_THROUGH = ("ecr:ReplicateImage", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository",
                     "ecr:TagResource")
_KMS_DATA = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")
_AMAZON_VPC_CNI = ("ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
                   "ec2:DeleteNetworkInterface", "ec2:DescribeInstances", "ec2:DescribeTags",
                   "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes", "ec2:DescribeSecurityGroups",
                   "ec2:DescribeSubnets", "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute",
                   "ec2:UnassignPrivateIpAddresses")
_CILIUM_ENI = ("ec2:DescribeSubnets", "ec2:AttachNetworkInterface", "ec2:AssignPrivateIpAddresses",
               "ec2:UnassignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
               "ec2:DescribeSecurityGroups", "ec2:DeleteNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute",
               "ec2:DescribeVpcs", "ec2:CreateTags", "ec2:DescribeRouteTables", "ec2:DescribeTags",
               "ec2:DescribeInstances")
_CCM_READ = ("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeTags", "ec2:DescribeInstances",
             "ec2:DescribeRegions", "ec2:DescribeAvailabilityZones", "ec2:DescribeRouteTables",
             "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeInstanceTopology",
             "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
             "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancerPolicies",
             "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
             "elasticloadbalancing:DescribeTargetHealth", "iam:CreateServiceLinkedRole", "kms:DescribeKey")
_CCM_TAGGED = ("ec2:ModifyInstanceAttribute", "ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup",
               "ec2:RevokeSecurityGroupIngress", "elasticloadbalancing:AttachLoadBalancerToSubnets",
               "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
               "elasticloadbalancing:CreateLoadBalancerListeners", "elasticloadbalancing:CreateLoadBalancerPolicy",
               "elasticloadbalancing:ConfigureHealthCheck", "elasticloadbalancing:DeleteLoadBalancer",
               "elasticloadbalancing:DeleteLoadBalancerListeners", "elasticloadbalancing:DetachLoadBalancerFromSubnets",
               "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
               "elasticloadbalancing:ModifyLoadBalancerAttributes",
               "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
               "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer", "elasticloadbalancing:AddTags",
               "elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteTargetGroup",
               "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyTargetGroup",
               "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:RegisterTargets",
               "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:SetLoadBalancerPoliciesOfListener")
_LBC_READ = ("cognito-idp:DescribeUserPoolClient", "acm:DescribeCertificate", "acm:ListCertificates",
             "ec2:DescribeAvailabilityZones", "ec2:DescribeInstances", "ec2:DescribeInternetGateways",
             "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
             "ec2:DescribeVpcPeeringConnections", "ec2:DescribeVpcs", "ec2:DescribeAccountAttributes",
             "ec2:GetSecurityGroupsForVpc", "elasticloadbalancing:DescribeCapacityReservation",
             "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
             "elasticloadbalancing:DescribeListenerCertificates", "elasticloadbalancing:DescribeLoadBalancers",
             "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeRules",
             "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTargetGroups",
             "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
             "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:SetRulePriorities")
_LBC_TAGGED = ("ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupIngress",
               "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:AddTags",
               "elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteLoadBalancer",
               "elasticloadbalancing:DeleteRule", "elasticloadbalancing:DeleteTargetGroup",
               "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:ModifyCapacityReservation",
               "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes",
               "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyRule",
               "elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes",
               "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:RemoveListenerCertificates",
               "elasticloadbalancing:RemoveTags", "elasticloadbalancing:SetIpAddressType",
               "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets")


def partition(region: str) -> str:
    """The AWS partition of a region, as ARNs spell it."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


def ec2_service(region: str) -> str:
    """The EC2 service principal instances assume roles through (``ec2.amazonaws.com.cn`` in China)."""
    return "ec2.amazonaws.com.cn" if region.startswith("cn-") else "ec2.amazonaws.com"


def assume_role_policy(region: str) -> str:
    """The trust policy of an instance role, in upstream's exact text (so existing roles compare equal)."""
    return ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
            f'      "Principal": {{ "Service": "{ec2_service(region)}"}},\n'
            '      "Action": "sts:AssumeRole"\n    }\n  ]\n}')


def service_account_trust_policy(region: str, provider: str, namespace: str, name: str) -> str:
    """The trust policy of a service account's role: tokens the cluster's issuer (``provider``, its address
    without ``https://``) signed for that account, exchanged through the IAM OIDC provider of that issuer. The
    account ID is ``${aws_account_id}``; a ``*`` in the namespace matches with ``StringLike``."""
    from kops.errors import KopsError

    from kops_aws.account import ACCOUNT_PLACEHOLDER

    if "*" in name:
        raise KopsError(f"service account {namespace}/{name}: a service account's name cannot hold a wildcard")
    operator = "StringLike" if "*" in namespace else "StringEquals"
    return document([statement(
        "sts:AssumeRoleWithWebIdentity",
        condition={operator: {f"{provider}:sub": f"system:serviceaccount:{namespace}:{name}"}},
        principal={"Federated": f"arn:{partition(region)}:iam::{ACCOUNT_PLACEHOLDER}:oidc-provider/{provider}"})])


def statement(action: str | Iterable[str], resource: str | Iterable[str] | None = None, *,
              condition: dict[str, Any] | None = None, principal: dict[str, Any] | None = None) -> dict[str, Any]:
    """An ``Allow`` statement with upstream's key order. A string stays a string, any other iterable
    becomes a sorted list (see :func:`of` for "a string when there is only one")."""
    out: dict[str, Any] = {"Action": _one_or_sorted(action)}
    if condition:
        out["Condition"] = _sorted_keys(condition)
    out["Effect"] = "Allow"
    if principal:
        out["Principal"] = principal
    if resource is not None:
        out["Resource"] = _one_or_sorted(resource)
    return out


def _sorted_keys(value: Any) -> Any:
    """Maps with their keys sorted, at every depth, as Go's JSON encoder writes them."""
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    return value


def _one_or_sorted(value: str | Iterable[str]) -> str | list[str]:
    return value if isinstance(value, str) else sorted(set(value))


def of(values: Iterable[str]) -> str | list[str]:
    """One action as a string, several as a sorted list: how upstream writes its merged statements."""
    unique = sorted(set(values))
    return unique[0] if len(unique) == 1 else unique


def document(statements: list[dict[str, Any]]) -> str:
    """A policy document as upstream writes it; no statements is ``""`` (AWS refuses an empty policy)."""
    if not statements:
        return ""
    return json.dumps({"Statement": statements, "Version": VERSION}, indent=2)


class Policy:
    """A policy being assembled: explicit statements, then the merged groups upstream appends last."""

    def __init__(self, cluster_name: str, region: str):
        self.cluster_name = cluster_name
        self.region = region
        self.partition = partition(region)
        self.statements: list[dict[str, Any]] = []
        self.unconditional: set[str] = set()
        self.cluster_tagged: set[str] = set()
        self.cluster_tagged_create: set[str] = set()
        self.kms_data: set[str] = set()
        self.kms_grant = False

    def add(self, *statements: dict[str, Any]) -> None:
        self.statements.extend(statements)

    def ec2_create_action(self, actions: list[str], resources: list[str]) -> None:
        """Creating EC2 resources tagged for the cluster, and tagging only such resources afterwards."""
        arns = [f"arn:{self.partition}:ec2:*:*:{r}/*" for r in resources]
        self.cluster_tagged_create.update(f"ec2:{a}" for a in actions)
        self.add(
            statement("ec2:CreateTags", arns, condition={"StringEquals": {
                "aws:RequestTag/KubernetesCluster": self.cluster_name, "ec2:CreateAction": actions}}),
            statement(["ec2:CreateTags", "ec2:DeleteTags"], arns, condition={
                "Null": {"aws:RequestTag/KubernetesCluster": "true"},
                "StringEquals": {"aws:ResourceTag/KubernetesCluster": self.cluster_name}}),
        )

    def kms(self, bypass_via_service: bool = False) -> None:
        """Customer-managed keys used through AWS services (EBS, S3); grants only for AWS resources."""
        self.kms_grant = True
        if bypass_via_service:
            self.unconditional.update(_KMS_DATA)
        else:
            self.kms_data.update(_KMS_DATA)

    def render(self) -> str:
        statements = list(self.statements)
        if self.kms_grant:
            statements.append(statement("kms:CreateGrant", "*",
                                        condition={"Bool": {"kms:GrantIsForAWSResource": "true"}}))
        if self.kms_data:
            statements.append(statement(of(self.kms_data), "*", condition={"StringLike": {
                "kms:ViaService": [f"ec2.{self.region}.amazonaws.com", "s3.*.amazonaws.com"]}}))
        if self.unconditional:
            statements.append(statement(of(self.unconditional), "*"))
        tagged = {"StringEquals": {"aws:ResourceTag/KubernetesCluster": self.cluster_name}}
        if self.cluster_tagged:
            statements.append(statement(of(self.cluster_tagged), "*", condition=tagged))
        if self.cluster_tagged_create:
            statements.append(statement(of(self.cluster_tagged_create), "*", condition={
                "StringEquals": {"aws:RequestTag/KubernetesCluster": self.cluster_name}}))
            if "ec2:CreateSecurityGroup" in self.cluster_tagged_create:
                # A VPC cannot carry a request tag: security groups may be created in any VPC.
                statements.append(statement("ec2:CreateSecurityGroup", f"arn:{self.partition}:ec2:*:*:vpc/*"))
        return document(statements)


def role_policy(aws: Any, role: str, *, hosted_zone_id: str | None = None, warm_pool_hooks: bool = False) -> str:
    """The inline policy of an instance role (``ControlPlane``, ``APIServer``, ``Node``, ``Bastion``).

    ``aws`` is the run's :class:`kops_aws.model.AWSModel`; ``hosted_zone_id`` the Route 53 zone that
    dns-controller writes (None: the cluster publishes no DNS records); ``warm_pool_hooks`` whether
    instances of the role finish a warm-pool lifecycle hook themselves.
    """
    spec = aws.spec
    p = Policy(aws.cluster_name, aws.region)
    if role == BASTION:
        return p.render()
    if role == CONTROL_PLANE:
        _etcd_manager(p)
        p.unconditional.add("ec2:DescribeInstances")  # kops-controller verifies and identifies nodes
    _nodeup(p, aws, role, warm_pool_hooks)
    if role == CONTROL_PLANE and aws.ipv6_only:
        p.unconditional.add("ec2:DescribeNetworkInterfaces")
    if role in (CONTROL_PLANE, API_SERVER):
        _state_store(p, aws, role)
        p.kms(bypass_via_service=bool(spec.encryptionConfig))
    elif role == NODE:
        _boot_files(p, aws)
    if role == CONTROL_PLANE and not (spec.iam and spec.iam.useServiceAccountExternalPermissions):
        _controllers(p, aws, hosted_zone_id)
    if spec.iam and spec.iam.allowContainerRegistry:
        p.unconditional.update(_ECR)
    if spec.containerd and spec.containerd.useECRCredentialsForMirrors:
        p.unconditional.update(_ECR_PULL_THROUGH)
    _networking(p, aws, role)
    return p.render()


def _etcd_manager(p: Policy) -> None:
    p.unconditional.update(("ec2:DescribeInstances", "ec2:DescribeVolumes"))
    p.add(statement("ec2:AttachVolume", ["*"], condition={"StringEquals": {
        "aws:ResourceTag/KubernetesCluster": p.cluster_name, "aws:ResourceTag/k8s.io/role/master": "1"}}))


def _nodeup(p: Policy, aws: Any, role: str, warm_pool_hooks: bool) -> None:
    if warm_pool_hooks:
        p.cluster_tagged.add("autoscaling:CompleteLifecycleAction")
        p.unconditional.add("autoscaling:DescribeLifecycleHooks")
    networking = aws.spec.networking
    cilium_eni = bool(networking and networking.cilium and networking.cilium.ipam == "eni")
    if _nvidia(aws, role) or (networking and networking.amazonvpc) or cilium_eni:
        p.unconditional.add("ec2:DescribeInstanceTypes")
    if aws.ipv6_only:
        p.unconditional.add("ec2:AssignIpv6Addresses")


def _nvidia(aws: Any, role: str) -> bool:
    def enabled(containerd: Any) -> bool:
        return bool(containerd and containerd.nvidiaGPU and containerd.nvidiaGPU.enabled)

    if enabled(aws.spec.containerd):
        return True
    return any(enabled(g.spec.containerd) for g in aws.model.instance_groups if role_of(g) == role)


def _state_store(p: Policy, aws: Any, role: str) -> None:
    """Read the cluster's folders of the state store; the control plane also writes its etcd backups."""
    spec = aws.spec
    locations = [loc.rstrip("/") + "/" for loc in (spec.keyStore, spec.secretStore, aws.model.config_base) if loc]
    roots = sorted({loc for loc in locations if not any(loc != other and loc.startswith(other) for other in locations)})
    buckets: set[str] = set()
    for root in roots:
        path = _s3_path(root, "placeholder-read-bucket")
        buckets.add(path.split("/", 1)[0])
        p.add(statement(["s3:Get*"], f"arn:{p.partition}:s3:::{path}/*"))
    if role == CONTROL_PLANE:
        seen: set[str] = set()
        for etcd in spec.etcdClusters or []:
            store = etcd.backups.backupStore if etcd.backups else None
            if not store or store in seen:
                continue
            seen.add(store)
            path = _s3_path(store, "placeholder-write-bucket")
            buckets.add(path.split("/", 1)[0])
            p.add(statement(["s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"],
                            f"arn:{p.partition}:s3:::{path}/*"))
    for bucket in sorted(buckets):
        p.add(statement(["s3:GetBucketLocation", "s3:GetEncryptionConfiguration", "s3:ListBucket",
                         "s3:ListBucketVersions"], [f"arn:{p.partition}:s3:::{bucket}"]))


def _boot_files(p: Policy, aws: Any) -> None:
    """A worker reads from an ``s3://`` state store only what it boots from: its group's nodeup configuration and the
    node bundle (never the keystore: its credentials come from the node credential service). Upstream's workers
    read nothing there (kops-controller hands them their configuration); other stores are not S3."""
    from kops.bootstrap import role_folder
    from kops.nodeup.bundle import FOLDER

    if urlsplit(aws.model.config_base).scheme != "s3":
        return
    base = _s3_path(aws.model.config_base, "")
    folders = sorted({f"igconfig/{role_folder(g)}" for g in aws.model.instance_groups if role_of(g) == NODE})
    p.add(statement(["s3:GetObject"], [f"arn:{p.partition}:s3:::{base}/{folder}/*" for folder in [*folders, FOLDER]]))


def _s3_path(url: str, placeholder: str) -> str:
    """``bucket/key`` of an ``s3://`` URL; other stores (tests, local files) under a placeholder bucket."""
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return (parts.netloc + parts.path).rstrip("/")
    return f"{placeholder}/{parts.netloc}{parts.path}".rstrip("/")


def _controllers(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    """dns-controller, the EBS CSI driver, the cloud controller manager, the AWS load balancer controller,
    the cluster autoscaler and the node termination handler, which run on the control plane."""
    spec = aws.spec
    _dns_controller(p, aws, hosted_zone_id)
    _ebs_csi_driver(p, aws, hosted_zone_id)
    _ccm(p, aws)
    lbc = spec.awsLoadBalancerController
    if lbc and lbc.enabled:
        _load_balancer_controller(p, lbc)
    _cluster_autoscaler(p, aws, hosted_zone_id)
    if nth_queue_mode(spec):
        _node_termination_handler(p, aws, hosted_zone_id)


def _dns_controller(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    if not hosted_zone_id:
        return
    zone = hosted_zone_id.removeprefix("/").removeprefix("hostedzone/")
    p.add(
        statement(["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetHostedZone"],
                  [f"arn:{p.partition}:route53:::hostedzone/{zone}"]),
        statement(["route53:GetChange"], [f"arn:{p.partition}:route53:::change/*"]),
        statement(["route53:ListHostedZones", "route53:ListTagsForResource"], ["*"]),
    )


def _ebs_csi_driver(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    snapshots = aws.spec.snapshotController
    _ebs_csi(p, bool(snapshots and snapshots.enabled))


def _cloud_controller_manager(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    _ccm(p, aws)


def _aws_load_balancer_controller(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    _load_balancer_controller(p, aws.spec.awsLoadBalancerController)


def _cluster_autoscaler(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    autoscaler = aws.spec.clusterAutoscaler
    static = bool(autoscaler and autoscaler.awsUseStaticInstanceList)
    p.cluster_tagged.update(("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"))
    p.unconditional.update(("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                            "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
                            "ec2:DescribeImages", "ec2:DescribeLaunchTemplateVersions",
                            "ec2:GetInstanceTypesFromInstanceRequirements"))
    if not static:
        p.unconditional.add("ec2:DescribeInstanceTypes")


def _node_termination_handler(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    """Reading the handler's queue and completing lifecycle hooks (SQS actions take no conditions)."""
    p.unconditional.update(("autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeTags",
                            "ec2:DescribeInstances", "sqs:DeleteMessage", "sqs:ReceiveMessage"))
    p.cluster_tagged.add("autoscaling:CompleteLifecycleAction")


def _cert_manager(p: Policy, aws: Any, hosted_zone_id: str | None) -> None:
    """DNS-01 challenges: TXT records named ``_acme-challenge.*`` in the zones ``spec.certManager`` names."""
    zones = [f"arn:{p.partition}:route53:::hostedzone/{z}" for z in aws.spec.certManager.hostedZoneIDs or []]
    p.add(
        statement("route53:ListResourceRecordSets", zones),
        statement("route53:ChangeResourceRecordSets", zones, condition={
            "ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"]},
            "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}}),
        statement(["route53:GetChange"], [f"arn:{p.partition}:route53:::change/*"]),
        statement(["route53:ListHostedZonesByName"], ["*"]),
    )


#: Permission sets an add-on's service account may ask for by name (:class:`kops.addons.ServiceAccount`), as
#: upstream grants them to each controller's own role: ``(policy, aws, hosted_zone_id)`` adds the statements.
SERVICE_ACCOUNT_PERMISSIONS: dict[str, Callable[[Policy, Any, str | None], None]] = {
    "dns-controller": _dns_controller,
    "external-dns": _dns_controller,
    "aws-cloud-controller-manager": _cloud_controller_manager,
    "ebs-csi-driver": _ebs_csi_driver,
    "aws-load-balancer-controller": _aws_load_balancer_controller,
    "cluster-autoscaler": _cluster_autoscaler,
    "node-termination-handler": _node_termination_handler,
    "cert-manager": _cert_manager,
}


def service_account_policy(aws: Any, permissions: Any, *, hosted_zone_id: str | None = None) -> str:
    """The inline policy of a service account's role: a named permission set (see
    :data:`SERVICE_ACCOUNT_PERMISSIONS`) or a list of IAM statements; ``""`` for none."""
    from kops.errors import KopsError

    p = Policy(aws.cluster_name, aws.region)
    if isinstance(permissions, str):
        if permissions not in SERVICE_ACCOUNT_PERMISSIONS:
            raise KopsError(f"no AWS permission set named {permissions!r} (known: "
                            f"{', '.join(sorted(SERVICE_ACCOUNT_PERMISSIONS))})")
        SERVICE_ACCOUNT_PERMISSIONS[permissions](p, aws, hosted_zone_id)
    elif isinstance(permissions, list | tuple):
        p.add(*(_statement_order(dict(s)) for s in permissions))
    elif permissions is not None:
        raise KopsError(f"AWS permissions must be a permission set's name or a list of IAM statements, not "
                        f"{type(permissions).__name__}")
    return p.render()


def _ebs_csi(p: Policy, snapshots: bool) -> None:
    p.kms()
    if snapshots:
        p.unconditional.update(("ec2:CreateSnapshot", "ec2:DescribeAvailabilityZones", "ec2:DescribeSnapshots"))
        p.cluster_tagged.update(("ec2:DeleteSnapshot", "ec2:EnableFastSnapshotRestores"))
        p.ec2_create_action(["CreateSnapshot"], ["volume", "snapshot"])
        p.add(statement("ec2:CreateVolume", [f"arn:{p.partition}:ec2:*:*:snapshot/*"], condition={
            "StringEquals": {"aws:ResourceTag/KubernetesCluster": p.cluster_name}}))
    p.unconditional.update(("ec2:DescribeAvailabilityZones", "ec2:DescribeInstances", "ec2:DescribeInstanceTypes",
                            "ec2:DescribeTags", "ec2:DescribeVolumes", "ec2:DescribeVolumesModifications",
                            "ec2:DescribeVolumeStatus"))
    p.cluster_tagged.update(("ec2:AttachVolume", "ec2:DeleteVolume", "ec2:DetachVolume", "ec2:ModifyVolume"))
    p.ec2_create_action(["CopyVolumes", "CreateVolume"], ["volume", "snapshot"])


def _ccm(p: Policy, aws: Any) -> None:
    spec = aws.spec
    p.unconditional.update(_CCM_READ)
    p.cluster_tagged.update(_CCM_TAGGED)
    if spec.cloudConfig and spec.cloudConfig.nlbSecurityGroupMode == "Managed":
        p.cluster_tagged.add("elasticloadbalancing:SetSecurityGroups")
    p.cluster_tagged_create.update(("elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateListener",
                                    "elasticloadbalancing:CreateTargetGroup"))
    p.ec2_create_action(["CreateSecurityGroup"], ["security-group"])
    if spec.networking and spec.networking.kubenet:
        p.cluster_tagged.update(("ec2:CreateRoute", "ec2:DeleteRoute"))


def _load_balancer_controller(p: Policy, lbc: Any) -> None:
    p.unconditional.update(_LBC_READ)
    if lbc.enableWAF:
        p.unconditional.update(("elasticloadbalancing:SetWebACL", "waf-regional:AssociateWebACL",
                                "waf-regional:DisassociateWebACL", "waf-regional:GetWebACL",
                                "waf-regional:GetWebACLForResource"))
    if lbc.enableWAFv2:
        p.unconditional.update(("elasticloadbalancing:SetWebACL", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
                                "wafv2:GetWebACL", "wafv2:GetWebACLForResource"))
    if lbc.enableShield:
        p.unconditional.update(("shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection",
                                "shield:DeleteProtection"))
    p.cluster_tagged.update(_LBC_TAGGED)
    p.cluster_tagged_create.update(("elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateLoadBalancer",
                                    "elasticloadbalancing:CreateRule", "elasticloadbalancing:CreateTargetGroup"))
    p.ec2_create_action(["CreateSecurityGroup"], ["security-group"])


def _networking(p: Policy, aws: Any, role: str) -> None:
    networking = aws.spec.networking
    if not networking:
        return
    if networking.amazonvpc:
        p.unconditional.update(_AMAZON_VPC_CNI)
        p.add(statement(["ec2:CreateTags"], [f"arn:{p.partition}:ec2:*:*:network-interface/*"]))
    if role != NODE and networking.cilium and networking.cilium.ipam == "eni":
        p.unconditional.update(_CILIUM_ENI)
    if networking.calico and networking.calico.awsSrcDstCheck != "DoNothing" and not aws.ipv6_only:
        p.unconditional.update(("ec2:DescribeInstances", "ec2:ModifyNetworkInterfaceAttribute"))
    if role == NODE and networking.kuberouter:
        p.cluster_tagged.add("ec2:ModifyInstanceAttribute")
    if networking.kindnet:
        p.cluster_tagged.add("ec2:ModifyInstanceAttribute")


def parse_additional(text: str, cluster_name: str, role: str) -> list[dict[str, Any]]:
    """The statements of ``spec.additionalPolicies[role]``: a JSON list of statements (or one statement)."""
    return parse_statements(text, cluster_name, f"spec.additionalPolicies.{role}")


def parse_statements(text: str, cluster_name: str, path: str) -> list[dict[str, Any]]:
    """The IAM statements a spec field (``path``) holds as JSON: a list of statements, or one statement."""
    from kops.errors import KopsError

    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise KopsError(f"Cluster/{cluster_name}: {path}: not valid JSON: {exc}") from None
    items = parsed if isinstance(parsed, list) else [parsed]
    if not all(isinstance(s, dict) for s in items):
        raise KopsError(f"Cluster/{cluster_name}: {path}: expected a list of IAM statements")
    return [_statement_order(s) for s in items]


_KEY_ORDER = ("Sid", "Action", "NotAction", "Condition", "Effect", "Principal", "NotPrincipal", "Resource",
              "NotResource")


def _statement_order(stmt: dict[str, Any]) -> dict[str, Any]:
    """A user's statement with its keys in the order generated statements use; nothing is dropped."""
    known = [k for k in _KEY_ORDER if k in stmt]
    return {k: _sorted_keys(stmt[k]) for k in [*known, *sorted(set(stmt) - set(known))]}
