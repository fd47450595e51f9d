"""Where service accounts have IAM roles of their own (``spec.iam.useServiceAccountExternalPermissions``), each AWS
controller's workload takes on its account's role (``AWS_ROLE_ARN``, a projected token for ``amazonaws.com``) and
no longer needs the control plane's instance role: it leaves the control plane and the host's network, as
upstream's manifests do. The manifests stay valid for every supported Kubernetes minor."""

from __future__ import annotations

import pytest
import yaml
from kops.testing.manifests import KUBERNETES_MINORS

#: API groups of kinds CustomResourceDefinitions define (cert-manager's, the load balancer controller's), which
#: Kubernetes' schemas do not know.
CUSTOM_GROUPS = ("cert-manager.io", "acme.cert-manager.io", "elbv2.k8s.aws")

IRSA = {
    "iam": {"legacy": False, "useServiceAccountExternalPermissions": True},
    "serviceAccountIssuerDiscovery": {"discoveryStore": "memfs://discovery.example.com/addons.example.com",
                                      "enableAWSOIDCProvider": True},
    "clusterAutoscaler": {"enabled": True}, "awsLoadBalancerController": {"enabled": True},
    "certManager": {"enabled": True, "hostedZoneIDs": ["Z1AFAKE1ZON3YO"]}, "nodeTerminationHandler": {"enabled": True},
}

#: (add-on, kind, workload, service account) of every workload that runs with a role of its own.
WITH_ROLES = [
    ("dns-controller.addons.k8s.io", "Deployment", "dns-controller", "dns-controller"),
    ("aws-cloud-controller.addons.k8s.io", "DaemonSet", "aws-cloud-controller-manager", "aws-cloud-controller-manager"),
    ("aws-ebs-csi-driver.addons.k8s.io", "Deployment", "ebs-csi-controller", "ebs-csi-controller-sa"),
    ("node-termination-handler.aws", "Deployment", "aws-node-termination-handler", "aws-node-termination-handler"),
    ("aws-load-balancer-controller.addons.k8s.io", "Deployment", "aws-load-balancer-controller",
     "aws-load-balancer-controller"),
    ("cluster-autoscaler.addons.k8s.io", "Deployment", "cluster-autoscaler", "cluster-autoscaler"),
    ("certmanager.io", "Deployment", "cert-manager", "cert-manager"),
]
#: Those that no longer need the control plane's instance role, so may run anywhere.
OFF_THE_CONTROL_PLANE = ("ebs-csi-controller", "aws-node-termination-handler", "aws-load-balancer-controller",
                         "cluster-autoscaler")


@pytest.fixture
def stored():
    """The channel's manifests of a cluster by add-on name, as ``kops update cluster`` stores them."""
    from kops.addons.channel import addons, entries

    return lambda cluster: {e.addon.name: e.manifest for e in entries(cluster, addons(cluster))}


def env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env") or []}


def valid_for(manifest: str, minor: str) -> list[str]:
    """What strict validation against one minor's schemas finds wrong (kinds of CRDs left out)."""
    from kops.testing.manifests import schema_problems

    kept = [d for d in yaml.safe_load_all(manifest) if d and d["apiVersion"].partition("/")[0] not in CUSTOM_GROUPS]
    return schema_problems(yaml.safe_dump_all(kept), [minor])


@pytest.mark.parametrize("minor", KUBERNETES_MINORS)
def test_each_controller_takes_on_its_role(completed, stored, objects, minor):
    manifests = stored(completed(**IRSA, kubernetesVersion=f"v{minor}.0"))
    for addon, kind, workload, account in WITH_ROLES:
        pod = objects(manifests[addon])[kind, workload]["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == account
        role = f"arn:aws:iam::${{aws_account_id}}:role/{account}.kube-system.sa.addons.example.com"
        for container in pod["containers"]:
            assert env(container)["AWS_ROLE_ARN"] == role, (workload, container["name"])
            assert env(container)["AWS_WEB_IDENTITY_TOKEN_FILE"] == "/var/run/secrets/amazonaws.com/token"
            assert {"mountPath": "/var/run/secrets/amazonaws.com/", "name": "token-amazonaws-com",
                    "readOnly": True} in container["volumeMounts"]
        (token,) = [v for v in pod["volumes"] if v["name"] == "token-amazonaws-com"]
        assert token["projected"]["sources"] == [{"serviceAccountToken": {
            "audience": "amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]
        assert pod["securityContext"]["fsGroup"]  # the token is readable by non-root containers
        if workload in OFF_THE_CONTROL_PLANE:
            assert not pod.get("hostNetwork"), workload
            assert "control-plane" not in str({k: pod.get(k) for k in ("affinity", "nodeSelector", "tolerations")})
    # Workloads running as other accounts are left as they are.
    node = objects(manifests["aws-ebs-csi-driver.addons.k8s.io"])["DaemonSet", "ebs-csi-node"]
    assert "AWS_ROLE_ARN" not in str(node)
    assert "AWS_ROLE_ARN" not in str(objects(manifests["certmanager.io"])["Deployment", "cert-manager-webhook"])
    for addon, _, _, _ in WITH_ROLES:
        assert valid_for(manifests[addon], minor) == [], addon


def test_without_roles_of_their_own_the_controllers_stay_on_the_control_plane(completed, stored, objects):
    spec = {**IRSA, "iam": {"legacy": False}, "certManager": {"enabled": True}}
    manifests = stored(completed(**spec))
    assert not [name for name, manifest in manifests.items() if "AWS_ROLE_ARN" in manifest]
    nth = objects(manifests["node-termination-handler.aws"])["Deployment", "aws-node-termination-handler"]
    assert nth["spec"]["template"]["spec"]["hostNetwork"] is True


def test_dns01_challenges_need_roles_of_their_own(completed, problems):
    spec = {**IRSA, "iam": {"legacy": False}}
    assert "spec.certManager.hostedZoneIDs" in problems(completed(**spec))
    assert "spec.certManager.hostedZoneIDs" not in problems(completed(**IRSA))
