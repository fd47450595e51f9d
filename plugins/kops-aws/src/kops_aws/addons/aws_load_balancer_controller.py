"""``aws-load-balancer-controller.addons.k8s.io``: the AWS Load Balancer Controller, which provisions ALBs for
Ingresses (class ``alb``) and binds target groups to Services.

Enabled by ``spec.awsLoadBalancerController.enabled``, on AWS only. It runs on the control plane, whose instance
role kops-aws extends with the load balancer permissions when the controller is enabled; where service accounts
have IAM roles of their own, its account (``aws-load-balancer-controller``) has them and it runs on any node. Its webhooks serve a
certificate cert-manager issues, so it is refused without cert-manager, as upstream refuses it. The VPC is given
only when the spec names one (``spec.networkID``); otherwise the controller finds its VPC from instance metadata.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ServiceAccount
from kops.addons.facts import region, section_enabled
from kops.addons.render import render
from kops.errors import FieldError

from kops_aws.component_versions import AWS_LOAD_BALANCER_CONTROLLER_IMAGE, AWS_LOAD_BALANCER_CONTROLLER_VERSION

NAME = "aws-load-balancer-controller.addons.k8s.io"
PATH = "spec.awsLoadBalancerController"

SERVICE_ACCOUNT = ServiceAccount("kube-system", "aws-load-balancer-controller", "aws-load-balancer-controller")


def enabled(cluster: Any) -> bool:
    return section_enabled(cluster.spec.awsLoadBalancerController)


def validate(cluster: Any) -> list[FieldError]:
    if enabled(cluster) and not section_enabled(cluster.spec.certManager):
        return [FieldError(f"{PATH}.enabled", "the AWS load balancer controller needs cert-manager: set "
                                              "spec.certManager.enabled to true")]
    return []


def addon(cluster: Any) -> Addon:
    from kops_aws import serviceaccounts

    config = cluster.spec.awsLoadBalancerController
    version = config.version or AWS_LOAD_BALANCER_CONTROLLER_VERSION
    values = {
        "image": f"{AWS_LOAD_BALANCER_CONTROLLER_IMAGE}:{version}",
        "args": _args(cluster, config),
        "resources": {
            "requests": {"cpu": str(config.cpuRequest or "100m"), "memory": str(config.memoryRequest or "200Mi")},
            "limits": {"cpu": str(config.cpuLimit or "200m"), "memory": str(config.memoryLimit or "500Mi")},
        },
        "service_account_role": serviceaccounts.enabled(cluster),
    }
    return Addon(name=NAME, version=version,
                 manifest=render("kops_aws.addons", "aws-load-balancer-controller.yaml.j2", values),
                 service_accounts=[SERVICE_ACCOUNT])


def _args(cluster: Any, config: Any) -> list[str]:
    name = cluster.metadata.name
    args = [f"--cluster-name={name}", "--ingress-class=alb"]
    where = region(cluster)
    if where:
        args.append(f"--aws-region={where}")
    if cluster.spec.networkID:
        args.append(f"--aws-vpc-id={cluster.spec.networkID}")
    return args + [
        "--metrics-bind-addr=:9442",
        f"--enable-waf={str(bool(config.enableWAF)).lower()}",
        f"--enable-wafv2={str(bool(config.enableWAFv2)).lower()}",
        f"--enable-shield={str(bool(config.enableShield)).lower()}",
        # The load balancers it creates carry the cluster's tag, which kops-aws' IAM conditions check.
        f"--default-tags=KubernetesCluster={name}",
    ]
