"""``aws-load-balancer-controller.addons.k8s.io``: in the channel only when enabled, valid for every supported
Kubernetes, refused without cert-manager, told its region and (when known) its VPC."""

from __future__ import annotations

import pytest
from kops_aws.component_versions import AWS_LOAD_BALANCER_CONTROLLER_VERSION

NAME = "aws-load-balancer-controller.addons.k8s.io"
CLUSTER = "addons.example.com"


def _args(found):
    return found["Deployment", "aws-load-balancer-controller"]["spec"]["template"]["spec"]["containers"][0]["args"]


def test_enabled_is_in_the_channel_and_valid(completed, channel, schema_problems):
    manifest = channel(completed(awsLoadBalancerController={"enabled": True}, certManager={"enabled": True}))[NAME]
    assert schema_problems(manifest) == []


@pytest.mark.parametrize("config", [None, {"enabled": False}])
def test_disabled_is_absent(completed, channel, config):
    spec = {"awsLoadBalancerController": config} if config is not None else {}
    assert NAME not in channel(completed(certManager={"enabled": True}, **spec))


def test_deployment_webhook_certificate_and_crds(completed, addons, objects):
    addon = addons(completed(awsLoadBalancerController={"enabled": True}, certManager={"enabled": True}))[NAME]
    assert addon.version == AWS_LOAD_BALANCER_CONTROLLER_VERSION
    found = objects(addon.manifest)
    args = _args(found)
    assert f"--cluster-name={CLUSTER}" in args and "--aws-region=us-east-1" in args
    assert not any(a.startswith("--aws-vpc-id") for a in args)
    certificate = found["Certificate", "aws-load-balancer-serving-cert"]["spec"]
    assert certificate["issuerRef"]["name"] == "aws-load-balancer-selfsigned-issuer"
    assert ("Issuer", "aws-load-balancer-selfsigned-issuer") in found
    pod = found["Deployment", "aws-load-balancer-controller"]["spec"]["template"]["spec"]
    assert {"name": "cert", "secret": {"defaultMode": 420, "secretName": certificate["secretName"]}} in pod["volumes"]
    assert found["Service", "aws-load-balancer-webhook-service"]["spec"]["ports"][0]["port"] == 443
    crds = {name for kind, name in found if kind == "CustomResourceDefinition"}
    assert crds == {"ingressclassparams.elbv2.k8s.aws", "targetgroupbindings.elbv2.k8s.aws"}


def test_known_vpc_version_and_waf(completed, addons, objects):
    cluster = completed(awsLoadBalancerController={"enabled": True, "version": "v2.13.0", "enableWAFv2": True},
                        certManager={"enabled": True}, networkID="vpc-0123")
    addon = addons(cluster)[NAME]
    args = _args(objects(addon.manifest))
    assert "--aws-vpc-id=vpc-0123" in args and "--enable-wafv2=true" in args and "--enable-waf=false" in args
    assert addon.version == "v2.13.0"


def test_requires_cert_manager(completed, problems):
    found = problems(completed(awsLoadBalancerController={"enabled": True}))
    assert list(found) == ["spec.awsLoadBalancerController.enabled"]
    assert "cert-manager" in found["spec.awsLoadBalancerController.enabled"]
    assert problems(completed(awsLoadBalancerController={"enabled": True}, certManager={"enabled": True})) == {}
