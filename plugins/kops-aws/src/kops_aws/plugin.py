"""The AWS plugin's hook implementations. Kept import-light: it is loaded whenever the CLI starts."""

from __future__ import annotations

from kops import hookimpl


@hookimpl
def kops_inference_rules() -> list:
    from kops_aws import completion, inference

    return inference.rules() + completion.rules()


@hookimpl
def kops_validate(cluster, instance_groups) -> list:
    from kops_aws import validation
    from kops_aws.addons import aws_load_balancer_controller, node_termination_handler

    return [*validation.validate(cluster), *aws_load_balancer_controller.validate(cluster),
            *node_termination_handler.validate(cluster)]


@hookimpl
def kops_model_builders(cluster, cloud: str) -> list:
    if cloud != "aws":
        return []
    from kops_aws.model import builders

    return builders()


@hookimpl
def kops_addons(cluster) -> list:
    from kops_aws.addons import addons

    return addons(cluster)


@hookimpl
def kops_service_account_identity(cluster, service_account):
    from kops_aws import serviceaccounts

    return serviceaccounts.identity(cluster, service_account)
